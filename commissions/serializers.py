"""API representations (docs/api.md field names). Serializers check types and choices
only; every rule is the model's or the service's, which the API views call."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from rest_framework import serializers

from commissions.models import (
    Commission,
    CommissionDecision,
    CommissionMeeting,
    CommissionMember,
    Complaint,
)
from observation.kernel.api import MAX_TEXT, text_limits
from observation.policies import can_identify_observers


class CommissionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Commission
        fields = ["id", "election", "level", "name", "parent", "district", "pec_count", "note"]
        extra_kwargs = text_limits("note")
        # Uniqueness is checked by the service's full_clean, which names the field.
        validators: list = []


class CommissionMemberSerializer(serializers.ModelSerializer):
    class Meta:
        model = CommissionMember
        fields = [
            "id",
            "commission",
            "full_name",
            "role",
            "nominated_by",
            "party",
            "party_label",
            "term_start",
            "term_end",
            "re_elected",
            "note",
        ]
        # ``term_start`` must be sent: null says the first day is not known (a term then
        # needs its ``term_end``), so a forgotten date is an error (docs/commissions.md).
        extra_kwargs = {"term_start": {"required": True, "allow_null": True}}
        validators: list = []


class EndTermSerializer(serializers.Serializer):
    term_end = serializers.DateField(help_text="The member's last day in office.")
    note = serializers.CharField(max_length=300, required=False)


class CommissionMeetingSerializer(serializers.ModelSerializer):
    observer = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(observer_profile__isnull=False),
        allow_null=True,
        required=False,
        help_text="The user (observer) who attended, if any.",
    )

    class Meta:
        model = CommissionMeeting
        fields = [
            "id",
            "commission",
            "date",
            "mode",
            "quorum",
            "notified",
            "notified_how",
            "sanitary_rules",
            "observer",
            "notes",
        ]
        extra_kwargs = text_limits("notes")

    def to_representation(self, instance: CommissionMeeting) -> dict[str, Any]:
        """``observer`` is left out for readers who may not identify observers."""
        data = super().to_representation(instance)
        request = self.context.get("request")
        if not can_identify_observers(getattr(request, "user", None)):
            data.pop("observer", None)
        return data


class CommissionDecisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = CommissionDecision
        fields = [
            "id",
            "commission",
            "meeting",
            "complaint",
            "date",
            "kind",
            "party",
            "candidate",
            "candidate_name",
            "legal_basis",
            "summary",
        ]
        extra_kwargs = text_limits("legal_basis", "summary")


class ComplaintSerializer(serializers.ModelSerializer):
    is_overdue = serializers.BooleanField(
        read_only=True, help_text="Undecided although the deadline has passed (as of today)."
    )
    decided_late = serializers.BooleanField(read_only=True, help_text="Decided after the deadline.")

    class Meta:
        model = Complaint
        fields = [
            "id",
            "commission",
            "filed_on",
            "received_on",
            "complainant",
            "subject",
            "deadline",
            "decided_on",
            "decision",
            "status",
            "is_overdue",
            "decided_late",
        ]
        extra_kwargs = {
            **text_limits("subject", "decision"),
            "deadline": {
                "help_text": "The statutory deadline. Omitted, the general rule's deadline "
                "is entered: five days after receipt, and before election day."
            },
        }


class ComplaintDecideSerializer(serializers.Serializer):
    decided_on = serializers.DateField()
    decision = serializers.CharField(max_length=MAX_TEXT)
