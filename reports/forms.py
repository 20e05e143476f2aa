"""Forms of the report pages. They parse and validate input; saving goes through
``reports.services`` (which re-validates), never through the forms."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from observation.kernel.forms import DateInput
from observation.models import Election
from reports.exports import FORMATS
from reports.models import Recommendation, Report


class ReportForm(forms.Form):
    election = forms.ModelChoiceField(
        label=_("Election"), queryset=Election.objects.order_by("-election_day", "name")
    )
    title = forms.CharField(label=_("Title"), max_length=400)
    period_start = forms.DateField(
        label=_("Period starts"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty to use the election's observation period."),
    )
    period_end = forms.DateField(label=_("Period ends"), required=False, widget=DateInput())
    language = forms.ChoiceField(label=_("Language"), choices=Report.Language.choices)


class ReportSettingsForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=400)
    period_start = forms.DateField(label=_("Period starts"), widget=DateInput())
    period_end = forms.DateField(label=_("Period ends"), widget=DateInput())
    language = forms.ChoiceField(label=_("Language"), choices=Report.Language.choices)


class SectionForm(forms.Form):
    body = forms.CharField(
        label=_("Narrative (Markdown)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text=_("Markdown: blank line between paragraphs, **bold**, *italic*, - lists."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class RecommendationForm(forms.Form):
    addressee = forms.ChoiceField(label=_("Addressed to"), choices=Recommendation.Addressee.choices)
    text = forms.CharField(label=_("Recommendation"), widget=forms.Textarea(attrs={"rows": 3}))
    order = forms.IntegerField(label=_("Order"), required=False, min_value=0, max_value=999)


class AbbreviationForm(forms.Form):
    short = forms.CharField(label=_("Abbreviation"), max_length=60)
    meaning = forms.CharField(label=_("Meaning"), max_length=300)
    order = forms.IntegerField(label=_("Order"), required=False, min_value=0, max_value=999)


class ExportForm(forms.Form):
    format = forms.ChoiceField(label=_("Format"), choices=[(f, f.upper()) for f in FORMATS])
