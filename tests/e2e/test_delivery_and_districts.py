"""Real-browser tests of issue 10 points 2 and 4 at 360 px: head office escalates with no
channel configured and every screen says the case waits (then a channel is configured
and it is delivered); a coordinator works through their districts' incidents, observers
and quiet places."""

from __future__ import annotations

import datetime as dt
import os
import re
import uuid

import pytest
from django.utils import timezone

from incidents.management.commands.rrcg_receiver import RRCGReceiver
from incidents.models import Escalation
from incidents.services import escalation, filing, lifecycle
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
SHOTS = "/tmp/shots"
SECRET = "browser-test-secret"


@pytest.fixture
def world(db):
    election = make_election(name="Repeat 2021 (browser)", **running_now())
    bishkek = make_district(election, name="Bishkek", code="BSK")
    osh = make_district(election, name="Osh", code="OSH")
    tec = make_commission("TEC", election=election, district=bishkek, name="Bishkek TEC")
    make_commission("PEC", election=election, district=bishkek, parent=tec, name="PEC 1001")
    emgek = make_party(name="Emgek")
    make_party_list(emgek, bishkek)
    lto = make_user("lto", "lto-bishkek-1", districts=[bishkek], first_name="Aida")
    make_user("lto", "lto-bishkek-2", districts=[bishkek], first_name="Nurlan")
    lto_osh = make_user("lto", "lto-osh-1", districts=[osh])
    make_user("coordinator", "coordinator-bishkek", districts=[bishkek])
    make_user("headoffice", "headoffice", first_name="Gulnara", last_name="Head")
    made = []
    for n, (who, district) in enumerate([(lto, bishkek), (lto, bishkek), (lto_osh, osh)]):
        incident, _ = filing.incident_file(
            actor=who,
            id=uuid.uuid4(),
            district=district,
            kind="vote_buying",
            occurred_at=timezone.now() - dt.timedelta(hours=6 - n),
            location=f"School No. {5 + n}",
            description="Cash offered to voters at the entrance.",
            source="direct_observation",
            party=emgek if district == bishkek else None,
            details={"offered": "money", "offered_by": "party_agent"},
        )
        made.append(incident)
    return made


@pytest.fixture
def browser(monkeypatch):
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run",
                  "--disable-quic"],
        )  # fmt: skip
        yield chromium
        chromium.close()


def signed_in(browser, live_server, username):
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")
    return context, page, errors


def fits(page, what):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"{what} scrolls sideways at 360 px ({width})"


def test_escalating_without_a_channel_says_it_waits_then_a_channel_delivers_it(
    browser, live_server, world, settings
):
    os.makedirs(SHOTS, exist_ok=True)
    settings.RRCG_WEBHOOK_URL = ""
    settings.RRCG_WEBHOOK_SECRET = ""
    settings.RRCG_EMAIL_TO = []
    incident = world[0]
    head_office = incident.reported_by.__class__.objects.get(username="headoffice")
    for step in ("in_review", "verified"):
        incident = lifecycle.incident_transition(actor=head_office, incident=incident, to=step)

    context, page, errors = signed_in(browser, live_server, "headoffice")
    page.goto(f"{live_server.url}/triage/incidents/{incident.pk}/")
    page.get_by_label("Why this goes to the RRCG").fill("Cash for votes, two witnesses.")
    page.get_by_role("button", name="Send to the RRCG").click()
    page.wait_for_selector("#escalations [data-delivery]")
    flash = page.locator(".messages").inner_text()
    assert "not sent: no channel to the RRCG is configured" in flash
    assert page.locator("h1 [data-delivery]").get_attribute("data-delivery") == "waiting_channel"
    card = page.locator("#rrcg-channel")
    assert card.get_attribute("data-channel") == "none"
    assert "RRCG_WEBHOOK_URL" in card.inner_text() and "administrator" not in card.inner_text()
    assert "when a channel is configured" in page.locator("#escalations").inner_text()
    page.screenshot(path=f"{SHOTS}/escalation-waiting-360.png", full_page=True)
    fits(page, "the incident page")

    page.goto(f"{live_server.url}/triage/?status=escalated")
    row = page.locator("#queue-results tbody tr", has_text=incident.ref)
    assert row.locator("[data-delivery]").get_attribute("data-delivery") == "waiting_channel"
    fits(page, "the queue")
    page.goto(f"{live_server.url}/")
    counts = page.locator("#escalation-counts").inner_text()
    assert "Waiting for a channel to the RRCG" in counts
    assert page.locator('[data-count="transferred"]').inner_text() == "0"
    assert "Sent to the RRCG" not in page.content()
    fits(page, "the home page")

    # the channel is configured: the next delivery reaches the (stand-in) RRCG
    stand_in = RRCGReceiver(secret=SECRET, acknowledge_to=live_server.url).start()
    try:
        settings.RRCG_WEBHOOK_URL = stand_in.url
        settings.RRCG_WEBHOOK_SECRET = SECRET
        settings.RRCG_WEBHOOK_TIMEOUT = 5
        row_id = Escalation.objects.get(incident=incident).pk
        assert escalation.escalation_deliver(escalation_id=row_id).outcome == "delivered"
        page.goto(f"{live_server.url}/triage/incidents/{incident.pk}/")
        state = page.locator("h1 [data-delivery]").get_attribute("data-delivery")
        assert state in ("delivered", "acknowledged")
        assert page.locator("#rrcg-channel").get_attribute("data-channel") == "ok"
        page.goto(f"{live_server.url}/")
        assert page.locator('[data-count="transferred"]').inner_text() == "1"
    finally:
        stand_in.stop()
    assert errors == [], errors
    context.close()

    # the observer sees the same truth on "My reports"
    context, page, errors = signed_in(browser, live_server, "lto-bishkek-1")
    page.goto(f"{live_server.url}/incidents/mine/")
    badge = page.locator(".report", has_text=incident.ref).locator("[data-delivery]")
    assert badge.get_attribute("data-delivery") in ("delivered", "acknowledged")
    fits(page, "My reports")
    assert errors == [], errors
    context.close()


def test_a_coordinator_works_through_their_districts_at_360_px(browser, live_server, world):
    os.makedirs(SHOTS, exist_ok=True)
    first, second, osh = world
    head_office = first.reported_by.__class__.objects.get(username="headoffice")
    lifecycle.incident_transition(actor=head_office, incident=second, to="in_review")

    context, page, errors = signed_in(browser, live_server, "coordinator-bishkek")
    assert page.locator("#districts-panel").is_visible()
    page.screenshot(path=f"{SHOTS}/coordinator-home-360.png", full_page=True)
    fits(page, "the coordinator's home")
    page.locator("#districts-panel").get_by_role("link", name="Incidents in my districts").click()
    page.wait_for_url("**/districts/incidents/")
    results = page.locator("#queue-results")
    assert first.ref in results.inner_text() and second.ref in results.inner_text()
    assert osh.ref not in results.inner_text()
    fits(page, "the district incidents")

    # the triage filters work here too (htmx, the address bar follows)
    page.locator("#field-status").get_by_label("In review", exact=True).check()
    page.wait_for_url(re.compile(r".*status=in_review.*"))
    page.wait_for_function("document.querySelectorAll('#queue-results tbody tr').length === 1")
    assert second.ref in results.inner_text() and first.ref not in results.inner_text()
    page.screenshot(path=f"{SHOTS}/coordinator-incidents-360.png", full_page=True)
    page.get_by_role("link", name=second.ref).click()
    page.wait_for_url(f"**/incidents/{second.pk}/")  # read-only: the observer's page

    page.goto(f"{live_server.url}/districts/incidents/")
    page.get_by_role("link", name="Observers").click()
    page.wait_for_url("**/districts/observers/")
    cards = page.locator("#observer-activity .observer")
    assert cards.count() == 2
    assert cards.first.get_attribute("data-observer") == "lto-bishkek-2"  # quietest first
    aida = page.locator('[data-observer="lto-bishkek-1"]')
    assert aida.locator('[data-field="week"]').inner_text() == "2"
    page.screenshot(path=f"{SHOTS}/coordinator-observers-360.png", full_page=True)
    fits(page, "the observers' activity")

    page.get_by_role("link", name="No report lately").click()
    page.wait_for_url("**/districts/quiet/")
    # every Bishkek report is recent; the PEC has none
    assert page.locator('#quiet-places [data-kind="pec"]').count() == 1
    assert page.locator('#quiet-places [data-kind="district"]').count() == 0
    page.get_by_label("No report in the last … days").fill("30")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/districts/quiet/?days=30")
    assert page.locator('#quiet-places [data-kind="pec"]').count() == 1
    page.goto(f"{live_server.url}/districts/quiet/?days=0")  # the browser's own check bypassed
    assert "Give a whole number of days" in page.content()
    fits(page, "the quiet places")
    page.screenshot(path=f"{SHOTS}/coordinator-quiet-360.png", full_page=True)
    assert errors == [], errors
    context.close()


def test_the_map_works_when_tiles_cannot_load(browser, live_server, world, settings):
    from decimal import Decimal

    from incidents.models import Incident

    settings.MAP_TILE_URL = "http://127.0.0.1:9/{z}/{x}/{y}.png"  # nothing listens there
    incident = world[0]
    Incident.objects.filter(pk=incident.pk).update(
        latitude=Decimal("42.874621"), longitude=Decimal("74.569762")
    )
    context, page, errors = signed_in(browser, live_server, "headoffice")
    page.goto(f"{live_server.url}/triage/incidents/{incident.pk}/")
    page.wait_for_selector("#incident-map .leaflet-marker-icon")
    assert page.locator("#incident-map").is_visible()
    assert "42.874621, 74.569762" in page.locator("#incident-coordinates").inner_text()
    fits(page, "the incident page with its map")
    page.goto(f"{live_server.url}/triage/")
    fits(page, "the queue with its bulk form")
    assert errors == [], errors
    context.close()
