from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from observation.kernel.db import FieldNamedConstraints
from observation.kernel.models import AuditEntry  # noqa: F401  (registered with the app)
from observation.kernel.roles import Role

DISTRICT_CODE_PATTERN = r"^[A-Z0-9]{2,8}$"


class Election(FieldNamedConstraints, models.Model):
    class Kind(models.TextChoices):
        LOCAL = "local", _("Local councils (keneshes)")
        REPEAT_LOCAL = "repeat_local", _("Repeat local council elections")
        PARLIAMENTARY = "parliamentary", _("Parliamentary")
        PRESIDENTIAL = "presidential", _("Presidential")
        REFERENDUM = "referendum", _("Referendum")

    name = models.CharField(_("name"), max_length=300)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    election_day = models.DateField(_("election day"))
    observation_start = models.DateField(_("observation starts"))
    observation_end = models.DateField(_("observation ends"))

    constraint_fields = {
        "observation_period_ordered": "observation_end",
        "election_exists": "name",
        "name_required": "name",
        "kind_invalid": "kind",
    }

    class Meta:
        ordering = ["-election_day", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(observation_end__gte=models.F("observation_start")),
                name="election_observation_period_ordered",
                violation_error_code="observation_period_ordered",
                violation_error_message=_("The observation period must end after it starts."),
            ),
            models.UniqueConstraint(
                fields=["name", "election_day"],
                name="election_unique_name_day",
                violation_error_code="election_exists",
                violation_error_message=_("An election with this name and day already exists."),
            ),
            models.CheckConstraint(
                condition=~Q(name=""),
                name="election_name_required",
                violation_error_code="name_required",
                violation_error_message=_("The election needs a name."),
            ),
            models.CheckConstraint(
                condition=Q(
                    kind__in=[
                        "local",
                        "repeat_local",
                        "parliamentary",
                        "presidential",
                        "referendum",
                    ]
                ),
                name="election_kind_valid",
                violation_error_code="kind_invalid",
                violation_error_message=_("Choose one of the kinds of election offered."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.election_day:%Y-%m-%d})"


class District(FieldNamedConstraints, models.Model):
    """The unit that elects a council (docs/architecture.md#glossary), e.g. Bishkek city kenesh."""

    election = models.ForeignKey(
        Election, on_delete=models.PROTECT, related_name="districts", verbose_name=_("election")
    )
    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(
        _("code"),
        max_length=8,
        validators=[RegexValidator(DISTRICT_CODE_PATTERN, _("Use 2-8 capital letters or digits."))],
        help_text=_("Short code used in incident references, e.g. BSK."),
    )
    mandates = models.PositiveIntegerField(_("mandates"), validators=[MinValueValidator(1)])
    threshold_percent = models.DecimalField(
        _("threshold (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )

    constraint_fields = {
        "code_taken": "code",
        "name_taken": "name",
        "mandates_positive": "mandates",
        "threshold_is_percentage": "threshold_percent",
        "code_format": "code",
        "name_required": "name",
    }

    class Meta:
        ordering = ["election", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["election", "code"],
                name="district_unique_code",
                violation_error_code="code_taken",
                violation_error_message=_("Another district of this election has this code."),
            ),
            models.UniqueConstraint(
                fields=["election", "name"],
                name="district_unique_name",
                violation_error_code="name_taken",
                violation_error_message=_("Another district of this election has this name."),
            ),
            models.CheckConstraint(
                condition=Q(mandates__gte=1),
                name="district_mandates_positive",
                violation_error_code="mandates_positive",
                violation_error_message=_("A district elects at least one deputy."),
            ),
            models.CheckConstraint(
                condition=Q(threshold_percent__gte=0, threshold_percent__lte=100),
                name="district_threshold_is_percentage",
                violation_error_code="threshold_is_percentage",
                violation_error_message=_("The threshold is a percentage between 0 and 100."),
            ),
            models.CheckConstraint(
                condition=Q(code__regex=DISTRICT_CODE_PATTERN),
                name="district_code_format",
                violation_error_code="code_format",
                violation_error_message=_("Use 2-8 capital letters or digits."),
            ),
            models.CheckConstraint(
                condition=~Q(name=""),
                name="district_name_required",
                violation_error_code="name_required",
                violation_error_message=_("The district needs a name."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Party(FieldNamedConstraints, models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)

    constraint_fields = {"name_required": "name"}

    class Meta:
        ordering = ["name"]
        verbose_name_plural = _("parties")
        constraints = [
            models.CheckConstraint(
                condition=~Q(name=""),
                name="party_name_required",
                violation_error_code="name_required",
                violation_error_message=_("The party needs a name."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PartyList(FieldNamedConstraints, models.Model):
    """A party's list of candidates registered in one district."""

    party = models.ForeignKey(
        Party, on_delete=models.PROTECT, related_name="lists", verbose_name=_("party")
    )
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="party_lists", verbose_name=_("district")
    )
    nominated_count = models.PositiveIntegerField(
        _("candidates nominated"),
        default=0,
        help_text=_("How many candidates the party nominated on this list, registered or not."),
    )

    constraint_fields = {"list_exists": "party"}

    class Meta:
        ordering = ["district", "party__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["party", "district"],
                name="partylist_one_per_district",
                violation_error_code="list_exists",
                violation_error_message=_("This party already has a list in this district."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.party} — {self.district}"


class Candidate(FieldNamedConstraints, models.Model):
    class Gender(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")

    class Status(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        DENIED = "denied", _("Denied registration")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    party_list = models.ForeignKey(
        PartyList,
        on_delete=models.CASCADE,
        related_name="candidates",
        verbose_name=_("party list"),
    )
    full_name = models.CharField(_("full name"), max_length=200)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    position = models.PositiveIntegerField(
        _("position on the list"), validators=[MinValueValidator(1)]
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.REGISTERED
    )
    denial_reason = models.CharField(_("reason for denial"), max_length=500, blank=True)
    is_demo = models.BooleanField(
        _("demo data"), default=False, help_text=_("Synthetic record created by load_demo.")
    )

    constraint_fields = {
        "position_taken": "position",
        "position_positive": "position",
        "gender_invalid": "gender",
        "status_invalid": "status",
        "denial_reason_required": "denial_reason",
        "denial_reason_only_when_denied": "denial_reason",
        "full_name_required": "full_name",
    }

    class Meta:
        ordering = ["party_list", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["party_list", "position"],
                name="candidate_unique_position",
                violation_error_code="position_taken",
                violation_error_message=_("Another candidate holds this position on the list."),
            ),
            models.CheckConstraint(
                condition=Q(position__gte=1),
                name="candidate_position_positive",
                violation_error_code="position_positive",
                violation_error_message=_("Positions on a list start at 1."),
            ),
            models.CheckConstraint(
                condition=Q(gender__in=["M", "F"]),
                name="candidate_gender_valid",
                violation_error_code="gender_invalid",
                violation_error_message=_("Gender is M or F."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=["registered", "denied", "withdrawn"]),
                name="candidate_status_valid",
                violation_error_code="status_invalid",
                violation_error_message=_("Status is registered, denied or withdrawn."),
            ),
            models.CheckConstraint(
                condition=~Q(status="denied") | ~Q(denial_reason=""),
                name="candidate_denial_has_reason",
                violation_error_code="denial_reason_required",
                violation_error_message=_("A denied candidate needs the reason for denial."),
            ),
            # A reason on a registered candidate would be shown as if they had been denied.
            models.CheckConstraint(
                condition=Q(status="denied") | Q(denial_reason=""),
                name="candidate_reason_only_when_denied",
                violation_error_code="denial_reason_only_when_denied",
                violation_error_message=_("Only a denied candidate has a reason for denial."),
            ),
            models.CheckConstraint(
                condition=~Q(full_name=""),
                name="candidate_full_name_required",
                violation_error_code="full_name_required",
                violation_error_message=_("The candidate needs a full name."),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name


class ConcernTheme(models.TextChoices):
    """What a concern raised at a party meeting is about: the report groups concerns by
    theme with the parties that raised each (docs/reports.md#what-is-counted)."""

    VOTER_AWARENESS = "voter_awareness", _("Voters poorly informed about the election")
    LOW_TURNOUT = "low_turnout", _("Low turnout expected")
    ONLINE_CAMPAIGNING = "online_campaigning", _("Campaigning moved online")
    CAMPAIGN_FINANCE = "campaign_finance", _("Doubts about other parties' campaign finances")
    BLACK_PR = "black_pr", _("Black PR against the party and its candidates")
    ADMIN_RESOURCES = "admin_resources", _("Misuse of administrative resources")
    VOTE_BUYING = "vote_buying", _("Vote buying")
    OTHER = "other", _("Other")


def validate_themes(value: object) -> None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError(_("Give the themes as a list of codes."))
    unknown = sorted(set(value) - set(ConcernTheme.values))
    if unknown:
        raise ValidationError(_("Unknown theme(s): %(themes)s.") % {"themes": ", ".join(unknown)})
    if len(set(value)) != len(value):
        raise ValidationError(_("A theme is given twice."))


class PartyMeeting(FieldNamedConstraints, models.Model):
    """An interview of party representatives by observers, and the concerns they raised,
    each tagged with its themes."""

    party = models.ForeignKey(
        Party, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("party")
    )
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        related_name="party_meetings",
        verbose_name=_("district"),
    )
    date = models.DateField(_("date"))
    attendees = models.TextField(_("who attended"), blank=True)
    concerns = models.TextField(_("concerns raised"))
    themes = models.JSONField(
        _("themes of the concerns"),
        default=list,
        blank=True,
        validators=[validate_themes],
        help_text=_("Codes of ConcernTheme, in the order they were raised."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    constraint_fields = {"meeting_exists": "date", "concerns_required": "concerns"}

    class Meta:
        ordering = ["-date", "party__name"]
        constraints = [
            # One record per party, district and day: an observer re-sending the form from
            # a phone must not count the meeting twice.
            models.UniqueConstraint(
                fields=["party", "district", "date"],
                name="partymeeting_once_a_day",
                violation_error_code="meeting_exists",
                violation_error_message=_(
                    "A meeting with this party in this district on this day is already recorded."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(concerns=""),
                name="partymeeting_concerns_required",
                violation_error_code="concerns_required",
                violation_error_message=_("Record the concerns the party raised."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.party} ({self.date:%Y-%m-%d})"


class ObserverProfile(models.Model):
    """A user's role in the mission and the districts they cover."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="observer_profile"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    districts = models.ManyToManyField(
        District, blank=True, related_name="observers", verbose_name=_("districts covered")
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=[r.value for r in Role]), name="profile_role_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class CalendarEntry(FieldNamedConstraints, models.Model):
    """One date of an election's calendar (how it was called, the CEC's calendar plan,
    nominations, lists, campaign, silence, voter-list milestones, election day), entered
    per election and printed as the report's timeline (docs/reports.md)."""

    class Kind(models.TextChoices):
        CALLED = "called", _("Election called")
        CALENDAR_PLAN = "calendar_plan", _("CEC calendar plan approved")
        NOMINATIONS_OPEN = "nominations_open", _("Nomination of party lists opens")
        LISTS_CLOSED = "lists_closed", _("Registration of party lists closes")
        CAMPAIGN_START = "campaign_start", _("Campaign starts")
        CAMPAIGN_END = "campaign_end", _("Campaign ends")
        SILENCE_DAY = "silence_day", _("Day of silence")
        VOTER_LIST_PRELIMINARY = "voter_list_preliminary", _("Preliminary voter list published")
        VOTER_LIST_CONTROL = "voter_list_control", _("Control voter list published")
        VOTER_LIST_CORRECTIONS_END = (
            "voter_list_corrections_end",
            _("Last day to correct the voter list"),
        )
        VOTER_LIST_FINAL = "voter_list_final", _("Final voter list published")
        ELECTION_DAY = "election_day", _("Election day")
        OTHER = "other", _("Other")

    VOTER_LIST_KINDS = (
        Kind.VOTER_LIST_PRELIMINARY,
        Kind.VOTER_LIST_CONTROL,
        Kind.VOTER_LIST_CORRECTIONS_END,
        Kind.VOTER_LIST_FINAL,
    )

    election = models.ForeignKey(
        Election, on_delete=models.CASCADE, related_name="calendar", verbose_name=_("election")
    )
    date = models.DateField(_("date"))
    time = models.TimeField(_("time"), null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    label = models.CharField(_("what happens"), max_length=300, blank=True)
    reference = models.CharField(
        _("reference"), max_length=200, blank=True, help_text=_("E.g. the decree's number.")
    )

    constraint_fields = {"calendar_kind_once": "kind", "calendar_other_labelled": "label"}

    class Meta:
        ordering = ["election", "date", "time", "id"]
        verbose_name = _("calendar entry")
        verbose_name_plural = _("calendar entries")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    kind__in=[
                        "called",
                        "calendar_plan",
                        "nominations_open",
                        "lists_closed",
                        "campaign_start",
                        "campaign_end",
                        "silence_day",
                        "voter_list_preliminary",
                        "voter_list_control",
                        "voter_list_corrections_end",
                        "voter_list_final",
                        "election_day",
                        "other",
                    ]
                ),
                name="calendarentry_kind_valid",
            ),  # fmt: skip
            # Each kind but "other" happens once per election.
            models.UniqueConstraint(
                fields=["election", "kind"],
                condition=~Q(kind="other"),
                name="calendarentry_kind_once",
                violation_error_code="calendar_kind_once",
                violation_error_message=_("This election already has a date of this kind."),
            ),
            models.CheckConstraint(
                condition=~Q(kind="other") | ~Q(label=""),
                name="calendarentry_other_labelled",
                violation_error_code="calendar_other_labelled",
                violation_error_message=_("Say what happens on a date of kind 'other'."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()}"

    def clean(self) -> None:
        """The rules a constraint cannot hold, for pages, API and imports alike (they all
        save through ``full_clean``): the election-day date is the election's day."""
        super().clean()
        if (
            self.kind == self.Kind.ELECTION_DAY
            and self.election_id is not None
            and self.date is not None
            and self.date != self.election.election_day
        ):
            raise ValidationError(
                {
                    "date": _("Election day is %(day)s, as the election says.")
                    % {"day": self.election.election_day.isoformat()}
                }
            )
