"""What the screens promise on a 360 px phone (issue 10): a report is filed once whatever
Back does (point 1), an expired session eats no typed work (point 3), error pages look
like Baikoo and say why (point 7), and the form comes first on the phone (point 9)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone

from incidents.models import Incident
from incidents.services import filing
from tests.factories import (
    make_commission,
    make_district,
    make_election,
    make_party,
    make_party_list,
    make_user,
    running_now,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-tests"
SHOTS = Path("/tmp/shots")
DETAIL_URL = re.compile(r"/incidents/[0-9a-f-]{36}/")
PHONE = {"width": 360, "height": 740}


@pytest.fixture
def world(db):
    election = make_election(name="Repeat (browser)", **running_now())
    bishkek = make_district(election, name="Bishkek", code="BSK")
    emgek = make_party(name="Emgek")
    make_party_list(emgek, bishkek)
    tec = make_commission("TEC", election=election, district=bishkek, name="Bishkek TEC")
    make_commission("PEC", election=election, district=bishkek, parent=tec, name="PEC 1001")
    lto = make_user("lto", "lto-bishkek", districts=[bishkek])
    make_user("headoffice", "headoffice")
    for n in range(2):
        filing.incident_file(
            actor=lto, id=f"00000000-0000-4000-8000-00000000000{n}", district=bishkek,
            kind="vote_buying" if n else "campaign_rules",
            occurred_at=timezone.now() - dt.timedelta(hours=3), location=f"Place {n}",
            description="Seen.", source="direct_observation",
            details={"offered": "money", "offered_by": "party_agent"} if n
            else {"type": "unmarked_materials", "medium": "outdoor"},
        )  # fmt: skip
    return {"bishkek": bishkek}


def sign_in(browser, live_server, username, javascript=True):
    context = browser.new_context(viewport=PHONE, java_script_enabled=javascript)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/")
    return context, page


def fill_vote_buying(page, location="Market gate"):
    page.get_by_label("Where did it happen?").fill(location)
    page.get_by_label("Which party is involved?").select_option(label="Emgek")
    page.locator("#id_description").fill("Cash handed out at the gate.")
    page.get_by_label("I saw it myself").check()
    page.get_by_label("Money", exact=True).check()
    page.get_by_label("A party agent").check()


def expire_session(context):
    cookies = [c for c in context.cookies() if c["name"] != "sessionid"]
    context.clear_cookies()
    context.add_cookies(cookies)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_back_and_send_again_files_one_incident(browser, live_server, world, javascript):
    before = Incident.objects.count()
    context, page = sign_in(browser, live_server, "lto-bishkek", javascript)
    page.goto(f"{live_server.url}/incidents/new/vote_buying/")
    fill_vote_buying(page)
    page.get_by_role("button", name="Send report").last.click()
    page.wait_for_url(DETAIL_URL)
    assert Incident.objects.count() == before + 1

    page.go_back()
    page.wait_for_load_state()
    send = page.locator("button.send")
    if send.count() and send.is_visible():
        send.click()
        page.wait_for_load_state()
    else:
        assert (
            page.get_by_text("This report was sent").is_visible()
            or page.locator("[data-form-done]").is_visible()
        )
    page.screenshot(path=str(SHOTS / f"filed-once-back-{'js' if javascript else 'nojs'}-360.png"))
    page.reload()
    page.wait_for_load_state()
    if send.count() and send.is_visible():
        send.click()
        page.wait_for_load_state()
    assert Incident.objects.count() == before + 1
    # "Start a new report" gives a fresh form that files a second, different report.
    page.goto(f"{live_server.url}/incidents/new/vote_buying/")
    fill_vote_buying(page, location="Another place")
    page.get_by_role("button", name="Send report").last.click()
    page.wait_for_url(DETAIL_URL)
    assert Incident.objects.count() == before + 2
    context.close()


def test_an_expired_session_on_an_htmx_filter_keeps_the_page(browser, live_server, world):
    context, page = sign_in(browser, live_server, "headoffice")
    page.goto(f"{live_server.url}/triage/")
    rows = page.locator("#queue-results tbody tr").count()
    assert rows == 2
    expire_session(context)
    page.get_by_label("Form").select_option(label="Vote buying")
    notice = page.locator("#session-notice")
    notice.wait_for(state="visible")
    assert "You were signed out" in notice.inner_text()
    assert page.locator("#queue-results tbody tr").count() == rows  # nothing pasted
    assert page.locator("#queue-results #id_password").count() == 0
    page.screenshot(path=str(SHOTS / "signed-out-htmx-360.png"), full_page=True)
    sign_in_link = notice.get_by_role("link", name="Sign in again")
    assert "next=%2Ftriage%2F" in sign_in_link.get_attribute("href")
    context.close()


def test_an_expired_session_keeps_the_no_javascript_report(browser, live_server, world):
    before = Incident.objects.count()
    context, page = sign_in(browser, live_server, "lto-bishkek", javascript=False)
    page.goto(f"{live_server.url}/incidents/new/vote_buying/")
    fill_vote_buying(page, location="Kept across sign-in")
    expire_session(context)
    page.get_by_role("button", name="Send report").last.click()
    page.wait_for_url("**/accounts/login/**")
    assert "You were signed out" in page.content()
    page.screenshot(path=str(SHOTS / "signed-out-login-360.png"), full_page=True)
    page.get_by_label("User name").fill("lto-bishkek")
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()
    assert "Kept across sign-in" in page.content()
    page.screenshot(path=str(SHOTS / "signed-out-resend-360.png"), full_page=True)
    assert Incident.objects.count() == before
    page.get_by_role("button", name="Send it now").click()
    page.wait_for_url(DETAIL_URL)
    assert Incident.objects.count() == before + 1
    assert Incident.objects.filter(location="Kept across sign-in").exists()
    context.close()


def test_error_pages_fit_a_phone_and_say_why(browser, live_server, world):
    context, page = sign_in(browser, live_server, "lto-bishkek")
    response = page.goto(f"{live_server.url}/triage/")
    assert response.status == 403
    assert "Only these roles can open the triage queue" in page.inner_text("main")
    assert page.title() == "Not allowed — Baikoo"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(SHOTS / "error-403-360.png"), full_page=True)
    response = page.goto(f"{live_server.url}/nothing-here/")
    assert response.status == 404
    assert page.get_by_role("link", name="Go to the home page").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(SHOTS / "error-404-360.png"), full_page=True)
    page.get_by_role("link", name="Go to the home page").click()
    page.wait_for_url(f"{live_server.url}/")
    context.close()


def test_on_a_phone_the_form_comes_first(browser, live_server, world):
    context, page = sign_in(browser, live_server, "lto-bishkek")
    page.goto(f"{live_server.url}/incidents/new/vote_buying/")
    header = page.evaluate(
        "(() => { const nav = document.getElementById('site-nav');"
        " const h = document.querySelector('.site-header').getBoundingClientRect();"
        " return h.height + (nav && nav.offsetParent ? 0 : 0); })()"
    )
    assert header < 120, header
    assert not page.locator("#site-nav").is_visible()
    menu = page.get_by_role("button", name="Menu")
    assert menu.get_attribute("aria-expanded") == "false"
    page.screenshot(path=str(SHOTS / "phone-form-top-360.png"))
    first_field = page.locator("#id_district").bounding_box()
    assert first_field["y"] + first_field["height"] < 740  # above the fold
    menu.click()
    assert menu.get_attribute("aria-expanded") == "true"
    assert page.get_by_role("link", name="My reports").first.is_visible()
    page.screenshot(path=str(SHOTS / "phone-menu-open-360.png"))
    menu.click()
    send = page.get_by_role("button", name="Send report").last
    send.scroll_into_view_if_needed()
    assert send.is_visible()
    status = page.locator("#offline-status")
    assert status.get_attribute("aria-live") == "polite"
    # The status box sits right after the Send button, where the person is looking.
    assert (
        page.evaluate("document.querySelector('button.send').closest('p').nextElementSibling.id")
        == "offline-status"
    )
    context.close()


def test_a_phone_on_tokyo_time_files_its_own_default_time(browser, live_server, world):
    """The form's default time is the phone's; it is sent with its zone and not refused as
    "in the future" (point 8)."""
    context = browser.new_context(viewport=PHONE, timezone_id="Asia/Tokyo")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("User name").fill("lto-bishkek")
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/incidents/new/vote_buying/")
    assert page.locator("[data-time-zone]").inner_text() == "Asia/Tokyo"
    typed = page.locator("#id_occurred_at").input_value()
    fill_vote_buying(page, location="Tokyo-time phone")
    page.get_by_role("button", name="Send report").last.click()
    page.wait_for_url(DETAIL_URL)
    incident = Incident.objects.get(location="Tokyo-time phone")
    in_tokyo = incident.occurred_at.astimezone(dt.timezone(dt.timedelta(hours=9)))
    assert in_tokyo.strftime("%Y-%m-%dT%H:%M") == typed
    context.close()
