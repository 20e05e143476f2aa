from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from commissions.models import Commission
from observation.kernel.db import FieldNamedConstraints

AGE_FIELDS = ("age_18_29", "age_30_39", "age_40_49", "age_50_59", "age_60_69", "age_70_plus")


class VoterListSnapshot(FieldNamedConstraints, models.Model):
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
            models.UniqueConstraint(
                fields=["commission", "stage"],
                name="snapshot_one_per_stage",
                violation_error_code="stage_taken",
                violation_error_message=_("This commission already has a snapshot of this stage."),
            ),
            models.CheckConstraint(
                condition=Q(stage__in=["preliminary", "control", "final"]),
                name="snapshot_stage_valid",
                violation_error_code="stage_invalid",
                violation_error_message=_("Stage is preliminary, control or final."),
            ),
            # The breakdowns are optional (the seed gives only the total of the preliminary
            # list) but, when given, must account for every voter.
            models.CheckConstraint(
                condition=Q(male__isnull=True, female__isnull=True)
                | Q(male__isnull=False, female__isnull=False, total=F("male") + F("female")),
                name="snapshot_gender_sums_to_total",
                violation_error_code="gender_sum",
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
                violation_error_code="age_sum",
                violation_error_message=_("The six age brackets must add up to the total."),
            ),
        ]

    # Forms, the API and the import report name the field to correct
    # (observation.kernel.db.FieldNamedConstraints).
    constraint_fields = {
        "stage_taken": "stage",
        "stage_invalid": "stage",
        "gender_sum": "total",
        "age_sum": "total",
    }

    def __str__(self) -> str:
        return f"{self.commission} — {self.get_stage_display()} ({self.as_of:%Y-%m-%d})"

    @property
    def has_gender_breakdown(self) -> bool:
        return self.male is not None and self.female is not None

    @property
    def has_age_breakdown(self) -> bool:
        return all(getattr(self, name) is not None for name in AGE_FIELDS)

    def clean(self) -> None:
        """The rules of the check constraints, reported on the field a user must correct.

        The database refuses the same rows (see ``Meta.constraints``); this only makes the
        refusal readable in forms, the API and the import's row report."""
        errors: dict[str, list[ValidationError]] = {}
        commission = self.commission if self.commission_id else None
        if commission is not None and commission.level == Commission.Level.CEC:
            errors["commission"] = [
                ValidationError(
                    _("The CEC keeps no voter list of its own: choose a TEC or a PEC."),
                    code="cec_has_no_list",
                )
            ]
        total = self.total if isinstance(self.total, int) else None
        for found in (self._gender_errors(total), self._age_errors(total)):
            for field, error in found.items():
                errors.setdefault(field, []).append(error)
        if errors:
            raise ValidationError(errors)

    def _gender_errors(self, total: int | None) -> dict[str, ValidationError]:
        male, female = self.male, self.female
        if male is None and female is None:
            return {}
        if male is None or female is None:
            missing = "male" if male is None else "female"
            return {
                missing: ValidationError(
                    _("Give both the male and the female count, or neither."),
                    code="gender_incomplete",
                )
            }
        if total is None or not isinstance(male, int) or not isinstance(female, int):
            return {}
        if male + female != total:
            return {
                "total": ValidationError(
                    _(
                        "Male and female (%(male)s + %(female)s = %(sum)s) must add up to "
                        "the total (%(total)s)."
                    ),
                    code="gender_sum",
                    params={"male": male, "female": female, "sum": male + female, "total": total},
                )
            }
        return {}

    def _age_errors(self, total: int | None) -> dict[str, ValidationError]:
        values = {name: getattr(self, name) for name in AGE_FIELDS}
        given = [name for name, value in values.items() if value is not None]
        if not given:
            return {}
        if len(given) < len(AGE_FIELDS):
            return {
                name: ValidationError(
                    _("Give all six age brackets, or none."), code="ages_incomplete"
                )
                for name, value in values.items()
                if value is None
            }
        if total is None or not all(isinstance(v, int) for v in values.values()):
            return {}
        age_sum = sum(values.values())
        if age_sum != total:
            return {
                "total": ValidationError(
                    _("The six age brackets add up to %(sum)s, not to the total (%(total)s)."),
                    code="age_sum",
                    params={"sum": age_sum, "total": total},
                )
            }
        return {}
