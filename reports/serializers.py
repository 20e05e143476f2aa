from __future__ import annotations

from django.urls import reverse
from rest_framework import serializers

from observation.kernel.api import MAX_LONG_TEXT, text_limits
from reports.models import (
    Abbreviation,
    ContextFigure,
    ExportJob,
    Recommendation,
    Report,
    ReportSection,
    SectionImage,
)
from reports.sections import SECTION_CHOICES


class ReportSectionSerializer(serializers.ModelSerializer):
    title = serializers.CharField(source="get_key_display", read_only=True)

    class Meta:
        model = ReportSection
        fields = ["key", "title", "body", "version", "updated_at"]
        read_only_fields = ["key", "title", "version", "updated_at"]


class SectionUpdateSerializer(serializers.Serializer):
    body = serializers.CharField(allow_blank=True, trim_whitespace=False, max_length=MAX_LONG_TEXT)
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="The version the text was based on; a 400 if someone saved in between.",
    )


class RecommendationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Recommendation
        fields = ["id", "report", "addressee", "text", "order"]
        read_only_fields = ["id"]
        extra_kwargs = text_limits("text")


class RecommendationUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Recommendation
        fields = ["id", "report", "addressee", "text", "order"]
        read_only_fields = ["id", "report"]
        extra_kwargs = text_limits("text")


class AbbreviationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Abbreviation
        fields = ["id", "report", "short", "meaning", "order"]
        read_only_fields = ["id"]


class AbbreviationUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Abbreviation
        fields = ["id", "report", "short", "meaning", "order"]
        read_only_fields = ["id", "report"]


class ContextFigureSerializer(serializers.ModelSerializer):
    rows = serializers.JSONField(
        help_text='The table: pairs of a label and a number, `[["Confirmed cases", 132070], '
        '["Deaths", 2102]]`; 1 to 100 rows, labels of up to 200 characters.'
    )
    order = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=32767,
        help_text="Position among the report's figures; by default after the last.",
    )

    class Meta:
        model = ContextFigure
        fields = ["id", "report", "section", "title", "source", "rows", "chart", "order"]
        read_only_fields = ["id"]


class ContextFigureUpdateSerializer(ContextFigureSerializer):
    class Meta(ContextFigureSerializer.Meta):
        read_only_fields = ["id", "report"]


class SectionImageSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField(
        help_text="The picture (JPEG or PNG, without its metadata), for readers of reports."
    )

    class Meta:
        model = SectionImage
        fields = ["id", "report", "section", "caption", "content_type", "order", "download_url"]
        read_only_fields = fields

    def get_download_url(self, image: SectionImage) -> str:
        return reverse("report-image-download", args=[image.pk])


class SectionImageUploadSerializer(serializers.Serializer):
    """Parsing only; the picture is checked by ``reports.services.section_image_add``, as
    on the page."""

    report = serializers.PrimaryKeyRelatedField(queryset=Report.objects.all())
    section = serializers.ChoiceField(choices=SECTION_CHOICES)
    caption = serializers.CharField(max_length=400)
    file = serializers.FileField(help_text="A JPEG or PNG picture (multipart).")


class SectionImageUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = SectionImage
        fields = ["id", "report", "section", "caption", "content_type", "order"]
        read_only_fields = ["id", "report", "content_type", "order"]


class ReportSerializer(serializers.ModelSerializer):
    sections = ReportSectionSerializer(many=True, read_only=True)
    recommendations = RecommendationSerializer(many=True, read_only=True)
    abbreviations = AbbreviationSerializer(many=True, read_only=True)
    period_start = serializers.DateField(
        required=False, help_text="Defaults to the election's observation period."
    )
    period_end = serializers.DateField(required=False)
    # Read-only strings rather than enums: several apps have a ``status`` enum and the
    # schema would have to rename one of them.
    status = serializers.CharField(read_only=True, help_text="draft or published")

    class Meta:
        model = Report
        fields = [
            "id",
            "election",
            "title",
            "period_start",
            "period_end",
            "language",
            "publisher",
            "issued_on",
            "include_under_review",
            "status",
            "published_at",
            "created_at",
            "updated_at",
            "sections",
            "recommendations",
            "abbreviations",
        ]
        read_only_fields = ["id", "status", "published_at", "created_at", "updated_at"]


class ReportUpdateSerializer(ReportSerializer):
    class Meta(ReportSerializer.Meta):
        read_only_fields = [*ReportSerializer.Meta.read_only_fields, "election"]


class ExportJobSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text="queued, running, done or failed")

    class Meta:
        model = ExportJob
        fields = ["id", "report", "format", "status", "progress", "error", "created_at",
                  "finished_at"]  # fmt: skip
        read_only_fields = fields


class ExportRequestSerializer(serializers.Serializer):
    format = serializers.ChoiceField(choices=ExportJob.Format.choices)


# --- the data contract (docs/api.md), documented in the schema ------------------------


class VoterRowSerializer(serializers.Serializer):
    commission = serializers.CharField()
    pec_count = serializers.IntegerField(allow_null=True)
    preliminary = serializers.IntegerField(allow_null=True)
    control = serializers.IntegerField(allow_null=True)
    final = serializers.IntegerField(allow_null=True)
    change = serializers.IntegerField(allow_null=True)
    male = serializers.IntegerField(allow_null=True)
    female = serializers.IntegerField(allow_null=True)
    male_percent = serializers.FloatField(allow_null=True)
    female_percent = serializers.FloatField(allow_null=True)
    age_18_29 = serializers.IntegerField(allow_null=True)
    age_30_39 = serializers.IntegerField(allow_null=True)
    age_40_49 = serializers.IntegerField(allow_null=True)
    age_50_59 = serializers.IntegerField(allow_null=True)
    age_60_69 = serializers.IntegerField(allow_null=True)
    age_70_plus = serializers.IntegerField(allow_null=True)


class VoterRegistrationSerializer(serializers.Serializer):
    rows = VoterRowSerializer(many=True)
    totals = serializers.DictField()


class DistrictRowSerializer(serializers.Serializer):
    district = serializers.CharField()
    mandates = serializers.IntegerField()
    parties = serializers.IntegerField()
    candidates = serializers.IntegerField()
    male = serializers.IntegerField()
    female = serializers.IntegerField()


class DistrictTotalsSerializer(serializers.Serializer):
    mandates = serializers.IntegerField()
    parties = serializers.IntegerField(help_text="Distinct parties, not lists.")
    candidates = serializers.IntegerField()
    male = serializers.IntegerField()
    female = serializers.IntegerField()


class DistrictsSerializer(serializers.Serializer):
    rows = DistrictRowSerializer(many=True)
    totals = DistrictTotalsSerializer()


class ViolationsSerializer(serializers.Serializer):
    total = serializers.IntegerField(
        help_text="Equals confirmed, unless the report includes incidents under review."
    )
    confirmed = serializers.IntegerField(help_text="Verified, escalated or closed.")
    under_review = serializers.IntegerField(help_text="Submitted, in review or asked about.")
    includes_under_review = serializers.BooleanField()
    complaints = serializers.DictField(
        help_text="received, decided, decided_late, overdue, by_commission"
    )
    by_kind = serializers.DictField(child=serializers.IntegerField())
    by_kind_and_party = serializers.DictField(
        child=serializers.DictField(child=serializers.IntegerField()),
        help_text='Party names as keys; "unknown" counts incidents naming no party.',
    )
    by_kind_and_district = serializers.DictField(
        child=serializers.DictField(child=serializers.IntegerField())
    )
    escalated = serializers.IntegerField(
        help_text="Counted incidents with at least one escalation to the RRCG."
    )


class ReportDataSerializer(serializers.Serializer):
    """Documentation only: the data endpoint returns the computed dict as it is."""

    report = serializers.DictField(
        help_text="id, title, language, status, period, publisher, issued_on, includes_under_review"
    )
    election = serializers.DictField()
    calendar = serializers.ListField(
        child=serializers.DictField(), help_text="date, time, kind, label, reference"
    )
    observers = serializers.DictField(
        help_text="total and by_district (long-term observers), coordinators, head_office, "
        "legal_experts, analysts"
    )
    context_figures = serializers.ListField(
        child=serializers.DictField(), help_text="section, title, source, rows, chart"
    )
    districts = DistrictsSerializer()
    commissions = serializers.DictField()
    voter_registration = VoterRegistrationSerializer()
    campaign = serializers.DictField()
    violations = ViolationsSerializer()
    recommendations = serializers.ListField(
        child=serializers.DictField(), help_text="addressee and text, grouped by addressee"
    )
