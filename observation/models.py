from __future__ import annotations

from decimal import Decimal

from django.conf import settings
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


class PartyMeeting(FieldNamedConstraints, models.Model):
    """An interview of party representatives by observers, and the concerns they raised."""

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
