"""Page forms for filing. They parse and present; ``filing.incident_file`` decides."""

from __future__ import annotations

import uuid
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commissions.models import Commission
from incidents import details as incident_details
from incidents import files as evidence_files
from incidents.models import Incident
from incidents.policies import filing_districts
from incidents.services import filing
from observation.models import District, Party

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceFilesField(forms.FileField):
    """Several files in one input; each is checked (size, real type) before anything is
    stored, so a bad file is refused together with the form."""

    widget = MultipleFileInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("accept", evidence_files.ACCEPT_ATTRIBUTE)

    def clean(self, data: Any, initial: Any = None) -> list:
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if self.required and not files:
            raise ValidationError(self.error_messages["required"], code="required")
        if len(files) > settings.EVIDENCE_MAX_FILES:
            raise ValidationError(
                _("Attach at most %(n)d files.") % {"n": settings.EVIDENCE_MAX_FILES}
            )
        errors = []
        for upload in files:
            super().clean(upload, initial)
            try:
                filing.evidence_check(upload)
            except ValidationError as exc:
                for message in exc.message_dict.get("file", exc.messages):
                    errors.append(f"{upload.name}: {message}")
        if errors:
            raise ValidationError(errors)
        return files


def _detail_field(spec: incident_details.DetailField) -> forms.Field:
    """A page field for one detail; ``data-detail`` tells offline.js to put it under
    ``details`` in the JSON it sends."""
    common = {"label": spec.label, "required": spec.required, "help_text": spec.help_text}
    if spec.choices is not None:
        return forms.ChoiceField(
            choices=spec.choices.choices,
            widget=forms.RadioSelect(attrs={"data-detail": "choice"}),
            **common,
        )
    if spec.count:
        return forms.IntegerField(
            min_value=0,
            max_value=incident_details.MAX_COUNT,
            widget=forms.NumberInput(attrs={"inputmode": "numeric", "data-detail": "count"}),
            **common,
        )
    return forms.CharField(
        max_length=incident_details.MAX_TEXT,
        widget=forms.TextInput(attrs={"data-detail": "text"}),
        **common,
    )


class IncidentForm(forms.Form):
    """One of the three forms: the common fields, then the kind's own fields."""

    mark_optional = True

    id = forms.UUIDField(widget=forms.HiddenInput)
    tz = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    """The phone's time zone (IANA name, set by offline.js): ``occurred_at`` is read in it.
    Empty without JavaScript: then it is Baikoo's ``TIME_ZONE``, as the form says."""
    district = forms.ModelChoiceField(
        queryset=District.objects.none(), label=_("District"), empty_label=None
    )
    occurred_at = forms.DateTimeField(
        label=_("When did it happen?"),
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    location = forms.CharField(
        label=_("Where did it happen?"),
        max_length=300,
        help_text=_("Address or place, e.g. school No. 5, Lenin street."),
    )
    pec = forms.ModelChoiceField(
        queryset=Commission.objects.none(),
        required=False,
        label=_("Polling station commission (PEC)"),
        empty_label=_("None / not known"),
    )
    party = forms.ModelChoiceField(
        queryset=Party.objects.none(),
        required=False,
        label=_("Which party is involved?"),
        empty_label=_("Not known"),
        help_text=_("Only parties with a list in the district are shown."),
    )
    description = forms.CharField(
        label=_("What happened?"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Who did what, to whom. Write only what you know."),
    )
    source = forms.ChoiceField(
        label=_("How do you know?"), choices=Incident.Source.choices, widget=forms.RadioSelect
    )
    witnesses = forms.CharField(
        label=_("Witnesses"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Names and phone numbers. Only head office and legal experts see them."),
    )
    latitude = forms.DecimalField(
        label=_("Latitude"), required=False, max_digits=9, decimal_places=6,
        min_value=-90, max_value=90,
    )  # fmt: skip
    longitude = forms.DecimalField(
        label=_("Longitude"), required=False, max_digits=9, decimal_places=6,
        min_value=-180, max_value=180,
    )  # fmt: skip
    evidence = EvidenceFilesField(
        label=_("Photos, videos, recordings or documents"),
        help_text=_("Up to %(n)d files of at most %(mb)d MB each."),
    )

    COMMON_WHERE = ("district", "occurred_at", "location", "pec")
    COMMON_WHAT = ("party", "description")
    COMMON_SOURCE = ("source", "witnesses")
    COMMON_PLACE = ("latitude", "longitude")

    def __init__(self, *args: Any, kind: str, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.user = user
        districts = filing_districts(user, District.objects.select_related("election"))
        self.fields["district"].queryset = districts.order_by(
            "-election__election_day", "election__name", "name"
        )
        self.fields["evidence"].help_text = self.fields["evidence"].help_text % {
            "n": settings.EVIDENCE_MAX_FILES,
            "mb": settings.EVIDENCE_MAX_BYTES // (1024 * 1024),
        }
        for spec in incident_details.FIELDS[kind]:
            self.fields[spec.name] = _detail_field(spec)
        self.detail_names = incident_details.field_names(kind)
        self.district = self._chosen_district()
        if not self.is_bound:
            self.initial.setdefault("district", self.district)
            self.initial.setdefault(
                "occurred_at", timezone.localtime().replace(second=0, microsecond=0)
            )
        if self.district is not None:
            self.fields["party"].queryset = Party.objects.filter(
                lists__district=self.district
            ).order_by("name")
            self.fields["pec"].queryset = Commission.objects.filter(
                district=self.district, level=Commission.Level.PEC
            ).order_by("name")

    @property
    def time_zone_name(self) -> str:
        return timezone.get_current_timezone_name()

    def clean_tz(self) -> ZoneInfo | None:
        name = (self.cleaned_data.get("tz") or "").strip()
        if not name:
            return None
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            return None  # an unknown zone: read the time as Baikoo's, as without JavaScript

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        zone = data.get("tz")
        occurred_at = data.get("occurred_at")
        if zone is not None and occurred_at is not None:
            # The field read the typed wall-clock time in Baikoo's zone; read it in the phone's.
            data["occurred_at"] = timezone.make_aware(timezone.make_naive(occurred_at), zone)
        return data

    def _chosen_district(self) -> District | None:
        """The district whose parties and PECs the form offers: the one posted, else the
        initial one, else the user's first."""
        queryset = self.fields["district"].queryset
        raw = self.data.get("district") if self.is_bound else self.initial.get("district")
        if isinstance(raw, District):
            raw = raw.pk
        if raw:
            try:
                found = queryset.filter(pk=int(raw)).first()
            except (TypeError, ValueError):
                found = None
            if found is not None:
                return found
        return queryset.first()

    @property
    def several_districts(self) -> bool:
        return len(self.fields["district"].choices) > 1

    def fieldset(self, names: tuple[str, ...]) -> list[forms.BoundField]:
        return [self[name] for name in names]

    @property
    def detail_fields(self) -> list[forms.BoundField]:
        return self.fieldset(self.detail_names)

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "id": data["id"],
            "district": data["district"],
            "kind": self.kind,
            "occurred_at": data["occurred_at"],
            "location": data["location"],
            "pec": data.get("pec"),
            "party": data.get("party"),
            "description": data["description"],
            "source": data["source"],
            "witnesses": data.get("witnesses", ""),
            "latitude": data.get("latitude"),
            "longitude": data.get("longitude"),
            "details": {name: data.get(name) for name in self.detail_names},
            "evidence_expected": len(data.get("evidence") or []),
        }


class EvidenceForm(forms.Form):
    mark_optional = True
    evidence = EvidenceFilesField(
        label=_("Add photos, videos, recordings or documents"), required=True
    )


class AnswerForm(forms.Form):
    """The answer to head office's question and the files that go with it (a photo
    asked for), sent together: ``filing.question_answer`` stores both or neither."""

    mark_optional = True
    body = forms.CharField(
        label=_("Your answer"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
    evidence = EvidenceFilesField(label=_("Photos or files with your answer"))

    def __init__(self, *args: Any, question: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if question is not None:
            # one form per open question on a page: ids must not collide
            self.auto_id = f"id_answer_{question.pk}_%s"


def new_incident_id() -> uuid.UUID:
    """The id a page form carries from the moment it is shown, so sending it twice
    (a double tap, a reload) files one incident."""
    return uuid.uuid4()
