from __future__ import annotations

from typing import Any

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from observation.import_api import ImportRequestSerializer, import_schema, run_import
from observation.models import Election
from voters.models import VoterListSnapshot
from voters.policies import VOTER_SNAPSHOTS
from voters.queries import snapshots
from voters.serializers import VoterSnapshotSerializer
from voters.services import voter_snapshot_delete, voter_snapshot_import, voter_snapshot_save


class VoterSnapshotFilter(django_filters.FilterSet):
    election = django_filters.ModelChoiceFilter(
        field_name="commission__election",
        queryset=Election.objects.all(),
        label="Election (of the snapshot's commission)",
    )

    class Meta:
        model = VoterListSnapshot
        fields = ["commission", "stage", "election"]


@extend_schema_view(
    list=extend_schema(summary="Voter-list snapshots, filterable by commission and stage"),
    create=extend_schema(summary="Record a voter-list snapshot"),
)
class VoterSnapshotViewSet(viewsets.ModelViewSet):
    """``/api/v1/voter-snapshots/``: read by every role, written by analysts and
    administrators. Writes go through ``voters.services``."""

    serializer_class = VoterSnapshotSerializer
    permission_classes = [VOTER_SNAPSHOTS.api_permission()]
    filterset_class = VoterSnapshotFilter
    ordering_fields = ["as_of", "total", "stage", "commission"]

    def get_queryset(self):
        return snapshots()

    def perform_create(self, serializer: VoterSnapshotSerializer) -> None:
        serializer.instance = voter_snapshot_save(
            actor=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer: VoterSnapshotSerializer) -> None:
        current = serializer.instance
        values: dict[str, Any] = {
            name: getattr(current, name)
            for name in VoterSnapshotSerializer.Meta.fields
            if name != "id"
        }
        values.update(serializer.validated_data)
        serializer.instance = voter_snapshot_save(
            actor=self.request.user, snapshot=current, **values
        )

    def perform_destroy(self, instance: VoterListSnapshot) -> None:
        voter_snapshot_delete(actor=self.request.user, snapshot=instance)

    @import_schema("Import voter-list snapshots from a CSV or XLSX file (preview or commit)")
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        url_name="import",
        parser_classes=[MultiPartParser, FormParser],
        serializer_class=ImportRequestSerializer,
        filterset_class=None,
        pagination_class=None,
    )
    def import_file(self, request: Request) -> Response:
        return run_import(request, voter_snapshot_import)
