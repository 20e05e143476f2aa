"""Incidents: what LTOs file, the evidence they attach, the timeline, and the outbox of
escalations to the RRCG (docs/architecture.md#glossary, docs/lifecycle.md,
docs/escalation.md, docs/api.md).

Rows are written only by ``incidents.services`` (filing, evidence) and, for triage and
escalation, by the services of issue 5. Nothing here is ever deleted: every foreign key
to an incident protects it, so the admin cannot lose a report by accident. (The kept
counts, ``DistrictTally`` and its siblings, are derived rows that database triggers write
and delete: docs/incidents.md#kept-counts.)
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commissions.models import Commission
from observation.models import Candidate, District, Election, Party


class Incident(models.Model):
    """One report filed on one of the three forms (docs/architecture.md#glossary).

    ``id`` is chosen by the client (an offline phone generates it) so a resend can be
    recognised; ``fingerprint`` is the hash of the content as first submitted, which is
    what a resend is compared with (docs/api.md)."""

    class Kind(models.TextChoices):
        ADMIN_RESOURCE = "admin_resource", _("Administrative resources, pressure, threats")
        VOTE_BUYING = "vote_buying", _("Vote buying")
        CAMPAIGN_RULES = "campaign_rules", _("Campaign rules")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        IN_REVIEW = "in_review", _("In review")
        NEEDS_INFO = "needs_info", _("Question for the observer")
        VERIFIED = "verified", _("Verified")
        ESCALATED = "escalated", _("Escalated")
        CLOSED = "closed", _("Closed")
        REJECTED = "rejected", _("Rejected")
        DUPLICATE = "duplicate", _("Duplicate")

    class Source(models.TextChoices):
        DIRECT_OBSERVATION = "direct_observation", _("I saw it myself")
        WITNESS = "witness", _("A witness told me")
        MEDIA = "media", _("Media")
        SOCIAL_MEDIA = "social_media", _("Social media")
        OTHER = "other", _("Other")

    class Severity(models.TextChoices):
        NORMAL = "normal", _("Normal")
        SERIOUS = "serious", _("Serious")

    id = models.UUIDField(_("id"), primary_key=True, default=uuid.uuid4)
    ref = models.CharField(
        _("reference"),
        max_length=20,
        unique=True,
        editable=False,
        help_text=_("District code and number, e.g. BSK-0042; assigned once, never changed."),
    )
    number = models.PositiveIntegerField(_("number in the district"), editable=False)
    election = models.ForeignKey(
        Election, on_delete=models.PROTECT, related_name="incidents", verbose_name=_("election")
    )
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="incidents", verbose_name=_("district")
    )
    kind = models.CharField(_("form"), max_length=20, choices=Kind.choices)
    occurred_at = models.DateTimeField(_("when it happened"))
    reported_at = models.DateTimeField(
        _("received"), default=timezone.now, help_text=_("When the server accepted the report.")
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="reported_incidents",
        verbose_name=_("reported by"),
    )
    location = models.CharField(_("where it happened"), max_length=300)
    pec = models.ForeignKey(
        Commission,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
        verbose_name=_("precinct commission (PEC)"),
    )
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    party = models.ForeignKey(
        Party,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
        verbose_name=_("party involved"),
        help_text=_("Empty when it is not known which party benefits."),
    )
    candidate = models.ForeignKey(
        Candidate,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
        verbose_name=_("candidate involved"),
    )
    description = models.TextField(_("what happened"))
    source = models.CharField(_("how you know"), max_length=20, choices=Source.choices)
    witnesses = models.TextField(
        _("witnesses"),
        blank=True,
        help_text=_("Names and contacts. Only head office, legal experts and you can see them."),
    )
    details = models.JSONField(_("details of the form"), default=dict, blank=True)
    evidence_expected = models.PositiveSmallIntegerField(
        _("evidence files announced"),
        default=0,
        help_text=_(
            "How many files the observer's device said it would upload; escalation waits "
            "until they have arrived."
        ),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED
    )
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("duplicate of"),
    )
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.NORMAL
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_incidents",
        verbose_name=_("assigned to"),
    )
    complaints = models.ManyToManyField(
        "commissions.Complaint",
        blank=True,
        related_name="incidents",
        verbose_name=_("complaints concerning it"),
        help_text=_("Complaints to commissions about this incident (docs/commissions.md)."),
    )
    """Declared here, not on Complaint: commissions never imports incidents
    (docs/architecture.md); ``lifecycle.incident_link_complaints`` edits it."""
    version = models.PositiveIntegerField(
        _("version"), default=1, help_text=_("Raised by every change; for optimistic locking.")
    )
    fingerprint = models.CharField(_("content fingerprint"), max_length=64, editable=False)
    is_demo = models.BooleanField(
        _("demo data"), default=False, help_text=_("Synthetic record created by load_demo.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-occurred_at", "ref"]
        constraints = [
            models.UniqueConstraint(fields=["district", "number"], name="incident_unique_number"),
            models.CheckConstraint(
                condition=Q(kind__in=["admin_resource", "vote_buying", "campaign_rules"]),
                name="incident_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(
                    status__in=[
                        "submitted",
                        "in_review",
                        "needs_info",
                        "verified",
                        "escalated",
                        "closed",
                        "rejected",
                        "duplicate",
                    ]
                ),
                name="incident_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(
                    source__in=[
                        "direct_observation",
                        "witness",
                        "media",
                        "social_media",
                        "other",
                    ]
                ),
                name="incident_source_valid",
            ),
            models.CheckConstraint(
                condition=Q(severity__in=["normal", "serious"]), name="incident_severity_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="duplicate") | Q(duplicate_of__isnull=False),
                name="incident_duplicate_names_original",
                violation_error_message=_("A duplicate must name the incident it duplicates."),
            ),
            models.CheckConstraint(
                condition=~Q(duplicate_of=F("id")), name="incident_not_duplicate_of_itself"
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="incident_coordinates_valid",
            ),
        ]
        indexes = [
            # the head-office triage queue: by status, newest first, narrowed by district/kind
            models.Index(fields=["status", "-occurred_at"], name="incident_queue"),
            models.Index(fields=["district", "status"], name="incident_district_status"),
            models.Index(fields=["kind", "status"], name="incident_kind_status"),
            # report counts: an election's incidents in its period
            models.Index(fields=["election", "occurred_at"], name="incident_election_period"),
            # "My reports"
            models.Index(fields=["reported_by", "-reported_at"], name="incident_reporter"),
            # the triage queue's default order (newest received first, ref as tiebreak):
            # without it a page of 100,000 incidents sorts them all
            models.Index(fields=["-reported_at", "-ref"], name="incident_received"),
            # the incidents API's default order (GET /api/v1/incidents/, newest happened
            # first, ref as tiebreak; also the triage sort "-occurred_at"): without it a
            # page joins and counts evidence for every row before keeping 50
            models.Index(fields=["-occurred_at", "ref"], name="incident_occurred"),
            # text search (queries.search_incidents: triage page and API ``q``, incidents
            # API ``search``) is ``UPPER(col) LIKE UPPER('%text%')`` on these three
            # columns; a trigram index on each one's upper case serves it on PostgreSQL
            # (migration 0004 creates them there only; SQLite scans, docs/incidents.md)
            GinIndex(OpClass(Upper("ref"), name="gin_trgm_ops"), name="incident_ref_trgm"),
            GinIndex(
                OpClass(Upper("location"), name="gin_trgm_ops"), name="incident_location_trgm"
            ),
            GinIndex(
                OpClass(Upper("description"), name="gin_trgm_ops"),
                name="incident_description_trgm",
            ),
        ]

    def __str__(self) -> str:
        return self.ref or str(self.id)


class DistrictIncidentCounter(models.Model):
    """The last incident number handed out in a district. Incrementing it takes the
    row's lock, so two incidents filed at once never get the same ``ref``."""

    district = models.OneToOneField(
        District, on_delete=models.PROTECT, primary_key=True, related_name="+"
    )
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.district}: {self.last_number}"


# --- kept counts (docs/incidents.md#kept-counts) ----------------------------------------------
#
# Small tables of how many incidents each combination of a few columns has, kept exact by
# PostgreSQL triggers on the incidents table in the same statement as every INSERT, UPDATE
# and DELETE (migration 0005), whatever wrote it: filing, the lifecycle, bulk_create, the
# admin. A row exists only while its count is above zero. The dashboard, the home panels
# and the triage page's counts read them instead of counting every incident
# (``incidents.queries``); ``manage.py rebuild_incident_tallies`` counts them again from
# the incidents. PostgreSQL 15 or newer only (``required_db_features``): on SQLite the
# tables do not exist and the same readers count the incidents live.

TALLY_FEATURES = {"supports_nulls_distinct_unique_constraints"}


def _tally_reference(model: type[models.Model]) -> models.ForeignKey:
    # No database constraint: a count is derived data and must never stand in the way of
    # a change to what it counts (the rows it would protect are protected by incidents).
    # No index of its own either: each tally's key starts with the election.
    return models.ForeignKey(
        model, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )


class DistrictTally(models.Model):
    """How many incidents of ``election`` in ``district`` of ``kind`` are in ``status``:
    the dashboard's districts, the home panels' statuses, the triage page's counts. Keyed
    by district, so a filing only touches rows of the district whose counter it already
    locks."""

    election = _tally_reference(Election)
    district = _tally_reference(District)
    kind = models.CharField(max_length=20)
    status = models.CharField(max_length=20)
    n = models.BigIntegerField()

    class Meta:
        required_db_features = TALLY_FEATURES
        constraints = [
            models.UniqueConstraint(
                fields=["election", "district", "kind", "status"], name="district_tally_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.election_id}/{self.district_id}/{self.kind}/{self.status}: {self.n}"


class PartyTally(models.Model):
    """How many incidents of ``election`` naming ``party`` (None: not known) of ``kind``
    are in ``status``: the dashboard's parties, the triage page's counts for a party."""

    election = _tally_reference(Election)
    party = models.ForeignKey(
        Party,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        related_name="+",
    )
    kind = models.CharField(max_length=20)
    status = models.CharField(max_length=20)
    n = models.BigIntegerField()

    class Meta:
        required_db_features = TALLY_FEATURES
        constraints = [
            models.UniqueConstraint(
                fields=["election", "party", "kind", "status"],
                name="party_tally_key",
                nulls_distinct=False,  # "not known" is one row, not one per incident
            )
        ]

    def __str__(self) -> str:
        return f"{self.election_id}/{self.party_id}/{self.kind}/{self.status}: {self.n}"


class DayTally(models.Model):
    """How many incidents of ``election`` of ``kind`` in ``status`` happened on ``day``,
    the day being ``occurred_at``'s date in the time zone ``zone`` (the one in
    ``TallyZone`` when the row was written): the dashboard's per-day chart."""

    election = _tally_reference(Election)
    zone = models.CharField(max_length=64)
    day = models.DateField()
    kind = models.CharField(max_length=20)
    status = models.CharField(max_length=20)
    n = models.BigIntegerField()

    class Meta:
        required_db_features = TALLY_FEATURES
        constraints = [
            models.UniqueConstraint(
                fields=["election", "zone", "day", "kind", "status"], name="day_tally_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.election_id}/{self.day} ({self.zone})/{self.kind}/{self.status}: {self.n}"


class TallyZone(models.Model):
    """One row: the time zone in which the triggers take an incident's day for
    ``DayTally`` (settings.TIME_ZONE when the tallies were last rebuilt)."""

    zone = models.CharField(max_length=64)

    class Meta:
        required_db_features = TALLY_FEATURES

    def __str__(self) -> str:
        return self.zone


class IncidentEvent(models.Model):
    """Append-only timeline of an incident (docs/lifecycle.md): who did what, when, and the
    status before and after. Written by the services; never edited."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Filed")
        TRANSITION = "transition", _("Status changed")
        ASSIGNED = "assigned", _("Assigned")
        EDITED = "edited", _("Edited")
        COMMENT = "comment", _("Comment")
        QUESTION = "question", _("Question to the observer")
        ANSWER = "answer", _("Answer from the observer")
        EVIDENCE_ADDED = "evidence_added", _("Evidence added")
        ESCALATED = "escalated", _("Escalated to the RRCG")
        ESCALATION_DELIVERED = "escalation_delivered", _("RRCG received it")
        ESCALATION_FAILED = "escalation_failed", _("Sending to the RRCG failed")
        ESCALATION_ACKNOWLEDGED = "escalation_acknowledged", _("RRCG acknowledged it")

    incident = models.ForeignKey(
        Incident, on_delete=models.PROTECT, related_name="events", verbose_name=_("incident")
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    kind = models.CharField(_("what"), max_length=30, choices=Kind.choices)
    from_status = models.CharField(
        _("from"), max_length=20, choices=Incident.Status.choices, blank=True
    )
    to_status = models.CharField(
        _("to"), max_length=20, choices=Incident.Status.choices, blank=True
    )
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["incident", "at"], name="incident_event_timeline")]

    def __str__(self) -> str:
        return f"{self.incident} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class Comment(models.Model):
    """A note on an incident. ``internal`` notes stay in head office; a
    ``question_to_lto`` is shown to the observer who filed the incident, who answers it
    with an ``answer_from_lto`` (``reply_to`` names the question; the question gets
    ``answered_at``)."""

    class Visibility(models.TextChoices):
        INTERNAL = "internal", _("Internal note")
        QUESTION_TO_LTO = "question_to_lto", _("Question to the observer")
        ANSWER_FROM_LTO = "answer_from_lto", _("Answer from the observer")

    incident = models.ForeignKey(
        Incident, on_delete=models.PROTECT, related_name="comments", verbose_name=_("incident")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="incident_comments",
        verbose_name=_("author"),
    )
    body = models.TextField(_("text"))
    visibility = models.CharField(
        _("visibility"), max_length=20, choices=Visibility.choices, default=Visibility.INTERNAL
    )
    reply_to = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replies",
        verbose_name=_("in reply to"),
    )
    answered_at = models.DateTimeField(
        _("answered"), null=True, blank=True, help_text=_("For a question: when it was answered.")
    )
    created_at = models.DateTimeField(_("written"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(visibility__in=["internal", "question_to_lto", "answer_from_lto"]),
                name="comment_visibility_valid",
            ),
            models.CheckConstraint(
                condition=~Q(visibility="answer_from_lto") | Q(reply_to__isnull=False),
                name="comment_answer_names_question",
            ),
        ]
        indexes = [
            models.Index(fields=["incident", "created_at"], name="comment_incident"),
            # open questions on an observer's home page
            models.Index(
                fields=["incident"],
                condition=Q(visibility="question_to_lto", answered_at__isnull=True),
                name="comment_open_question",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.incident}: {self.body[:40]}"


def _evidence_path(instance: Evidence, filename: str) -> str:
    # The stored name never uses the uploader's file name (which may carry personal data
    # or path tricks); the original name is kept in the row instead.
    return f"evidence/{instance.incident_id}/{uuid.uuid4().hex}"


def _stripped_path(instance: Evidence, filename: str) -> str:
    return f"evidence/{instance.incident_id}/stripped-{uuid.uuid4().hex}"


class Evidence(models.Model):
    """A photo, video, audio recording or PDF attached to an incident.

    ``file`` is the original as uploaded; head office sees it. Everyone else gets
    ``stripped_file`` (location metadata removed) when ``location_data`` is
    ``stripped``, the original when the format carries none (``none``), and nothing when
    it could not be removed (``withheld``). Both live in the private default storage,
    outside any served path, and are streamed by a view that checks access."""

    class LocationData(models.TextChoices):
        NONE = "none", _("No location data in this format")
        STRIPPED = "stripped", _("Location data removed from the shared copy")
        WITHHELD = "withheld", _("Could not be cleaned: only head office can open it")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    incident = models.ForeignKey(
        Incident, on_delete=models.PROTECT, related_name="evidence", verbose_name=_("incident")
    )
    file = models.FileField(_("file"), upload_to=_evidence_path, max_length=200)
    stripped_file = models.FileField(
        _("copy without location"), upload_to=_stripped_path, max_length=200, blank=True
    )
    location_data = models.CharField(
        _("location data"), max_length=10, choices=LocationData.choices
    )
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(
        _("type"), max_length=100, help_text=_("Detected from the content, not the name.")
    )
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name_plural = _("evidence")
        constraints = [
            models.UniqueConstraint(fields=["incident", "sha256"], name="evidence_unique_file"),
            models.CheckConstraint(
                condition=Q(location_data__in=["none", "stripped", "withheld"]),
                name="evidence_location_data_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.incident}: {self.original_name}"


class Escalation(models.Model):
    """Outbox row for one escalation of an incident to the RRCG (docs/escalation.md).

    Only the model lives here (issue 4); creating, delivering, retrying and
    acknowledging escalations is done by the services and Celery tasks of issue 5. The
    row is written in the same transaction as the status change; ``payload`` is frozen
    then and is what is sent; ``id`` is the ``Idempotency-Key``."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        DELIVERED = "delivered", _("Delivered")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged by the RRCG")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    incident = models.ForeignKey(
        Incident, on_delete=models.PROTECT, related_name="escalations", verbose_name=_("incident")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("escalated by"),
    )
    created_at = models.DateTimeField(_("escalated"), default=timezone.now)
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=15, choices=Status.choices, default=Status.PENDING
    )
    payload = models.JSONField(_("payload as sent"), default=dict)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    attempt_count = models.PositiveIntegerField(_("attempts"), default=0)
    claimed_at = models.DateTimeField(_("claimed by a worker"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    rrcg_reference = models.CharField(_("RRCG reference"), max_length=100, blank=True)
    rrcg_note = models.TextField(_("RRCG note"), blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "delivered", "acknowledged", "failed"]),
                name="escalation_status_valid",
            ),
        ]
        indexes = [
            # the sweep: pending rows that are due
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="escalation_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.incident} → RRCG ({self.status})"


class EscalationAttempt(models.Model):
    """One delivery attempt of an escalation: shown on the incident page. Model only;
    written by the delivery service of issue 5."""

    class Outcome(models.TextChoices):
        DELIVERED = "delivered", _("Delivered")
        RETRY = "retry", _("Will retry")
        FAILED = "failed", _("Failed")

    escalation = models.ForeignKey(
        Escalation, on_delete=models.PROTECT, related_name="attempts", verbose_name=_("escalation")
    )
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)
    response_code = models.PositiveSmallIntegerField(_("response code"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["started_at", "id"]

    def __str__(self) -> str:
        return f"{self.escalation_id} {self.started_at:%Y-%m-%d %H:%M} {self.outcome}"


class Alert(models.Model):
    """Something head office should look at (issue 5): an incident marked serious, an
    observer's answer, an escalation that failed, an incident left untriaged too long.

    ``key`` names the thing the alert is about (e.g. ``untriaged:<incident id>``); it is
    unique, so the same thing never alerts twice, even when two workers notice it at once.
    Written only by ``incidents.services.alerts``."""

    class Kind(models.TextChoices):
        SERIOUS = "serious", _("Marked serious")
        ANSWER = "answer", _("The observer answered")
        ESCALATION_FAILED = "escalation_failed", _("Sending to the RRCG failed")
        UNTRIAGED = "untriaged", _("Waiting for triage")

    key = models.CharField(_("key"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    incident = models.ForeignKey(
        Incident, on_delete=models.PROTECT, related_name="alerts", verbose_name=_("incident")
    )
    escalation = models.ForeignKey(
        Escalation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="alerts",
        verbose_name=_("escalation"),
    )
    detail = models.TextField(_("detail"), blank=True)
    created_at = models.DateTimeField(_("raised"), default=timezone.now)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)
    dismissed_at = models.DateTimeField(_("dismissed"), null=True, blank=True)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dismissed by"),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["serious", "answer", "escalation_failed", "untriaged"]),
                name="alert_kind_valid",
            ),
        ]
        indexes = [
            # head office's panel and the nav count: open alerts, newest first
            models.Index(
                fields=["-created_at"],
                condition=Q(dismissed_at__isnull=True),
                name="alert_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.incident}"
