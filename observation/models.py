from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from observation.roles import Role


class Election(models.Model):
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

    class Meta:
        ordering = ["-election_day", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(observation_end__gte=models.F("observation_start")),
                name="election_observation_period_ordered",
                violation_error_message=_("The observation period must end after it starts."),
            ),
            models.UniqueConstraint(
                fields=["name", "election_day"], name="election_unique_name_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.election_day:%Y-%m-%d})"


class District(models.Model):
    """The unit that elects a council (DESIGN.md §2), e.g. Bishkek city kenesh."""

    election = models.ForeignKey(
        Election, on_delete=models.PROTECT, related_name="districts", verbose_name=_("election")
    )
    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(
        _("code"),
        max_length=8,
        validators=[RegexValidator(r"^[A-Z0-9]{2,8}$", _("Use 2-8 capital letters or digits."))],
        help_text=_("Short code used in incident references, e.g. BSK."),
    )
    mandates = models.PositiveIntegerField(_("mandates"), validators=[MinValueValidator(1)])
    threshold_percent = models.DecimalField(
        _("threshold (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )

    class Meta:
        ordering = ["election", "name"]
        constraints = [
            models.UniqueConstraint(fields=["election", "code"], name="district_unique_code"),
            models.UniqueConstraint(fields=["election", "name"], name="district_unique_name"),
            models.CheckConstraint(condition=Q(mandates__gte=1), name="district_mandates_positive"),
            models.CheckConstraint(
                condition=Q(threshold_percent__gte=0, threshold_percent__lte=100),
                name="district_threshold_is_percentage",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Party(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = _("parties")

    def __str__(self) -> str:
        return self.name


class PartyList(models.Model):
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

    class Meta:
        ordering = ["district", "party__name"]
        constraints = [
            models.UniqueConstraint(fields=["party", "district"], name="partylist_one_per_district")
        ]

    def __str__(self) -> str:
        return f"{self.party} — {self.district}"


class Candidate(models.Model):
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

    class Meta:
        ordering = ["party_list", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["party_list", "position"], name="candidate_unique_position"
            ),
            models.CheckConstraint(
                condition=Q(position__gte=1), name="candidate_position_positive"
            ),
            models.CheckConstraint(
                condition=Q(gender__in=["M", "F"]), name="candidate_gender_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["registered", "denied", "withdrawn"]),
                name="candidate_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="denied") | ~Q(denial_reason=""),
                name="candidate_denial_has_reason",
                violation_error_message=_("A denied candidate needs the reason for denial."),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name


class PartyMeeting(models.Model):
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

    class Meta:
        ordering = ["-date", "party__name"]

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


class AuditEntry(models.Model):
    """Append-only record of who changed what (DESIGN.md §10). Written by services only."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=80)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64)
    target = GenericForeignKey("content_type", "object_id")
    object_repr = models.CharField(max_length=300)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.object_repr}"
