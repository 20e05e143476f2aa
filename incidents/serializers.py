"""API shapes of incidents (docs/api.md). Serializers parse and present; the rules are in
``incidents.details``, ``incidents.policies`` and ``incidents.services``."""

from __future__ import annotations

import copy
from typing import Any

from django.contrib.auth import get_user_model
from django.urls import reverse
from drf_spectacular.utils import (
    PolymorphicProxySerializer,
    extend_schema_field,
    extend_schema_serializer,
)
from rest_framework import serializers

from incidents import details as incident_details
from incidents import policies, queries
from incidents.models import (
    Comment,
    Escalation,
    EscalationAttempt,
    Evidence,
    Incident,
    IncidentEvent,
)
from incidents.services import lifecycle
from observation.kernel.api import MAX_TEXT, text_limits

_DETAIL_DOCS = {
    "admin_resource": "Details of the form on administrative resources, pressure, threats "
    "and violence (`kind` = `admin_resource`).",
    "vote_buying": "Details of the vote-buying form (`kind` = `vote_buying`).",
    "campaign_rules": "Details of the campaign-rules form (`kind` = `campaign_rules`).",
}


def _details_serializer(kind: str) -> type[serializers.Serializer]:
    """A serializer for one kind's details, built from ``incidents.details.FIELDS``; used
    for the schema (validation is ``clean_details``, the one rule)."""
    fields: dict[str, serializers.Field] = {}
    for spec in incident_details.FIELDS[kind]:
        common = {"required": spec.required, "help_text": str(spec.label)}
        if spec.choices is not None:
            fields[spec.name] = serializers.ChoiceField(choices=spec.choices.choices, **common)
        elif spec.count:
            fields[spec.name] = serializers.IntegerField(
                min_value=0, max_value=incident_details.MAX_COUNT, allow_null=True, **common
            )
        else:
            fields[spec.name] = serializers.CharField(
                max_length=incident_details.MAX_TEXT, allow_blank=True, **common
            )
    name = "".join(part.title() for part in kind.split("_")) + "Details"
    return type(name, (serializers.Serializer,), {**fields, "__doc__": _DETAIL_DOCS[kind]})


DETAILS_SERIALIZERS = {kind: _details_serializer(kind) for kind in incident_details.KINDS}


@extend_schema_field(
    PolymorphicProxySerializer(
        component_name="IncidentDetails",
        serializers=list(DETAILS_SERIALIZERS.values()),
        resource_type_field_name=None,
    )
)
class DetailsField(serializers.JSONField):
    """The kind's own fields; which shape applies is given by ``kind``."""


@extend_schema_field({"type": "string", "nullable": True})
class PersonField(serializers.Field):
    """A user as their username, or null for an observer the reader may not identify
    (``policies.shown_username``, docs/roles.md). The reader comes from the serializer
    context's ``request``; without one, observers are hidden."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("read_only", True)
        kwargs.setdefault(
            "help_text", "Username; null for an observer the reader may not identify."
        )
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> str | None:
        request = self.context.get("request")
        reveal = policies.can_see_reporter(getattr(request, "user", None))
        return policies.shown_username(value, reveal_observers=reveal)


class ReferenceField(serializers.IntegerField):
    """The id of a referenced row, as an integer the database's keys can hold."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_value=1, max_value=2**63 - 1, **kwargs)


class ShallowFieldCopies:
    """DRF deep-copies every declared field for each serializer instance, re-running each
    field's ``__init__``: for the one incident of a filing request that cost as much as
    validating the input. Fields keep no state between calls except what binding sets,
    and binding sets it on the copy, so a shallow copy per instance is enough. Only for
    serializers whose fields are plain (no nested serializers, no per-instance querysets).

    It overrides DRF's ``get_fields`` and reads the private ``_declared_fields``, so it
    stays only for its measured gain (docs/benchmarks.md, filing benchmark, profile of
    ``filing-token``): the response serializer fell from 0.85 ms to 0.45 ms per filing,
    and the create serializer's parsing is part of the 2.6 ms to 0.5 ms step.
    """

    _declared_fields: dict[str, serializers.Field]

    def get_fields(self) -> dict[str, serializers.Field]:
        return {name: copy.copy(field) for name, field in self._declared_fields.items()}


class IncidentSerializer(ShallowFieldCopies, serializers.Serializer):
    """An incident as the API shows it. ``witnesses`` is left out for users who may not
    see witness data, ``reported_by`` for users who may not learn who filed it.

    Declared field by field rather than as a ModelSerializer: building a ModelSerializer's
    fields on every response costs more than the rest of a filing request."""

    id = serializers.UUIDField(read_only=True)
    ref = serializers.CharField(read_only=True)
    election = serializers.IntegerField(source="election_id", read_only=True)
    district = serializers.IntegerField(source="district_id", read_only=True)
    kind = serializers.ChoiceField(choices=Incident.Kind.choices, read_only=True)
    occurred_at = serializers.DateTimeField(read_only=True)
    reported_at = serializers.DateTimeField(read_only=True)
    reported_by = serializers.CharField(
        source="reported_by.username", read_only=True, help_text="Username of the reporter."
    )
    location = serializers.CharField(read_only=True)
    pec = serializers.IntegerField(source="pec_id", read_only=True, allow_null=True)
    latitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, read_only=True, allow_null=True
    )
    longitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, read_only=True, allow_null=True
    )
    party = serializers.IntegerField(
        source="party_id", read_only=True, allow_null=True, help_text="null = not known."
    )
    candidate = serializers.IntegerField(source="candidate_id", read_only=True, allow_null=True)
    description = serializers.CharField(read_only=True)
    source = serializers.ChoiceField(choices=Incident.Source.choices, read_only=True)
    witnesses = serializers.CharField(read_only=True)
    details = DetailsField(read_only=True)
    status = serializers.ChoiceField(choices=Incident.Status.choices, read_only=True)
    severity = serializers.ChoiceField(choices=Incident.Severity.choices, read_only=True)
    duplicate_of = serializers.UUIDField(source="duplicate_of_id", read_only=True, allow_null=True)
    assignee = serializers.IntegerField(source="assignee_id", read_only=True, allow_null=True)
    version = serializers.IntegerField(read_only=True)
    evidence_expected = serializers.IntegerField(read_only=True)
    evidence_count = serializers.IntegerField(read_only=True, default=0)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    def to_representation(self, instance: Incident) -> dict[str, Any]:
        data = super().to_representation(instance)
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if not policies.can_see_witnesses(user, instance):
            data.pop("witnesses", None)
        if not policies.can_see_reporter(user):
            data.pop("reported_by", None)
        return data


# Named like the read shape: with split request components the schema shows the POST body
# as ``IncidentRequest`` beside ``Incident``, and the two share one ``IncidentKindEnum``.
@extend_schema_serializer(component_name="Incident")
class IncidentCreateSerializer(ShallowFieldCopies, serializers.Serializer):
    """What a client sends to file an incident. ``id`` is the client's own UUID; sending
    the same report again with the same ``id`` is safe."""

    id = serializers.UUIDField(help_text="Chosen by the client; resending it is idempotent.")
    # References are ids here; the filing service checks them (that each exists and fits
    # the district and election) in one query instead of one query per field.
    election = ReferenceField(
        required=False, help_text="Optional; defaults to the district's election."
    )
    district = ReferenceField()
    kind = serializers.ChoiceField(choices=Incident.Kind.choices)
    occurred_at = serializers.DateTimeField()
    location = serializers.CharField(max_length=300)
    pec = ReferenceField(required=False, allow_null=True)
    latitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, required=False, allow_null=True,
        min_value=-90, max_value=90,
    )  # fmt: skip
    longitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, required=False, allow_null=True,
        min_value=-180, max_value=180,
    )  # fmt: skip
    party = ReferenceField(
        required=False,
        allow_null=True,
        help_text="null when it is not known which party is involved.",
    )
    candidate = ReferenceField(required=False, allow_null=True)
    description = serializers.CharField(max_length=MAX_TEXT)
    source = serializers.ChoiceField(choices=Incident.Source.choices)
    witnesses = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=MAX_TEXT
    )
    details = DetailsField(required=False, default=dict)
    evidence_expected = serializers.IntegerField(
        required=False,
        default=0,
        min_value=0,
        max_value=1000,
        help_text="How many evidence files the client will upload after this request.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        _, errors = incident_details.clean_details(attrs["kind"], attrs.get("details"))
        if errors:
            raise serializers.ValidationError({"details": errors})
        return attrs


class EvidenceSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()
    incident = serializers.UUIDField(source="incident_id", read_only=True)

    class Meta:
        model = Evidence
        fields = [
            "id", "incident", "original_name", "content_type", "size", "sha256",
            "location_data", "uploaded_at", "download_url",
        ]  # fmt: skip
        read_only_fields = fields

    def get_download_url(self, evidence: Evidence) -> str:
        return reverse("incidents:evidence-download", args=[evidence.pk])


class EvidenceUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A photo, video, sound recording or PDF.")


# --- triage and escalation ----------------------------------------------------------------


class TransitionSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=Incident.Status.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=10_000)
    duplicate_of = serializers.UUIDField(required=False, allow_null=True, default=None)
    version = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        help_text="The incident's version you saw; a newer one on the server gives 409.",
    )


class EscalateSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=10_000)
    version = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1)


class AssignSerializer(serializers.Serializer):
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.all(), allow_null=True
    )
    version = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1)


class SeveritySerializer(serializers.Serializer):
    severity = serializers.ChoiceField(choices=Incident.Severity.choices)
    version = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1)


class CommentSerializer(serializers.ModelSerializer):
    author = PersonField()
    recommendation = serializers.ChoiceField(
        choices=[(k, str(v)) for k, v in lifecycle.RECOMMENDATIONS.items()],
        required=False,
        allow_blank=True,
        default="",
        write_only=True,
    )
    visibility = serializers.ChoiceField(
        choices=[
            Comment.Visibility.INTERNAL,
            Comment.Visibility.QUESTION_TO_LTO,
            Comment.Visibility.ANSWER_FROM_LTO,
        ],
        default=Comment.Visibility.INTERNAL,
        help_text="internal or question_to_lto when writing; answers come from the observer.",
    )

    class Meta:
        model = Comment
        fields = [
            "id", "incident", "author", "body", "visibility", "reply_to", "answered_at",
            "created_at", "recommendation",
        ]  # fmt: skip
        read_only_fields = ["id", "incident", "author", "reply_to", "answered_at", "created_at"]
        extra_kwargs = text_limits("body")


class EventSerializer(serializers.ModelSerializer):
    actor = PersonField()

    class Meta:
        model = IncidentEvent
        fields = ["id", "at", "actor", "kind", "from_status", "to_status", "note", "data"]
        read_only_fields = fields


class EscalationAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = EscalationAttempt
        fields = ["id", "started_at", "finished_at", "outcome", "response_code", "error"]
        read_only_fields = fields


class EscalationSerializer(serializers.ModelSerializer):
    incident_ref = serializers.CharField(source="incident.ref", read_only=True)
    created_by = PersonField()
    attempts = EscalationAttemptSerializer(many=True, read_only=True)
    delivery_state = serializers.SerializerMethodField(
        help_text='Where it is (docs/escalation.md "Delivery states"): waiting_channel, '
        "queued, retrying, delivered, acknowledged or failed."
    )
    delivery_at = serializers.SerializerMethodField(
        help_text="The time that goes with the state (the next attempt when retrying), or null."
    )

    def get_delivery_state(self, escalation: Escalation) -> str:
        return queries.delivery_state(escalation).code

    def get_delivery_at(self, escalation: Escalation) -> Any:
        at = queries.delivery_state(escalation).at
        return serializers.DateTimeField().to_representation(at) if at else None

    class Meta:
        model = Escalation
        fields = [
            "id", "incident", "incident_ref", "status", "delivery_state", "delivery_at",
            "reason", "created_by", "created_at",
            "attempt_count", "next_attempt_at", "delivered_at", "acknowledged_at",
            "rrcg_reference", "rrcg_note", "last_error", "payload", "attempts",
        ]  # fmt: skip
        read_only_fields = fields


class AcknowledgeSerializer(serializers.Serializer):
    reference = serializers.CharField(max_length=100, help_text="The RRCG's own reference.")
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=10_000)
    escalation_id = serializers.UUIDField(
        help_text="The escalation's id (as in the path), bound into the signed body so a "
        "signed acknowledgement cannot be replayed against another escalation.",
    )


class AcknowledgedSerializer(serializers.ModelSerializer):
    class Meta:
        model = Escalation
        fields = ["id", "status", "acknowledged_at", "rrcg_reference"]
        read_only_fields = fields


class TriageQuerySerializer(serializers.Serializer):
    """The triage queue's query string (documentation; ``TriageFilterForm`` parses)."""

    q = serializers.CharField(required=False, help_text="ref, place or text")
    election = serializers.IntegerField(required=False)
    district = serializers.IntegerField(required=False)
    kind = serializers.ChoiceField(choices=Incident.Kind.choices, required=False)
    party = serializers.CharField(required=False, help_text="a party id, or 'unknown'")
    status = serializers.MultipleChoiceField(
        choices=Incident.Status.choices, required=False, help_text="repeat for several"
    )
    assignee = serializers.CharField(required=False, help_text="a user id, 'me' or 'none'")
    severity = serializers.ChoiceField(choices=Incident.Severity.choices, required=False)
    occurred_from = serializers.DateField(required=False)
    occurred_to = serializers.DateField(required=False)
    sort = serializers.ChoiceField(choices=list(queries.SORTS), required=False)
