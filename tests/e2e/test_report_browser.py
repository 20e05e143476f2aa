"""An analyst, in a real browser, creates the preliminary report from the demo data,
writes the summary, previews the report and downloads the PDF built in the background;
the PDF opens and its first page is rendered to PNG to be looked at. Screenshots of the
report pages and the dashboard at 360 px and 1280 px go to /tmp/shots."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.e2e.conftest import serious_axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def demo():
    from django.core.management import call_command

    call_command("load_demo", stdout=io.StringIO())


def _sign_in(browser, live_server, settings, username: str, width: int):
    page = browser.new_page(viewport={"width": width, "height": 900}, accept_downloads=True)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", settings.DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return page


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_analyst_creates_edits_previews_and_downloads_the_pdf(browser, live_server, settings,
                                                              demo):  # fmt: skip
    from pypdf import PdfReader

    SHOTS.mkdir(parents=True, exist_ok=True)
    page = _sign_in(browser, live_server, settings, "analyst", 1280)
    page.click("nav.site-nav >> text=Reports")
    page.click("text=New report")
    page.select_option(
        "#id_election", label=page.locator("#id_election option").nth(1).inner_text()
    )
    page.fill("#id_title", "Preliminary report written in the browser")
    page.click("button:has-text('Create the report')")
    page.wait_for_selector("h1:has-text('Preliminary report written in the browser')")
    report_url = page.url

    page.click("a:has-text('Summary')")
    page.fill("#id_body", "Observers found a **quiet** campaign in all three cities.")
    page.wait_for_selector("#preview strong:has-text('quiet')")  # htmx live preview
    page.screenshot(path=str(SHOTS / "reports-section-1280.png"), full_page=True)
    page.click("button[value=save]")
    page.wait_for_selector("text=Section saved.")

    page.goto(report_url)
    page.click("a:has-text('Preview the whole report')")
    page.wait_for_selector("h2:has-text('1. Summary')")
    assert "quiet" in page.inner_text("#section-summary")
    assert "424 847" in page.inner_text("#section-voter_registration").replace("\u00a0", " ")
    page.screenshot(path=str(SHOTS / "reports-preview-1280.png"))

    page.goto(report_url)
    page.click("button:has-text('Build the PDF')")
    link = page.wait_for_selector("a.job-download", timeout=120_000)
    with page.expect_download() as download_info:
        link.click()
    pdf_path = SHOTS / "reports-e2e.pdf"
    download_info.value.save_as(str(pdf_path))
    page.screenshot(path=str(SHOTS / "reports-detail-1280.png"), full_page=True)

    reader = PdfReader(str(pdf_path))
    assert len(reader.pages) > 5
    first_page = " ".join(reader.pages[0].extract_text().split())
    assert "PRELIMINARY REPORT WRITTEN IN THE BROWSER" in first_page
    text = " ".join(p.extract_text() for p in reader.pages)
    assert "quiet" in text
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "2", str(pdf_path),
             str(SHOTS / "reports-e2e-page")],
            check=True,
            timeout=60,
        )  # fmt: skip
        assert any(SHOTS.glob("reports-e2e-page*1.png"))


@pytest.mark.parametrize("width", [360, 1280])
def test_report_pages_and_dashboard_fit_the_screen(browser, live_server, settings, demo, width):
    SHOTS.mkdir(parents=True, exist_ok=True)
    from reports.models import Report

    report = Report.objects.get()
    page = _sign_in(browser, live_server, settings, "analyst", width)
    for name, path in [
        ("list", "/reports/"),
        ("detail", f"/reports/{report.pk}/"),
        ("section", f"/reports/{report.pk}/sections/voter_registration/"),
        ("recommendations", f"/reports/{report.pk}/recommendations/"),
        ("dashboard", "/dashboard/"),
    ]:
        page.goto(f"{live_server.url}{path}")
        page.screenshot(path=str(SHOTS / f"reports-{name}-{width}.png"), full_page=True)
        assert _fits(page), f"{name} overflows at {width}px"


def test_insert_puts_a_draft_sentence_in_the_box_without_saving(browser, live_server, settings,
                                                                demo):  # fmt: skip
    from reports.models import Report, ReportSection

    report = Report.objects.get(election__name__startswith="Repeat elections")
    url = f"{live_server.url}/reports/{report.pk}/sections/violations/"
    page = _sign_in(browser, live_server, settings, "analyst", 1280)
    page.goto(url)
    page.fill("#id_body", "My own words.")
    sentence = page.inner_text("ol.drafts li:first-child .draft-text").strip()
    page.click("ol.drafts li:first-child button")
    value = page.input_value("#id_body")
    assert value == f"My own words.\n\n{sentence}"
    assert page.url == url  # no reload
    page.wait_for_selector("#preview p:has-text('My own words.')")  # the live preview follows
    assert ReportSection.objects.get(report=report, key="violations").body == ""  # not saved


def _boxes(page, selector: str) -> list[dict]:
    return page.eval_on_selector_all(
        selector, "els => els.map(e => { const r = e.getBoundingClientRect(); "
        "return {x: r.x, y: r.y, w: r.width}; })"
    )  # fmt: skip


@pytest.mark.parametrize("width", [360, 1280])
def test_outgoing_and_new_cec_side_by_side_where_the_screen_has_room(
    browser, live_server, settings, demo, axe_source, width
):
    """§5's outgoing and new CEC compositions: beside each other on a wide screen, one
    under the other on a phone, on the section page and in the preview; both pass axe (no
    serious or critical violation) and the section page fits the screen. (The preview is
    the print document: its widest tables, Table 2 among them, are wider than a phone.)"""
    from reports.models import Report

    SHOTS.mkdir(parents=True, exist_ok=True)
    report = Report.objects.get()
    context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "analyst")
    page.fill("#id_password", settings.DEMO_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    for name, path in [
        ("section", f"/reports/{report.pk}/sections/commissions/"),
        ("preview", f"/reports/{report.pk}/preview/"),
    ]:
        page.goto(f"{live_server.url}{path}")
        page.screenshot(path=str(SHOTS / f"reports-cec-{name}-{width}.png"), full_page=True)
        outgoing, new = _boxes(page, ".beside-item")[:2]
        if width >= 1280:
            assert outgoing["y"] == new["y"] and new["x"] > outgoing["x"] + outgoing["w"] - 1
        else:
            assert new["y"] > outgoing["y"]
        if name == "section":
            assert _fits(page), f"{name} overflows at {width}px"
        assert not serious_axe_violations(page, axe_source), name
    context.close()
