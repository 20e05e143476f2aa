from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from commissions.models import Commission
from observation.kernel.forms import DateInput, PlainChoices, QuickSelect
from observation.models import Election
from voters.models import AGE_FIELDS, VoterListSnapshot
from voters.queries import elections_for_choice, snapshot_commissions
from voters.services import SNAPSHOT_FIELDS


class VoterSnapshotForm(forms.ModelForm):
    """One snapshot. The view saves it through ``voter_snapshot_save``; the model's rules
    (sums, TEC or PEC, one per stage) come back as errors on the fields they concern."""

    class Meta:
        model = VoterListSnapshot
        fields = ["commission", "stage", "as_of", "total", "male", "female", *AGE_FIELDS]
        # Every TEC and PEC of the election: 2,560 options at national scale, which
        # Django's one template per option took over a second to draw.
        widgets = {"as_of": DateInput(), "commission": QuickSelect()}
        help_texts = {
            "male": _("Leave male and female empty if the list gives only the total."),
            "age_18_29": _("Leave all six brackets empty if the list gives no age breakdown."),
        }

    def __init__(self, *args: Any, election: Election, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        commission = self.fields["commission"]
        commission.queryset = snapshot_commissions(election)
        # The options as plain pairs (every TEC and PEC: 2,560 at national scale): making a
        # model instance and a translated label per option took half a second a page.
        # Validation still reads the queryset.
        levels = {value: str(label) for value, label in Commission.Level.choices}
        commission.choices = PlainChoices(
            [
                ("", commission.empty_label),
                *(
                    (pk, f"{name} ({levels.get(level, level)})")
                    for pk, name, level in commission.queryset.values_list("pk", "name", "level")
                ),
            ]
        )
        for name in ("total", "male", "female", *AGE_FIELDS):
            self.fields[name].widget.attrs.update({"inputmode": "numeric", "min": 0})

    def service_values(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in SNAPSHOT_FIELDS}


class ElectionChoiceForm(forms.Form):
    election = forms.ModelChoiceField(
        queryset=Election.objects.none(), label=_("Election"), empty_label=None
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["election"].queryset = elections_for_choice()
