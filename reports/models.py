"""The preliminary report (docs/architecture.md#glossary): an analyst's narrative around
tables computed from the other apps, exported to HTML, PDF, DOCX and XLSX, frozen when published.

Rows are written only by ``reports.services``. Computed numbers are never stored on a
draft (a draft always recomputes); a published report keeps them in its snapshot.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from incidents.files import EvidenceFileError, detect_type
from observation.models import Election
from reports.sections import SECTION_CHOICES


def validate_picture(file: object) -> None:
    """A JPEG or PNG by its first bytes, as evidence is checked (docs/reports.md)."""
    try:
        content_type = detect_type(file)
    except EvidenceFileError:
        content_type = ""
    if content_type not in ("image/jpeg", "image/png"):
        raise ValidationError(_("Send a JPEG or PNG picture."))


class Publisher(models.Model):
    """The organisation that publishes reports: printed on the cover and written into the
    PDF and DOCX document properties (docs/reports.md#the-publisher). Kept on the admin
    page; a report names one."""

    name = models.CharField(_("name"), max_length=300, unique=True)
    address = models.TextField(_("address"), blank=True)
    website = models.URLField(_("web site"), blank=True)
    contact = models.CharField(
        _("contact"), max_length=300, blank=True, help_text=_("E-mail or phone for the press.")
    )
    logo = models.FileField(
        _("logo"),
        upload_to="publishers/",
        max_length=200,
        blank=True,
        validators=[validate_picture],
        help_text=_("A JPEG or PNG picture, printed on the cover."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("publisher")
        verbose_name_plural = _("publishers")

    def __str__(self) -> str:
        return self.name


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
    publisher = models.ForeignKey(
        Publisher,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("publisher"),
    )
    issued_on = models.DateField(
        _("date of issue"),
        null=True,
        blank=True,
        help_text=_("Printed on the cover as month and year."),
    )
    include_under_review = models.BooleanField(
        _("count incidents still under review"),
        default=False,
        help_text=_(
            "By default the report counts only incidents head office confirmed (verified, "
            "sent to the RRCG, closed). When ticked it also counts those still in triage, "
            "and says so."
        ),
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
        OTHER = "other", _("To others")

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
                        "other",
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


class ContextFigure(models.Model):
    """A small table of figures from outside Baikoo (e.g. the health ministry's COVID-19
    counts), with its source, printed in a section and optionally charted; its chart is
    numbered with the report's other charts."""

    class Chart(models.TextChoices):
        NONE = "none", _("No chart")
        BAR = "bar", _("Vertical bars")
        HORIZONTAL = "horizontal", _("Horizontal bars")

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="context_figures", verbose_name=_("report")
    )
    section = models.CharField(
        _("section"), max_length=30, choices=SECTION_CHOICES, default="socio_political"
    )
    title = models.CharField(_("title"), max_length=300)
    source = models.CharField(_("source"), max_length=400)
    rows = models.JSONField(
        _("rows"), default=list, help_text=_("A list of [label, number] pairs.")
    )
    chart = models.CharField(_("chart"), max_length=12, choices=Chart.choices, default="none")
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["report", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(chart__in=["none", "bar", "horizontal"]),
                name="context_figure_chart_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.title


def _image_path(instance: SectionImage, filename: str) -> str:
    return f"reports/{instance.report_id}/images/{filename}"


class SectionImage(models.Model):
    """A picture printed in a section with its caption. Stored in the private storage and
    type-checked like evidence (JPEG or PNG only, metadata removed)."""

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="images", verbose_name=_("report")
    )
    section = models.CharField(_("section"), max_length=30, choices=SECTION_CHOICES)
    file = models.FileField(_("image"), upload_to=_image_path, max_length=200)
    content_type = models.CharField(_("type"), max_length=40)
    caption = models.CharField(_("caption"), max_length=400)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["report", "section", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(content_type__in=["image/jpeg", "image/png"]),
                name="section_image_type_valid",
            ),
            models.CheckConstraint(condition=~Q(caption=""), name="section_image_caption"),
        ]

    def __str__(self) -> str:
        return self.caption


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
