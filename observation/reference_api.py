"""API of observation's reference data: elections, districts, parties, party lists,
candidates and party meetings (docs/api.md).

Thin: the serializer parses, a service in ``observation.services`` decides and writes
(its ``ValidationError`` becomes a 400 with field messages, see ``observation.kernel.api``), the
policy in ``observation.policies`` says who may read and write.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.serializers import BaseSerializer

from observation import filters, serializers, services
from observation.models import (
    CalendarEntry,
    Candidate,
    District,
    Election,
    Party,
    PartyList,
    PartyMeeting,
)
from observation.policies import PARTY_MEETINGS, REFERENCE_DATA


class ServiceViewSet(viewsets.ModelViewSet):
    """A ModelViewSet whose writes go through services.

    ``create_service(actor=, **fields)``, ``update_service(actor=, <instance_kwarg>=,
    **fields)`` and ``delete_service(actor=, <instance_kwarg>=)``."""

    create_service: Callable[..., Any]
    update_service: Callable[..., Any]
    delete_service: Callable[..., Any]
    instance_kwarg: str

    def perform_create(self, serializer: BaseSerializer) -> None:
        serializer.instance = type(self).create_service(
            actor=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer: BaseSerializer) -> None:
        serializer.instance = type(self).update_service(
            actor=self.request.user,
            **{self.instance_kwarg: serializer.instance},
            **serializer.validated_data,
        )

    def perform_destroy(self, instance: Any) -> None:
        type(self).delete_service(actor=self.request.user, **{self.instance_kwarg: instance})


def _documented(name: str, plural: str) -> Callable[[type], type]:
    return extend_schema_view(
        list=extend_schema(summary=f"List {plural}"),
        retrieve=extend_schema(summary=f"One {name}"),
        create=extend_schema(summary=f"Add a {name} (analyst, admin)"),
        update=extend_schema(summary=f"Replace a {name} (analyst, admin)"),
        partial_update=extend_schema(summary=f"Change a {name} (analyst, admin)"),
        destroy=extend_schema(summary=f"Delete a {name} (analyst, admin)"),
    )


@_documented("election", "elections")
class ElectionViewSet(ServiceViewSet):
    """Elections observed by the mission, with their observation period."""

    queryset = Election.objects.order_by("-election_day", "name")
    serializer_class = serializers.ElectionSerializer
    permission_classes = [REFERENCE_DATA.api_permission()]
    filterset_class = filters.ElectionFilter
    ordering_fields = ["name", "election_day"]
    create_service = staticmethod(services.election_create)
    update_service = staticmethod(services.election_update)
    delete_service = staticmethod(services.election_delete)
    instance_kwarg = "election"


@_documented("district", "districts")
class DistrictViewSet(ServiceViewSet):
    """Districts (the units that elect a council): mandates and threshold."""

    queryset = District.objects.order_by("election_id", "name")
    serializer_class = serializers.DistrictSerializer
    permission_classes = [REFERENCE_DATA.api_permission()]
    filterset_class = filters.DistrictFilter
    ordering_fields = ["name", "code", "mandates"]
    create_service = staticmethod(services.district_create)
    update_service = staticmethod(services.district_update)
    delete_service = staticmethod(services.district_delete)
    instance_kwarg = "district"


@_documented("party", "parties")
class PartyViewSet(ServiceViewSet):
    """Political parties. Filter by `election` or `district` for the parties standing there."""

    queryset = Party.objects.order_by("name")
    serializer_class = serializers.PartySerializer
    permission_classes = [REFERENCE_DATA.api_permission()]
    filterset_class = filters.PartyFilter
    ordering_fields = ["name", "short_name"]
    create_service = staticmethod(services.party_create)
    update_service = staticmethod(services.party_update)
    delete_service = staticmethod(services.party_delete)
    instance_kwarg = "party"


@_documented("party list", "party lists")
class PartyListViewSet(ServiceViewSet):
    """A party's list of candidates in one district; `nominated_count` counts every nominee,
    registered or not."""

    queryset = PartyList.objects.order_by("district_id", "party_id")
    serializer_class = serializers.PartyListSerializer
    permission_classes = [REFERENCE_DATA.api_permission()]
    filterset_class = filters.PartyListFilter
    ordering_fields = ["nominated_count"]
    create_service = staticmethod(services.party_list_create)
    update_service = staticmethod(services.party_list_update)
    delete_service = staticmethod(services.party_list_delete)
    instance_kwarg = "party_list"


@_documented("candidate", "candidates")
class CandidateViewSet(ServiceViewSet):
    """Candidates on party lists: `status` is registered, denied (with `denial_reason`) or
    withdrawn."""

    queryset = Candidate.objects.order_by("party_list_id", "position")
    serializer_class = serializers.CandidateSerializer
    permission_classes = [REFERENCE_DATA.api_permission()]
    filterset_class = filters.CandidateFilter
    ordering_fields = ["position", "full_name"]
    create_service = staticmethod(services.candidate_create)
    update_service = staticmethod(services.candidate_update)
    delete_service = staticmethod(services.candidate_delete)
    instance_kwarg = "candidate"


@extend_schema_view(
    list=extend_schema(summary="List party meetings"),
    retrieve=extend_schema(summary="One party meeting"),
    create=extend_schema(
        summary="Record a party meeting",
        description="Observers and coordinators record meetings in the districts they "
        "cover; head office, analysts and administrators in any district.",
    ),
    update=extend_schema(summary="Replace a party meeting"),
    partial_update=extend_schema(summary="Change a party meeting"),
    destroy=extend_schema(summary="Delete a party meeting"),
)
class PartyMeetingViewSet(ServiceViewSet):
    """Interviews of party representatives by observers and the concerns they raised."""

    queryset = PartyMeeting.objects.order_by("-date", "pk")
    serializer_class = serializers.PartyMeetingSerializer
    permission_classes = [PARTY_MEETINGS.api_permission()]
    filterset_class = filters.PartyMeetingFilter
    ordering_fields = ["date"]
    create_service = staticmethod(services.party_meeting_create)
    update_service = staticmethod(services.party_meeting_update)
    delete_service = staticmethod(services.party_meeting_delete)
    instance_kwarg = "meeting"


@_documented("calendar entry", "calendar entries")
class CalendarEntryViewSet(ServiceViewSet):
    """The dates of an election's calendar, printed as the report's timeline."""

    queryset = CalendarEntry.objects.order_by("election", "date", "time", "pk")
    serializer_class = serializers.CalendarEntrySerializer
    permission_classes = [REFERENCE_DATA.api_permission()]
    filterset_class = filters.CalendarEntryFilter
    ordering_fields = ["date"]
    create_service = staticmethod(services.calendar_entry_create)
    update_service = staticmethod(services.calendar_entry_update)
    delete_service = staticmethod(services.calendar_entry_delete)
    instance_kwarg = "entry"


ROUTES = [
    ("elections", ElectionViewSet, "election"),
    ("districts", DistrictViewSet, "district"),
    ("parties", PartyViewSet, "party"),
    ("party-lists", PartyListViewSet, "party-list"),
    ("candidates", CandidateViewSet, "candidate"),
    ("party-meetings", PartyMeetingViewSet, "party-meeting"),
    ("calendar", CalendarEntryViewSet, "calendar-entry"),
]
