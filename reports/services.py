"""Every change to a report: creation, narrative, recommendations, abbreviations,
exports and publication. Pages, API and tasks call these functions and nothing else.

A published report is frozen: each write below refuses it (``policies.require_draft``),
and its data and files are served from its snapshot."""

from __future__ import annotations

import datetime as dt
import logging
import math
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from incidents.files import EvidenceFileError, detect_type, remove_location
from incidents.services.filing import evidence_check
from observation.kernel.access import Actor
from observation.kernel.audit import audit_log, model_changes
from observation.kernel.db import model_update
from observation.kernel.tasking import enqueue_on_commit, publish_quietly
from observation.models import Election
from reports import compute, queries
from reports.exports import FORMATS, filename_for, render_export
from reports.models import (
    Abbreviation,
    ContextFigure,
    ExportJob,
    Publisher,
    Recommendation,
    Report,
    ReportSection,
    ReportSnapshot,
    SectionImage,
)
from reports.policies import require_draft
from reports.sections import SECTION_KEYS

logger = logging.getLogger(__name__)

# Published by name (docs/architecture.md): ``reports.tasks`` imports this module.
BUILD_EXPORT_TASK = "reports.tasks.build_pdf"

# A job still "running" after this long belongs to a worker that died; it may be rerun.
STALE_RUNNING = dt.timedelta(minutes=15)


def _locked(report: Report) -> Report:
    """The report row, locked for the rest of the transaction, so a publication and an
    edit never interleave."""
    return Report.objects.select_for_update().get(pk=report.pk)


# --- reports --------------------------------------------------------------------------


@transaction.atomic
def report_create(
    *,
    actor: Actor,
    election: Election,
    title: str,
    period_start: dt.date | None = None,
    period_end: dt.date | None = None,
    language: str = Report.Language.EN,
    publisher: Publisher | None = None,
    issued_on: dt.date | None = None,
    include_under_review: bool = False,
    start_from: Report | None = None,
) -> Report:
    """A new draft with its ten empty sections. ``start_from``: a previous report whose
    abbreviations and recommendations (and publisher, unless one is given) the new one
    starts with, for the analyst to edit."""
    report = Report(
        election=election,
        title=title.strip(),
        period_start=period_start or election.observation_start,
        period_end=period_end or election.observation_end,
        language=language,
        publisher=publisher or (start_from.publisher if start_from else None),
        issued_on=issued_on,
        include_under_review=include_under_review,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    report.full_clean()
    report.save()
    ReportSection.objects.bulk_create(
        ReportSection(report=report, key=key, order=i) for i, key in enumerate(SECTION_KEYS)
    )
    if start_from is not None:
        Abbreviation.objects.bulk_create(
            Abbreviation(report=report, short=a.short, meaning=a.meaning, order=a.order)
            for a in start_from.abbreviations.order_by("order", "id")
        )
        Recommendation.objects.bulk_create(
            Recommendation(report=report, addressee=r.addressee, text=r.text, order=r.order)
            for r in start_from.recommendations.order_by("addressee", "order", "id")
        )
    audit_log(
        actor=actor,
        action="report.created",
        target=report,
        data={
            "election_id": election.pk,
            "title": report.title,
            "period_start": report.period_start,
            "period_end": report.period_end,
            "language": report.language,
            "started_from": start_from.pk if start_from else None,
        },
    )
    return report


REPORT_FIELDS = (
    "title",
    "period_start",
    "period_end",
    "language",
    "publisher",
    "issued_on",
    "include_under_review",
)


@transaction.atomic
def report_update(*, actor: Actor, report: Report, **fields: Any) -> Report:
    unknown = set(fields) - set(REPORT_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed.") for name in unknown})
    report = _locked(report)
    require_draft(report)
    if "title" in fields:
        fields["title"] = (fields["title"] or "").strip()
    changes = model_changes(report, fields)
    if not changes:
        return report
    if "publisher" in changes:  # the audit trail stores names, not objects
        changes["publisher"] = [str(p) if p else None for p in changes["publisher"]]
    for name, value in fields.items():
        setattr(report, name, value)
    report.full_clean()
    report.save()
    audit_log(actor=actor, action="report.updated", target=report, data={"changes": changes})
    return report


@transaction.atomic
def report_section_update(
    *, actor: Actor, report: Report, key: str, body: str, version: int | None = None
) -> ReportSection:
    """Save a section's narrative. ``version`` is the one the editor started from: if
    someone saved in between, the save is refused rather than overwriting their text."""
    report = _locked(report)
    require_draft(report)
    try:
        section = ReportSection.objects.select_for_update().get(report=report, key=key)
    except ReportSection.DoesNotExist:
        raise ValidationError({"key": _("There is no such section.")}) from None
    if version is not None and version != section.version:
        raise ValidationError(
            {
                "body": _(
                    "Someone else saved this section while you were editing it. Copy your "
                    "text, reload the page and merge the two."
                )
            }
        )
    body = (body or "").replace("\r\n", "\n")
    if body == section.body:
        return section
    old_length = len(section.body)
    section.body = body
    section.version += 1
    section.updated_by = actor if getattr(actor, "is_authenticated", False) else None
    section.full_clean()
    section.save()
    audit_log(
        actor=actor,
        action="report.section_updated",
        target=report,
        data={"section": key, "version": section.version, "length": [old_length, len(body)]},
    )
    return section


# --- recommendations and abbreviations ----------------------------------------------


@transaction.atomic
def recommendation_create(
    *, actor: Actor, report: Report, addressee: str, text: str, order: int | None = None
) -> Recommendation:
    report = _locked(report)
    require_draft(report)
    if order is None:
        order = report.recommendations.filter(addressee=addressee).count() + 1
    recommendation = Recommendation(
        report=report, addressee=addressee, text=(text or "").strip(), order=order
    )
    recommendation.full_clean()
    recommendation.save()
    audit_log(
        actor=actor,
        action="report.recommendation_added",
        target=report,
        data={"recommendation_id": recommendation.pk, "addressee": addressee, "text": text},
    )
    return recommendation


@transaction.atomic
def recommendation_update(
    *, actor: Actor, recommendation: Recommendation, **fields: Any
) -> Recommendation:
    require_draft(_locked(recommendation.report))
    fields = {k: v for k, v in fields.items() if k in ("addressee", "text", "order")}
    if "text" in fields:
        fields["text"] = (fields["text"] or "").strip()
    changes = model_update(recommendation, fields)
    if not changes:
        return recommendation
    audit_log(
        actor=actor,
        action="report.recommendation_updated",
        target=recommendation.report,
        data={"recommendation_id": recommendation.pk, "changes": changes},
    )
    return recommendation


@transaction.atomic
def recommendation_delete(*, actor: Actor, recommendation: Recommendation) -> None:
    report = _locked(recommendation.report)
    require_draft(report)
    audit_log(
        actor=actor,
        action="report.recommendation_deleted",
        target=report,
        data={
            "recommendation_id": recommendation.pk,
            "addressee": recommendation.addressee,
            "text": recommendation.text,
        },
    )
    recommendation.delete()


@transaction.atomic
def abbreviation_create(
    *, actor: Actor, report: Report, short: str, meaning: str, order: int | None = None
) -> Abbreviation:
    report = _locked(report)
    require_draft(report)
    if order is None:
        order = report.abbreviations.count() + 1
    abbreviation = Abbreviation(
        report=report, short=(short or "").strip(), meaning=(meaning or "").strip(), order=order
    )
    abbreviation.full_clean()
    abbreviation.save()
    audit_log(
        actor=actor,
        action="report.abbreviation_added",
        target=report,
        data={"abbreviation_id": abbreviation.pk, "short": abbreviation.short,
              "meaning": abbreviation.meaning},
    )  # fmt: skip
    return abbreviation


@transaction.atomic
def abbreviation_update(*, actor: Actor, abbreviation: Abbreviation, **fields: Any) -> Abbreviation:
    require_draft(_locked(abbreviation.report))
    fields = {k: (v.strip() if isinstance(v, str) else v) for k, v in fields.items()
              if k in ("short", "meaning", "order")}  # fmt: skip
    changes = model_update(abbreviation, fields)
    if not changes:
        return abbreviation
    audit_log(
        actor=actor,
        action="report.abbreviation_updated",
        target=abbreviation.report,
        data={"abbreviation_id": abbreviation.pk, "changes": changes},
    )
    return abbreviation


@transaction.atomic
def abbreviation_delete(*, actor: Actor, abbreviation: Abbreviation) -> None:
    report = _locked(abbreviation.report)
    require_draft(report)
    audit_log(
        actor=actor,
        action="report.abbreviation_deleted",
        target=report,
        data={"abbreviation_id": abbreviation.pk, "short": abbreviation.short,
              "meaning": abbreviation.meaning},
    )  # fmt: skip
    abbreviation.delete()


# --- context figures and images ------------------------------------------------------

CONTEXT_FIGURE_FIELDS = ("section", "title", "source", "rows", "chart", "order")


MAX_FIGURE_ROWS = 100
MAX_FIGURE_LABEL = 200
MAX_FIGURE_VALUE = 10**15
"""A context figure is a small table: at most 100 rows, labels of at most 200 characters,
numbers below a quadrillion in size (docs/reports.md#figures-and-images)."""


def _clean_rows(rows: Any) -> list[list[Any]]:
    """``[[label, number], ...]``: a label of text and a whole or decimal number."""
    message = _("Give the rows as pairs of a label and a number.")
    if not isinstance(rows, list) or not rows:
        raise ValidationError({"rows": message})
    if len(rows) > MAX_FIGURE_ROWS:
        raise ValidationError(
            {"rows": _("At most %(count)d rows, please.") % {"count": MAX_FIGURE_ROWS}}
        )
    cleaned = []
    for row in rows:
        if not isinstance(row, list | tuple) or len(row) != 2:
            raise ValidationError({"rows": message})
        label, value = row
        if not isinstance(label, str) or not label.strip() or "\x00" in label:
            raise ValidationError({"rows": message})
        if len(label.strip()) > MAX_FIGURE_LABEL:
            raise ValidationError(
                {
                    "rows": _("A label has at most %(count)d characters.")
                    % {"count": MAX_FIGURE_LABEL}
                }
            )
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or abs(value) >= MAX_FIGURE_VALUE
        ):
            raise ValidationError({"rows": _("“%(label)s” needs a number.") % {"label": label}})
        cleaned.append([label.strip(), value])
    return cleaned


@transaction.atomic
def context_figure_create(
    *,
    actor: Actor,
    report: Report,
    title: str,
    source: str,
    rows: list[list[Any]],
    section: str = "socio_political",
    chart: str = ContextFigure.Chart.NONE,
    order: int | None = None,
) -> ContextFigure:
    """A table of outside figures with its source (and a chart, if chosen)."""
    report = _locked(report)
    require_draft(report)
    figure = ContextFigure(
        report=report,
        section=section,
        title=(title or "").strip(),
        source=(source or "").strip(),
        rows=_clean_rows(rows),
        chart=chart,
        order=report.context_figures.count() + 1 if order is None else order,
    )
    figure.full_clean()
    figure.save()
    audit_log(
        actor=actor,
        action="report.context_figure_added",
        target=report,
        data={"context_figure_id": figure.pk, "title": figure.title, "source": figure.source},
    )
    return figure


@transaction.atomic
def context_figure_update(*, actor: Actor, figure: ContextFigure, **fields: Any) -> ContextFigure:
    """Change a context figure's section, title, source, rows, chart or order."""
    require_draft(_locked(figure.report))
    figure = ContextFigure.objects.select_for_update().get(pk=figure.pk)
    fields = {k: v for k, v in fields.items() if k in CONTEXT_FIGURE_FIELDS}
    for name in ("title", "source"):
        if name in fields:
            fields[name] = (fields[name] or "").strip()
    if "rows" in fields:
        fields["rows"] = _clean_rows(fields["rows"])
    changes = model_update(figure, fields)
    if not changes:
        return figure
    audit_log(
        actor=actor,
        action="report.context_figure_updated",
        target=figure.report,
        data={"context_figure_id": figure.pk, "changes": changes},
    )
    return figure


@transaction.atomic
def context_figure_delete(*, actor: Actor, figure: ContextFigure) -> None:
    report = _locked(figure.report)
    require_draft(report)
    audit_log(
        actor=actor,
        action="report.context_figure_deleted",
        target=report,
        data={"context_figure_id": figure.pk, "title": figure.title},
    )
    figure.delete()


IMAGE_TYPES = ("image/jpeg", "image/png")


@transaction.atomic
def section_image_add(
    *, actor: Actor, report: Report, section: str, caption: str, file: Any
) -> SectionImage:
    """An image for a section, checked like evidence (by its first bytes, not its name),
    JPEG or PNG only, stored without its metadata (location included) in the private
    storage."""
    report = _locked(report)
    require_draft(report)
    if section not in SECTION_KEYS:
        raise ValidationError({"section": _("There is no such section.")})
    try:
        content_type = detect_type(file)
    except EvidenceFileError:
        content_type = ""
    if content_type not in IMAGE_TYPES:
        raise ValidationError({"file": _("Send a JPEG or PNG picture.")})
    # Then evidence's own checks (docs/incidents.md#evidence): at most EVIDENCE_MAX_BYTES
    # and EVIDENCE_MAX_PIXELS, the pixels counted from the header before any decoding.
    evidence_check(file)
    try:
        cleaned = remove_location(file, content_type)
    except EvidenceFileError as exc:  # damaged, or too large once decoded
        raise ValidationError({"file": str(exc)}) from exc
    if cleaned.copy is None:
        raise ValidationError({"file": _("This picture cannot be read.")})
    data = cleaned.copy if isinstance(cleaned.copy, bytes) else cleaned.copy.read()
    extension = "jpg" if content_type == "image/jpeg" else "png"
    image = SectionImage(
        report=report,
        section=section,
        caption=(caption or "").strip(),
        content_type=content_type,
        order=report.images.filter(section=section).count() + 1,
    )
    image.file.save(f"section-{section}.{extension}", ContentFile(data), save=False)
    try:
        image.full_clean()
    except ValidationError:
        image.file.delete(save=False)
        raise
    image.save()
    audit_log(
        actor=actor,
        action="report.image_added",
        target=report,
        data={"image_id": image.pk, "section": section, "caption": image.caption},
    )
    return image


@transaction.atomic
def section_image_delete(*, actor: Actor, image: SectionImage) -> None:
    report = _locked(image.report)
    require_draft(report)
    audit_log(
        actor=actor,
        action="report.image_deleted",
        target=report,
        data={"image_id": image.pk, "caption": image.caption},
    )
    name = image.file.name
    storage = image.file.storage
    image.delete()
    transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def section_image_update(
    *, actor: Actor, image: SectionImage, section: str | None = None, caption: str | None = None
) -> SectionImage:
    """Change a picture's caption, or move it to another section (it goes last there)."""
    report = _locked(image.report)
    require_draft(report)
    image = SectionImage.objects.select_for_update().get(pk=image.pk)
    fields: dict[str, Any] = {}
    if caption is not None:
        fields["caption"] = caption.strip()
    if section is not None and section != image.section:
        fields["section"] = section
        fields["order"] = report.images.filter(section=section).count() + 1  # goes last
    changes = model_update(image, fields)
    if not changes:
        return image
    audit_log(
        actor=actor,
        action="report.image_updated",
        target=report,
        data={"image_id": image.pk, "changes": changes},
    )
    return image


def section_image_downloaded(*, actor: Actor, image: SectionImage) -> None:
    """Record who fetched a section's picture through the API (like evidence)."""
    audit_log(
        actor=actor,
        action="report.image_downloaded",
        target=image.report,
        data={"image_id": image.pk, "file": image.file.name},
    )


# --- publication ----------------------------------------------------------------------


@transaction.atomic
def report_publish(*, actor: Actor, report: Report) -> Report:
    """Freeze the report: its data is computed and stored with it, and from now on the
    data endpoint and the downloads serve the snapshot. The four files are rendered from
    the frozen data by a worker after commit, one export job per format, so the report's
    row lock is held only while the data is computed (a national PDF takes seconds); the
    report page shows the jobs' progress, and a failed one is retried by exporting that
    format again (``export_job_run`` fills the snapshot's missing file)."""
    _locked(report)
    report = queries.report_with_parts(Report.objects.filter(pk=report.pk)).get()
    require_draft(report)
    report.status = Report.Status.PUBLISHED
    report.published_at = timezone.now()
    report.published_by = actor if getattr(actor, "is_authenticated", False) else None
    data = compute.report_data(report)
    report.full_clean()
    report.save(update_fields=["status", "published_at", "published_by", "updated_at"])
    ReportSnapshot.objects.create(report=report, data=data)
    jobs = [_export_job(actor=actor, report=report, export_format=f) for f in FORMATS]
    audit_log(
        actor=actor,
        action="report.published",
        target=report,
        data={
            "violations_total": data["violations"]["total"],
            "export_job_ids": {job.format: job.pk for job in jobs},
        },
    )
    return report


# --- exports --------------------------------------------------------------------------


def report_export(*, actor: Actor, report: Report, export_format: str) -> bytes | None:
    """The report as a file of ``export_format``, built now for a draft, as frozen for a
    published report (None while that file is still being rendered). Every file given out
    is in the audit trail (``report.exported``); who may have a draft is the caller's
    check (``policies.REPORTS``)."""
    if export_format not in FORMATS:
        raise ValidationError({"format": _("Choose one of: %s.") % ", ".join(FORMATS)})
    if report.is_published:
        content = queries.published_file(report, export_format)
        if content is None:
            return None
    else:
        content = render_export(queries.report_document(report), export_format)
    audit_log(
        actor=actor,
        action="report.exported",
        target=report,
        data={"format": export_format, "published": report.is_published, "size": len(content)},
    )
    return content


@transaction.atomic
def export_job_create(*, actor: Actor, report: Report, export_format: str) -> ExportJob:
    """Queue an export to be built by a worker (``reports.tasks.build_pdf``) once this
    transaction commits."""
    if export_format not in FORMATS:
        raise ValidationError({"format": _("Choose one of: %s.") % ", ".join(FORMATS)})
    job = _export_job(actor=actor, report=report, export_format=export_format)
    audit_log(
        actor=actor,
        action="report.export_requested",
        target=report,
        data={"export_job_id": job.pk, "format": export_format},
    )
    return job


def _export_job(*, actor: Actor, report: Report, export_format: str) -> ExportJob:
    job = ExportJob(
        report=report,
        format=export_format,
        requested_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    job.full_clean()
    job.save()
    enqueue_on_commit(BUILD_EXPORT_TASK, job.pk)
    return job


def _claim(job_id: int) -> bool:
    """Take the job for this worker. Only one worker wins, even when the task was
    published twice; a job whose worker died long ago can be taken again."""
    now = timezone.now()
    claimable = Q(status=ExportJob.Status.QUEUED) | Q(
        status=ExportJob.Status.RUNNING, started_at__lt=now - STALE_RUNNING
    )
    return bool(
        ExportJob.objects.filter(claimable, pk=job_id).update(
            status=ExportJob.Status.RUNNING, started_at=now, progress=5, error=""
        )
    )


def export_job_run(*, job_id: int) -> ExportJob | None:
    """Build the file of one export job, reporting progress as it goes. Idempotent: a job
    that is done, failed or being built by a live worker is left alone."""
    if not _claim(job_id):
        return ExportJob.objects.filter(pk=job_id).first()
    job = ExportJob.objects.select_related("report").get(pk=job_id)

    def progress(value: int) -> None:
        ExportJob.objects.filter(pk=job_id).update(progress=min(99, value))

    try:
        report = queries.report_with_parts(Report.objects.filter(pk=job.report_id)).get()
        if report.is_published:
            content = _published_file(report, job.format, progress)
        else:
            data = compute.report_data(report)
            progress(15)
            content = render_export(queries.report_document(report, data), job.format, progress)
        job.file.save(filename_for(report.pk, report.title, job.format), ContentFile(content),
                      save=False)  # fmt: skip
        ExportJob.objects.filter(pk=job_id).update(
            file=job.file.name,
            status=ExportJob.Status.DONE,
            progress=100,
            finished_at=timezone.now(),
        )
    except Exception as exc:
        logger.exception("Export job %s failed", job_id)
        ExportJob.objects.filter(pk=job_id).update(
            status=ExportJob.Status.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
    job.refresh_from_db()
    return job


def _published_file(report: Report, export_format: str, progress: Any) -> bytes:
    """The published file of ``export_format``, rendered from the frozen data the first
    time (the publication's own export job, or a retry after it failed). Two workers
    rendering it at once store it once: the first to record its name wins."""
    snapshot = report.snapshot
    stored = snapshot.file_for(export_format)
    if stored:
        return stored.read()
    progress(15)
    content = render_export(queries.report_document(report, snapshot.data), export_format, progress)
    name = filename_for(report.pk, report.title, export_format)
    stored.save(name, ContentFile(content), save=False)
    recorded = ReportSnapshot.objects.filter(pk=snapshot.pk, **{export_format: ""}).update(
        **{export_format: stored.name}
    )
    if not recorded:
        stored.storage.delete(stored.name)
        snapshot.refresh_from_db()
        return snapshot.file_for(export_format).read()
    return content


def export_job_downloaded(*, actor: Any, job: ExportJob) -> None:
    """Record who fetched a built export (from the disk or the bucket: docs/storage.md)."""
    audit_log(
        actor=actor,
        action="report.export_downloaded",
        target=job.report,
        data={"export_job_id": job.pk, "format": job.format, "file": job.file.name},
    )


def export_job_requeue_if_stale(*, job: ExportJob, after: dt.timedelta) -> bool:
    """A job still queued long after it was requested was probably never published (the
    broker was down); publish it again. Running it twice is harmless (see ``_claim``)."""
    if job.status != ExportJob.Status.QUEUED or job.created_at > timezone.now() - after:
        return False
    return publish_quietly(BUILD_EXPORT_TASK, job.pk)
