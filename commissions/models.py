from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from observation.kernel.db import FieldNamedConstraints
from observation.models import Candidate, District, Election, Party, PartyList


class Commission(FieldNamedConstraints, models.Model):
    """An election commission: the CEC, a TEC (one per district) or a PEC."""

    class Level(models.TextChoices):
        CEC = "CEC", _("Central Election Commission")
        TEC = "TEC", _("Territorial Election Commission")
        PEC = "PEC", _("Precinct Election Commission")

    # The level each level reports to: the tree is CEC → TEC → PEC.
    PARENT_LEVEL = {Level.TEC: Level.CEC, Level.PEC: Level.TEC}
    PARENT_LEVEL_OF = {Level.CEC: Level.TEC, Level.TEC: Level.PEC}
    """The level of a commission's children."""

    election = models.ForeignKey(
        Election, on_delete=models.PROTECT, related_name="commissions", verbose_name=_("election")
    )
    level = models.CharField(_("level"), max_length=3, choices=Level.choices)
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent commission"),
    )
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="commissions",
        verbose_name=_("district"),
    )
    pec_count = models.PositiveIntegerField(
        _("number of PECs"),
        null=True,
        blank=True,
        help_text=_("For a TEC: how many precinct commissions it oversees."),
    )
    note = models.TextField(
        _("note"),
        blank=True,
        help_text=_(
            "What the record should say about this commission, e.g. that it was re-formed."
        ),
    )

    constraint_fields = {
        "level_valid": "level",
        "parent_by_level": "parent",
        "district_by_level": "district",
        "pec_count_only_for_tec": "pec_count",
    }

    class Meta:
        ordering = ["election", "level", "name"]
        constraints = [
            models.UniqueConstraint(fields=["election", "name"], name="commission_unique_name"),
            models.CheckConstraint(
                condition=Q(level__in=["CEC", "TEC", "PEC"]),
                name="commission_level_valid",
                violation_error_code="level_valid",
                violation_error_message=_("Choose CEC, TEC or PEC."),
            ),
            # The CEC is the root of the tree; every other commission sits under a parent
            # and serves a district.
            models.CheckConstraint(
                condition=Q(level="CEC", parent__isnull=True)
                | (~Q(level="CEC") & Q(parent__isnull=False)),
                name="commission_parent_by_level",
                violation_error_code="parent_by_level",
                violation_error_message=_(
                    "The CEC has no parent commission; a TEC or PEC needs one."
                ),
            ),
            models.CheckConstraint(
                condition=Q(level="CEC", district__isnull=True)
                | (~Q(level="CEC") & Q(district__isnull=False)),
                name="commission_district_by_level",
                violation_error_code="district_by_level",
                violation_error_message=_("The CEC serves no single district; a TEC or PEC does."),
            ),
            models.CheckConstraint(
                condition=Q(level="TEC") | Q(pec_count__isnull=True),
                name="commission_pec_count_only_for_tec",
                violation_error_code="pec_count_only_for_tec",
                violation_error_message=_("Only a TEC has a number of PECs."),
            ),
            models.UniqueConstraint(
                fields=["election"],
                condition=Q(level="CEC"),
                name="commission_one_cec_per_election",
                violation_error_message=_("This election already has a CEC."),
            ),
            models.UniqueConstraint(
                fields=["district"],
                condition=Q(level="TEC"),
                name="commission_one_tec_per_district",
                violation_error_message=_("This district already has a TEC."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """Rules that span rows, which a CHECK constraint cannot see."""
        errors: dict[str, str] = {}
        if self.district_id and self.election_id and self.district.election_id != self.election_id:
            errors["district"] = _("The district belongs to another election.")
        if self.parent_id and self.election_id:
            parent = self.parent
            expected = self.PARENT_LEVEL.get(self.level)
            if parent.election_id != self.election_id:
                errors["parent"] = _("The parent commission belongs to another election.")
            elif expected and parent.level != expected:
                errors["parent"] = _("A %(level)s reports to a %(parent)s.") % {
                    "level": self.level,
                    "parent": expected,
                }
            elif self.level == self.Level.PEC and parent.district_id != self.district_id:
                errors["district"] = _("A PEC serves the district of its TEC.")
        # The unique constraints below would report these without naming the field.
        if self.election_id:
            others = Commission.objects.filter(election_id=self.election_id).exclude(pk=self.pk)
            if self.name and others.filter(name=self.name).exists():
                errors["name"] = _("This election already has a commission with this name.")
            if self.level == self.Level.CEC and others.filter(level=self.Level.CEC).exists():
                errors["level"] = _("This election already has a CEC.")
            if (
                self.level == self.Level.TEC
                and self.district_id
                and "district" not in errors
                and others.filter(level=self.Level.TEC, district_id=self.district_id).exists()
            ):
                errors["district"] = _("This district already has a TEC.")
        if errors:
            raise ValidationError(errors)


def overlapping_terms(start, end) -> Q:
    """Terms that share at least one day with [start, end] (end None = still serving;
    start None = started on a day not recorded, so possibly any day up to the end). A term
    whose start is not recorded counts as covering every day up to its end
    (docs/commissions.md, "Terms whose start is not known")."""
    q = Q() if start is None else Q(term_end__isnull=True) | Q(term_end__gte=start)
    if end is not None:
        q &= Q(term_start__isnull=True) | Q(term_start__lte=end)
    return q


class CommissionMember(FieldNamedConstraints, models.Model):
    """One term of one person on a commission. A commission's composition on a date is
    the set of terms covering that date (see ``queries.composition_on``)."""

    class MemberRole(models.TextChoices):
        CHAIR = "chair", _("Chair")
        DEPUTY_CHAIR = "deputy_chair", _("Deputy chair")
        SECRETARY = "secretary", _("Secretary")
        MEMBER = "member", _("Member")

    class NominatedBy(models.TextChoices):
        PRESIDENT = "president", _("President")
        PARLIAMENT = "parliament", _("Jogorku Kenesh (parliament)")
        PARTY = "party", _("Political party")
        OTHER = "other", _("Other")
        # Who nominated an earlier term is often not in the source (docs/commissions.md).
        UNKNOWN = "unknown", _("Not recorded")

    # A commission has one chair, one deputy chair and one secretary at a time.
    SINGLE_HOLDER_ROLES = (MemberRole.CHAIR, MemberRole.DEPUTY_CHAIR, MemberRole.SECRETARY)

    commission = models.ForeignKey(
        Commission, on_delete=models.CASCADE, related_name="members", verbose_name=_("commission")
    )
    full_name = models.CharField(_("full name"), max_length=200)
    role = models.CharField(
        _("role"), max_length=20, choices=MemberRole.choices, default=MemberRole.MEMBER
    )
    nominated_by = models.CharField(
        _("nominated by"), max_length=20, choices=NominatedBy.choices, default=NominatedBy.OTHER
    )
    party = models.ForeignKey(
        Party,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="commission_members",
        verbose_name=_("party"),
    )
    party_label = models.CharField(
        _("party (as named)"),
        max_length=200,
        blank=True,
        help_text=_("Affiliation as the source names it, when the party is not in the register."),
    )
    term_start = models.DateField(
        _("term starts"),
        null=True,
        blank=True,
        help_text=_(
            "First day in office. Empty only when it is not known: the member was in office "
            "before the term's end, which must then be given."
        ),
    )
    term_end = models.DateField(
        _("term ends"), null=True, blank=True, help_text=_("Last day in office; empty if serving.")
    )
    re_elected = models.BooleanField(_("re-elected"), default=False)
    note = models.CharField(_("note"), max_length=300, blank=True)

    constraint_fields = {
        "term_ordered": "term_end",
        "start_or_end_known": "term_end",
        "role_valid": "role",
        "nominated_by_valid": "nominated_by",
    }

    class Meta:
        # A term whose start is not recorded began before the others: it comes first.
        ordering = ["commission", F("term_start").asc(nulls_first=True), "full_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(term_end__isnull=True)
                | Q(term_start__isnull=True)
                | Q(term_end__gte=F("term_start")),
                name="member_term_ordered",
                violation_error_code="term_ordered",
                violation_error_message=_("A term cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(term_start__isnull=False) | Q(term_end__isnull=False),
                name="member_start_or_end_known",
                violation_error_code="start_or_end_known",
                violation_error_message=_(
                    "A term whose first day is not known needs its last day in office."
                ),
            ),
            models.UniqueConstraint(
                fields=["commission", "full_name", "term_start"], name="member_unique_term"
            ),
            models.CheckConstraint(
                condition=Q(role__in=["chair", "deputy_chair", "secretary", "member"]),
                name="member_role_valid",
                violation_error_code="role_valid",
                violation_error_message=_("Choose a role from the list."),
            ),
            models.CheckConstraint(
                condition=Q(
                    nominated_by__in=["president", "parliament", "party", "other", "unknown"]
                ),
                name="member_nominated_by_valid",
                violation_error_code="nominated_by_valid",
                violation_error_message=_("Choose a nominating body from the list."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.get_role_display()}, {self.commission})"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.nominated_by == self.NominatedBy.PARTY and not (self.party_id or self.party_label):
            errors["party"] = _("Name the party that nominated this member.")
        start, end = self.term_start, self.term_end
        if self.commission_id and (start or end) and (end is None or start is None or end >= start):
            overlapping = (
                CommissionMember.objects.filter(commission_id=self.commission_id)
                .filter(overlapping_terms(self.term_start, self.term_end))
                .exclude(pk=self.pk)
            )
            if self.role in self.SINGLE_HOLDER_ROLES:
                holder = overlapping.filter(role=self.role).first()
                if holder is not None:
                    errors["role"] = _(
                        "%(name)s holds this role during part of this term; end their term first."
                    ) % {"name": holder.full_name}
            if self.full_name and overlapping.filter(full_name=self.full_name).exists():
                errors["term_end" if self.term_start is None else "term_start"] = _(
                    "This person already has a term on this commission overlapping these dates."
                )
        if errors:
            raise ValidationError(errors)


class CommissionMeeting(FieldNamedConstraints, models.Model):
    """A commission session that an observer followed, and what they saw."""

    class Mode(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        REMOTE = "remote", _("Remotely")

    class Notification(models.TextChoices):
        IN_PERSON = "in_person", _("In person, by commission members")
        PHONE = "phone", _("By phone")
        MESSENGER = "messenger", _("By messenger")
        WRITTEN = "written", _("In writing")
        WEBSITE = "website", _("On the website or social networks")
        OTHER = "other", _("Other")

    class Sanitary(models.TextChoices):
        OBSERVED = "observed", _("Observed")
        PARTIAL = "partial", _("Partially observed")
        NOT_OBSERVED = "not_observed", _("Not observed")

    commission = models.ForeignKey(
        Commission, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("commission")
    )
    date = models.DateField(_("date"))
    mode = models.CharField(_("observed"), max_length=10, choices=Mode.choices)
    quorum = models.BooleanField(
        _("quorum present"),
        null=True,
        blank=True,
        help_text=_("Empty if the observer could not tell."),
    )
    notified = models.BooleanField(_("meeting announced in advance"), default=False)
    notified_how = models.CharField(
        _("how it was announced"), max_length=10, choices=Notification.choices, blank=True
    )
    sanitary_rules = models.CharField(
        _("sanitary rules"),
        max_length=12,
        choices=Sanitary.choices,
        blank=True,
        help_text=_("Empty if the observer could not see, e.g. when following remotely."),
    )
    observer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("observer who attended"),
    )
    notes = models.TextField(_("notes"), blank=True)

    constraint_fields = {
        "mode_valid": "mode",
        "sanitary_rules_valid": "sanitary_rules",
        "notified_how_valid": "notified_how",
        "notified_how_needs_notice": "notified_how",
    }

    class Meta:
        ordering = ["-date", "commission__name", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(mode__in=["in_person", "remote"]),
                name="meeting_mode_valid",
                violation_error_code="mode_valid",
                violation_error_message=_("Choose in person or remotely."),
            ),
            models.CheckConstraint(
                condition=Q(sanitary_rules__in=["", "observed", "partial", "not_observed"]),
                name="meeting_sanitary_rules_valid",
                violation_error_code="sanitary_rules_valid",
                violation_error_message=_("Choose how the sanitary rules were kept."),
            ),
            models.CheckConstraint(
                condition=Q(
                    notified_how__in=[
                        "",
                        "in_person",
                        "phone",
                        "messenger",
                        "written",
                        "website",
                        "other",
                    ]
                ),
                name="meeting_notified_how_valid",
                violation_error_code="notified_how_valid",
                violation_error_message=_("Choose how the meeting was announced."),
            ),  # fmt: skip
            models.CheckConstraint(
                condition=Q(notified=True) | Q(notified_how=""),
                name="meeting_notified_how_needs_notice",
                violation_error_code="notified_how_needs_notice",
                violation_error_message=_("A meeting that was not announced has no way it was."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.commission} {self.date:%Y-%m-%d}"


class Complaint(FieldNamedConstraints, models.Model):
    """A complaint or application lodged with a commission, and its statutory deadline.

    "Overdue" (undecided past the deadline) is computed by ``queries``, never stored, so it
    is always true as of the day it is asked."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        UNDER_REVIEW = "under_review", _("Under review")
        DECIDED = "decided", _("Decided")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    OPEN_STATUSES = (Status.RECEIVED, Status.UNDER_REVIEW)

    commission = models.ForeignKey(
        Commission,
        on_delete=models.PROTECT,
        related_name="complaints",
        verbose_name=_("commission"),
    )
    filed_on = models.DateField(_("filed on"))
    received_on = models.DateField(_("received by the commission on"))
    complainant = models.CharField(_("complainant"), max_length=300)
    subject = models.TextField(_("subject"))
    deadline = models.DateField(
        _("deadline for a decision"),
        blank=True,
        help_text=_("The statutory deadline. Left empty, it is counted from the day of receipt."),
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decision = models.TextField(_("decision"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.RECEIVED
    )

    constraint_fields = {
        "status_valid": "status",
        "received_after_filed": "received_on",
        "deadline_after_receipt": "deadline",
        "decided_after_receipt": "decided_on",
        "decided_has_date": "decided_on",
        "decided_has_decision": "decision",
    }

    class Meta:
        ordering = ["-received_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["received", "under_review", "decided", "withdrawn"]),
                name="complaint_status_valid",
                violation_error_code="status_valid",
                violation_error_message=_("Choose a status from the list."),
            ),
            models.CheckConstraint(
                condition=Q(received_on__gte=F("filed_on")),
                name="complaint_received_after_filed",
                violation_error_code="received_after_filed",
                violation_error_message=_("A complaint cannot be received before it is filed."),
            ),
            models.CheckConstraint(
                condition=Q(deadline__gte=F("received_on")),
                name="complaint_deadline_after_receipt",
                violation_error_code="deadline_after_receipt",
                violation_error_message=_("The deadline cannot be before the day of receipt."),
            ),
            models.CheckConstraint(
                condition=Q(decided_on__isnull=True) | Q(decided_on__gte=F("received_on")),
                name="complaint_decided_after_receipt",
                violation_error_code="decided_after_receipt",
                violation_error_message=_("A complaint cannot be decided before it is received."),
            ),
            models.CheckConstraint(
                condition=(Q(status="decided") & Q(decided_on__isnull=False))
                | (~Q(status="decided") & Q(decided_on__isnull=True)),
                name="complaint_decided_has_date",
                violation_error_code="decided_has_date",
                violation_error_message=_(
                    "A decided complaint needs the date of decision, and only a decided one has it."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(status="decided") | ~Q(decision=""),
                name="complaint_decided_has_decision",
                violation_error_code="decided_has_decision",
                violation_error_message=_("Say what the commission decided."),
            ),
        ]
        indexes = [
            # queries.overdue_q: complaints whose deadline passed before a given day.
            models.Index(fields=["deadline"], name="complaint_deadline"),
        ]

    def __str__(self) -> str:
        return f"{self.commission}: {self.complainant} ({self.received_on:%Y-%m-%d})"


class CommissionDecision(FieldNamedConstraints, models.Model):
    """A decision a commission took about a party or candidate (warnings and the like)."""

    class Kind(models.TextChoices):
        VERBAL_WARNING = "verbal_warning", _("Verbal warning")
        WRITTEN_WARNING = "written_warning", _("Written warning")
        NO_VIOLATION = "no_violation", _("No violation found")
        REFUSAL = "refusal", _("Application refused")
        CANCELLATION = "cancellation", _("Registration cancelled")
        OTHER = "other", _("Other")

    # A sanction is always addressed to someone.
    SANCTIONS = (Kind.VERBAL_WARNING, Kind.WRITTEN_WARNING, Kind.CANCELLATION)

    commission = models.ForeignKey(
        Commission,
        on_delete=models.PROTECT,
        related_name="decisions",
        verbose_name=_("commission"),
    )
    meeting = models.ForeignKey(
        CommissionMeeting,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name=_("taken at meeting"),
    )
    complaint = models.ForeignKey(
        Complaint,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name=_("in answer to complaint"),
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    party = models.ForeignKey(
        Party,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="commission_decisions",
        verbose_name=_("party concerned"),
    )
    candidate = models.ForeignKey(
        Candidate,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="commission_decisions",
        verbose_name=_("candidate concerned"),
    )
    candidate_name = models.CharField(
        _("candidate (as named)"),
        max_length=200,
        blank=True,
        help_text=_("The candidate as the source names them, when not in the register."),
    )
    legal_basis = models.TextField(_("legal basis"), blank=True)
    summary = models.TextField(_("summary"))

    constraint_fields = {
        "kind_valid": "kind",
        "sanction_has_subject": "party",
    }

    class Meta:
        ordering = ["-date", "commission__name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    kind__in=[
                        "verbal_warning",
                        "written_warning",
                        "no_violation",
                        "refusal",
                        "cancellation",
                        "other",
                    ]
                ),
                name="decision_kind_valid",
                violation_error_code="kind_valid",
                violation_error_message=_("Choose a kind of decision from the list."),
            ),  # fmt: skip
            models.CheckConstraint(
                condition=~Q(kind__in=["verbal_warning", "written_warning", "cancellation"])
                | Q(party__isnull=False)
                | Q(candidate__isnull=False)
                | ~Q(candidate_name=""),
                name="decision_sanction_has_subject",
                violation_error_code="sanction_has_subject",
                violation_error_message=_(
                    "A warning or cancellation is addressed to a party or a candidate."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.commission} {self.date:%Y-%m-%d}: {self.get_kind_display()}"

    def clean(self) -> None:
        """A decision stays inside its commission's election and district."""
        errors: dict[str, str] = {}
        if not self.commission_id:
            return
        commission = self.commission
        if self.meeting_id and self.meeting.commission_id != self.commission_id:
            errors["meeting"] = _("That meeting was held by another commission.")
        elif self.meeting_id and self.date and self.meeting.date != self.date:
            errors["date"] = _("A decision taken at a meeting carries the meeting's date.")
        if self.complaint_id:
            if self.complaint.commission_id != self.commission_id:
                errors["complaint"] = _("That complaint was lodged with another commission.")
            elif self.date and self.date < self.complaint.received_on:
                errors["date"] = _("The decision cannot precede the complaint it answers.")
        if self.party_id:
            lists = PartyList.objects.filter(
                party_id=self.party_id, district__election_id=commission.election_id
            )
            if commission.district_id:
                lists = lists.filter(district_id=commission.district_id)
            if not lists.exists():
                errors["party"] = _(
                    "This party has no list in the district or election of this commission."
                )
        if self.candidate_id:
            party_list = self.candidate.party_list
            district = party_list.district
            if district.election_id != commission.election_id or (
                commission.district_id and district.pk != commission.district_id
            ):
                errors["candidate"] = _(
                    "This candidate stands in another district or election than this commission."
                )
            elif self.party_id and party_list.party_id != self.party_id:
                errors["candidate"] = _("This candidate stands for another party.")
        if errors:
            raise ValidationError(errors)
