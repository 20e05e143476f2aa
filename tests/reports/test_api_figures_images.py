"""The API of a report's context figures and section images (issue 11): the same services
as the page, so the same checks, audit entries and frozen report."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from observation.kernel.roles import Role
from observation.models import AuditEntry
from reports import services
from reports.models import ContextFigure, SectionImage
from tests.factories import make_user
from tests.reports.factories import make_report

pytestmark = pytest.mark.django_db

READERS = {Role.HEAD_OFFICE, Role.LEGAL, Role.ANALYST, Role.ADMIN}
WRITERS = {Role.ANALYST, Role.ADMIN}
FIGURE = {
    "section": "socio_political",
    "title": "COVID-19 in Kyrgyzstan",
    "source": "Ministry of Health, 5 July 2021",
    "rows": [["Confirmed cases", 132070], ["Deaths", 2102]],
    "chart": "bar",
}


def _api(role):
    api = APIClient()
    user = make_user(role)
    api.force_login(user)
    return api, user


def _picture(fmt: str = "PNG", size=(8, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "red").save(buffer, format=fmt)
    return buffer.getvalue()


def _upload(api, target, content: bytes, name="photo.png", **fields):
    data = {
        "report": target.pk,
        "section": "summary",
        "caption": "A queue at a polling station",
        "file": SimpleUploadedFile(name, content),
        **fields,
    }
    return api.post("/api/v1/report-images/", data, format="multipart")


def _publish(report):
    # frozen as report_publish leaves it, without rendering the four files
    report.status = report.Status.PUBLISHED
    report.published_at = timezone.now()
    report.save(update_fields=["status", "published_at"])


# --- context figures ------------------------------------------------------------------


def test_context_figures_crud_with_audit():
    report = make_report()
    api, analyst = _api(Role.ANALYST)
    created = api.post("/api/v1/report-figures/", {**FIGURE, "report": report.pk}, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["rows"] == FIGURE["rows"] and body["order"] == 1
    url = f"/api/v1/report-figures/{body['id']}/"
    listed = api.get(f"/api/v1/report-figures/?report={report.pk}").json()
    assert listed["count"] == 1 and listed["results"][0]["title"] == FIGURE["title"]
    changed = api.patch(
        url, {"rows": [["Confirmed cases", 132071]], "chart": "none"}, format="json"
    )
    assert changed.status_code == 200 and changed.json()["rows"] == [["Confirmed cases", 132071]]
    # the report a figure belongs to is fixed
    api.patch(url, {"report": make_report().pk}, format="json")
    assert ContextFigure.objects.get().report == report
    assert api.delete(url).status_code == 204
    assert not ContextFigure.objects.exists()
    actions = list(
        AuditEntry.objects.filter(actor=analyst).order_by("id").values_list("action", flat=True)
    )
    assert actions == [
        "report.context_figure_added",
        "report.context_figure_updated",
        "report.context_figure_deleted",
    ]


@pytest.mark.parametrize(
    "change, field",
    [
        ({"rows": []}, "rows"),
        ({"rows": "Confirmed | 1"}, "rows"),
        ({"rows": [["Confirmed", "many"]]}, "rows"),
        ({"rows": [["Confirmed", True]]}, "rows"),
        ({"rows": [["", 1]]}, "rows"),
        ({"rows": [["x" * 201, 1]]}, "rows"),
        ({"rows": [["Big", 10**16]]}, "rows"),
        ({"rows": [[f"Row {n}", n] for n in range(101)]}, "rows"),
        ({"chart": "pie"}, "chart"),
        ({"section": "nowhere"}, "section"),
        ({"title": ""}, "title"),
        ({"source": "x" * 401}, "source"),
        ({"report": 999999}, "report"),
        ({"order": -1}, "order"),
    ],
)
def test_bad_figures_are_a_400_on_the_field_and_change_nothing(change, field):
    report = make_report()
    api, _user = _api(Role.ANALYST)
    answer = api.post(
        "/api/v1/report-figures/", {**FIGURE, "report": report.pk, **change}, format="json"
    )
    assert answer.status_code == 400 and field in answer.json(), answer.json()
    assert not ContextFigure.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="report.context_figure").exists()


@pytest.mark.parametrize("role", list(Role))
def test_who_may_read_and_write_figures(role):
    report = make_report()
    figure = services.context_figure_create(actor=None, report=report, **FIGURE)
    api, _user = _api(role)
    read = api.get(f"/api/v1/report-figures/{figure.pk}/").status_code
    assert read == (200 if role in READERS else 403)
    wrote = api.post(
        "/api/v1/report-figures/", {**FIGURE, "report": report.pk}, format="json"
    ).status_code
    assert wrote == (201 if role in WRITERS else 403)
    deleted = api.delete(f"/api/v1/report-figures/{figure.pk}/").status_code
    assert deleted == (204 if role in WRITERS else 403)


def test_anonymous_gets_nothing():
    assert APIClient().get("/api/v1/report-figures/").status_code in (401, 403)
    assert APIClient().get("/api/v1/report-images/").status_code in (401, 403)


def test_a_published_report_refuses_figure_and_image_changes_with_409():
    report = make_report()
    figure = services.context_figure_create(actor=None, report=report, **FIGURE)
    image = services.section_image_add(
        actor=None,
        report=report,
        section="summary",
        caption="Queue",
        file=SimpleUploadedFile("a.png", _picture()),
    )
    _publish(report)
    api, _user = _api(Role.ANALYST)
    answers = [
        api.post("/api/v1/report-figures/", {**FIGURE, "report": report.pk}, format="json"),
        api.patch(f"/api/v1/report-figures/{figure.pk}/", {"title": "New"}, format="json"),
        api.delete(f"/api/v1/report-figures/{figure.pk}/"),
        _upload(api, report, _picture()),
        api.patch(f"/api/v1/report-images/{image.pk}/", {"caption": "New"}, format="json"),
        api.delete(f"/api/v1/report-images/{image.pk}/"),
    ]
    for answer in answers:
        assert answer.status_code == 409, (answer.status_code, answer.content)
        assert answer.json() == {"detail": "This report is published and can no longer be changed."}
    assert ContextFigure.objects.get().title == FIGURE["title"]
    assert SectionImage.objects.get().caption == "Queue"
    # readers still read, and the picture is still served
    assert api.get(f"/api/v1/report-images/{image.pk}/download/").status_code == 200


def test_other_report_writes_are_409_too_once_published():
    report = make_report()
    _publish(report)
    api, _user = _api(Role.ANALYST)
    assert api.patch(f"/api/v1/reports/{report.pk}/", {"title": "x"}).status_code == 409
    assert api.post(f"/api/v1/reports/{report.pk}/publish/").status_code == 409


# --- section images -------------------------------------------------------------------


def test_an_image_is_uploaded_listed_downloaded_renamed_and_deleted_with_audit(
    django_capture_on_commit_callbacks,
):
    report = make_report()
    api, analyst = _api(Role.ANALYST)
    answer = _upload(api, report, _picture("JPEG"), name="IMG_0001.png")
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["content_type"] == "image/jpeg" and body["order"] == 1
    assert body["download_url"] == f"/api/v1/report-images/{body['id']}/download/"
    listed = api.get(f"/api/v1/report-images/?report={report.pk}").json()
    assert listed["count"] == 1
    download = api.get(body["download_url"])
    assert download.status_code == 200 and download["Content-Type"] == "image/jpeg"
    assert download["X-Content-Type-Options"] == "nosniff"
    data = b"".join(download.streaming_content)
    assert Image.open(io.BytesIO(data)).format == "JPEG"
    url = f"/api/v1/report-images/{body['id']}/"
    renamed = api.patch(url, {"caption": "Queue", "section": "campaign"}, format="json")
    assert renamed.status_code == 200
    assert renamed.json()["caption"] == "Queue" and renamed.json()["section"] == "campaign"
    stored = SectionImage.objects.get().file.name
    with django_capture_on_commit_callbacks(execute=True):  # the file goes after commit
        assert api.delete(url).status_code == 204
    assert not SectionImage.objects.exists()
    assert not SectionImage.file.field.storage.exists(stored)
    actions = list(
        AuditEntry.objects.filter(actor=analyst).order_by("id").values_list("action", flat=True)
    )
    assert actions == [
        "report.image_added",
        "report.image_downloaded",
        "report.image_updated",
        "report.image_deleted",
    ]


def _damaged_png() -> bytes:
    good = _picture()
    return good[:40] + b"\0" * 20 + good[60:]


@pytest.mark.parametrize(
    "content, field, message",
    [
        (b"<script>not a picture</script>", "file", "JPEG or PNG"),
        (b"", "file", ""),
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "file", "JPEG or PNG"),
        (None, "file", "too large"),  # more pixels than EVIDENCE_MAX_PIXELS
        ("damaged", "file", "damaged"),
    ],
)
def test_bad_uploads_are_a_400_and_store_nothing(settings, content, field, message):
    settings.EVIDENCE_MAX_PIXELS = 10_000
    if content is None:
        content = _picture(size=(200, 200))
    elif content == "damaged":
        content = _damaged_png()
    report = make_report()
    api, _user = _api(Role.ANALYST)
    answer = _upload(api, report, content)
    assert answer.status_code == 400, answer.content
    assert field in answer.json() and message in " ".join(map(str, answer.json()[field]))
    assert not SectionImage.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="report.image").exists()


def test_an_upload_larger_than_the_evidence_limit_is_refused(settings):
    settings.EVIDENCE_MAX_BYTES = 100
    report = make_report()
    api, _user = _api(Role.ANALYST)
    answer = _upload(api, report, _picture(size=(64, 64)) + b"\0" * 200)
    assert answer.status_code == 400 and "larger than" in answer.json()["file"][0]
    assert not SectionImage.objects.exists()


@pytest.mark.parametrize(
    "change, field",
    [
        ({"section": "nowhere"}, "section"),
        ({"caption": ""}, "caption"),
        ({"report": "x"}, "report"),
    ],
)
def test_bad_image_fields_are_a_400(change, field):
    report = make_report()
    api, _user = _api(Role.ANALYST)
    answer = _upload(api, report, _picture(), **change)
    assert answer.status_code == 400 and field in answer.json()
    assert not SectionImage.objects.exists()


def test_a_json_upload_without_a_file_is_a_400():
    report = make_report()
    api, _user = _api(Role.ANALYST)
    answer = api.post(
        "/api/v1/report-images/",
        {"report": report.pk, "section": "summary", "caption": "x"},
        format="json",
    )
    assert answer.status_code == 400 and "file" in answer.json()


@pytest.mark.parametrize("role", list(Role))
def test_who_may_upload_and_download_images(role):
    report = make_report()
    image = services.section_image_add(
        actor=None,
        report=report,
        section="summary",
        caption="Queue",
        file=SimpleUploadedFile("a.png", _picture()),
    )
    api, _user = _api(role)
    download = api.get(f"/api/v1/report-images/{image.pk}/download/")
    assert download.status_code == (200 if role in READERS else 403)
    if role not in READERS:
        assert not AuditEntry.objects.filter(action="report.image_downloaded").exists()
    assert _upload(api, report, _picture()).status_code == (201 if role in WRITERS else 403)
    assert api.get("/api/v1/report-images/999999/download/").status_code == (
        404 if role in READERS else 403
    )


# --- query counts ---------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/report-figures/", "/api/v1/report-images/"])
def test_lists_cost_the_same_queries_for_more_rows(path, django_assert_num_queries):
    report = make_report()
    api, _user = _api(Role.LEGAL)

    def grow(n):
        for i in range(n):
            services.context_figure_create(actor=None, report=report, **FIGURE)
            services.section_image_add(
                actor=None,
                report=report,
                section="summary",
                caption=f"Picture {i}",
                file=SimpleUploadedFile("a.png", _picture()),
            )

    grow(1)
    with CaptureQueriesContext(connection) as small:
        assert api.get(path).status_code == 200
    grow(5)
    with django_assert_num_queries(len(small.captured_queries)):
        assert api.get(path).json()["count"] == 6
