"""Reads of the reports app, shared by pages, the API, the tasks and the benchmark."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Prefetch, QuerySet

from incidents import queries as incident_queries
from incidents.models import Escalation, Incident
from observation.models import Election
from reports import compute
from reports.document import KIND_LABELS, Document, build_document
from reports.exports import FORMATS
from reports.models import (
    Abbreviation,
    ContextFigure,
    ExportJob,
    Recommendation,
    Report,
    ReportSection,
    SectionImage,
)


def reports_list() -> QuerySet[Report]:
    return Report.objects.select_related("election", "created_by").order_by("-created_at", "-id")


def report_with_parts(queryset: QuerySet[Report] | None = None) -> QuerySet[Report]:
    """Reports with everything an export needs, in a fixed number of queries."""
    return (
        (queryset if queryset is not None else Report.objects.all())
        .select_related("election", "created_by", "published_by", "snapshot", "publisher")
        .prefetch_related(
            Prefetch("context_figures", queryset=ContextFigure.objects.order_by("order", "id")),
            Prefetch("images", queryset=SectionImage.objects.order_by("order", "id")),
            Prefetch("sections", queryset=ReportSection.objects.order_by("order")),
            Prefetch("recommendations", queryset=Recommendation.objects.order_by("order", "id")),
            Prefetch("abbreviations", queryset=Abbreviation.objects.order_by("order", "id")),
        )
    )


def report_data(report: Report) -> dict[str, Any]:
    """A published report's frozen data; a draft's data computed now."""
    if report.is_published:
        return report.snapshot.data
    return compute.report_data(report)


def report_document(report: Report, data: dict[str, Any] | None = None) -> Document:
    return build_document(
        report=report,
        data=data if data is not None else report_data(report),
        narratives={s.key: s.body for s in report.sections.all()},
        recommendations=list(report.recommendations.all()),
        abbreviations=list(report.abbreviations.all()),
        images=list(report.images.all()),
    )


def published_file(report: Report, export_format: str) -> bytes | None:
    """The frozen file of a published report, or ``None`` while a worker still renders
    it (or after its rendering failed: exporting that format again fills it)."""
    stored = report.snapshot.file_for(export_format)
    return stored.read() if stored else None


def publication_files(report: Report, jobs: list[ExportJob]) -> dict[str, str]:
    """For a published report, each format's file: "ready", "rendering" (a job is queued
    or running) or "missing" (its rendering failed: exporting the format again fills it).
    ``jobs`` are the report's latest export jobs, newest first."""
    if not report.is_published:
        return {}
    active = {
        j.format for j in jobs if j.status in (ExportJob.Status.QUEUED, ExportJob.Status.RUNNING)
    }
    return {
        f: "ready" if report.snapshot.file_for(f) else "rendering" if f in active else "missing"
        for f in FORMATS
    }


def latest_export_jobs(report: Report, limit: int = 5) -> list[ExportJob]:
    return list(report.export_jobs.select_related("requested_by").order_by("-created_at")[:limit])


# --- dashboard ----------------------------------------------------------------------


def dashboard_election(election_id: Any = None) -> Election | None:
    elections = Election.objects.order_by("-election_day", "name")
    if election_id:
        try:
            return elections.filter(pk=int(election_id)).first() or elections.first()
        except (TypeError, ValueError):
            pass
    return elections.first()


def dashboard_window(election: Election, *, max_days: int = 62) -> tuple[dt.date, dt.date]:
    """The days the dashboard's "per day" chart shows: the election's period, from the
    start of observation to election day (or the end of observation when later), not the
    days that happen to have incidents; at most ``max_days``, the last ones."""
    last = max(election.observation_end, election.election_day)
    first = max(election.observation_start, last - dt.timedelta(days=max_days - 1))
    return first, last


def dashboard_data(
    election: Election, *, max_days: int = 62, include_under_review: bool = False
) -> dict[str, Any]:
    """Incidents of the election confirmed by head office (and those still under review
    when ``include_under_review``) over the election period by form, by district and by
    party; how many of them are dated within the observation period (``in_period``: what
    the report counts); how many are under review; the latest incidents; escalations
    pending or failed. A fixed number of queries."""
    statuses = list(incident_queries.CONFIRMED)
    if include_under_review:
        statuses += incident_queries.UNDER_REVIEW
    # The counts come from the incidents app's kept counts (docs/incidents.md#kept-counts):
    # their cost does not follow the number of incidents.
    under_review = incident_queries.election_count(election, incident_queries.UNDER_REVIEW)
    first, last = dashboard_window(election, max_days=max_days)
    # One read of the days gives the chart and how many of the counted incidents the
    # report would count: those of the observation period (docs/reports.md#violations).
    period = (election.observation_start, election.observation_end)
    days: dict[dt.date, dict[str, int]] = defaultdict(lambda: dict.fromkeys(KIND_LABELS, 0))
    in_period = 0
    span = (min(first, period[0]), max(last, period[1]))
    for row in incident_queries.election_per_day(election, statuses, *span):
        if first <= row["day"] <= last:
            days[row["day"]][row["kind"]] += row["n"]
        if period[0] <= row["day"] <= period[1]:
            in_period += row["n"]
    timeline: list[tuple[dt.date, dict[str, int]]] = []
    day = first
    while day <= last:
        timeline.append((day, days.get(day, dict.fromkeys(KIND_LABELS, 0))))
        day += dt.timedelta(days=1)
    by_district = incident_queries.election_by_district(election, statuses)
    by_party = incident_queries.election_by_party(election, statuses)
    latest = list(
        Incident.objects.filter(election=election)
        .select_related("district", "party")
        .only(
            "id",
            "ref",
            "kind",
            "status",
            "occurred_at",
            "reported_at",
            "district__name",
            "party__name",
        )  # fmt: skip
        .order_by("-reported_at")[:10]
    )
    escalations = list(
        Escalation.objects.filter(
            incident__election=election,
            status__in=[Escalation.Status.PENDING, Escalation.Status.FAILED],
        )
        .select_related("incident", "incident__district")
        .only(
            "id",
            "status",
            "created_at",
            "attempt_count",
            "last_error",
            "next_attempt_at",
            "incident__id",
            "incident__ref",
            "incident__kind",
            "incident__district__name",
        )  # fmt: skip
        .order_by("status", "-created_at")[:20]
    )
    return {
        "election": election,
        "total": sum(row["n"] for row in by_district),
        "in_period": in_period,
        "under_review": under_review,
        "includes_under_review": include_under_review,
        "timeline": timeline,
        "by_district": by_district,
        "by_party": by_party,
        "latest": latest,
        "escalations": escalations,
    }
