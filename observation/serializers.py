from __future__ import annotations

from rest_framework import serializers

from observation.kernel.api import text_limits
from observation.models import (
    CalendarEntry,
    Candidate,
    District,
    Election,
    Party,
    PartyList,
    PartyMeeting,
)


class MeDistrictSerializer(serializers.ModelSerializer):
    class Meta:
        model = District
        fields = ["id", "election", "name", "code"]


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    full_name = serializers.CharField()
    role = serializers.CharField(allow_null=True)
    districts = MeDistrictSerializer(many=True)


# --- Reference data (docs/api.md) ---------------------------------------------------------
# Serializers parse and shape; the rules live in observation.services, which the viewsets
# call. Model-level uniqueness is left to the service (``validators = []``) so the API
# reports it on the same field, with the same message, as the forms do.


class ElectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Election
        fields = ["id", "name", "kind", "election_day", "observation_start", "observation_end"]
        validators: list = []


class DistrictSerializer(serializers.ModelSerializer):
    class Meta:
        model = District
        fields = ["id", "election", "name", "code", "mandates", "threshold_percent"]
        validators: list = []


class PartySerializer(serializers.ModelSerializer):
    class Meta:
        model = Party
        fields = ["id", "name", "short_name"]
        extra_kwargs = {"name": {"validators": []}}
        validators: list = []


class PartyListSerializer(serializers.ModelSerializer):
    class Meta:
        model = PartyList
        fields = ["id", "party", "district", "nominated_count"]
        validators: list = []


class CandidateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Candidate
        fields = [
            "id",
            "party_list",
            "full_name",
            "gender",
            "position",
            "status",
            "denial_reason",
            "is_demo",
        ]
        read_only_fields = ["is_demo"]
        validators: list = []


class PartyMeetingSerializer(serializers.ModelSerializer):
    class Meta:
        model = PartyMeeting
        fields = ["id", "party", "district", "date", "attendees", "concerns", "themes"]
        extra_kwargs = text_limits("attendees", "concerns")
        validators: list = []


class CalendarEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = CalendarEntry
        fields = ["id", "election", "date", "time", "kind", "label", "reference"]
        validators: list = []
