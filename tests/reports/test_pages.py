from __future__ import annotations

import pytest

from observation.kernel.roles import Role
from reports.models import ExportJob, Report
from tests.factories import make_election, make_user
from tests.reports.factories import build_world, make_escalation, make_incident, make_report

pytestmark = pytest.mark.django_db

READERS = {Role.HEAD_OFFICE, Role.LEGAL, Role.ANALYST, Role.ADMIN}
WRITERS = {Role.ANALYST, Role.ADMIN}


@pytest.mark.parametrize("role", list(Role))
def test_page_access_by_role(client, role):
    report = make_report(build_world(districts=1).election)
    client.force_login(make_user(role))
    read = 200 if role in READERS else 403
    write = 200 if role in WRITERS else 403
    assert client.get("/reports/").status_code == read
    assert client.get(f"/reports/{report.pk}/").status_code == read
    assert client.get(f"/reports/{report.pk}/preview/").status_code == read
    assert client.get("/reports/new/").status_code == write
    assert client.get(f"/reports/{report.pk}/sections/summary/").status_code == write
    assert client.get(f"/reports/{report.pk}/recommendations/").status_code == write
    assert client.get(f"/reports/{report.pk}/abbreviations/").status_code == write
    assert client.get(f"/reports/{report.pk}/download/docx/").status_code == write
    dashboard = 200 if role in {Role.HEAD_OFFICE, Role.ANALYST, Role.ADMIN} else 403
    assert client.get("/dashboard/").status_code == dashboard


@pytest.mark.parametrize("role", list(Role))
def test_navigation_entries_by_role(client, role):
    client.force_login(make_user(role))
    html = client.get("/").content.decode()
    assert ('href="/reports/"' in html) == (role in READERS)
    assert ('href="/dashboard/"' in html) == (role in {Role.HEAD_OFFICE, Role.ANALYST, Role.ADMIN})


def test_anonymous_is_sent_to_sign_in(client):
    assert client.get("/reports/").status_code == 302


def test_analyst_creates_a_report_with_the_default_period(client):
    election = make_election()
    client.force_login(make_user(Role.ANALYST))
    response = client.post("/reports/new/", {"election": election.pk, "title": "My report",
                                             "language": "en"})  # fmt: skip
    report = Report.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/reports/{report.pk}/"
    assert report.period_start == election.observation_start


def test_create_form_shows_errors_and_keeps_nothing(client):
    client.force_login(make_user(Role.ANALYST))
    response = client.post("/reports/new/", {"title": "", "language": "xx"})
    assert response.status_code == 200
    assert "error-summary" in response.content.decode()
    assert not Report.objects.exists()


def test_section_save_insert_and_preview(client):
    world = build_world(districts=1, incidents_per_district=2)
    report = make_report(world.election)
    client.force_login(make_user(Role.ANALYST))
    url = f"/reports/{report.pk}/sections/violations/"
    page = client.get(url).content.decode()
    assert "Draft sentences from the data" in page and "<svg" in page
    assert 'src="/static/reports/section-editor.js"' in page and "<script>" not in page
    # Insert puts the sentence into the box without saving (no JavaScript here; with it,
    # static/reports/section-editor.js does the same in the page).
    inserted = client.post(url, {"body": "My text.", "version": 1, "action": "insert-0"})
    assert inserted.status_code == 200
    assert "My text.\n\n" in inserted.content.decode()
    assert "2 violations" in inserted.content.decode()
    assert report.sections.get(key="violations").body == ""
    client.post(url, {"body": "My text.", "version": 1, "action": "save"})
    body = report.sections.get(key="violations").body
    preview = client.post(url, {"body": "**bold**", "version": 2, "action": "preview"})
    assert "<strong>bold</strong>" in preview.content.decode()
    assert report.sections.get(key="violations").body == body == "My text."


def test_htmx_preview_is_sanitised(client):
    report = make_report()
    client.force_login(make_user(Role.ANALYST))
    response = client.post(
        f"/reports/{report.pk}/sections/summary/preview/",
        {"body": "Hi <script>alert(1)</script> [x](javascript:alert(1)) *ok*"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert "<script" not in html and "javascript:" not in html and "<em>ok</em>" in html


def test_stale_section_form_shows_the_conflict(client):
    report = make_report()
    client.force_login(make_user(Role.ANALYST))
    url = f"/reports/{report.pk}/sections/summary/"
    client.post(url, {"body": "first", "version": 1, "action": "save"})
    response = client.post(url, {"body": "second", "version": 1, "action": "save"})
    assert "Someone else saved this section" in response.content.decode()
    assert "second" in response.content.decode()  # the text typed is still on the page
    assert report.sections.get(key="summary").body == "first"


def test_recommendation_and_abbreviation_pages(client):
    report = make_report()
    client.force_login(make_user(Role.ANALYST))
    client.post(f"/reports/{report.pk}/recommendations/",
                {"addressee": "law_enforcement", "text": "Investigate quickly."})  # fmt: skip
    client.post(f"/reports/{report.pk}/abbreviations/", {"short": "RRCG", "meaning": "Group"})
    rec = report.recommendations.get()
    assert rec.text == "Investigate quickly."
    client.post(f"/reports/{report.pk}/recommendations/{rec.pk}/", {"action": "delete"})
    assert not report.recommendations.exists()
    assert "RRCG" in client.get(f"/reports/{report.pk}/preview/").content.decode()


def test_pdf_export_job_and_progress_partial(client, django_capture_on_commit_callbacks):
    report = make_report(build_world(districts=1).election)
    client.force_login(make_user(Role.ANALYST))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/reports/{report.pk}/exports/", {"format": "pdf"},
                               HTTP_HX_REQUEST="true")  # fmt: skip
    job = ExportJob.objects.get()
    assert f'id="job-{job.pk}"' in response.content.decode()
    status = client.get(f"/reports/{report.pk}/exports/{job.pk}/", HTTP_HX_REQUEST="true")
    assert "Download" in status.content.decode()
    download = client.get(f"/reports/{report.pk}/exports/{job.pk}/download/")
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_queued_job_polls_until_done(client):
    report = make_report()
    analyst = make_user(Role.ANALYST)
    job = ExportJob.objects.create(report=report, format="pdf", requested_by=analyst)
    client.force_login(analyst)
    html = client.get(
        f"/reports/{report.pk}/exports/{job.pk}/", HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'hx-trigger="every 1s"' in html and "<progress" in html


def test_publish_page_freezes_the_report(client, monkeypatch):
    from reports import services

    monkeypatch.setattr(services, "render_export", lambda document, export_format: b"file")
    report = make_report()
    client.force_login(make_user(Role.ANALYST))
    assert client.get(f"/reports/{report.pk}/publish/").status_code == 200
    client.post(f"/reports/{report.pk}/publish/")
    report.refresh_from_db()
    assert report.is_published
    edit = client.get(f"/reports/{report.pk}/sections/summary/")
    assert edit.status_code == 302


def test_dashboard_shows_charts_latest_incidents_and_stuck_escalations(client):
    world = build_world(districts=2, incidents_per_district=2)
    failed = make_incident(election=world.election, district=world.districts[0])
    make_escalation(failed, "failed", last_error="HTTP 400")
    make_escalation(
        make_incident(election=world.election, district=world.districts[1]), "delivered"
    )
    client.force_login(make_user(Role.HEAD_OFFICE))
    html = client.get(f"/dashboard/?election={world.election.pk}").content.decode()
    assert html.count("<svg") == 3
    assert failed.ref in html and "HTTP 400" in html
    assert "Secretname" not in html  # never witness data


def test_dashboard_survives_a_bad_election_parameter(client):
    client.force_login(make_user(Role.ANALYST))
    assert client.get("/dashboard/?election=abc").status_code == 200


@pytest.mark.parametrize(
    "page",
    ["settings/", "sections/summary/", "recommendations/", "recommendations/{rec}/",
     "abbreviations/", "abbreviations/{abbr}/", "publish/"],
)  # fmt: skip
def test_every_editing_page_of_a_published_report_sends_back_to_it(client, monkeypatch, page):
    from reports import services

    monkeypatch.setattr(services, "render_export", lambda document, export_format: b"file")
    analyst = make_user(Role.ANALYST)
    report = make_report(actor=analyst)
    rec = services.recommendation_create(actor=analyst, report=report, addressee="other",
                                         text="x")  # fmt: skip
    abbr = services.abbreviation_create(actor=analyst, report=report, short="X", meaning="x")
    services.report_publish(actor=analyst, report=report)
    client.force_login(analyst)
    url = f"/reports/{report.pk}/" + page.format(rec=rec.pk, abbr=abbr.pk)
    for response in (client.get(url), client.post(url, {"body": "x", "action": "delete"})):
        assert response.status_code == 302 and response.url == f"/reports/{report.pk}/"
    followed = client.get(url, follow=True).content.decode()
    assert "This report is published and can no longer be changed." in followed


def test_publishing_page_shows_the_files_being_prepared(client, django_capture_on_commit_callbacks):
    report = make_report(build_world(districts=1).election)
    client.force_login(make_user(Role.ANALYST))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(f"/reports/{report.pk}/publish/", follow=True)
    html = response.content.decode()
    assert "The report is published and frozen." in html and "being prepared" in html
    assert html.count('hx-trigger="every 1s"') == 4  # the four export jobs' progress
    early = client.get(f"/reports/{report.pk}/download/pdf/")
    assert early.status_code == 302 and early.url == f"/reports/{report.pk}/"
    for callback in callbacks:
        callback()
    html = client.get(f"/reports/{report.pk}/").content.decode()
    assert "aria-disabled" not in html and f"/reports/{report.pk}/download/pdf/" in html
    pdf = client.get(f"/reports/{report.pk}/download/pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
