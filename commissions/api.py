"""API views of commissions (docs/api.md): thin, each write is one service call.

Lists are paginated and filterable by their foreign keys and coded fields. Records are
corrected, never deleted, so there is no DELETE: the audit trail keeps every version.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import F, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from commissions import queries, services
from commissions.models import (
    Commission,
    CommissionDecision,
    CommissionMeeting,
    CommissionMember,
    Complaint,
)
from commissions.policies import COMMISSIONS, COMPLAINTS, DECISIONS, MEETINGS, MEMBERS
from commissions.serializers import (
    CommissionDecisionSerializer,
    CommissionMeetingSerializer,
    CommissionMemberSerializer,
    CommissionSerializer,
    ComplaintDecideSerializer,
    ComplaintSerializer,
    EndTermSerializer,
)


class _ServiceViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Creates and updates go through a service; the response is re-read through the
    list's queryset so it shows exactly what a later GET will."""

    def create_record(self, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    def update_record(self, instance: Any, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    def perform_create(self, serializer: Any) -> None:
        record = self.create_record(dict(serializer.validated_data))
        serializer.instance = self.get_queryset().get(pk=record.pk)

    def perform_update(self, serializer: Any) -> None:
        record = self.update_record(serializer.instance, dict(serializer.validated_data))
        serializer.instance = self.get_queryset().get(pk=record.pk)


# --- Commissions -----------------------------------------------------------------------


class CommissionFilter(django_filters.FilterSet):
    class Meta:
        model = Commission
        fields = ["election", "level", "parent", "district"]


class CommissionViewSet(_ServiceViewSet):
    """The CEC, TECs and PECs. `pec_count` is the number of PECs a TEC oversees."""

    queryset = Commission.objects.order_by("election", "level", "name", "id")
    serializer_class = CommissionSerializer
    permission_classes = [COMMISSIONS.api_permission()]
    filterset_class = CommissionFilter
    ordering_fields = ["name", "level", "pec_count"]

    def create_record(self, data: dict[str, Any]) -> Commission:
        return services.commission_create(actor=self.request.user, **data)

    def update_record(self, instance: Commission, data: dict[str, Any]) -> Commission:
        return services.commission_update(actor=self.request.user, commission=instance, **data)


# --- Members ---------------------------------------------------------------------------


class CommissionMemberFilter(django_filters.FilterSet):
    election = django_filters.NumberFilter(field_name="commission__election")
    on = django_filters.DateFilter(
        method="filter_on",
        label="Composition on this date (YYYY-MM-DD): the terms covering it.",
    )

    class Meta:
        model = CommissionMember
        fields = ["commission", "role", "nominated_by", "party", "re_elected", "election", "on"]

    def filter_on(self, rows: QuerySet, name: str, value: Any) -> QuerySet:
        return rows.filter(queries.serving_on(value))


class CommissionMemberViewSet(_ServiceViewSet):
    """Terms of commission members. `?on=YYYY-MM-DD` gives a commission's composition on
    that date; ending a term is `POST .../{id}/end-term/`."""

    queryset = CommissionMember.objects.order_by(
        "commission", F("term_start").asc(nulls_first=True), "full_name", "id"
    )
    serializer_class = CommissionMemberSerializer
    permission_classes = [MEMBERS.api_permission()]
    filterset_class = CommissionMemberFilter
    ordering_fields = ["full_name", "term_start", "term_end", "role"]

    def create_record(self, data: dict[str, Any]) -> CommissionMember:
        return services.commission_member_add(actor=self.request.user, **data)

    def update_record(self, instance: CommissionMember, data: dict[str, Any]) -> Any:
        return services.commission_member_update(actor=self.request.user, member=instance, **data)

    @extend_schema(request=EndTermSerializer, responses=CommissionMemberSerializer)
    @action(detail=True, methods=["post"], url_path="end-term")
    def end_term(self, request: Request, pk: Any = None) -> Response:
        member = self.get_object()
        payload = EndTermSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        member = services.commission_member_end_term(
            actor=request.user, member=member, **payload.validated_data
        )
        return Response(self.get_serializer(member).data)


# --- Meetings --------------------------------------------------------------------------


class CommissionMeetingFilter(django_filters.FilterSet):
    election = django_filters.NumberFilter(field_name="commission__election")

    class Meta:
        model = CommissionMeeting
        fields = [
            "commission",
            "mode",
            "sanitary_rules",
            "quorum",
            "notified",
            "notified_how",
            "observer",
        ]


class CommissionMeetingViewSet(_ServiceViewSet):
    """Commission meetings an observer followed: in person or remotely, quorum, notice,
    sanitary rules."""

    queryset = CommissionMeeting.objects.order_by("-date", "-id")
    serializer_class = CommissionMeetingSerializer
    permission_classes = [MEETINGS.api_permission()]
    filterset_class = CommissionMeetingFilter
    ordering_fields = ["date"]

    def create_record(self, data: dict[str, Any]) -> CommissionMeeting:
        return services.commission_meeting_record(actor=self.request.user, **data)

    def update_record(self, instance: CommissionMeeting, data: dict[str, Any]) -> Any:
        return services.commission_meeting_update(actor=self.request.user, meeting=instance, **data)


# --- Decisions -------------------------------------------------------------------------


class CommissionDecisionFilter(django_filters.FilterSet):
    election = django_filters.NumberFilter(field_name="commission__election")

    class Meta:
        model = CommissionDecision
        fields = ["commission", "meeting", "complaint", "kind", "party", "candidate"]


class CommissionDecisionViewSet(_ServiceViewSet):
    """Decisions about parties and candidates: warnings, refusals, no violation found."""

    queryset = CommissionDecision.objects.order_by("-date", "id")
    serializer_class = CommissionDecisionSerializer
    permission_classes = [DECISIONS.api_permission()]
    filterset_class = CommissionDecisionFilter
    ordering_fields = ["date", "kind"]

    def create_record(self, data: dict[str, Any]) -> CommissionDecision:
        return services.commission_decision_record(actor=self.request.user, **data)

    def update_record(self, instance: CommissionDecision, data: dict[str, Any]) -> Any:
        return services.commission_decision_update(
            actor=self.request.user, decision=instance, **data
        )


# --- Complaints ------------------------------------------------------------------------


class ComplaintFilter(django_filters.FilterSet):
    election = django_filters.NumberFilter(field_name="commission__election")
    overdue = django_filters.BooleanFilter(
        field_name="is_overdue", label="Only complaints undecided past their deadline (true)."
    )

    class Meta:
        model = Complaint
        fields = ["commission", "status", "election", "overdue"]


class ComplaintViewSet(_ServiceViewSet):
    """Complaints lodged with commissions and their deadlines. `is_overdue` is computed
    when asked; `POST .../{id}/decide/` records the commission's decision."""

    queryset = Complaint.objects.all()  # the schema's model; get_queryset adds the state
    serializer_class = ComplaintSerializer
    permission_classes = [COMPLAINTS.api_permission()]
    filterset_class = ComplaintFilter
    ordering_fields = ["received_on", "deadline", "decided_on"]

    def get_queryset(self) -> QuerySet[Complaint]:
        return queries.complaints_with_state().order_by("-received_on", "-id")

    def create_record(self, data: dict[str, Any]) -> Complaint:
        return services.complaint_record(actor=self.request.user, **data)

    def update_record(self, instance: Complaint, data: dict[str, Any]) -> Complaint:
        return services.complaint_update(actor=self.request.user, complaint=instance, **data)

    @extend_schema(request=ComplaintDecideSerializer, responses=ComplaintSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: Any = None) -> Response:
        complaint = self.get_object()
        payload = ComplaintDecideSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.complaint_decide(actor=request.user, complaint=complaint, **payload.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=complaint.pk)).data)
