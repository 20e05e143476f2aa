"""Reads of the triage pages and API: the queue with its filters and counts, and one
incident with everything head office works with. Query counts do not grow with rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import (
    Case,
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from incidents import triage_policies
from incidents.models import (
    Comment,
    Escalation,
    EscalationAttempt,
    Evidence,
    Incident,
    IncidentEvent,
)
from observation.models import Election, Party

UNKNOWN_PARTY = "unknown"
ME = "me"
NOBODY = "none"

_LIFECYCLE_ORDER = Case(
    *[When(status=status, then=Value(i)) for i, status in enumerate(Incident.Status.values)],
    output_field=IntegerField(),
)
SORTS: dict[str, tuple[Any, ...]] = {
    "-reported_at": ("-reported_at", "-ref"),
    "reported_at": ("reported_at", "ref"),
    "-occurred_at": ("-occurred_at", "ref"),
    "occurred_at": ("occurred_at", "ref"),
    "ref": ("ref",),
    "-ref": ("-ref",),
    "district": ("district__name", "ref"),
    "-district": ("-district__name", "ref"),
    "status": (_LIFECYCLE_ORDER.asc(), "-reported_at"),
    "-status": (_LIFECYCLE_ORDER.desc(), "-reported_at"),
    "severity": ("severity", "-reported_at"),
    "-severity": ("-severity", "-reported_at"),
}
DEFAULT_SORT = "-reported_at"


@dataclass
class QueueFilters:
    """What head office narrowed the queue to; every field optional."""

    election: Election | None = None
    district: Any = None
    kind: str = ""
    party: Party | str | None = None  # a Party, UNKNOWN_PARTY, or None for any
    statuses: list[str] = field(default_factory=list)
    assignee: Any = None  # a user, ME, NOBODY, or None for anyone
    severity: str = ""
    occurred_from: dt.date | None = None
    occurred_to: dt.date | None = None
    text: str = ""
    sort: str = DEFAULT_SORT


def _day_start(day: dt.date) -> dt.datetime:
    # Bounds as aware datetimes (not ``__date``) so the occurred_at index can be used.
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _filtered(user: Any, filters: QueueFilters, *, with_status: bool) -> QuerySet[Incident]:
    incidents = triage_policies.triage_incidents(user, Incident.objects.all())
    f = filters
    if f.election is not None:
        incidents = incidents.filter(election=f.election)
    if f.district is not None:
        incidents = incidents.filter(district=f.district)
    if f.kind:
        incidents = incidents.filter(kind=f.kind)
    if f.party == UNKNOWN_PARTY:
        incidents = incidents.filter(party__isnull=True)
    elif f.party is not None:
        incidents = incidents.filter(party=f.party)
    if with_status and f.statuses:
        incidents = incidents.filter(status__in=f.statuses)
    if f.assignee == ME:
        incidents = incidents.filter(assignee=user)
    elif f.assignee == NOBODY:
        incidents = incidents.filter(assignee__isnull=True)
    elif f.assignee is not None:
        incidents = incidents.filter(assignee=f.assignee)
    if f.severity:
        incidents = incidents.filter(severity=f.severity)
    if f.occurred_from:
        incidents = incidents.filter(occurred_at__gte=_day_start(f.occurred_from))
    if f.occurred_to:
        incidents = incidents.filter(
            occurred_at__lt=_day_start(f.occurred_to + dt.timedelta(days=1))
        )
    if f.text:
        text = f.text.strip()
        incidents = incidents.filter(
            Q(ref__icontains=text) | Q(location__icontains=text) | Q(description__icontains=text)
        )
    return incidents


def _evidence_count() -> Coalesce:
    # A correlated subquery rather than JOIN + GROUP BY: the page's COUNT(*) skips it, and
    # PostgreSQL evaluates it only for the rows of the page.
    per_incident = (
        Evidence.objects.filter(incident=OuterRef("pk"))
        .order_by()
        .values("incident")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(per_incident, output_field=IntegerField()), 0)


def triage_queue(user: Any, filters: QueueFilters) -> QuerySet:
    """The ids of the incidents matching ``filters``, in the chosen order. A page of
    them is cheap to find at any size (no joins, narrow rows); ``queue_rows`` then loads
    what the page shows, for those ids only."""
    order = SORTS.get(filters.sort, SORTS[DEFAULT_SORT])
    return _filtered(user, filters, with_status=True).order_by(*order).values_list("pk", flat=True)


def queue_rows(ids: list[Any]) -> list[Incident]:
    """The incidents ``ids``, in that order, with what a queue row shows: two queries
    (the rows, their escalations) for a page of any size."""
    rows = (
        Incident.objects.filter(pk__in=list(ids))
        .select_related("election", "district", "party", "assignee", "reported_by")
        .annotate(evidence_count=_evidence_count())
        .prefetch_related(
            Prefetch(
                "escalations",
                queryset=Escalation.objects.only(
                    "id", "incident_id", "status", "created_at"
                ).order_by("-created_at"),
                to_attr="escalation_list",
            )
        )
    )
    by_id = {row.pk: row for row in rows}
    return [by_id[pk] for pk in ids if pk in by_id]


def status_counts(user: Any, filters: QueueFilters) -> dict[str, int]:
    """How many incidents each status has under the other filters (one query), so the
    counts stay meaningful while a status is chosen."""
    rows = (
        _filtered(user, filters, with_status=False)
        .order_by()
        .values("status")
        .annotate(n=Count("*"))  # COUNT(*): an index-only scan of a status index suffices
    )
    counts = dict.fromkeys(Incident.Status.values, 0)
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def assignable_users() -> QuerySet:
    return (
        get_user_model()
        .objects.filter(
            is_active=True, observer_profile__role__in=[r.value for r in triage_policies.ASSIGNABLE]
        )
        .order_by("first_name", "last_name", "username")
    )


# --- one incident ---------------------------------------------------------------------------


def staff_incident(user: Any, pk: Any) -> Incident:
    """One incident for the staff page, with its evidence, timeline, comments,
    escalations and their attempts, and its duplicates: a fixed number of queries.
    Raises ``Incident.DoesNotExist`` when ``user`` may not see it."""
    return (
        triage_policies.triage_incidents(user, Incident.objects.all())
        .select_related(
            "election",
            "district",
            "party",
            "pec",
            "candidate",
            "reported_by",
            "assignee",
            "duplicate_of",
        )
        .prefetch_related(
            "evidence",
            Prefetch(
                "events",
                queryset=IncidentEvent.objects.select_related("actor__observer_profile").order_by(
                    "at", "id"
                ),
            ),
            Prefetch(
                "comments",
                queryset=Comment.objects.select_related("author__observer_profile").order_by(
                    "created_at", "id"
                ),
            ),
            Prefetch(
                "escalations",
                queryset=Escalation.objects.select_related("created_by")
                .prefetch_related(
                    Prefetch(
                        "attempts",
                        queryset=EscalationAttempt.objects.order_by("started_at", "id"),
                    )
                )
                .order_by("-created_at"),
            ),
            Prefetch(
                "duplicates",
                queryset=Incident.objects.only("id", "ref", "status", "duplicate_of_id").order_by(
                    "ref"
                ),
            ),
        )
        .get(pk=pk)
    )


def escalations_for(user: Any) -> QuerySet[Escalation]:
    if not triage_policies.ESCALATIONS.can_read(user):
        return Escalation.objects.none()
    return (
        Escalation.objects.select_related("incident", "created_by")
        .prefetch_related(
            Prefetch("attempts", queryset=EscalationAttempt.objects.order_by("started_at", "id"))
        )
        .order_by("-created_at")
    )


def triage_summary() -> dict[str, int]:
    """Counts for head office's home panel (two queries)."""
    counts = dict.fromkeys(Incident.Status.values, 0)
    counts.update(
        {
            row["status"]: row["n"]
            for row in Incident.objects.order_by().values("status").annotate(n=Count("pk"))
        }
    )
    escalations = {
        row["status"]: row["n"]
        for row in Escalation.objects.order_by().values("status").annotate(n=Count("pk"))
    }
    counts["escalations_pending"] = escalations.get(Escalation.Status.PENDING, 0)
    counts["escalations_failed"] = escalations.get(Escalation.Status.FAILED, 0)
    return counts
