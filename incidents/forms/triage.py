"""Forms of the triage pages (and the parser of the triage API's query string). They
parse and present; ``incidents.services.lifecycle`` and ``.escalation`` decide."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _

from commissions.models import Complaint
from incidents import policies, queries
from incidents.models import Comment, Incident
from incidents.services import lifecycle, records
from observation.kernel.forms import DateInput, QuickSelect
from observation.models import District, Election, Party


class _ExtraChoicesIterator(ModelChoiceIterator):
    """The model's choices with fixed extra options first (after the empty one)."""

    def __iter__(self):
        rows = super().__iter__()
        if self.field.empty_label is not None:
            yield next(rows)
        yield from self.field.extra_choices
        yield from rows

    def __len__(self) -> int:
        return super().__len__() + len(self.field.extra_choices)


class ModelOrCodeField(forms.ModelChoiceField):
    """A model choice that also accepts a few codes (``unknown``, ``me``, ``none``)."""

    iterator = _ExtraChoicesIterator

    def __init__(self, queryset: QuerySet, *, extra_choices: list[tuple[str, Any]], **kwargs):
        self.extra_choices = extra_choices
        super().__init__(queryset, **kwargs)

    def to_python(self, value: Any) -> Any:
        if value in {code for code, _label in self.extra_choices}:
            return value
        return super().to_python(value)

    def validate(self, value: Any) -> None:
        if value in {code for code, _label in self.extra_choices}:
            return
        super().validate(value)


def _with_any(choices: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    return [("", _("Any")), *choices]


class TriageFilterForm(forms.Form):
    """The queue's filters, from the query string (page and API alike)."""

    mark_optional = True

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Ref, place or text")}),
    )
    election = forms.ModelChoiceField(
        Election.objects.order_by("-election_day", "name"),
        label=_("Election"),
        required=False,
        widget=QuickSelect,
        empty_label=_("Any"),
    )
    district = forms.ModelChoiceField(
        District.objects.order_by("name", "code"),
        label=_("District"),
        required=False,
        widget=QuickSelect,
        empty_label=_("Any"),
    )
    kind = forms.ChoiceField(
        label=_("Form"),
        required=False,
        choices=_with_any(Incident.Kind.choices),
        widget=QuickSelect,
    )
    party = ModelOrCodeField(
        Party.objects.order_by("name"),
        label=_("Party"),
        required=False,
        widget=QuickSelect,
        empty_label=_("Any"),
        extra_choices=[(queries.UNKNOWN_PARTY, _("Unknown party"))],
    )
    status = forms.MultipleChoiceField(
        label=_("Status"),
        required=False,
        choices=Incident.Status.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    assignee = ModelOrCodeField(
        queries.assignable_users(),
        label=_("Assigned to"),
        required=False,
        widget=QuickSelect,
        empty_label=_("Anyone"),
        extra_choices=[(queries.ME, _("Me")), (queries.NOBODY, _("Nobody"))],
    )
    severity = forms.ChoiceField(
        label=_("Severity"),
        required=False,
        choices=_with_any(Incident.Severity.choices),
        widget=QuickSelect,
    )
    occurred_from = forms.DateField(label=_("Happened from"), required=False, widget=DateInput())
    occurred_to = forms.DateField(label=_("Happened until"), required=False, widget=DateInput())
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        widget=QuickSelect,
        choices=[
            ("-reported_at", _("Newest received first")),
            ("reported_at", _("Oldest received first")),
            ("-occurred_at", _("Latest happened first")),
            ("occurred_at", _("Earliest happened first")),
            ("-severity", _("Serious first")),
            ("severity", _("Normal first")),
            ("ref", _("Reference A–Z")),
            ("-ref", _("Reference Z–A")),
            ("district", _("District A–Z")),
            ("-district", _("District Z–A")),
            ("status", _("Status, in lifecycle order")),
            ("-status", _("Status, reversed")),
        ],
    )

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        """``user`` given: the district choices are the districts that user watches (a
        coordinator's list, ``policies.watched_districts``)."""
        super().__init__(*args, **kwargs)
        self.fields["assignee"].label_from_instance = lambda user: (
            user.get_full_name() or user.get_username()
        )
        if user is not None and not policies.can_read_triage(user):
            district = self.fields["district"]
            district.queryset = policies.watched_districts(user, district.queryset)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("occurred_from"), data.get("occurred_to")
        if start and end and start > end:
            self.add_error("occurred_to", _("The end date is before the start date."))
        return data

    def filters(self) -> queries.QueueFilters:
        """The valid filters (an invalid field is left out rather than emptying the
        queue; the form shows its error)."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return queries.QueueFilters(
            election=data.get("election"),
            district=data.get("district"),
            kind=data.get("kind") or "",
            party=data.get("party") or None,
            statuses=list(data.get("status") or []),
            assignee=data.get("assignee") or None,
            severity=data.get("severity") or "",
            occurred_from=data.get("occurred_from"),
            occurred_to=data.get("occurred_to"),
            text=data.get("q") or "",
            sort=data.get("sort") or queries.DEFAULT_SORT,
        )


class VersionedForm(forms.Form):
    """Carries the version of the incident the user saw, for the conflict check."""

    mark_optional = True

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class TransitionForm(VersionedForm):
    to = forms.ChoiceField(label=_("New status"), widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required to reject (the reason) or to ask the observer (the question)."),
    )

    def __init__(self, *args: Any, incident: Incident, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # escalating and marking duplicates have their own forms (they need more)
        targets = [
            s
            for s in lifecycle.allowed_transitions(incident)
            if s not in (Incident.Status.ESCALATED, Incident.Status.DUPLICATE)
        ]
        self.fields["to"].choices = [(s, Incident.Status(s).label) for s in targets]


class DuplicateForm(VersionedForm):
    original = forms.CharField(
        label=_("Duplicate of"),
        max_length=64,
        help_text=_("The reference (e.g. BSK-0042) of the incident this one repeats."),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean_original(self) -> Incident:
        value = self.cleaned_data["original"].strip()
        found = Incident.objects.filter(ref__iexact=value).first()
        if found is None:
            try:
                found = Incident.objects.filter(pk=uuid.UUID(value)).first()
            except ValueError:
                found = None
        if found is None:
            raise ValidationError(_("There is no incident %(ref)s.") % {"ref": value})
        return found


class AssignForm(VersionedForm):
    assignee = forms.ModelChoiceField(
        queries.assignable_users(),
        label=_("Assigned to"),
        required=False,
        empty_label=_("Nobody"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].label_from_instance = lambda user: (
            user.get_full_name() or user.get_username()
        )


class SeverityForm(VersionedForm):
    severity = forms.ChoiceField(label=_("Severity"), choices=Incident.Severity.choices)


class EscalateForm(VersionedForm):
    reason = forms.CharField(
        label=_("Why this goes to the RRCG"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=records.MAX_TEXT,
    )


class CommentForm(forms.Form):
    mark_optional = True
    body = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), max_length=records.MAX_TEXT
    )
    visibility = forms.ChoiceField(
        label=_("Who sees it"),
        choices=[
            (Comment.Visibility.INTERNAL, _("Internal note (staff only)")),
            (Comment.Visibility.QUESTION_TO_LTO, _("Question to the observer who filed it")),
        ],
        initial=Comment.Visibility.INTERNAL,
        widget=forms.RadioSelect,
    )
    recommendation = forms.ChoiceField(
        label=_("Recommend"),
        required=False,
        choices=[("", _("No recommendation")), *lifecycle.RECOMMENDATIONS.items()],
    )

    def __init__(self, *args: Any, can_ask: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not can_ask:
            self.fields["visibility"].choices = self.fields["visibility"].choices[:1]


class ComplaintsForm(forms.Form):
    """The complaints to commissions that concern an incident: those of its election."""

    complaints = forms.ModelMultipleChoiceField(
        queryset=Complaint.objects.none(),
        required=False,
        label=_("Complaints concerning this incident"),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, incident: Incident, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["complaints"]
        field.queryset = (
            Complaint.objects.filter(commission__election_id=incident.election_id)
            .select_related("commission")
            .order_by("commission__name", "received_on", "pk")
        )
        field.label_from_instance = lambda c: (
            f"{c.commission.name}: {c.complainant} ({c.received_on:%d.%m.%Y})"
        )


class BulkForm(forms.Form):
    """One action for the incidents ticked in the queue. The incidents come as ``incident``
    values (ids), each with the version the page showed as ``version-<id>``."""

    action = forms.ChoiceField(
        label=_("With the chosen incidents"),
        choices=[
            (lifecycle.BULK_ASSIGN, _("Assign to")),
            (lifecycle.BULK_REVIEW, _("Move to review")),
            (lifecycle.BULK_DUPLICATE, _("Mark as duplicates of")),
        ],
    )
    assignee = forms.ModelChoiceField(
        queries.assignable_users(), label=_("Assign to"), required=False, empty_label=_("Nobody")
    )
    original = forms.CharField(label=_("Duplicates of (reference)"), required=False, max_length=64)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["assignee"].label_from_instance = lambda u: u.get_full_name() or u.username

    def clean_original(self) -> Incident | None:
        value = self.cleaned_data["original"].strip()
        if not value:
            return None
        found = Incident.objects.filter(ref__iexact=value).first()
        if found is None:
            raise ValidationError(_("There is no incident %(ref)s.") % {"ref": value})
        return found

    def items(self) -> list[tuple[Incident, int | None]]:
        """The chosen incidents the user may triage, each with the version shown."""
        wanted = []
        for raw in self.data.getlist("incident"):
            try:
                wanted.append(uuid.UUID(raw))
            except ValueError:
                continue
        found = {
            i.pk: i
            for i in policies.triage_incidents(self.user, Incident.objects.all()).filter(
                pk__in=wanted
            )
        }
        items = []
        for pk in wanted:
            if pk in found:
                raw = self.data.get(f"version-{pk}", "")
                items.append((found[pk], int(raw) if raw.isdigit() else None))
        return items
