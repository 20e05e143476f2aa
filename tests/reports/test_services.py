from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from observation.kernel.roles import Role
from observation.models import AuditEntry
from reports import queries, services
from reports.models import ExportJob, Report, ReportSnapshot
from reports.sections import SECTION_KEYS
from tests.factories import make_election, make_user
from tests.reports.factories import build_world, make_incident, make_report

pytestmark = pytest.mark.django_db


def test_new_report_takes_the_observation_period_and_has_every_section_in_order():
    election = make_election(observation_start=dt.date(2021, 6, 21),
                             observation_end=dt.date(2021, 7, 4))  # fmt: skip
    report = make_report(election)
    assert (report.period_start, report.period_end) == (dt.date(2021, 6, 21), dt.date(2021, 7, 4))
    assert [s.key for s in report.sections.order_by("order")] == SECTION_KEYS
    assert SECTION_KEYS[0] == "abbreviations" and SECTION_KEYS[-1] == "recommendations"


def test_period_must_be_ordered():
    with pytest.raises(ValidationError) as error:
        make_report(period_start=dt.date(2021, 7, 4), period_end=dt.date(2021, 6, 1))
    assert not Report.objects.exists()
    assert error.value.messages


def test_every_change_is_audited():
    analyst = make_user(Role.ANALYST)
    report = make_report(actor=analyst)
    services.report_section_update(actor=analyst, report=report, key="summary", body="Hello")
    services.report_update(actor=analyst, report=report, title="New title")
    rec = services.recommendation_create(actor=analyst, report=report,
                                         addressee="law_enforcement", text="Act.")  # fmt: skip
    services.recommendation_delete(actor=analyst, recommendation=rec)
    abbr = services.abbreviation_create(actor=analyst, report=report, short="CEC", meaning="x")
    services.abbreviation_update(actor=analyst, abbreviation=abbr, meaning="Central")
    entries = AuditEntry.objects.filter(object_id=str(report.pk))
    actions = list(entries.values_list("action", flat=True))
    for action in ("report.created", "report.section_updated", "report.updated",
                   "report.recommendation_added", "report.recommendation_deleted",
                   "report.abbreviation_added", "report.abbreviation_updated"):  # fmt: skip
        assert action in actions
    assert AuditEntry.objects.filter(actor=analyst).count() == len(actions)


def test_a_stale_section_edit_is_refused_and_keeps_the_first_text():
    analyst = make_user(Role.ANALYST)
    report = make_report(actor=analyst)
    services.report_section_update(actor=analyst, report=report, key="summary", body="First",
                                   version=1)  # fmt: skip
    with pytest.raises(ValidationError) as error:
        services.report_section_update(actor=analyst, report=report, key="summary",
                                       body="Second", version=1)  # fmt: skip
    assert "body" in error.value.message_dict
    assert report.sections.get(key="summary").body == "First"


def test_narrative_survives_data_changes():
    world = build_world(districts=1, incidents_per_district=1)
    analyst = make_user(Role.ANALYST)
    report = make_report(world.election, actor=analyst)
    services.report_section_update(actor=analyst, report=report, key="violations",
                                   body="My own words.")  # fmt: skip
    make_incident(election=world.election, district=world.districts[0])
    report = queries.report_with_parts().get(pk=report.pk)
    assert queries.report_data(report)["violations"]["total"] == 2
    assert report.sections.get(key="violations").body == "My own words."


def test_publishing_freezes_data_and_files(django_capture_on_commit_callbacks):
    world = build_world(districts=1, incidents_per_district=1)
    analyst = make_user(Role.ANALYST)
    report = make_report(world.election, actor=analyst)
    with django_capture_on_commit_callbacks(execute=True):  # the files are rendered after commit
        services.report_publish(actor=analyst, report=report)
    report = queries.report_with_parts().get(pk=report.pk)
    assert report.status == "published" and report.published_at is not None
    snapshot = ReportSnapshot.objects.get(report=report)
    for export_format in ("html", "pdf", "docx", "xlsx"):
        assert getattr(snapshot, export_format).size > 0
    make_incident(election=world.election, district=world.districts[0])
    assert queries.report_data(report)["violations"]["total"] == 1
    assert AuditEntry.objects.filter(action="report.published", object_id=str(report.pk)).exists()


@pytest.mark.parametrize(
    "change",
    [
        lambda a, r: services.report_update(actor=a, report=r, title="Other"),
        lambda a, r: services.report_section_update(actor=a, report=r, key="summary", body="x"),
        lambda a, r: services.recommendation_create(actor=a, report=r, addressee="other",
                                                    text="x"),
        lambda a, r: services.abbreviation_create(actor=a, report=r, short="X", meaning="x"),
        lambda a, r: services.report_publish(actor=a, report=r),
    ],
)  # fmt: skip
def test_a_published_report_never_changes(change, monkeypatch):
    monkeypatch.setattr(services, "render_export", lambda document, export_format: b"file")
    analyst = make_user(Role.ANALYST)
    report = make_report(build_world(districts=1).election, actor=analyst)
    services.report_publish(actor=analyst, report=report)
    with pytest.raises(ValidationError):
        change(analyst, Report.objects.get(pk=report.pk))
    assert Report.objects.get(pk=report.pk).title == "Preliminary report"


def test_duplicate_abbreviation_is_refused_naming_the_field():
    analyst = make_user(Role.ANALYST)
    report = make_report(actor=analyst)
    services.abbreviation_create(actor=analyst, report=report, short="CEC", meaning="a")
    with pytest.raises(ValidationError) as error:
        services.abbreviation_create(actor=analyst, report=report, short="CEC", meaning="b")
    assert error.value.message_dict
    assert report.abbreviations.count() == 1


def test_export_job_is_built_after_commit(django_capture_on_commit_callbacks):
    analyst = make_user(Role.ANALYST)
    report = make_report(build_world(districts=1).election, actor=analyst)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = services.export_job_create(actor=analyst, report=report, export_format="pdf")
    assert ExportJob.objects.get(pk=job.pk).status == "queued"
    assert len(callbacks) == 1
    callbacks[0]()
    job.refresh_from_db()
    assert (job.status, job.progress) == ("done", 100)
    assert job.file.read().startswith(b"%PDF")


def test_export_job_runs_once_even_if_the_task_is_delivered_twice(
    django_capture_on_commit_callbacks,
):
    analyst = make_user(Role.ANALYST)
    report = make_report(build_world(districts=1).election, actor=analyst)
    with django_capture_on_commit_callbacks(execute=True):
        job = services.export_job_create(actor=analyst, report=report, export_format="xlsx")
    job.refresh_from_db()
    first_file = job.file.name
    services.export_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.file.name == first_file and job.status == "done"


def test_failed_export_job_records_the_error(monkeypatch, django_capture_on_commit_callbacks):
    analyst = make_user(Role.ANALYST)
    report = make_report(actor=analyst)

    def broken(*args, **kwargs):
        raise RuntimeError("layout exploded")

    monkeypatch.setattr(services, "render_export", broken)
    with django_capture_on_commit_callbacks(execute=True):
        job = services.export_job_create(actor=analyst, report=report, export_format="pdf")
    job.refresh_from_db()
    assert job.status == "failed" and "layout exploded" in job.error


def test_unknown_export_format_is_refused():
    analyst = make_user(Role.ANALYST)
    with pytest.raises(ValidationError) as error:
        services.export_job_create(actor=analyst, report=make_report(), export_format="zip")
    assert "format" in error.value.message_dict
    assert not ExportJob.objects.exists()


def test_publishing_renders_the_files_after_commit_as_export_jobs(
    django_capture_on_commit_callbacks,
):
    analyst = make_user(Role.ANALYST)
    report = make_report(build_world(districts=1).election, actor=analyst)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.report_publish(actor=analyst, report=report)
    snapshot = ReportSnapshot.objects.get(report=report)
    assert snapshot.data["violations"] and not snapshot.pdf  # data frozen, no file yet
    jobs = {job.format: job for job in ExportJob.objects.filter(report=report)}
    assert set(jobs) == {"html", "pdf", "docx", "xlsx"} and len(callbacks) == 4
    for callback in callbacks:
        callback()
    snapshot.refresh_from_db()
    assert snapshot.pdf.read().startswith(b"%PDF")
    assert {job.status for job in ExportJob.objects.filter(report=report)} == {"done"}
    first = snapshot.pdf.name
    services.export_job_run(job_id=jobs["pdf"].pk)  # delivered twice: nothing changes
    snapshot.refresh_from_db()
    assert snapshot.pdf.name == first


def test_a_failed_publication_file_shows_and_is_rendered_again(
    monkeypatch, django_capture_on_commit_callbacks
):
    analyst = make_user(Role.ANALYST)
    report = make_report(build_world(districts=1).election, actor=analyst)
    real = services.render_export

    def pdf_breaks(document, export_format, progress=None):
        if export_format == "pdf":
            raise RuntimeError("layout exploded")
        return real(document, export_format, progress)

    monkeypatch.setattr(services, "render_export", pdf_breaks)
    with django_capture_on_commit_callbacks(execute=True):
        services.report_publish(actor=analyst, report=report)
    report = queries.report_with_parts().get(pk=report.pk)
    jobs = queries.latest_export_jobs(report)
    assert queries.publication_files(report, jobs) == {
        "html": "ready", "pdf": "missing", "docx": "ready", "xlsx": "ready"
    }  # fmt: skip
    assert queries.published_file(report, "pdf") is None
    monkeypatch.setattr(services, "render_export", real)
    with django_capture_on_commit_callbacks(execute=True):
        services.export_job_create(actor=analyst, report=report, export_format="pdf")
    report = queries.report_with_parts().get(pk=report.pk)
    assert queries.published_file(report, "pdf").startswith(b"%PDF")
