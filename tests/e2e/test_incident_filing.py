"""Real-browser tests of incident filing (issue 4): an LTO files each of the three forms,
files one while offline and sees it sent once the connection returns, and the form page
stays light with no third-party request."""

from __future__ import annotations

import gzip
import re
import uuid
from urllib.parse import urlparse

import pytest

from incidents.models import Incident
from tests.e2e.conftest import wait_for_js
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
DETAIL_URL = re.compile(r"/incidents/[0-9a-f-]{36}/")


@pytest.fixture
def field_world(db):
    election = make_election(name="Repeat 2021 (browser)", **running_now())
    bishkek = make_district(election, name="Bishkek", code="BSK")
    osh = make_district(election, name="Osh", code="OSH")
    emgek = make_party(name="Emgek")
    make_party_list(emgek, bishkek)
    make_party_list(make_party(name="Nur"), osh)
    tec = make_commission("TEC", election=election, district=bishkek, name="Bishkek TEC")
    make_commission("PEC", election=election, district=bishkek, parent=tec, name="PEC 1001")
    lto = make_user("lto", "lto-bishkek", districts=[bishkek], first_name="Aida")
    return {"bishkek": bishkek, "osh": osh, "emgek": emgek, "lto": lto}


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def lto_page(browser, live_server, field_world):
    context = browser.new_context(viewport={"width": 360, "height": 780})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("User name").fill("lto-bishkek")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")
    yield page
    assert errors == [], errors
    context.close()


def fill_common(page, location: str = "School No. 5, Chui avenue") -> None:
    page.get_by_label("Where did it happen?").fill(location)
    page.get_by_label("Which party is involved?").select_option(label="Emgek")
    page.locator("#id_description").fill("Seen at the entrance around noon.")
    page.get_by_label("I saw it myself").check()


KIND_STEPS = {
    "admin_resource": (
        "Administrative resources",
        lambda page: (
            page.get_by_label("Pressure on public employees").check(),
            page.get_by_label("Official involved").fill("A. Director"),
            page.get_by_label("Number of people affected").fill("30"),
        ),
        {"type": "pressure_on_employees", "official": "A. Director", "people_affected": 30},
    ),
    "vote_buying": (
        "Vote buying",
        lambda page: (
            page.get_by_label("Money", exact=True).check(),
            page.get_by_label("Approximate value").fill("500 som"),
            page.get_by_label("A party agent").check(),
        ),
        {"offered": "money", "value": "500 som", "offered_by": "party_agent"},
    ),
    "campaign_rules": (
        "Campaign rules",
        lambda page: (
            page.get_by_label("Materials without the required imprint").check(),
            page.get_by_label("Outdoor (banners, billboards, posters)").check(),
        ),
        {"type": "unmarked_materials", "medium": "outdoor"},
    ),
}


@pytest.mark.parametrize("kind", list(KIND_STEPS))
def test_lto_files_each_form(lto_page, live_server, kind):
    title, fill_kind, expected = KIND_STEPS[kind]
    page = lto_page
    page.get_by_role("link", name="Report an incident").first.click()
    page.get_by_role("link", name=title).click()
    page.wait_for_url(f"**/incidents/new/{kind}/?draft=*")
    fill_common(page)
    fill_kind(page)
    page.screenshot(path=f"{SHOTS}/incidents-e2e-{kind}-filled-360.png", full_page=True)
    page.get_by_role("button", name="Send report").last.click()
    page.wait_for_url(DETAIL_URL)
    incident = Incident.objects.get()
    assert f"/incidents/{incident.pk}/" in page.url
    assert f"Report sent. Its reference is {incident.ref}." in page.content()
    assert incident.kind == kind
    assert incident.ref == "BSK-0001"
    assert incident.party.name == "Emgek"
    for name, value in expected.items():
        assert incident.details[name] == value
    assert incident.ref in page.content()
    page.screenshot(path=f"{SHOTS}/incidents-e2e-{kind}-sent-360.png", full_page=True)


def test_lto_files_without_javascript(browser, live_server, field_world):
    context = browser.new_context(viewport={"width": 360, "height": 780}, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("User name").fill("lto-bishkek")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/incidents/new/vote_buying/")
    fill_common(page)
    page.get_by_label("Goods (food, gifts)").check()
    page.get_by_label("Not known", exact=True).check()
    page.get_by_role("button", name="Send report").last.click()
    page.wait_for_url(DETAIL_URL)
    incident = Incident.objects.get()
    assert incident.details["offered"] == "goods"
    assert "Report sent" in page.content()
    context.close()


def test_lto_files_while_offline_and_it_is_sent_once_back_online(lto_page, live_server):
    page = lto_page
    page.goto(f"{live_server.url}/incidents/new/vote_buying/")
    # The service worker installs and keeps the forms and reference lists.
    wait_for_js(
        page, "navigator.serviceWorker.ready.then(() => !!navigator.serviceWorker.controller)"
    )
    wait_for_js(page, "navigator.serviceWorker.controller !== null")
    page.context.set_offline(True)
    page.reload()  # served by the service worker from its cache
    assert page.get_by_label("Where did it happen?").is_visible()
    fill_common(page, location="Bus stop near the market (offline)")
    page.get_by_label("Money", exact=True).check()
    page.get_by_label("A candidate").check()
    report_id = page.locator("input[name=id]").input_value()
    page.get_by_role("button", name="Send report").last.click()

    queue = page.locator("#offline-queue")
    queue.wait_for(state="visible")
    assert page.locator("#offline-queue [data-queue-count]").inner_text() == "1"
    assert "Waiting to send" in queue.inner_text()
    assert "saved on this phone" in page.locator("#offline-status").inner_text()
    page.screenshot(path=f"{SHOTS}/incidents-e2e-offline-waiting-360.png", full_page=True)
    assert Incident.objects.count() == 0

    page.context.set_offline(False)  # the "online" event sends the queue
    wait_for_js(
        page,
        "document.querySelector('#offline-queue [data-queue-count]').textContent === '0'",
        timeout=15000,
    )
    assert "Sent" in queue.inner_text()
    # ...and said beside the Send button, where the observer is looking (aria-live).
    status = page.locator("#offline-status")
    assert "Sent" in status.inner_text() and status.get_attribute("aria-live") == "polite"
    page.screenshot(path=f"{SHOTS}/incidents-e2e-offline-sent-360.png", full_page=True)
    incident = Incident.objects.get()
    assert str(incident.pk) == report_id
    assert incident.location == "Bus stop near the market (offline)"
    assert incident.details["offered_by"] == "candidate"

    # Coming back to the page sends nothing again.
    page.goto(f"{live_server.url}/incidents/mine/")
    page.wait_for_load_state("networkidle")
    assert incident.ref in page.content()
    assert Incident.objects.count() == 1


def test_offline_report_with_a_photo_uploads_the_photo_after_the_report(
    lto_page, live_server, tmp_path
):
    from tests.incidents.conftest import jpeg_with_gps

    photo = tmp_path / "photo.jpg"
    photo.write_bytes(jpeg_with_gps())
    page = lto_page
    page.goto(f"{live_server.url}/incidents/new/campaign_rules/")
    wait_for_js(page, "navigator.serviceWorker.ready.then(() => true)")
    page.context.set_offline(True)
    fill_common(page)
    page.get_by_label("Black PR (false or insulting material)").check()
    page.get_by_label("Printed (leaflets, newspapers)").check()
    page.locator("input[type=file]").set_input_files(str(photo))
    page.get_by_role("button", name="Send report").last.click()
    page.locator("#offline-queue").wait_for(state="visible")
    assert page.locator("#offline-queue [data-queue-count]").inner_text() == "1"
    page.context.set_offline(False)
    wait_for_js(
        page,
        "document.querySelector('#offline-queue [data-queue-count]').textContent === '0'",
        timeout=15000,
    )
    incident = Incident.objects.get()
    assert incident.evidence_expected == 1
    assert incident.evidence.get().content_type == "image/jpeg"


def test_a_refused_report_is_shown_not_retried(lto_page, live_server, field_world):
    page = lto_page
    page.goto(f"{live_server.url}/incidents/new/vote_buying/")
    fill_common(page)
    page.get_by_label("Money", exact=True).check()
    page.get_by_label("A candidate").check()
    # The observer's coverage changes while the form is open: the server refuses.
    field_world["lto"].observer_profile.districts.set([field_world["osh"]])
    page.get_by_role("button", name="Send report").last.click()
    status = page.locator("#offline-status")
    status.wait_for(state="visible")
    wait_for_js(
        page, "document.querySelector('#offline-status').textContent.includes('Not accepted')"
    )
    assert "districts you cover" in status.inner_text()
    assert Incident.objects.count() == 0
    assert page.locator("#offline-queue [data-queue-count]").inner_text() == "0"


def test_form_page_is_light_and_calls_no_third_party(browser, live_server, field_world):
    context = browser.new_context(viewport={"width": 360, "height": 780})
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("User name").fill("lto-bishkek")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")
    requests: list = []
    page.on("requestfinished", lambda request: requests.append(request))
    page.goto(f"{live_server.url}/incidents/new/vote_buying/")
    page.wait_for_load_state("networkidle")
    own = urlparse(live_server.url).netloc
    assert all(urlparse(r.url).netloc == own for r in requests), [r.url for r in requests]
    page_resources = [
        r for r in requests if r.resource_type in ("document", "stylesheet", "script", "image")
    ]
    compressed = sum(
        len(gzip.compress(r.response().body()))
        for r in page_resources
        if r.response().status < 300  # not the redirect to the form's ?draft= address
    )
    assert compressed < 60 * 1024, compressed
    context.close()


def test_osh_observer_sees_no_bishkek_district_in_the_form(browser, live_server, field_world):
    make_user("lto", "lto-osh", districts=[field_world["osh"]])
    context = browser.new_context(viewport={"width": 360, "height": 780})
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("User name").fill("lto-osh")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/incidents/new/vote_buying/")
    options = page.locator("#id_district option").all_inner_texts()
    assert options == ["Osh"]
    parties = page.locator("#id_party option").all_inner_texts()
    assert parties == ["Not known", "Nur"]
    # and a report id from Bishkek's observer cannot be opened
    response = page.goto(f"{live_server.url}/incidents/{uuid.uuid4()}/")
    assert response.status == 404
    context.close()
