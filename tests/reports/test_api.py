from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from rest_framework.test import APIClient

from observation.kernel.roles import Role
from reports import services
from reports.models import Report
from tests.factories import make_election, make_user
from tests.reports.factories import build_world, make_report

pytestmark = pytest.mark.django_db

READERS = [Role.HEAD_OFFICE, Role.LEGAL, Role.ANALYST, Role.ADMIN]
WRITERS = [Role.ANALYST, Role.ADMIN]


def _client(client, role):
    api = APIClient()
    if role is not None:
        api.force_login(make_user(role))
    return api


@pytest.mark.parametrize("role", [*Role, None])
def test_who_may_list_and_read_reports(client, role):
    report = make_report()
    api = _client(client, role)
    expected = 200 if role in READERS else (403 if role else 403)
    assert api.get("/api/v1/reports/").status_code in ((expected,) if role else (401, 403))
    assert api.get(f"/api/v1/reports/{report.pk}/").status_code in (
        (expected,) if role else (401, 403)
    )
    assert api.get(f"/api/v1/reports/{report.pk}/data/").status_code in (
        (expected,) if role else (401, 403)
    )


@pytest.mark.parametrize("role", list(Role))
def test_who_may_create_and_update_reports(client, role):
    election = make_election()
    api = _client(client, role)
    created = api.post("/api/v1/reports/", {"election": election.pk, "title": "R"})
    assert created.status_code == (201 if role in WRITERS else 403)
    report = make_report(election)
    updated = api.patch(f"/api/v1/reports/{report.pk}/", {"title": "Renamed"})
    assert updated.status_code == (200 if role in WRITERS else 403)
    assert Report.objects.filter(title="Renamed").exists() == (role in WRITERS)


@pytest.mark.parametrize("role", list(Role))
def test_who_may_export_a_draft(client, role):
    report = make_report()
    response = _client(client, role).get(f"/api/v1/reports/{report.pk}/export/?format=html")
    if role in WRITERS:
        assert response.status_code == 200
    elif role in READERS:
        assert response.status_code == 404  # drafts are the analysts' business
    else:
        assert response.status_code == 403


def test_create_defaults_the_period_and_returns_sections(client):
    election = make_election(observation_start=dt.date(2021, 6, 21),
                             observation_end=dt.date(2021, 7, 4))  # fmt: skip
    body = (
        _client(client, Role.ANALYST)
        .post("/api/v1/reports/", {"election": election.pk, "title": "Report", "language": "ru"})
        .json()
    )
    assert body["period_start"] == "2021-06-21" and body["period_end"] == "2021-07-04"
    assert body["status"] == "draft" and body["language"] == "ru"
    assert [s["key"] for s in body["sections"]][:2] == ["abbreviations", "summary"]


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"title": "R"}, "election"),
        ({"election": 999999, "title": "R"}, "election"),
        ({"title": "R", "language": "fr"}, "language"),
        ({"title": "", "election": "ELECTION"}, "title"),
        ({"title": "R", "election": "ELECTION", "period_start": "2021-07-05",
          "period_end": "2021-07-01"}, None),
        ({"title": "R", "election": "ELECTION", "period_start": "soon"}, "period_start"),
    ],
)  # fmt: skip
def test_bad_input_is_a_400_and_changes_nothing(client, payload, field):
    election = make_election()
    payload = {k: (election.pk if v == "ELECTION" else v) for k, v in payload.items()}
    response = _client(client, Role.ANALYST).post("/api/v1/reports/", payload)
    assert response.status_code == 400
    if field:
        assert field in response.json()
    assert not Report.objects.exists()


def test_data_endpoint_has_the_contract_shape(client):
    world = build_world(districts=2, parties=2, incidents_per_district=1)
    report = make_report(world.election)
    data = _client(client, Role.LEGAL).get(f"/api/v1/reports/{report.pk}/data/").json()
    row = data["voter_registration"]["rows"][0]
    assert row["commission"] == world.tecs[0].name and row["pec_count"] == 10
    assert data["districts"]["totals"]["parties"] == 2
    assert data["violations"]["total"] == 2
    assert set(data["violations"]["by_kind_and_party"]["vote_buying"]) >= {"unknown"}


@pytest.mark.parametrize("export_format, magic", [("html", b"<!doctype html>"),
                                                   ("pdf", b"%PDF"), ("docx", b"PK"),
                                                   ("xlsx", b"PK")])  # fmt: skip
def test_export_endpoint_returns_each_format(client, export_format, magic):
    report = make_report(build_world(districts=1).election)
    response = _client(client, Role.ANALYST).get(
        f"/api/v1/reports/{report.pk}/export/?format={export_format}"
    )
    assert response.status_code == 200
    assert response.content.startswith(magic)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert f".{export_format}" in response["Content-Disposition"]


@pytest.mark.parametrize("query", ["", "?format=zip", "?format=json"])
def test_unknown_export_format_is_a_400(client, query):
    report = make_report()
    response = _client(client, Role.ANALYST).get(f"/api/v1/reports/{report.pk}/export/{query}")
    assert response.status_code == 400
    assert "format" in response.json()


def test_section_update_through_the_api_detects_conflicts(client):
    report = make_report()
    api = _client(client, Role.ANALYST)
    url = f"/api/v1/reports/{report.pk}/sections/summary/"
    assert api.patch(url, {"body": "One", "version": 1}).status_code == 200
    conflict = api.patch(url, {"body": "Two", "version": 1})
    assert conflict.status_code == 400 and "body" in conflict.json()
    assert (
        api.patch(f"/api/v1/reports/{report.pk}/sections/nonsense/", {"body": "x"}).status_code
        == 400
    )
    assert report.sections.get(key="summary").body == "One"


def test_published_report_serves_its_snapshot_and_refuses_changes(
    client, monkeypatch, django_capture_on_commit_callbacks
):
    world = build_world(districts=1, incidents_per_district=1)
    api = _client(client, Role.ANALYST)
    report = make_report(world.election)
    with django_capture_on_commit_callbacks(execute=True):  # the files are rendered after commit
        assert api.post(f"/api/v1/reports/{report.pk}/publish/").status_code == 200
    before = api.get(f"/api/v1/reports/{report.pk}/data/").json()
    from tests.reports.factories import make_incident

    make_incident(election=world.election, district=world.districts[0])
    after = api.get(f"/api/v1/reports/{report.pk}/data/").json()
    assert before == after and after["violations"]["total"] == 1
    xlsx = api.get(f"/api/v1/reports/{report.pk}/export/?format=xlsx").content
    assert xlsx == report.snapshot.xlsx.open("rb").read()
    # frozen: a conflict with what is stored, not bad input
    assert api.patch(f"/api/v1/reports/{report.pk}/", {"title": "x"}).status_code == 409
    assert api.post(f"/api/v1/reports/{report.pk}/publish/").status_code == 409
    # readers may download what is published
    assert (
        _client(client, Role.LEGAL)
        .get(f"/api/v1/reports/{report.pk}/export/?format=xlsx")
        .status_code
        == 200
    )


def test_recommendations_and_abbreviations_collections(client):
    report = make_report()
    api = _client(client, Role.ANALYST)
    created = api.post(
        "/api/v1/report-recommendations/",
        {"report": report.pk, "addressee": "political_parties", "text": "Obey."},
    )
    assert created.status_code == 201
    bad = api.post("/api/v1/report-recommendations/",
                   {"report": report.pk, "addressee": "everyone", "text": "x"})  # fmt: skip
    assert bad.status_code == 400 and "addressee" in bad.json()
    abbr = api.post("/api/v1/report-abbreviations/",
                    {"report": report.pk, "short": "TEC", "meaning": "Territorial"})  # fmt: skip
    assert abbr.status_code == 201
    again = api.post("/api/v1/report-abbreviations/",
                     {"report": report.pk, "short": "TEC", "meaning": "Again"})  # fmt: skip
    assert again.status_code == 400
    rid = created.json()["id"]
    assert (
        api.patch(f"/api/v1/report-recommendations/{rid}/", {"text": "Obey the law."}).status_code
        == 200
    )
    assert api.delete(f"/api/v1/report-recommendations/{rid}/").status_code == 204
    listed = api.get(f"/api/v1/report-abbreviations/?report={report.pk}").json()
    assert listed["count"] == 1


def test_export_job_through_the_api(client, django_capture_on_commit_callbacks):
    report = make_report(build_world(districts=1).election)
    api = _client(client, Role.ANALYST)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/api/v1/reports/{report.pk}/export-jobs/", {"format": "xlsx"})
    assert response.status_code == 202
    job = api.get(f"/api/v1/report-exports/{response.json()['id']}/").json()
    assert job["status"] == "done" and job["progress"] == 100
    download = api.get(f"/api/v1/report-exports/{job['id']}/download/")
    assert download.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert len(book.sheetnames) > 3


def test_readers_do_not_see_export_jobs(client):
    report = make_report()
    services.export_job_create(actor=make_user(Role.ANALYST), report=report, export_format="html")
    assert _client(client, Role.LEGAL).get("/api/v1/report-exports/").json()["count"] == 0


def test_exports_downloads_and_publication_are_audited(client, django_capture_on_commit_callbacks):
    """Issue 12, item 14: every file of a report given out is in the audit trail, through
    the API and the pages alike, and so is publishing."""
    from django.test import Client

    from observation.kernel.models import AuditEntry

    analyst = make_user(Role.ANALYST)
    report = make_report(build_world(districts=1, incidents_per_district=1).election)
    api = APIClient()
    api.force_login(analyst)
    assert api.get(f"/api/v1/reports/{report.pk}/export/?format=xlsx").status_code == 200
    page = Client()
    page.force_login(analyst)
    assert page.get(f"/reports/{report.pk}/download/html/").status_code == 200
    exported = AuditEntry.objects.filter(action="report.exported", object_id=str(report.pk))
    assert [(e.actor, e.data["format"], e.data["published"]) for e in exported.order_by("id")] == [
        (analyst, "xlsx", False),
        (analyst, "html", False),
    ]
    # a refused export is not recorded
    assert api.get(f"/api/v1/reports/{report.pk}/export/?format=exe").status_code == 400
    assert exported.count() == 2

    with django_capture_on_commit_callbacks(execute=True):
        job = api.post(f"/api/v1/reports/{report.pk}/export-jobs/", {"format": "docx"}).json()
    assert api.get(f"/api/v1/report-exports/{job['id']}/download/").status_code == 200
    assert page.get(f"/reports/{report.pk}/exports/{job['id']}/download/").status_code == 200
    downloads = AuditEntry.objects.filter(action="report.export_downloaded")
    assert downloads.count() == 2
    assert {e.data["export_job_id"] for e in downloads} == {job["id"]}

    with django_capture_on_commit_callbacks(execute=True):
        assert api.post(f"/api/v1/reports/{report.pk}/publish/").status_code == 200
    assert AuditEntry.objects.filter(action="report.published", actor=analyst).count() == 1
    reader = APIClient()
    reader.force_login(make_user(Role.LEGAL))
    assert reader.get(f"/api/v1/reports/{report.pk}/export/?format=pdf").status_code == 200
    assert exported.filter(data__format="pdf", data__published=True).count() == 1
