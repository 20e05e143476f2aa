from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from observation.models import District, Election, Party


class Commission(models.Model):
    """An election commission: the CEC, a TEC (one per district) or a PEC."""

    class Level(models.TextChoices):
        CEC = "CEC", _("Central Election Commission")
        TEC = "TEC", _("Territorial Election Commission")
        PEC = "PEC", _("Precinct Election Commission")

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

    class Meta:
        ordering = ["election", "level", "name"]
        constraints = [
            models.UniqueConstraint(fields=["election", "name"], name="commission_unique_name"),
            models.CheckConstraint(
                condition=Q(level__in=["CEC", "TEC", "PEC"]), name="commission_level_valid"
            ),
            # The CEC is the root; every other commission sits under a parent and a district.
            models.CheckConstraint(
                condition=Q(level="CEC", parent__isnull=True, district__isnull=True)
                | (~Q(level="CEC") & Q(parent__isnull=False, district__isnull=False)),
                name="commission_tree_shape",
                violation_error_message=_(
                    "The CEC has no parent or district; a TEC or PEC needs both."
                ),
            ),
            models.UniqueConstraint(
                fields=["election"],
                condition=Q(level="CEC"),
                name="commission_one_cec_per_election",
            ),
            models.UniqueConstraint(
                fields=["district"],
                condition=Q(level="TEC"),
                name="commission_one_tec_per_district",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CommissionMember(models.Model):
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
    term_start = models.DateField(_("term starts"))
    term_end = models.DateField(_("term ends"), null=True, blank=True)
    re_elected = models.BooleanField(_("re-elected"), default=False)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["commission", "term_start", "full_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(term_end__isnull=True) | Q(term_end__gte=F("term_start")),
                name="member_term_ordered",
                violation_error_message=_("A term must end after it starts."),
            ),
            models.UniqueConstraint(
                fields=["commission", "full_name", "term_start"], name="member_unique_term"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.get_role_display()}, {self.commission})"
