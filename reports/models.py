"""The preliminary report (docs/architecture.md#glossary): an analyst's narrative around
tables computed from the other apps, exported to HTML, PDF, DOCX and XLSX, frozen when published.

Rows are written only by ``reports.services``. Computed numbers are never stored on a
draft (a draft always recomputes); a published report keeps them in its snapshot.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from observation.models import Election
from reports.sections import SECTION_CHOICES


class Report(models.Model):
    class Language(models.TextChoices):
        EN = "en", _("English")
        RU = "ru", _("Russian")
        KY = "ky", _("Kyrgyz")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    election = models.ForeignKey(
        Election, on_delete=models.PROTECT, related_name="reports", verbose_name=_("election")
    )
    title = models.CharField(_("title"), max_length=400)
    period_start = models.DateField(_("period starts"))
    period_end = models.DateField(_("period ends"))
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.EN
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="report_period_ordered",
                violation_error_message=_("The period must end on or after its start."),
            ),
            models.CheckConstraint(
                condition=Q(language__in=["en", "ru", "ky"]), name="report_language_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(status="published", published_at__isnull=False),
                name="report_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class ReportSection(models.Model):
    """The analyst's narrative of one section, in Markdown. It is never rewritten by the
    computed data: draft sentences reach it only when the analyst inserts them."""

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="sections", verbose_name=_("report")
    )
    key = models.CharField(_("section"), max_length=30, choices=SECTION_CHOICES)
    order = models.PositiveSmallIntegerField(_("order"))
    body = models.TextField(_("narrative (Markdown)"), blank=True)
    version = models.PositiveIntegerField(
        _("version"), default=1, help_text=_("Raised by every save; for optimistic locking.")
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )

    class Meta:
        ordering = ["report", "order"]
        constraints = [
            models.UniqueConstraint(fields=["report", "key"], name="report_section_unique_key"),
        ]

    def __str__(self) -> str:
        return f"{self.report}: {self.get_key_display()}"


class Recommendation(models.Model):
    class Addressee(models.TextChoices):
        ELECTION_COMMISSIONS = "election_commissions", _("To election commissions")
        LAW_ENFORCEMENT = "law_enforcement", _("To law enforcement agencies")
        POLITICAL_PARTIES = "political_parties", _("To political parties")
        OTHERS = "others", _("To others")

    ADDRESSEE_ORDER = [choice for choice, _label in Addressee.choices]

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="recommendations", verbose_name=_("report")
    )
    addressee = models.CharField(_("addressee"), max_length=30, choices=Addressee.choices)
    text = models.TextField(_("recommendation"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["report", "addressee", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    addressee__in=[
                        "election_commissions",
                        "law_enforcement",
                        "political_parties",
                        "others",
                    ]
                ),
                name="recommendation_addressee_valid",
            ),  # fmt: skip
        ]

    def __str__(self) -> str:
        return self.text[:60]


class Abbreviation(models.Model):
    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="abbreviations", verbose_name=_("report")
    )
    short = models.CharField(_("abbreviation"), max_length=60)
    meaning = models.CharField(_("meaning"), max_length=300)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["report", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["report", "short"], name="abbreviation_unique_short"),
        ]

    def __str__(self) -> str:
        return f"{self.short}: {self.meaning}"


def _snapshot_path(instance: ReportSnapshot, filename: str) -> str:
    return f"reports/{instance.report_id}/published/{filename}"


class ReportSnapshot(models.Model):
    """What a report was when it was published: the data and every export, so the
    published report never changes whatever later happens to the data."""

    report = models.OneToOneField(
        Report, on_delete=models.PROTECT, related_name="snapshot", verbose_name=_("report")
    )
    data = models.JSONField(_("data as published"))
    html = models.FileField(_("HTML"), upload_to=_snapshot_path, max_length=200)
    pdf = models.FileField(_("PDF"), upload_to=_snapshot_path, max_length=200)
    docx = models.FileField(_("DOCX"), upload_to=_snapshot_path, max_length=200)
    xlsx = models.FileField(_("XLSX"), upload_to=_snapshot_path, max_length=200)
    created_at = models.DateTimeField(_("frozen at"), auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.report} ({self.created_at:%Y-%m-%d %H:%M})"

    def file_for(self, export_format: str) -> models.fields.files.FieldFile:
        return getattr(self, export_format)


def _export_path(instance: ExportJob, filename: str) -> str:
    return f"reports/{instance.report_id}/exports/{filename}"


class ExportJob(models.Model):
    """One export built in the background (the PDF), with its progress for the page."""

    class Format(models.TextChoices):
        HTML = "html", "HTML"
        PDF = "pdf", "PDF"
        DOCX = "docx", "DOCX (Word)"
        XLSX = "xlsx", "XLSX (Excel)"

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="export_jobs", verbose_name=_("report")
    )
    format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    file = models.FileField(_("file"), upload_to=_export_path, max_length=200, blank=True)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="export_job_progress_percentage"
            ),
            models.CheckConstraint(
                condition=Q(format__in=["html", "pdf", "docx", "xlsx"]),
                name="export_job_format_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "done", "failed"]),
                name="export_job_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report} {self.format} ({self.status})"
