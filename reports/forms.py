"""Forms of the report pages. They parse and validate input; saving goes through
``reports.services`` (which re-validates), never through the forms."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from observation.kernel.forms import DateInput
from observation.models import Election
from reports.exports import FORMATS
from reports.models import ContextFigure, Publisher, Recommendation, Report
from reports.sections import SECTION_CHOICES


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
    start_from = forms.ModelChoiceField(
        label=_("Start from a previous report"),
        queryset=Report.objects.order_by("-created_at"),
        required=False,
        help_text=_("Copies its abbreviations, recommendations and publisher, for you to edit."),
    )


class ReportSettingsForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=400)
    period_start = forms.DateField(label=_("Period starts"), widget=DateInput())
    period_end = forms.DateField(label=_("Period ends"), widget=DateInput())
    language = forms.ChoiceField(label=_("Language"), choices=Report.Language.choices)
    publisher = forms.ModelChoiceField(
        label=_("Publisher"),
        queryset=Publisher.objects.order_by("name"),
        required=False,
        help_text=_("Publishers are kept on the administration page."),
    )
    issued_on = forms.DateField(label=_("Date of issue"), required=False, widget=DateInput())
    include_under_review = forms.BooleanField(
        label=_("Also count incidents still under review"),
        required=False,
        help_text=Report._meta.get_field("include_under_review").help_text,
    )


def _parse_rows(text: str) -> list[list[object]]:
    rows: list[list[object]] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        label, sep, value = line.rpartition("|")
        raw = value.strip().replace(" ", "").replace("\u00a0", "").replace(",", "")
        try:
            parsed: object = int(raw)
        except ValueError:
            try:
                parsed = float(raw)
            except ValueError:
                parsed = None
        if not sep or not label.strip() or parsed is None:
            raise forms.ValidationError(
                _("Line %(line)s: write “label | number”.") % {"line": number}
            )
        rows.append([label.strip(), parsed])
    if not rows:
        raise forms.ValidationError(_("Give at least one row."))
    return rows


class ContextFigureForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    source = forms.CharField(label=_("Source"), max_length=400)
    section = forms.ChoiceField(
        label=_("Section"), choices=SECTION_CHOICES, initial="socio_political"
    )
    rows = forms.CharField(
        label=_("Figures"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One per line: label | number (e.g. “Confirmed cases | 132070”)."),
    )
    chart = forms.ChoiceField(label=_("Chart"), choices=ContextFigure.Chart.choices)

    def clean_rows(self) -> list[list[object]]:
        return _parse_rows(self.cleaned_data["rows"])


class SectionImageForm(forms.Form):
    section = forms.ChoiceField(label=_("Section"), choices=SECTION_CHOICES)
    caption = forms.CharField(label=_("Caption"), max_length=400)
    file = forms.FileField(
        label=_("Picture (JPEG or PNG)"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
    )


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
