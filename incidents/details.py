"""The kind-specific part of an incident (``Incident.details``), docs/api.md.

One description of each form's own fields, used by the page forms, the API serializers
(and its schema) and the filing service, so the three can never disagree. ``clean_details``
is the rule: it checks one kind's fields on their own and returns the canonical dict
that is stored (every key of the kind present, optional ones empty), so the same report
always has the same fingerprint whichever client sent it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

MAX_COUNT = 1_000_000
MAX_TEXT = 200


class AdminResourceType(models.TextChoices):
    STATE_PROPERTY = "state_property", _("Use of state property or premises")
    PRESSURE_ON_EMPLOYEES = "pressure_on_employees", _("Pressure on public employees")
    COMMITTEE_HEADS = "committee_heads", _("Heads of house or quarter committees involved")
    THREATS = "threats", _("Threats")
    VIOLENCE = "violence", _("Violence")
    OTHER = "other", _("Other")


class Offered(models.TextChoices):
    MONEY = "money", _("Money")
    GOODS = "goods", _("Goods (food, gifts)")
    SERVICES = "services", _("Services")
    OTHER = "other", _("Other")


class OfferedBy(models.TextChoices):
    PARTY_AGENT = "party_agent", _("A party agent")
    CANDIDATE = "candidate", _("A candidate")
    UNKNOWN = "unknown", _("Not known")


class CampaignViolationType(models.TextChoices):
    PREMATURE = "premature", _("Campaigning before the campaign started")
    SILENCE_PERIOD = "silence_period", _("Campaigning during the silence period")
    FOREIGN_POLITICIAN_IMAGE = "foreign_politician_image", _("Image of a foreign politician")
    UNMARKED_MATERIALS = "unmarked_materials", _("Materials without the required imprint")
    BLACK_PR = "black_pr", _("Black PR (false or insulting material)")
    PROHIBITED_PERSON = "prohibited_person", _("Campaigning by a person who is not allowed to")
    PLACEMENT = "placement", _("Materials put up where it is not allowed")
    OTHER = "other", _("Other")


class Medium(models.TextChoices):
    PRINT = "print", _("Printed (leaflets, newspapers)")
    OUTDOOR = "outdoor", _("Outdoor (banners, billboards, posters)")
    SOCIAL_NETWORK = "social_network", _("Social network or messenger")
    BROADCAST = "broadcast", _("TV or radio")
    IN_PERSON = "in_person", _("In person (meeting, door to door)")


@dataclass(frozen=True)
class DetailField:
    """One field of one form. ``choices`` makes it a coded field; ``count`` a whole
    number of people; otherwise short text."""

    name: str
    label: Any
    required: bool = False
    choices: type[models.TextChoices] | None = None
    count: bool = False
    help_text: Any = ""

    @property
    def empty(self) -> Any:
        return None if self.count else ""


FIELDS: dict[str, tuple[DetailField, ...]] = {
    "admin_resource": (
        DetailField("type", _("What kind of abuse?"), required=True, choices=AdminResourceType),
        DetailField(
            "official",
            _("Official involved"),
            help_text=_("Name of the official, if you know it."),
        ),
        DetailField("official_position", _("Their position"), help_text=_("E.g. school head.")),
        DetailField("people_affected", _("Number of people affected"), count=True),
    ),
    "vote_buying": (
        DetailField("offered", _("What was offered?"), required=True, choices=Offered),
        DetailField(
            "value", _("Approximate value"), help_text=_("E.g. 500 som per vote, a food parcel.")
        ),
        DetailField("offered_by", _("Who offered it?"), required=True, choices=OfferedBy),
        DetailField("voters_approached", _("Number of voters approached"), count=True),
    ),
    "campaign_rules": (
        DetailField(
            "type", _("What rule was broken?"), required=True, choices=CampaignViolationType
        ),
        DetailField("medium", _("How was it spread?"), required=True, choices=Medium),
    ),
}

KINDS = tuple(FIELDS)


def field_names(kind: str) -> tuple[str, ...]:
    return tuple(f.name for f in FIELDS[kind])


def _clean_value(spec: DetailField, value: Any) -> tuple[Any, str | None]:
    """The canonical value, or an error message."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if spec.required:
            return spec.empty, str(_("This field is required."))
        return spec.empty, None
    if spec.choices is not None:
        if not isinstance(value, str) or value not in spec.choices.values:
            return spec.empty, str(_("Choose one of the options."))
        return value, None
    if spec.count:
        # bool is an int in Python; a JSON true is not a number of people.
        if isinstance(value, bool):
            return None, str(_("Enter a whole number."))
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, int):
            return None, str(_("Enter a whole number."))
        if value < 0 or value > MAX_COUNT:
            return None, str(_("Enter a number between 0 and 1,000,000."))
        return value, None
    if not isinstance(value, str):
        return "", str(_("Enter text."))
    value = value.strip()
    if "\x00" in value:
        return "", str(_("Remove the NUL character from this text."))
    if len(value) > MAX_TEXT:
        return "", str(_("Use at most 200 characters."))
    return value, None


def clean_details(kind: str, data: Any) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Check one kind's details. Returns ``(canonical details, errors by field name)``;
    unknown keys are errors too, so a field of another form is never stored silently."""
    if kind not in FIELDS:
        return {}, {}
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        return {}, {"non_field_errors": [str(_("Send the details as an object."))]}
    cleaned: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for spec in FIELDS[kind]:
        value, error = _clean_value(spec, data.get(spec.name))
        cleaned[spec.name] = value
        if error:
            errors[spec.name] = [error]
    for key in data:
        if key not in cleaned:
            errors[str(key)] = [str(_("This field does not belong to this form."))]
    return cleaned, errors


def display(kind: str, details: Mapping[str, Any]) -> list[tuple[Any, Any]]:
    """``(label, shown value)`` pairs, with codes turned into their translated labels."""
    rows = []
    for spec in FIELDS.get(kind, ()):
        value = details.get(spec.name)
        if value in (None, ""):
            continue
        if spec.choices is not None and value in spec.choices.values:
            value = spec.choices(value).label
        rows.append((spec.label, value))
    return rows
