"""The ``reports`` collection of the API (docs/api.md): thin views over
``reports.services`` and ``reports.queries``."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from observation.kernel.storage import file_response
from reports import queries, services
from reports.exports import CONTENT_TYPES, FORMATS, filename_for
from reports.models import Abbreviation, ContextFigure, ExportJob, Recommendation, SectionImage
from reports.policies import REPORTS
from reports.sections import SECTION_KEYS
from reports.serializers import (
    AbbreviationSerializer,
    AbbreviationUpdateSerializer,
    ContextFigureSerializer,
    ContextFigureUpdateSerializer,
    ExportJobSerializer,
    ExportRequestSerializer,
    RecommendationSerializer,
    RecommendationUpdateSerializer,
    ReportDataSerializer,
    ReportSectionSerializer,
    ReportSerializer,
    ReportUpdateSerializer,
    SectionImageSerializer,
    SectionImageUpdateSerializer,
    SectionImageUploadSerializer,
    SectionUpdateSerializer,
)


class _FormatIsAParameter(DefaultContentNegotiation):
    """``?format=pdf`` names the export format here, not DRF's renderer; errors are JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def _file(content: bytes, filename: str, export_format: str) -> HttpResponse:
    response = HttpResponse(content, content_type=CONTENT_TYPES[export_format])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


class ReportViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Preliminary reports. Head office and legal experts read; analysts and
    administrators create, edit, export and publish. A published report is frozen."""

    permission_classes = [REPORTS.api_permission()]
    filterset_fields = ["election", "status", "language"]
    ordering_fields = ["created_at", "period_end", "title"]

    def get_queryset(self):
        return queries.report_with_parts(queries.reports_list())

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return ReportUpdateSerializer
        return ReportSerializer

    def perform_create(self, serializer):
        serializer.instance = services.report_create(
            actor=self.request.user,
            **serializer.validated_data,
        )

    def perform_update(self, serializer):
        services.report_update(
            actor=self.request.user, report=serializer.instance, **serializer.validated_data
        )
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)

    @extend_schema(
        responses=ReportDataSerializer,
        summary="The report's computed tables (frozen once published)",
    )
    @action(detail=True, methods=["get"])
    def data(self, request: Request, pk: str | None = None) -> Response:
        return Response(queries.report_data(self.get_object()))

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "format", str, OpenApiParameter.QUERY, required=True, enum=list(FORMATS)
            )
        ],
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The file (published: as frozen)."
            ),
            400: OpenApiResponse(description="Unknown or missing format."),
        },
        summary="Download the report as HTML, PDF, DOCX or XLSX",
    )
    @action(
        detail=True,
        methods=["get"],
        renderer_classes=[JSONRenderer],
        content_negotiation_class=_FormatIsAParameter,
    )
    def export(self, request: Request, pk: str | None = None) -> HttpResponse:
        export_format = request.query_params.get("format", "")
        if export_format not in FORMATS:
            raise DjangoValidationError({"format": f"Choose one of: {', '.join(FORMATS)}."})
        report = self.get_object()
        if not report.is_published and not REPORTS.can_write(request.user):
            # Readers get the published files; exporting drafts is the analysts' job.
            raise NotFound("This report is not published yet.")
        content = services.report_export(
            actor=request.user, report=report, export_format=export_format
        )
        if content is None:
            raise NotFound("The published file is still being prepared; try again shortly.")
        return _file(content, filename_for(report.pk, report.title, export_format), export_format)

    @extend_schema(request=None, responses=ReportSerializer, summary="Publish and freeze")
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str | None = None) -> Response:
        report = services.report_publish(actor=request.user, report=self.get_object())
        return Response(ReportSerializer(self.get_queryset().get(pk=report.pk)).data)

    @extend_schema(
        request=SectionUpdateSerializer,
        responses=ReportSectionSerializer,
        parameters=[OpenApiParameter("key", str, OpenApiParameter.PATH, enum=SECTION_KEYS)],
        summary="Replace a section's narrative (Markdown)",
    )
    @action(detail=True, methods=["patch"], url_path=r"sections/(?P<key>[a-z_]+)")
    def section(self, request: Request, pk: str | None = None, key: str = "") -> Response:
        report = self.get_object()
        payload = SectionUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        section = services.report_section_update(
            actor=request.user, report=report, key=key, **payload.validated_data
        )
        return Response(ReportSectionSerializer(section).data)

    @extend_schema(
        request=ExportRequestSerializer,
        responses={202: ExportJobSerializer},
        summary="Queue an export to be built in the background (the PDF)",
    )
    @action(detail=True, methods=["post"], url_path="export-jobs")
    def export_jobs(self, request: Request, pk: str | None = None) -> Response:
        payload = ExportRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        job = services.export_job_create(
            actor=request.user,
            report=self.get_object(),
            export_format=payload.validated_data["format"],
        )
        return Response(ExportJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class ExportJobViewSet(viewsets.ReadOnlyModelViewSet):
    """Exports built in the background, with their progress (0-100)."""

    permission_classes = [REPORTS.api_permission()]
    serializer_class = ExportJobSerializer
    filterset_fields = ["report", "status", "format"]

    def get_queryset(self):
        if not REPORTS.can_write(self.request.user):
            return ExportJob.objects.none()
        return ExportJob.objects.order_by("-created_at", "-id")

    @extend_schema(
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
        summary="Download the built file",
    )
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer],
            content_negotiation_class=_FormatIsAParameter)  # fmt: skip
    def download(self, request: Request, pk: str | None = None) -> FileResponse:
        job = self.get_object()
        if job.status != ExportJob.Status.DONE or not job.file:
            raise NotFound("The file is not ready.")
        response = file_response(
            job.file,
            filename=job.file.name.rsplit("/", 1)[-1],
            content_type=CONTENT_TYPES[job.format],
        )
        services.export_job_downloaded(actor=request.user, job=job)
        response["X-Content-Type-Options"] = "nosniff"
        return response


class _ReportPartViewSet(viewsets.ModelViewSet):
    permission_classes = [REPORTS.api_permission()]
    filterset_fields = ["report"]
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]
    update_serializer_class = None

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return self.update_serializer_class
        return self.serializer_class


class RecommendationViewSet(_ReportPartViewSet):
    """Recommendations of a report, grouped by addressee in the exports."""

    queryset = Recommendation.objects.order_by("report", "addressee", "order", "id")
    serializer_class = RecommendationSerializer
    update_serializer_class = RecommendationUpdateSerializer
    filterset_fields = ["report", "addressee"]

    def perform_create(self, serializer):
        serializer.instance = services.recommendation_create(
            actor=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.recommendation_update(
            actor=self.request.user,
            recommendation=serializer.instance,
            **serializer.validated_data,
        )

    def perform_destroy(self, instance):
        services.recommendation_delete(actor=self.request.user, recommendation=instance)


class AbbreviationViewSet(_ReportPartViewSet):
    """Abbreviations and acronyms listed at the start of a report."""

    queryset = Abbreviation.objects.order_by("report", "order", "id")
    serializer_class = AbbreviationSerializer
    update_serializer_class = AbbreviationUpdateSerializer

    def perform_create(self, serializer):
        serializer.instance = services.abbreviation_create(
            actor=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.abbreviation_update(
            actor=self.request.user,
            abbreviation=serializer.instance,
            **serializer.validated_data,
        )

    def perform_destroy(self, instance):
        services.abbreviation_delete(actor=self.request.user, abbreviation=instance)


_FROZEN = OpenApiResponse(OpenApiTypes.OBJECT, "The report is published (frozen): nothing changed.")
_REFUSED = OpenApiResponse(OpenApiTypes.OBJECT, "Invalid: messages by field; nothing changed.")


@extend_schema_view(
    create=extend_schema(responses={201: ContextFigureSerializer, 400: _REFUSED, 409: _FROZEN}),
    update=extend_schema(responses={200: ContextFigureSerializer, 400: _REFUSED, 409: _FROZEN}),
    partial_update=extend_schema(
        responses={200: ContextFigureSerializer, 400: _REFUSED, 409: _FROZEN}
    ),
    destroy=extend_schema(responses={204: None, 409: _FROZEN}),
)
class ContextFigureViewSet(_ReportPartViewSet):
    """Context figures: small tables of outside figures with their source, printed in a
    section and charted if asked (numbered with the report's charts)."""

    queryset = ContextFigure.objects.order_by("report", "order", "id")
    serializer_class = ContextFigureSerializer
    update_serializer_class = ContextFigureUpdateSerializer
    filterset_fields = ["report", "section"]

    def perform_create(self, serializer):
        serializer.instance = services.context_figure_create(
            actor=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.context_figure_update(
            actor=self.request.user, figure=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.context_figure_delete(actor=self.request.user, figure=instance)


@extend_schema_view(
    create=extend_schema(
        summary="Add a picture to a section (multipart: report, section, caption, file)",
        request={"multipart/form-data": SectionImageUploadSerializer},
        responses={201: SectionImageSerializer, 400: _REFUSED, 409: _FROZEN},
    ),
    update=extend_schema(responses={200: SectionImageSerializer, 400: _REFUSED, 409: _FROZEN}),
    partial_update=extend_schema(
        responses={200: SectionImageSerializer, 400: _REFUSED, 409: _FROZEN}
    ),
    destroy=extend_schema(responses={204: None, 409: _FROZEN}),
)
class SectionImageViewSet(_ReportPartViewSet):
    """Pictures printed in a report's sections with their captions. Uploads are checked
    as on the page (JPEG or PNG by content, size and pixel limits, metadata removed);
    the file is kept in the private storage and served by ``download``."""

    queryset = SectionImage.objects.order_by("report", "section", "order", "id")
    serializer_class = SectionImageSerializer
    update_serializer_class = SectionImageUpdateSerializer
    filterset_fields = ["report", "section"]

    def create(self, request: Request, *args, **kwargs) -> Response:
        upload = SectionImageUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        image = services.section_image_add(actor=request.user, **upload.validated_data)
        return Response(SectionImageSerializer(image).data, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer):
        serializer.instance = services.section_image_update(
            actor=self.request.user, image=serializer.instance, **serializer.validated_data
        )

    def update(self, request: Request, *args, **kwargs) -> Response:
        super().update(request, *args, **kwargs)
        return Response(SectionImageSerializer(self.get_object()).data)

    def perform_destroy(self, instance):
        services.section_image_delete(actor=self.request.user, image=instance)

    @extend_schema(
        responses={
            (200, "image/jpeg"): OpenApiTypes.BINARY,
            (200, "image/png"): OpenApiTypes.BINARY,
        },
        summary="Download the picture",
    )
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer],
            content_negotiation_class=_FormatIsAParameter)  # fmt: skip
    def download(self, request: Request, pk: str | None = None) -> FileResponse:
        image = self.get_object()
        extension = "jpg" if image.content_type == "image/jpeg" else "png"
        response = file_response(
            image.file,
            filename=f"report-{image.report_id}-image-{image.pk}.{extension}",
            content_type=image.content_type,
        )
        services.section_image_downloaded(actor=request.user, image=image)
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response
