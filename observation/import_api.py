"""The API side of the imports: ``POST /api/v1/candidates/import/`` here, and the request
and report shapes that ``POST /api/v1/voter-snapshots/import/`` shares.

Both take multipart ``file``, ``election`` and ``commit`` (``false``: preview, the
default; ``true``: import). The answer is the import report: 200 when the file is valid
(``committed`` says whether it was imported), 400 with the same report when a row has an
error (``errors`` lists row, column and message; nothing is written), or 400 with
``{"file": [...]}`` when the file itself cannot be read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view, parser_classes, permission_classes
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from observation.imports import candidate_import
from observation.kernel.tabular import ImportReport
from observation.models import Election
from observation.policies import REFERENCE_DATA


class ImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The .csv (UTF-8) or .xlsx file.")
    election = serializers.PrimaryKeyRelatedField(
        queryset=Election.objects.all(), help_text="The election the rows belong to."
    )
    commit = serializers.BooleanField(
        default=False,
        help_text="false (default): preview only, nothing is written; "
        "true: import every row in one transaction, or none if any row has an error.",
    )


class ImportRowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="Row number as in the file; the header is row 1.")
    column = serializers.CharField(help_text="Empty when the problem is the whole row.")
    message = serializers.CharField()


class ImportRowSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    action = serializers.ChoiceField(choices=["create", "update", "unchanged"])
    label = serializers.CharField()
    changes = serializers.DictField(
        child=serializers.ListField(child=serializers.JSONField()),
        help_text="field: [old value, new value]",
    )


class ImportCountsSerializer(serializers.Serializer):
    create = serializers.IntegerField()
    update = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    errors = serializers.IntegerField()


class ImportReportSerializer(serializers.Serializer):
    kind = serializers.CharField()
    filename = serializers.CharField()
    sha256 = serializers.CharField()
    committed = serializers.BooleanField()
    valid = serializers.BooleanField()
    counts = ImportCountsSerializer()
    rows = ImportRowSerializer(many=True)
    errors = ImportRowErrorSerializer(many=True)
    summary = serializers.ListField(
        child=serializers.DictField(child=serializers.JSONField()),
        help_text="Per import kind: the candidate import gives counts per party list.",
    )


def import_schema(summary: str) -> Callable:
    return extend_schema(
        summary=summary,
        request={"multipart/form-data": ImportRequestSerializer},
        responses={
            200: ImportReportSerializer,
            400: OpenApiResponse(
                ImportReportSerializer,
                description="A row has an error (the report lists them; nothing was "
                'written), or the file cannot be read ({"file": [...]}).',
                examples=[
                    OpenApiExample(
                        "Unreadable file",
                        value={"file": ["The file is not UTF-8 text ..."]},
                        status_codes=["400"],
                        response_only=True,
                    )
                ],
            ),
        },
    )


def run_import(request: Request, service: Callable[..., ImportReport]) -> Response:
    """Parse the request, run ``service`` and answer with its report."""
    params = ImportRequestSerializer(data=request.data)
    params.is_valid(raise_exception=True)
    report = service(
        actor=request.user,
        file=params.validated_data["file"],
        election=params.validated_data["election"],
        commit=params.validated_data["commit"],
    )
    code = status.HTTP_200_OK if report.is_valid else status.HTTP_400_BAD_REQUEST
    return Response(report.as_dict(), status=code)


@import_schema("Import candidates from a CSV or XLSX file (preview or commit)")
@api_view(["POST"])
@parser_classes([MultiPartParser, FormParser])
@permission_classes([REFERENCE_DATA.api_permission()])
def candidates_import(request: Request, *args: Any, **kwargs: Any) -> Response:
    return run_import(request, candidate_import)
