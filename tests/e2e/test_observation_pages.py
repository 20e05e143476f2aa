"""The election overview, party and party-meeting pages in a real browser, on a phone
(360 px) and a laptop (1280 px): they render the seed's numbers, the candidate filter
works with and without htmx, and nothing overflows the narrow screen."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tests.e2e.conftest import wait_for_js

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots")


@pytest.fixture
def demo_data(settings):
    from observation import demo

    demo.load(stdout=io.StringIO())
    return demo.demo_election()


def _signed_in(browser, live_server, settings, username, width):
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", settings.DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return page


def _open_menu(page) -> None:
    """On a phone the navigation is behind the "Menu" button (static/js/site.js)."""
    if page.locator(".menu-button").is_visible():
        page.click(".menu-button")


def _no_horizontal_page_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("width", [360, 1280])
def test_election_overview_shows_table_3(browser, live_server, settings, demo_data, width):
    page = _signed_in(browser, live_server, settings, "lto-bishkek-1", width)
    _open_menu(page)
    page.click("nav >> text=Elections")
    page.click(f"text={demo_data.name}")
    totals = page.locator("table.overview tfoot tr").inner_text()
    for number in ["121", "26", "2,359", "1,459", "900"]:
        assert number in totals
    assert "1,314" in page.locator("table.overview tbody").inner_text()
    assert _no_horizontal_page_scroll(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"observation-overview-{width}.png"), full_page=True)


@pytest.mark.parametrize("width", [360, 1280])
def test_party_page_filters_candidates_in_place(browser, live_server, settings, demo_data, width):
    page = _signed_in(browser, live_server, settings, "analyst", width)
    page.goto(f"{live_server.url}/parties/")
    page.click("text=Emgek")
    page.select_option("#id_status", "denied")
    page.wait_for_url("**status=denied**")
    wait_for_js(
        page, "document.querySelector('#candidates p.muted').textContent.includes('3 candidates')"
    )
    rows = page.locator("#candidates tbody tr")
    assert rows.count() == 3
    assert "Demo:" in rows.first.inner_text()
    page.screenshot(path=str(SHOTS / f"observation-party-{width}.png"), full_page=True)
    assert _no_horizontal_page_scroll(page)


@pytest.mark.parametrize("width", [360, 1280])
def test_party_meetings_page_and_form(browser, live_server, settings, demo_data, width):
    page = _signed_in(browser, live_server, settings, "lto-bishkek-2", width)
    _open_menu(page)
    page.click("nav >> text=Party meetings")
    assert page.locator("article.meeting").count() == 5
    assert "social networks" in page.locator("main").inner_text()
    assert _no_horizontal_page_scroll(page)
    page.screenshot(path=str(SHOTS / f"observation-meetings-{width}.png"), full_page=True)
    page.click("text=Record a meeting")
    page.click("main button[type=submit]")  # empty: refused with messages on the fields
    assert page.locator(".error-summary").is_visible()
    assert _no_horizontal_page_scroll(page)
    page.screenshot(path=str(SHOTS / f"observation-meeting-form-{width}.png"), full_page=True)
