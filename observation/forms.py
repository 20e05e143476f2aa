"""Forms of observation's pages.

A form parses and shows errors; it never saves. The view hands ``cleaned_data`` to the
service, and ``observation.kernel.forms.add_service_errors`` puts the service's refusal
back on the fields it names, so a page shows the same message the API returns.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from observation.kernel.forms import DateInput, TimeInput
from observation.models import (
    CalendarEntry,
    Candidate,
    ConcernTheme,
    District,
    Election,
    Party,
    PartyList,
    PartyMeeting,
)
from observation.policies import visible_districts


class ServiceForm(forms.ModelForm):
    def changed_values(self) -> dict[str, Any]:
        """The cleaned values of the form's fields, for a service's keyword arguments."""
        return {name: self.cleaned_data[name] for name in self.fields}


class ElectionForm(ServiceForm):
    class Meta:
        model = Election
        fields = ["name", "kind", "election_day", "observation_start", "observation_end"]
        widgets = {
            "election_day": DateInput(),
            "observation_start": DateInput(),
            "observation_end": DateInput(),
        }


class DistrictForm(ServiceForm):
    class Meta:
        model = District
        fields = ["name", "code", "mandates", "threshold_percent"]


class PartyForm(ServiceForm):
    class Meta:
        model = Party
        fields = ["name", "short_name"]


class PartyListForm(ServiceForm):
    """Adding a list: the party and the number nominated. The district comes from the page."""

    class Meta:
        model = PartyList
        fields = ["party", "nominated_count"]


class PartyListEditForm(ServiceForm):
    """A list keeps its party and district; only the number nominated changes."""

    class Meta:
        model = PartyList
        fields = ["nominated_count"]


class CandidateForm(ServiceForm):
    class Meta:
        model = Candidate
        fields = ["full_name", "gender", "position", "status", "denial_reason"]
        widgets = {"denial_reason": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"denial_reason": _("Required when registration was denied; else empty.")}


class PartyMeetingForm(ServiceForm):
    themes = forms.MultipleChoiceField(
        label=_("Themes of the concerns"),
        choices=ConcernTheme.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick what the party itself raised; the report groups concerns by theme."),
    )

    class Meta:
        model = PartyMeeting
        fields = ["party", "district", "date", "attendees", "concerns", "themes"]
        widgets = {
            "date": DateInput(),
            "attendees": forms.Textarea(attrs={"rows": 2}),
            "concerns": forms.Textarea(attrs={"rows": 6}),
        }
        help_texts = {
            "attendees": _("Who spoke for the party, and who observed."),
            "concerns": _("What the party raised, one concern per paragraph."),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Offer only the districts the user may record in; the service checks it again.
        districts = District.objects.select_related("election").order_by(
            "-election__election_day", "name"
        )
        self.fields["district"].queryset = reachable = visible_districts(user, districts)
        if not self.is_bound and self.instance.pk is None:
            only = list(reachable[:2])
            if len(only) == 1:  # an observer of one district need not pick it
                self.initial.setdefault("district", only[0].pk)
        self.fields["district"].label_from_instance = lambda d: f"{d.name} · {d.election.name}"


class CalendarEntryForm(ServiceForm):
    """A date of an election's calendar. The election comes from the page; the rules
    (one date of each kind, a label for "other", election day on the election's day) are
    the model's, checked again by the service, as for the API."""

    class Meta:
        model = CalendarEntry
        fields = ["kind", "date", "time", "label", "reference"]
        widgets = {"date": DateInput(), "time": TimeInput()}
        help_texts = {
            "time": _("Only when the hour matters, e.g. the campaign closing at 08:00."),
            "label": _("Required for kind “Other”; else optional, printed beside the kind."),
        }


class CalendarElectionForm(forms.Form):
    """Which election's calendar to show (GET)."""

    election = forms.ModelChoiceField(
        label=_("Election"),
        queryset=Election.objects.order_by("-election_day", "name"),
        empty_label=None,
    )


class CandidateFilterForm(forms.Form):
    """Narrows a candidate table on the party and party-list pages (GET)."""

    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *Candidate.Status.choices],
    )
    gender = forms.ChoiceField(
        label=_("Gender"),
        required=False,
        choices=[("", _("Any gender")), *Candidate.Gender.choices],
    )
    district = forms.ModelChoiceField(
        label=_("District"), required=False, queryset=District.objects.none(), empty_label=_("All")
    )

    def __init__(self, *args: Any, districts: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if districts is None:
            del self.fields["district"]
        else:
            self.fields["district"].queryset = districts

    def criteria(self) -> dict[str, Any]:
        """The filters to apply; an invalid value is ignored rather than shown as an error."""
        if not self.is_valid():
            return {}
        return {name: value for name, value in self.cleaned_data.items() if value}


class PartyMeetingFilterForm(forms.Form):
    district = forms.ModelChoiceField(
        label=_("District"),
        required=False,
        queryset=District.objects.select_related("election").order_by(
            "-election__election_day", "name"
        ),
        empty_label=_("All"),
    )
    party = forms.ModelChoiceField(
        label=_("Party"),
        required=False,
        queryset=Party.objects.order_by("name"),
        empty_label=_("All"),
    )

    def criteria(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        return {name: value for name, value in self.cleaned_data.items() if value}
