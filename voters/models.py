from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from commissions.models import Commission

AGE_FIELDS = ("age_18_29", "age_30_39", "age_40_49", "age_50_59", "age_60_69", "age_70_plus")


class VoterListSnapshot(models.Model):
    """The voter list of one commission at one stage, as the CEC published it."""

    class Stage(models.TextChoices):
        PRELIMINARY = "preliminary", _("Preliminary list")
        CONTROL = "control", _("Control list")
        FINAL = "final", _("Final list")

    STAGE_ORDER = ("preliminary", "control", "final")

    commission = models.ForeignKey(
        Commission,
        on_delete=models.PROTECT,
        related_name="voter_snapshots",
        verbose_name=_("commission"),
    )
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices)
    as_of = models.DateField(_("as of"))
    total = models.PositiveIntegerField(_("total voters"))
    male = models.PositiveIntegerField(_("male"), null=True, blank=True)
    female = models.PositiveIntegerField(_("female"), null=True, blank=True)
    age_18_29 = models.PositiveIntegerField(_("aged 18-29"), null=True, blank=True)
    age_30_39 = models.PositiveIntegerField(_("aged 30-39"), null=True, blank=True)
    age_40_49 = models.PositiveIntegerField(_("aged 40-49"), null=True, blank=True)
    age_50_59 = models.PositiveIntegerField(_("aged 50-59"), null=True, blank=True)
    age_60_69 = models.PositiveIntegerField(_("aged 60-69"), null=True, blank=True)
    age_70_plus = models.PositiveIntegerField(_("aged 70 and over"), null=True, blank=True)

    class Meta:
        ordering = ["commission", "as_of"]
        constraints = [
            models.UniqueConstraint(fields=["commission", "stage"], name="snapshot_one_per_stage"),
            models.CheckConstraint(
                condition=Q(stage__in=["preliminary", "control", "final"]),
                name="snapshot_stage_valid",
            ),
            # The breakdowns are optional (the seed gives only the total of the preliminary
            # list) but, when given, must account for every voter.
            models.CheckConstraint(
                condition=Q(male__isnull=True, female__isnull=True)
                | Q(male__isnull=False, female__isnull=False, total=F("male") + F("female")),
                name="snapshot_gender_sums_to_total",
                violation_error_message=_("Male and female must add up to the total."),
            ),
            models.CheckConstraint(
                condition=Q(**{f"{name}__isnull": True for name in AGE_FIELDS})
                | Q(
                    **{f"{name}__isnull": False for name in AGE_FIELDS},
                    total=F("age_18_29")
                    + F("age_30_39")
                    + F("age_40_49")
                    + F("age_50_59")
                    + F("age_60_69")
                    + F("age_70_plus"),
                ),
                name="snapshot_ages_sum_to_total",
                violation_error_message=_("The six age brackets must add up to the total."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.commission} — {self.get_stage_display()} ({self.as_of:%Y-%m-%d})"
