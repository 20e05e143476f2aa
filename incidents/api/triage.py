"""The triage and escalation API (docs/escalation.md, docs/api.md): incident actions, the
triage queue, the ``escalations`` collection and the RRCG's acknowledgement. Thin:
serializers parse, ``incidents.services.lifecycle`` / ``incidents.services.escalation``
decide, ``incidents.queries`` reads.

A stale ``version`` (someone else changed the incident) is a 409 (the services' conflict,
answered by ``observation.kernel.api.exception_handler``); a move the lifecycle does not
allow is a 400 naming the field; a role that may not act is a 403.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from incidents import policies, queries, rrcg
from incidents.forms.triage import TriageFilterForm
from incidents.models import Comment, Escalation, Incident
from incidents.serializers import (
    AcknowledgedSerializer,
    AcknowledgeSerializer,
    AssignSerializer,
    CommentSerializer,
    EscalateSerializer,
    EscalationSerializer,
    EventSerializer,
    IncidentSerializer,
    SeveritySerializer,
    TransitionSerializer,
    TriageQuerySerializer,
)
from incidents.services import escalation, lifecycle
from observation.kernel.api import Pagination
from observation.kernel.parsers import load_json

TRANSITION_DENIED = gettext_lazy("Only head office can change the status of an incident.")
ESCALATE_DENIED = gettext_lazy("Only head office can send incidents to the RRCG.")
CONFLICT_SCHEMA = OpenApiResponse(OpenApiTypes.OBJECT, "Someone else changed it: reload.")


class IsStaff(BasePermission):
    """Signed in with a staff role; each service then checks the action itself."""

    message = "Only head office, legal experts, analysts and administrators work on triage."

    def has_permission(self, request: Any, view: Any) -> bool:
        return policies.can_read_triage(request.user)


# --- incident actions ------------------------------------------------------------------------


class IncidentTriageViewSet(viewsets.GenericViewSet):
    """Actions on one incident: ``transition``, ``escalate``, ``assign``, ``severity``,
    ``comments`` and its ``events``. Registered on the ``incidents`` prefix beside the
    filing viewset, so the paths are ``/api/v1/incidents/{id}/<action>/``."""

    queryset = Incident.objects.all()
    serializer_class = IncidentSerializer
    permission_classes = [IsStaff]
    lookup_value_regex = "[0-9a-fA-F-]{36}"
    filter_backends: list = []
    pagination_class = None

    def get_queryset(self):
        return policies.triage_incidents(self.request.user, Incident.objects.all())

    def _answer(self, incident: Incident, code: int = status.HTTP_200_OK) -> Response:
        fresh = Incident.objects.select_related("reported_by").get(pk=incident.pk)
        return Response(
            IncidentSerializer(fresh, context=self.get_serializer_context()).data, status=code
        )

    @extend_schema(
        summary="Change the status (lifecycle of docs/lifecycle.md)",
        request=TransitionSerializer,
        responses={200: IncidentSerializer, 400: OpenApiTypes.OBJECT, 409: CONFLICT_SCHEMA},
    )
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: Any = None) -> Response:
        incident = self.get_object()
        to = request.data.get("to") if isinstance(request.data, dict) else None
        if to == Incident.Status.ESCALATED:
            _allowed(policies.can_escalate(request.user), ESCALATE_DENIED)
        else:
            _allowed(policies.can_triage(request.user), TRANSITION_DENIED)
        data = _valid(TransitionSerializer, request)
        incident = lifecycle.incident_transition(
            actor=request.user,
            incident=incident,
            to=data["to"],
            note=data["note"],
            duplicate_of=data["duplicate_of"],
            expected_version=data["version"],
        )
        return self._answer(incident)

    @extend_schema(
        summary="Send a verified incident to the RRCG",
        request=EscalateSerializer,
        responses={201: EscalationSerializer, 400: OpenApiTypes.OBJECT, 409: CONFLICT_SCHEMA},
    )
    @action(detail=True, methods=["post"])
    def escalate(self, request: Request, pk: Any = None) -> Response:
        incident = self.get_object()
        _allowed(policies.can_escalate(request.user), ESCALATE_DENIED)
        data = _valid(EscalateSerializer, request)
        row = escalation.incident_escalate(
            actor=request.user,
            incident=incident,
            reason=data["reason"],
            expected_version=data["version"],
        )
        row = queries.escalations_for(request.user).get(pk=row.pk)
        return Response(
            EscalationSerializer(row, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary="Assign to a member of head office or a legal expert (null: nobody)",
        request=AssignSerializer,
        responses={200: IncidentSerializer, 400: OpenApiTypes.OBJECT, 409: CONFLICT_SCHEMA},
    )
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: Any = None) -> Response:
        incident = self.get_object()
        _allowed(policies.can_triage(request.user), _("Only head office can assign incidents."))
        data = _valid(AssignSerializer, request)
        incident = lifecycle.incident_assign(
            actor=request.user,
            incident=incident,
            assignee=data["assignee"],
            expected_version=data["version"],
        )
        return self._answer(incident)

    @extend_schema(
        summary="Set the severity (serious alerts head office)",
        request=SeveritySerializer,
        responses={200: IncidentSerializer, 400: OpenApiTypes.OBJECT, 409: CONFLICT_SCHEMA},
    )
    @action(detail=True, methods=["post"])
    def severity(self, request: Request, pk: Any = None) -> Response:
        incident = self.get_object()
        _allowed(policies.can_triage(request.user), _("Only head office can set the severity."))
        data = _valid(SeveritySerializer, request)
        incident = lifecycle.incident_set_severity(
            actor=request.user,
            incident=incident,
            severity=data["severity"],
            expected_version=data["version"],
        )
        return self._answer(incident)

    @extend_schema(
        methods=["GET"],
        summary="Comments: internal notes, questions to the observer and answers",
        responses=CommentSerializer(many=True),
    )
    @extend_schema(
        methods=["POST"],
        summary="Comment (internal, with an optional recommendation) or ask the observer",
        request=CommentSerializer,
        responses={201: CommentSerializer, 400: OpenApiTypes.OBJECT},
    )
    @action(detail=True, methods=["get", "post"])
    def comments(self, request: Request, pk: Any = None) -> Response:
        incident = self.get_object()
        if request.method == "GET":
            rows = incident.comments.select_related("author__observer_profile").order_by(
                "created_at", "id"
            )
            context = self.get_serializer_context()
            return Response(CommentSerializer(rows, many=True, context=context).data)
        visibility = request.data.get("visibility") if isinstance(request.data, dict) else None
        if visibility == Comment.Visibility.QUESTION_TO_LTO:
            _allowed(
                policies.can_triage(request.user),
                _("Only head office asks the observer questions."),
            )
        _allowed(
            policies.can_comment(request.user),
            _("Only head office and legal experts comment on incidents."),
        )
        data = _valid(CommentSerializer, request)
        comment = lifecycle.incident_comment(
            actor=request.user,
            incident=incident,
            body=data["body"],
            visibility=data["visibility"],
            recommendation=data["recommendation"],
        )
        return Response(
            CommentSerializer(comment, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(summary="The incident's timeline", responses=EventSerializer(many=True))
    @action(detail=True, methods=["get"])
    def events(self, request: Request, pk: Any = None) -> Response:
        incident = self.get_object()
        rows = incident.events.select_related("actor__observer_profile").order_by("at", "id")
        context = self.get_serializer_context()
        return Response(EventSerializer(rows, many=True, context=context).data)


def _allowed(allowed: bool, message: str) -> None:
    """Who may act is checked before what they sent is parsed: a role that may not make
    this change gets a 403, not a 400 about its input (docs/api.md)."""
    if not allowed:
        raise PermissionDenied(message)


def _valid(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


# --- the triage queue ------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="The triage queue: every filter of the page",
        parameters=[
            TriageQuerySerializer,
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int),
        ],
    )
)
class TriageQueueViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Incidents as head office triages them, with the same filters and sorting as the
    triage page (``status`` may be repeated; ``party=unknown``; ``assignee=me|none``)."""

    serializer_class = IncidentSerializer
    permission_classes = [IsStaff]
    filter_backends: list = []

    def _filters(self) -> Any:
        form = TriageFilterForm(self.request.query_params)
        if not form.is_valid():
            raise ApiValidationError(form.errors.get_json_data(escape_html=False))
        return form.filters()

    def get_queryset(self):
        return queries.triage_queue(self.request.user, self._filters())

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # The ids in order and the counts per status, as the page has them: the count of
        # a page comes from the counts (kept counts where they answer the filters), not
        # from a COUNT over every match. Then the rows of the page's ids only
        # (``queries.queue_rows``).
        filters = self._filters()
        ids, counts = queries.queue_with_counts(request.user, filters)
        chosen = filters.statuses or list(counts)
        self._paginator = Pagination.counted(sum(counts[s] for s in chosen))
        ids = self.paginate_queryset(ids)
        rows = queries.queue_rows(ids)
        serializer = IncidentSerializer(rows, many=True, context=self.get_serializer_context())
        return self.get_paginated_response(serializer.data)


# --- escalations -----------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Escalations to the RRCG, with their attempts"),
    retrieve=extend_schema(summary="One escalation, with its attempts and payload"),
)
class EscalationViewSet(viewsets.ReadOnlyModelViewSet):
    """Escalations to the RRCG (docs/escalation.md). Staff read; head office retries a failed
    one; the RRCG acknowledges with a signed request."""

    serializer_class = EscalationSerializer
    permission_classes = [policies.ESCALATIONS.api_permission()]
    filterset_fields = ["status", "incident"]
    ordering_fields = ["created_at", "delivered_at"]
    lookup_value_regex = "[0-9a-fA-F-]{36}"

    def get_queryset(self):
        return queries.escalations_for(self.request.user)

    @extend_schema(
        summary="Try a failed escalation again (head office)",
        request=None,
        responses={200: EscalationSerializer, 400: OpenApiTypes.OBJECT},
    )
    @action(detail=True, methods=["post"])
    def retry(self, request: Request, pk: Any = None) -> Response:
        row = escalation.escalation_retry(actor=request.user, escalation=self.get_object())
        row = self.get_queryset().get(pk=row.pk)
        return Response(EscalationSerializer(row, context=self.get_serializer_context()).data)

    @extend_schema(
        summary="The RRCG acknowledges an escalation (signed like the webhook)",
        description=(
            "No user account: the raw body must be signed with the shared secret, "
            "`X-Baikoo-Signature: sha256=<hex HMAC-SHA256 of the body>`. The body names "
            "the escalation (`escalation_id`, as in the path; another one is a 400). An "
            "acknowledgement is accepted once: any later one, a replay included, is a 409."
        ),
        request=AcknowledgeSerializer,
        responses={
            200: AcknowledgedSerializer,
            400: OpenApiTypes.OBJECT,
            401: OpenApiResponse(OpenApiTypes.OBJECT, "Missing or wrong signature."),
            404: OpenApiResponse(OpenApiTypes.OBJECT, "No such escalation."),
            409: OpenApiResponse(OpenApiTypes.OBJECT, "Already acknowledged (accepted once)."),
            503: OpenApiResponse(OpenApiTypes.OBJECT, "No secret configured on this server."),
        },
        auth=[],
    )
    @action(
        detail=True,
        methods=["post"],
        authentication_classes=[],
        permission_classes=[AllowAny],
    )
    def acknowledge(self, request: Request, pk: Any = None) -> Response:
        raw = request.body  # read before anything parses it: the signature covers these bytes
        secret = settings.RRCG_WEBHOOK_SECRET
        if not secret:
            return Response(
                {"detail": "Acknowledgements are not accepted: no RRCG secret is configured."},
                status=status.HTTP_503_SERVICE_UNAVAILABLE,
            )
        if not rrcg.signature_valid(raw, secret, request.headers.get(rrcg.SIGNATURE_HEADER)):
            return Response(
                {"detail": "Missing or wrong X-Baikoo-Signature."},
                status=status.HTTP_401_UNAUTHORIZED,
                headers={"WWW-Authenticate": 'Signature realm="baikoo"'},
            )
        body = load_json(raw or b"{}")
        serializer = AcknowledgeSerializer(data=body if isinstance(body, dict) else {})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if str(data["escalation_id"]) != str(pk).lower():
            return Response(
                {"escalation_id": ["This acknowledgement is for another escalation."]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        row = get_object_or_404(Escalation, pk=data["escalation_id"])
        row = escalation.escalation_acknowledge(
            escalation_id=row.pk, reference=data["reference"], note=data["note"]
        )
        return Response(AcknowledgedSerializer(row).data)
