"""The incidents API (docs/api.md): thin views over ``services.filing``, ``queries``
and ``policies``. An ``id`` taken by another report is a 409 (``IncidentConflict``,
answered by ``observation.kernel.api.exception_handler``)."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.drainage import set_override
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings

from incidents import policies, queries
from incidents.models import Evidence, Incident
from incidents.serializers import (
    EvidenceSerializer,
    EvidenceUploadSerializer,
    IncidentCreateSerializer,
    IncidentSerializer,
)
from incidents.services import filing
from observation.kernel import statements
from observation.kernel.api import Pagination
from observation.kernel.tokens import ExpiringTokenAuthentication


class TokenAuthentication(ExpiringTokenAuthentication):
    """The project's expiring token authentication, reading the user's observer profile in
    the same query: the permission check asks for the user's role right after (one query
    less)."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        if _TOKEN_LOOKUP.get("template", _UNBUILT) is _UNBUILT:
            try:
                _TOKEN_LOOKUP["template"] = statements.Template.build(
                    lambda slots: self._lookup(slots.text("key"))
                )
            except statements.NotCacheable:
                _TOKEN_LOOKUP["template"] = None
        template = _TOKEN_LOOKUP["template"]
        if template is None:
            return self.check_token(next(iter(self._lookup(key)), None))
        # The same query, compiled once per process and prepared once per connection
        # (observation.kernel.statements; docs/benchmarks.md, filing).
        return self.check_token(template.first({"key": key}))

    def _lookup(self, key: str) -> Any:
        model = self.get_model()
        return model.objects.select_related("user", "user__observer_profile").filter(key=key)[:1]


_UNBUILT = object()
_TOKEN_LOOKUP: dict[str, Any] = {}


# The schema's ``tokenAuth`` scheme is DRF's, and this class is DRF's token scheme (same
# header, same keyword); tell drf-spectacular the two share the name on purpose.
set_override(TokenAuthentication, "suppress_collision_warning", True)


@extend_schema_view(
    list=extend_schema(
        summary="Incidents you may see, filterable",
        parameters=[
            OpenApiParameter(
                "search",
                str,
                description="Text in the reference, place or description, in any case.",
            )
        ],
    ),
    retrieve=extend_schema(summary="One incident"),
)
class IncidentViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Incidents filed by observers. LTOs see their own, coordinators their districts'
    and the staff all of them; witness data only where docs/roles.md allows."""

    serializer_class = IncidentSerializer
    # The project's authentication, with the token lookup that also reads the profile.
    # Kept for its measured gain (docs/benchmarks.md, filing benchmark, profile of
    # ``filing-token``): the permission check after it fell from 0.7 ms to 0.03 ms, one
    # query of the 9 a filing made; tests/incidents/test_filing_queries.py holds the 8.
    authentication_classes = [
        TokenAuthentication if scheme is ExpiringTokenAuthentication else scheme
        for scheme in api_settings.DEFAULT_AUTHENTICATION_CLASSES
    ]
    permission_classes = [policies.INCIDENTS.api_permission()]
    filterset_fields = [
        "status", "kind", "district", "election", "party", "pec", "source", "severity",
    ]  # fmt: skip
    ordering_fields = ["occurred_at", "reported_at", "ref"]
    ordering = ["-occurred_at", "ref"]
    lookup_value_regex = "[0-9a-fA-F-]{36}"

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # The number of matches from the kept counts when they can say (staff, filters
        # among status, kind, district, election, party): no COUNT over every incident.
        count = queries.list_count(request.user, request.query_params)
        if count is not None:
            self._paginator = Pagination.counted(count)
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        incidents = queries.incidents_for(self.request.user)
        if self.action == "list":
            incidents = queries.search_incidents(
                incidents, self.request.query_params.get("search", "")[:200]
            )
        return incidents

    @extend_schema(
        summary="File an incident (idempotent)",
        request=IncidentCreateSerializer,
        responses={
            201: IncidentSerializer,
            200: OpenApiResponse(IncidentSerializer, "Already received: the stored incident."),
            400: OpenApiResponse(OpenApiTypes.OBJECT, "Invalid: messages by field."),
            409: OpenApiResponse(OpenApiTypes.OBJECT, "This id belongs to another report."),
        },
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = IncidentCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        incident, created = filing.incident_file(actor=request.user, **serializer.validated_data)
        if created:
            # Everything the response shows is loaded already; a new report has no files.
            incident.evidence_count = 0
        else:
            incident = self.get_queryset().get(pk=incident.pk)
        return Response(
            IncidentSerializer(incident, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(
        methods=["GET"],
        summary="Evidence files of an incident",
        responses=EvidenceSerializer(many=True),
    )
    @extend_schema(
        methods=["POST"],
        summary="Attach an evidence file (multipart `file`)",
        request={"multipart/form-data": EvidenceUploadSerializer},
        responses={
            201: EvidenceSerializer,
            200: OpenApiResponse(EvidenceSerializer, "The same file was already attached."),
            400: OpenApiResponse(OpenApiTypes.OBJECT, "Refused: wrong type, too large, ..."),
        },
    )
    @action(
        detail=True,
        methods=["get", "post"],
        parser_classes=[MultiPartParser, FormParser],
        pagination_class=None,
        filterset_fields=[],
        ordering_fields=[],
        filter_backends=[],
    )
    def evidence(self, request: Request, pk: str | None = None) -> Response:
        incident = get_object_or_404(
            policies.visible_incidents(request.user, Incident.objects), pk=pk
        )
        if request.method == "GET":
            files = Evidence.objects.filter(incident=incident).order_by("uploaded_at", "id")
            return Response(EvidenceSerializer(files, many=True).data)
        if not policies.can_add_evidence(request.user, incident):
            raise exceptions.PermissionDenied
        upload = EvidenceUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        evidence, created = filing.evidence_add(
            actor=request.user, incident=incident, file=upload.validated_data["file"]
        )
        return Response(
            EvidenceSerializer(evidence).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
