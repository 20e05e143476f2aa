"""Real-browser test of head-office triage (issue 5): find the report in the queue,
review and verify it, send it to the RRCG (the stand-in receiver), see the delivery and
the RRCG's acknowledgement; screenshots of the pages at 360 and 1280 px."""

from __future__ import annotations

import datetime as dt
import os
import re
import uuid

import pytest
from django.utils import timezone

from incidents.management.commands.rrcg_receiver import RRCGReceiver
from incidents.models import Escalation, Incident
from incidents.services import filing
from tests.e2e.conftest import wait_for_js
from tests.factories import (
    make_district,
    make_election,
    make_party,
    make_party_list,
    make_user,
    running_now,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PASSWORD = "pw-for-tests"
SHOTS = "/tmp/shots"
SECRET = "browser-test-secret"


@pytest.fixture
def triage_world(db):
    election = make_election(name="Repeat 2021 (browser)", **running_now())
    bishkek = make_district(election, name="Bishkek", code="BSK")
    osh = make_district(election, name="Osh", code="OSH")
    emgek = make_party(name="Emgek")
    make_party_list(emgek, bishkek)
    lto = make_user("lto", "lto-bishkek", districts=[bishkek], first_name="Aida")
    make_user("lto", "lto-osh", districts=[osh])
    make_user("headoffice", "headoffice", first_name="Gulnara", last_name="Head")
    make_user("legal", "legal", first_name="Bakyt", last_name="Legal")
    incidents = []
    for n, (district, kind, details, party) in enumerate(
        [
            (bishkek, "vote_buying", {"offered": "money", "value": "1000 som",
                                      "offered_by": "party_agent"}, emgek),
            (bishkek, "campaign_rules", {"type": "unmarked_materials", "medium": "outdoor"}, None),
        ]
    ):  # fmt: skip
        incident, _ = filing.incident_file(
            actor=lto,
            id=uuid.uuid4(),
            district=district,
            kind=kind,
            occurred_at=timezone.now() - dt.timedelta(hours=5 - n),
            location=f"School No. {5 + n}, Chui avenue",
            description="Cash offered to voters at the entrance." if n == 0 else "Banner.",
            source="direct_observation",
            witnesses="Aigul, +996 555 000 000" if n == 0 else "",
            party=party,
            details=details,
        )
        incidents.append(incident)
    return incidents


@pytest.fixture
def receiver(settings, live_server):
    stand_in = RRCGReceiver(secret=SECRET, acknowledge_to=live_server.url).start()
    settings.RRCG_WEBHOOK_URL = stand_in.url
    settings.RRCG_WEBHOOK_SECRET = SECRET
    settings.RRCG_WEBHOOK_TIMEOUT = 5
    settings.RRCG_EMAIL_TO = []
    yield stand_in
    stand_in.stop()


@pytest.fixture
def browser(monkeypatch):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; set here rather than at
    # import, so it does not leak into the rest of the session.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


def signed_in(browser, live_server, width: int, height: int = 900):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("User name").fill("headoffice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")
    return context, page, errors


def test_head_office_triages_and_escalates_to_the_rrcg(
    browser, live_server, triage_world, receiver
):
    os.makedirs(SHOTS, exist_ok=True)
    vote_buying, banner = triage_world
    context, page, errors = signed_in(browser, live_server, 1280)

    page.get_by_role("link", name="Triage queue").first.click()
    page.wait_for_url("**/triage/")
    assert page.locator("#queue-results tbody tr").count() == 2
    page.screenshot(path=f"{SHOTS}/triage-queue-1280.png", full_page=True)

    # narrowing by form updates the results in place (htmx) and the address bar
    page.get_by_label("Form").select_option(label="Vote buying")
    page.wait_for_url(re.compile(r".*kind=vote_buying.*"))
    wait_for_js(page, "document.querySelectorAll('#queue-results tbody tr').length === 1")
    assert banner.ref not in page.locator("#queue-results").inner_text()

    page.get_by_role("link", name=vote_buying.ref).click()
    page.wait_for_url(f"**/triage/incidents/{vote_buying.pk}/")
    assert "Aigul, +996 555 000 000" in page.content()  # head office sees the witnesses

    def change_status(label: str) -> None:
        page.locator("#field-to").get_by_label(label, exact=True).check()
        page.get_by_role("button", name="Change status").click()
        wait_for_js(
            page,
            "text => document.querySelector('#incident-status').textContent.trim() === text",
            arg=label,
        )

    change_status("In review")
    change_status("Verified")
    page.get_by_label("Assigned to").select_option(label="Gulnara Head")
    page.get_by_role("button", name="Assign").click()
    page.wait_for_selector("text=is assigned to Gulnara Head")

    page.get_by_label("Why this goes to the RRCG").fill("Cash for votes, two witnesses.")
    page.get_by_role("button", name="Send to the RRCG").click()
    page.wait_for_selector("[data-delivery]")
    page.screenshot(path=f"{SHOTS}/triage-incident-escalated-1280.png", full_page=True)

    row = Escalation.objects.get(incident=vote_buying)
    assert row.status in ("delivered", "acknowledged")
    assert receiver.accepted_count(str(row.pk)) == 1
    sent = receiver.requests_for(str(row.pk))[0]["body"]
    assert sent["incident"]["ref"] == vote_buying.ref and "Aigul" not in str(sent)
    assert page.locator(".attempts td", has_text="200").count() == 1

    # the stand-in RRCG acknowledges a moment later, signed, on the API
    page.wait_for_timeout(300)
    for _ in range(40):
        if Escalation.objects.get(pk=row.pk).status == "acknowledged":
            break
        page.wait_for_timeout(250)
    page.reload()
    assert page.locator("#escalations [data-delivery]").first.get_attribute("data-delivery") == (
        "acknowledged"
    )
    assert "RRCG-0001" in page.content()
    assert Incident.objects.get(pk=vote_buying.pk).status == "escalated"
    assert errors == [], errors
    context.close()


def test_triage_pages_at_360_px(browser, live_server, triage_world, receiver):
    os.makedirs(SHOTS, exist_ok=True)
    vote_buying, _banner = triage_world
    context, page, errors = signed_in(browser, live_server, 360, 780)
    page.goto(f"{live_server.url}/triage/")
    page.screenshot(path=f"{SHOTS}/triage-queue-360.png", full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the queue scrolls sideways at 360 px ({width})"
    page.goto(f"{live_server.url}/triage/incidents/{vote_buying.pk}/")
    page.screenshot(path=f"{SHOTS}/triage-incident-360.png", full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the incident page scrolls sideways at 360 px ({width})"
    page.goto(f"{live_server.url}/")
    page.screenshot(path=f"{SHOTS}/triage-home-360.png", full_page=True)
    assert errors == [], errors
    context.close()
