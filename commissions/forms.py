"""Forms of the commission pages. They parse and show errors; the rules they check are
the model's (``full_clean``) and the services', never their own."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from commissions.models import (
    Commission,
    CommissionDecision,
    CommissionMeeting,
    CommissionMember,
    Complaint,
)
from observation.kernel.forms import DateInput
from observation.models import Candidate, Party


class CompositionDateForm(forms.Form):
    on = forms.DateField(label=_("Composition on"), widget=DateInput(), required=False)


class CommissionForm(forms.ModelForm):
    """A commission of the tree (analysts): a new one names its election and level; an
    existing one keeps them (``services.commission_update``)."""

    class Meta:
        model = Commission
        fields = ["election", "level", "name", "parent", "district", "pec_count", "note"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        election = self.instance.election if self.instance.election_id else None
        election = election or (self.initial.get("election") if self.initial else None)
        parents = Commission.objects.exclude(level=Commission.Level.PEC).order_by("level", "name")
        if election is not None:
            parents = parents.filter(election=election)
            self.fields["district"].queryset = self.fields["district"].queryset.filter(
                election=election
            )
        self.fields["parent"].queryset = parents
        if self.instance.pk:
            del self.fields["election"]
            del self.fields["level"]


class CommissionMemberForm(forms.ModelForm):
    """A term. An empty first day must be meant: ``start_unknown`` says the day is not
    known (the member was in office before the term's end), so a forgotten date is an
    error, not a term of unknown start (docs/commissions.md)."""

    start_unknown = forms.BooleanField(
        label=_("First day not known"),
        required=False,
        help_text=_(
            "Tick when the source does not say when this term began (for example a member "
            "of an outgoing composition); give the last day in office instead."
        ),
    )

    class Meta:
        model = CommissionMember
        fields = [
            "full_name",
            "role",
            "nominated_by",
            "party",
            "party_label",
            "term_start",
            "start_unknown",
            "term_end",
            "re_elected",
            "note",
        ]
        widgets = {"term_start": DateInput(), "term_end": DateInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.term_start is None:
            self.initial.setdefault("start_unknown", True)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        unknown = data.pop("start_unknown", False)
        if "term_start" in self.errors:
            return data
        if data.get("term_start") is None and not unknown:
            self.add_error(
                "term_start",
                _("Enter the first day in office, or tick “First day not known”."),
            )
        elif data.get("term_start") is not None and unknown:
            self.add_error(
                "start_unknown",
                _("Untick “First day not known” or leave the first day empty."),
            )
        return data


class EndTermForm(forms.Form):
    term_end = forms.DateField(
        label=_("Last day in office"), widget=DateInput(), help_text=_("The term ends that day.")
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class QuorumSelect(forms.NullBooleanSelect):
    def __init__(self, attrs: Any = None) -> None:
        super().__init__(attrs)
        self.choices = [("unknown", _("Could not tell")), ("true", _("Yes")), ("false", _("No"))]


class CommissionMeetingForm(forms.ModelForm):
    class Meta:
        model = CommissionMeeting
        fields = [
            "date",
            "mode",
            "quorum",
            "notified",
            "notified_how",
            "sanitary_rules",
            "observer",
            "notes",
        ]
        widgets = {"date": DateInput(), "quorum": QuorumSelect()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only people in the mission observe meetings.
        self.fields["observer"].queryset = (
            get_user_model()
            .objects.filter(observer_profile__isnull=False, is_active=True)
            .order_by("username")
        )
        self.fields["observer"].label_from_instance = lambda u: u.get_full_name() or u.username


class CommissionDecisionForm(forms.ModelForm):
    """The candidate concerned is chosen by their position on the party's list in the
    commission's district, which is how commissions cite them."""

    candidate_position = forms.IntegerField(
        label=_("Candidate: position on the party's list"),
        min_value=1,
        required=False,
        help_text=_("Leave empty when the decision concerns the party as a whole."),
    )

    class Meta:
        model = CommissionDecision
        fields = [
            "date",
            "kind",
            "meeting",
            "complaint",
            "party",
            "candidate_position",
            "candidate_name",
            "legal_basis",
            "summary",
        ]
        widgets = {"date": DateInput()}

    def __init__(self, *args: Any, commission: Commission, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commission = commission
        self.fields["meeting"].queryset = commission.meetings.order_by("-date")
        self.fields["complaint"].queryset = commission.complaints.order_by("-received_on")
        parties = Party.objects.filter(lists__district__election_id=commission.election_id)
        if commission.district_id:
            parties = parties.filter(lists__district_id=commission.district_id)
        self.fields["party"].queryset = parties.distinct().order_by("name")
        if not commission.district_id:
            # The CEC has no single district to look a list position up in.
            del self.fields["candidate_position"]
        elif self.instance.candidate_id:
            self.initial["candidate_position"] = self.instance.candidate.position

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if "candidate_position" not in self.fields:
            return data  # the CEC: a candidate set through the API is kept as it is
        position = data.get("candidate_position")
        if position is None:
            self.instance.candidate = None
            return data
        party = data.get("party")
        if party is None:
            self.add_error("party", _("Choose the party whose list the candidate is on."))
            return data
        candidate = Candidate.objects.filter(
            party_list__party=party,
            party_list__district_id=self.commission.district_id,
            position=position,
        ).first()
        if candidate is None:
            self.add_error(
                "candidate_position", _("The party's list here has no candidate at that position.")
            )
        else:
            self.instance.candidate = candidate
        return data

    def service_fields(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k != "candidate_position"}
        data["candidate"] = self.instance.candidate
        return data


class ComplaintForm(forms.ModelForm):
    class Meta:
        model = Complaint
        fields = [
            "complainant",
            "subject",
            "filed_on",
            "received_on",
            "deadline",
            "status",
            "decided_on",
            "decision",
        ]
        widgets = {
            "filed_on": DateInput(),
            "received_on": DateInput(),
            "deadline": DateInput(),
            "decided_on": DateInput(),
        }


class ComplaintDecideForm(forms.Form):
    decided_on = forms.DateField(label=_("Decided on"), widget=DateInput())
    decision = forms.CharField(label=_("Decision"), widget=forms.Textarea)
