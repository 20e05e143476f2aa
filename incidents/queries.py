"""Reads of incidents shared by pages, API and the reports app: filing, the triage queue
and the staff's incident page. Each returns a queryset or plain data whose query count
does not grow with the number of rows."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from commissions.models import Commission, Complaint
from incidents import policies, rrcg, tallies
from incidents.details import KINDS
from incidents.models import (
    Comment,
    DayTally,
    DistrictTally,
    Escalation,
    EscalationAttempt,
    Evidence,
    Incident,
    IncidentEvent,
    PartyTally,
)
from incidents.policies import filing_districts, visible_incidents
from observation.kernel.access import role_of
from observation.kernel.roles import Role
from observation.kernel.search import contains_text
from observation.models import District, Election, Party, PartyList

SEARCH_FIELDS = ["ref", "location", "description"]
"""What a text search looks in (triage page and API, incidents API ``?search=``)."""
NOT_COUNTED = (Incident.Status.REJECTED, Incident.Status.DUPLICATE)
# What head office has confirmed (docs/reports.md#violations): a report and the dashboard
# count these by default; the others still in triage are stated apart as "under review".
CONFIRMED = (Incident.Status.VERIFIED, Incident.Status.ESCALATED, Incident.Status.CLOSED)
UNDER_REVIEW = (Incident.Status.SUBMITTED, Incident.Status.IN_REVIEW, Incident.Status.NEEDS_INFO)
UNKNOWN_PARTY = "unknown"


def incidents_for(user: Any) -> QuerySet[Incident]:
    """The incidents ``user`` may see, with what lists and detail pages show."""
    incidents = Incident.objects.select_related(
        "election", "district", "party", "pec", "candidate", "reported_by"
    ).annotate(evidence_count=_evidence_count())
    return visible_incidents(user, incidents)


def _evidence_count() -> Coalesce:
    # A subquery rather than a join + GROUP BY: a paginated list's COUNT(*) then skips it.
    per_incident = (
        Evidence.objects.filter(incident=OuterRef("pk"))
        .order_by()
        .values("incident")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(per_incident, output_field=IntegerField()), 0)


def open_questions() -> QuerySet[Comment]:
    return Comment.objects.filter(
        visibility=Comment.Visibility.QUESTION_TO_LTO, answered_at__isnull=True
    ).order_by("created_at")


MY_REPORT_FIELDS = (
    *("id", "ref", "kind", "status", "severity", "occurred_at", "reported_at", "location"),
    "district__name",
)
"""What an observer's list of reports shows (*My reports*, the home panel): loading the
whole incident took as long as drawing it (docs/benchmarks.md, triage)."""


def my_reports(user: Any) -> QuerySet[Incident]:
    """What ``user`` filed, newest first (``MY_REPORT_FIELDS``), each with head office's
    questions and the answers given and its escalations (three queries for any number
    of reports; pass a page through ``attach_delivery`` for the escalation's delivery
    state)."""
    return (
        Incident.objects.filter(reported_by=user)
        .select_related("district")
        .only(*MY_REPORT_FIELDS)
        .prefetch_related(
            Prefetch(
                "comments",
                queryset=Comment.objects.filter(
                    visibility__in=[
                        Comment.Visibility.QUESTION_TO_LTO,
                        Comment.Visibility.ANSWER_FROM_LTO,
                    ]
                ).order_by("created_at", "id"),
                to_attr="conversation",
            ),
            _escalation_list(),
        )
        .order_by("-reported_at", "-ref")
    )


def my_open_questions(user: Any) -> QuerySet[Comment]:
    return open_questions().filter(incident__reported_by=user).select_related("incident")


def lto_conversation(incident: Incident) -> list[Comment]:
    """Head office's questions to the observer and the observer's answers; internal notes
    never leave head office."""
    return list(
        incident.comments.filter(
            visibility__in=[
                Comment.Visibility.QUESTION_TO_LTO,
                Comment.Visibility.ANSWER_FROM_LTO,
            ]
        )
        .select_related("author")
        .order_by("created_at", "id")
    )


@dataclass(frozen=True)
class Outcome:
    """How head office closed a report's path, for its observer: rejected (with the
    reason given) or merged into another incident (``original``, shown only when
    ``original_visible``)."""

    status: str
    note: str
    at: dt.datetime | None
    original: Incident | None = None
    original_visible: bool = False


def outcome_for(user: Any, incident: Incident) -> Outcome | None:
    """Why ``incident`` was rejected or marked a duplicate (the note of that status
    change), and the incident it was merged into if ``user`` may see it; None for any
    other status. Two queries at most."""
    if incident.status not in NOT_COUNTED:
        return None
    event = (
        incident.events.filter(kind=IncidentEvent.Kind.TRANSITION, to_status=incident.status)
        .order_by("-at", "-id")
        .only("note", "at")
        .first()
    )
    original = None
    visible = False
    if incident.status == Incident.Status.DUPLICATE and incident.duplicate_of_id:
        original = Incident.objects.only("id", "ref", "status", "reported_by", "district").get(
            pk=incident.duplicate_of_id
        )
        visible = policies.can_see_incident(user, original)
    return Outcome(
        status=incident.status,
        note=event.note if event else "",
        at=event.at if event else None,
        original=original,
        original_visible=visible,
    )


def filing_reference(user: Any) -> list[dict[str, Any]]:
    """The districts ``user`` may file in, each with the parties that have a list there
    and its PECs: what the form needs, also kept on the phone for offline use. Three
    queries for any number of districts."""
    districts = (
        filing_districts(user, District.objects.select_related("election"))
        .prefetch_related(
            Prefetch(
                "party_lists",
                queryset=PartyList.objects.select_related("party").order_by("party__name"),
            ),
            Prefetch(
                "commissions",
                queryset=Commission.objects.filter(level=Commission.Level.PEC).order_by("name"),
                to_attr="pecs",
            ),
        )
        .order_by("-election__election_day", "election__name", "name")
    )
    return [
        {
            "id": district.pk,
            "name": district.name,
            "code": district.code,
            "election": district.election_id,
            "election_name": district.election.name,
            "parties": [
                {"id": pl.party_id, "name": pl.party.name} for pl in district.party_lists.all()
            ],
            "pecs": [{"id": pec.pk, "name": pec.name} for pec in district.pecs],
        }
        for district in districts
    ]


# --- numbers for reports -----------------------------------------------------------------


def _period_bounds(
    start: dt.date | dt.datetime, end: dt.date | dt.datetime
) -> tuple[dt.datetime, dt.datetime]:
    """``[start, end)`` as aware datetimes; a date ``end`` includes that whole day in the
    mission's time zone."""
    if not isinstance(start, dt.datetime):
        start = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
    if not isinstance(end, dt.datetime):
        end = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))
    else:
        end = end + dt.timedelta(microseconds=1)
    return start, end


def counted_incidents(
    election: Election | int,
    start: dt.date | dt.datetime | None = None,
    end: dt.date | dt.datetime | None = None,
    *,
    include_under_review: bool = False,
) -> QuerySet[Incident]:
    """The incidents a report counts (docs/lifecycle.md, docs/reports.md#violations): of
    this election, confirmed by head office (verified, escalated, closed), and occurred
    within ``[start, end]`` (dates are whole days; by default the election's observation
    period). ``include_under_review`` adds those still in triage (submitted, in review,
    waiting for the observer); rejected incidents and duplicates never count."""
    if not isinstance(election, Election):
        election = Election.objects.get(pk=election)
    start = election.observation_start if start is None else start
    end = election.observation_end if end is None else end
    lower, upper = _period_bounds(start, end)
    statuses = [*CONFIRMED, *UNDER_REVIEW] if include_under_review else list(CONFIRMED)
    return Incident.objects.filter(
        election=election, occurred_at__gte=lower, occurred_at__lt=upper, status__in=statuses
    )


# --- an election's counts for the dashboard: from the kept counts (docs/incidents.md
# #kept-counts) where the database keeps them, else counted from the incidents; the same
# answer either way, in one query each.


def election_count(election: Election | int, statuses: list[str]) -> int:
    """How many incidents of ``election`` are in one of ``statuses``."""
    if tallies.kept():
        rows = DistrictTally.objects.filter(election=election, status__in=statuses)
        return rows.aggregate(n=Sum("n"))["n"] or 0
    return Incident.objects.filter(election=election, status__in=statuses).count()


def election_by_district(election: Election | int, statuses: list[str]) -> list[dict[str, Any]]:
    """``[{"district__name": ..., "n": ...}]`` for the incidents of ``election`` in
    ``statuses``, most first then by name; districts with none left out."""
    if tallies.kept():
        rows = DistrictTally.objects.filter(election=election, status__in=statuses)
        counted = rows.values("district__name").annotate(n=Sum("n")).filter(n__gt=0)
    else:
        rows = Incident.objects.filter(election=election, status__in=statuses)
        counted = rows.values("district__name").annotate(n=Count("id"))
    return list(counted.order_by("-n", "district__name"))


def election_by_party(election: Election | int, statuses: list[str]) -> list[dict[str, Any]]:
    """``[{"party__name": ..., "n": ...}]`` (``None``: party not known), as
    ``election_by_district``."""
    if tallies.kept():
        rows = PartyTally.objects.filter(election=election, status__in=statuses)
        counted = rows.values("party__name").annotate(n=Sum("n")).filter(n__gt=0)
    else:
        rows = Incident.objects.filter(election=election, status__in=statuses)
        counted = rows.values("party__name").annotate(n=Count("id"))
    return list(counted.order_by("-n", "party__name"))


def election_per_day(
    election: Election | int, statuses: list[str], first: dt.date, last: dt.date
) -> list[dict[str, Any]]:
    """``[{"day": date, "kind": ..., "n": ...}]`` for the incidents of ``election`` in
    ``statuses`` that happened from ``first`` to ``last``, the day in the current time
    zone (``TruncDate``), by day. The per-day tally says in which zone it took each day;
    when that is not the current zone (TIME_ZONE changed and the tallies were not counted
    again: the system check ``incidents.W001`` says so), it is not used and the incidents
    are counted (one query more)."""
    zone = timezone.get_current_timezone_name()
    if tallies.kept():
        rows = list(
            DayTally.objects.filter(election=election, status__in=statuses)
            .values("zone", "day", "kind")
            .annotate(n=Sum("n"))
            .order_by("day", "kind")
        )
        if all(row["zone"] == zone for row in rows):
            return [
                {"day": row["day"], "kind": row["kind"], "n": row["n"]}
                for row in rows
                if first <= row["day"] <= last and row["n"] > 0
            ]
    return list(
        Incident.objects.filter(election=election, status__in=statuses)
        .annotate(day=TruncDate("occurred_at"))
        .filter(day__range=(first, last))
        .values("day", "kind")
        .annotate(n=Count("id"))
        .order_by("day", "kind")
    )


TRANSFERRED = (Escalation.Status.DELIVERED, Escalation.Status.ACKNOWLEDGED)
"""An escalation in these states has reached the RRCG (docs/escalation.md)."""


def transferred_to_rrcg() -> Exists:
    """True for an incident with an escalation the RRCG has: delivered or acknowledged.
    What the report and the dashboard count as "transferred to the RRCG": one that is
    still waiting (for a channel, for its next attempt) or that failed transferred
    nothing. For ``.annotate()`` or ``.filter()`` on an Incident queryset."""
    return Exists(Escalation.objects.filter(incident=OuterRef("pk"), status__in=TRANSFERRED))


# --- where an escalation is on its way (docs/escalation.md "Delivery states") --------------


@dataclass(frozen=True)
class DeliveryState:
    """What the screens say about one escalation: ``code`` is one of ``DELIVERY_CODES``;
    ``at`` the time that goes with it (the next attempt, the delivery, the
    acknowledgement), or None."""

    code: str
    label: str
    at: dt.datetime | None = None

    @property
    def transferred(self) -> bool:
        return self.code in ("delivered", "acknowledged")


DELIVERY_CODES = ("waiting_channel", "queued", "retrying", "delivered", "acknowledged", "failed")


def delivery_state(
    escalation: Escalation, *, channel: bool | None = None, now: dt.datetime | None = None
) -> DeliveryState:
    """Where ``escalation`` is: waiting for a channel (none configured: nothing leaves,
    and no next attempt is promised), queued (due now), retrying at a time, delivered,
    acknowledged, or failed. ``channel`` is ``rrcg.channel_configured()`` (asked once
    for a list)."""
    status = escalation.status
    if status == Escalation.Status.ACKNOWLEDGED:
        label = _("Acknowledged by the RRCG")
        return DeliveryState("acknowledged", label, escalation.acknowledged_at)
    if status == Escalation.Status.DELIVERED:
        return DeliveryState("delivered", _("Delivered to the RRCG"), escalation.delivered_at)
    if status == Escalation.Status.FAILED:
        return DeliveryState("failed", _("Sending to the RRCG failed"))
    if channel is None:
        channel = rrcg.channel_configured()
    if not channel:
        return DeliveryState("waiting_channel", _("Waiting for a channel to the RRCG"))
    now = now or timezone.now()
    due = escalation.next_attempt_at
    if escalation.attempt_count and due is not None and due > now:
        return DeliveryState("retrying", _("Retrying"), due)
    return DeliveryState("queued", _("Queued for sending to the RRCG"))


def with_delivery(escalations: list[Escalation]) -> list[Escalation]:
    """``escalations``, each with ``.delivery`` (its ``DeliveryState``)."""
    channel = rrcg.channel_configured()
    now = timezone.now()
    for e in escalations:
        e.delivery = delivery_state(e, channel=channel, now=now)
    return escalations


def latest_escalation(incident: Incident) -> Escalation | None:
    """The newest of ``incident.escalation_list`` (prefetched), with its delivery state."""
    rows = getattr(incident, "escalation_list", None) or []
    return rows[0] if rows else None


def _escalation_list() -> Prefetch:
    return Prefetch(
        "escalations",
        queryset=Escalation.objects.only(
            "id",
            "incident_id",
            "status",
            "created_at",
            "attempt_count",
            "next_attempt_at",
            "delivered_at",
            "acknowledged_at",
        ).order_by("-created_at"),
        to_attr="escalation_list",
    )


def attach_delivery(incidents: list[Incident]) -> list[Incident]:
    """Give each of ``incidents`` (loaded with ``_escalation_list``) ``.escalation``: its
    newest escalation with its delivery state, or None."""
    channel = rrcg.channel_configured()
    now = timezone.now()
    for incident in incidents:
        latest = latest_escalation(incident)
        if latest is not None:
            latest.delivery = delivery_state(latest, channel=channel, now=now)
        incident.escalation = latest
    return incidents


@dataclass(frozen=True)
class ChannelHealth:
    """Whether escalations can leave, and how the last attempts went (from the stored
    attempts): for head office's triage pages."""

    configured: bool
    problem: str
    last_success: dt.datetime | None
    last_failure: dt.datetime | None
    last_error: str
    waiting: int

    @property
    def healthy(self) -> bool:
        if not self.configured:
            return False
        if self.last_failure is None:
            return True
        return self.last_success is not None and self.last_success > self.last_failure


def channel_health() -> ChannelHealth:
    """Three queries at most: the last successful and failed attempts, the last
    failure's error, the escalations waiting."""
    last = EscalationAttempt.objects.aggregate(
        success=Max("finished_at", filter=Q(outcome=EscalationAttempt.Outcome.DELIVERED)),
        failure=Max(
            "finished_at",
            filter=Q(
                outcome__in=[EscalationAttempt.Outcome.RETRY, EscalationAttempt.Outcome.FAILED]
            ),
        ),
    )
    error = ""
    if last["failure"] is not None:
        error = (
            EscalationAttempt.objects.filter(finished_at=last["failure"])
            .exclude(outcome=EscalationAttempt.Outcome.DELIVERED)
            .values_list("error", flat=True)
            .first()
            or ""
        )
    return ChannelHealth(
        configured=rrcg.channel_configured(),
        problem=rrcg.channel_problem(),
        last_success=last["success"],
        last_failure=last["failure"],
        last_error=error,
        waiting=Escalation.objects.filter(status=Escalation.Status.PENDING).count(),
    )


def violation_counts(
    election: Election | int,
    start: dt.date | dt.datetime | None = None,
    end: dt.date | dt.datetime | None = None,
    *,
    districts: list[str] | None = None,
    parties: list[str] | None = None,
    include_under_review: bool = False,
) -> dict[str, Any]:
    """The numbers of the report's violations section (docs/reports.md ``violations``)::

        {"total": 64, "confirmed": 64, "under_review": 3, "includes_under_review": False,
         "by_kind": {"admin_resource": 6, "vote_buying": 8, "campaign_rules": 50},
         "by_kind_and_party": {"vote_buying": {"Emgek": 1, ..., "unknown": 0}, ...},
         "by_kind_and_district": {"vote_buying": {"Bishkek": 2, ...}, ...},
         "by_party": {"Emgek": 4, ..., "unknown": 2},
         "by_district": {"Bishkek": 15, ...},
         "escalated": 2,
         "escalated_by_kind": {"admin_resource": 0, "vote_buying": 2, ...}}

    Every kind is present; "unknown" counts incidents with no party. By default a party
    or district appears under a kind when it has a counted incident of that kind. Given
    ``districts`` and ``parties`` (the report's tables), every kind shows every one of
    them, zeros included, and every party or district with a counted incident: parties
    sorted then "unknown", the given districts in their order then the others sorted.
    ``escalated`` counts incidents with an escalation to the RRCG that did not fail
    (``transferred_to_rrcg``). ``confirmed`` counts what head office confirmed and
    ``under_review`` what is still in triage; every other number counts the confirmed
    ones only, or both when ``include_under_review``. One grouped query whatever the
    numbers (one more when ``election`` is an id)."""
    grouped = (
        counted_incidents(election, start, end, include_under_review=True)
        .annotate(escalated=transferred_to_rrcg())
        .values("kind", "party__name", "district__name", "escalated", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    confirmed = under_review = 0
    by_kind = dict.fromkeys(KINDS, 0)
    escalated_by_kind = dict.fromkeys(KINDS, 0)
    party_cells: dict[tuple[str, str], int] = {}
    district_cells: dict[tuple[str, str], int] = {}
    for row in grouped:
        kind, n = row["kind"], row["n"]
        if row["status"] in CONFIRMED:
            confirmed += n
        else:
            under_review += n
            if not include_under_review:
                continue
        party = (kind, row["party__name"] or UNKNOWN_PARTY)
        district = (kind, row["district__name"])
        by_kind[kind] += n
        party_cells[party] = party_cells.get(party, 0) + n
        district_cells[district] = district_cells.get(district, 0) + n
        if row["escalated"]:
            escalated_by_kind[kind] += n

    def party_order(names: set[str]) -> list[str]:
        return [*sorted(names - {UNKNOWN_PARTY}), UNKNOWN_PARTY]

    given = list(districts or [])
    all_parties = party_order(set(parties or []) | {p for _k, p in party_cells})
    all_districts = [*given, *sorted({d for _k, d in district_cells} - set(given))]
    if districts is None and parties is None:
        party_keys = {k: party_order({p for kk, p in party_cells if kk == k}) for k in KINDS}
        district_keys = {k: sorted(d for kk, d in district_cells if kk == k) for k in KINDS}
    else:
        party_keys = dict.fromkeys(KINDS, all_parties)
        district_keys = dict.fromkeys(KINDS, all_districts)
    by_kind_and_party = {k: {p: party_cells.get((k, p), 0) for p in party_keys[k]} for k in KINDS}
    by_kind_and_district = {
        k: {d: district_cells.get((k, d), 0) for d in district_keys[k]} for k in KINDS
    }
    return {
        "total": sum(by_kind.values()),
        "confirmed": confirmed,
        "under_review": under_review,
        "includes_under_review": include_under_review,
        "by_kind": by_kind,
        "by_kind_and_party": by_kind_and_party,
        "by_kind_and_district": by_kind_and_district,
        "by_party": {p: sum(by_kind_and_party[k].get(p, 0) for k in KINDS) for p in all_parties},
        "by_district": {
            d: sum(by_kind_and_district[k].get(d, 0) for k in KINDS) for d in all_districts
        },
        "escalated": sum(escalated_by_kind.values()),
        "escalated_by_kind": escalated_by_kind,
    }


# --- triage: the queue with its filters and counts, and one incident with everything head
# office works with ---------------------------------------------------------------------------

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
    incidents = policies.queue_incidents(user, Incident.objects.all())
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
        incidents = search_incidents(incidents, f.text)
    return incidents


def search_incidents(incidents: QuerySet[Incident], text: str) -> QuerySet[Incident]:
    """The incidents whose reference, place or description contains ``text``, in any
    case and script (``observation.kernel.search``). On PostgreSQL each of the three is
    served by a trigram index on its upper case (``Incident.Meta.indexes``)."""
    return contains_text(incidents, SEARCH_FIELDS, text)


def triage_queue(user: Any, filters: QueueFilters) -> QuerySet | list[Any]:
    """The ids of the incidents matching ``filters``, in the chosen order. A page of
    them is cheap to find at any size (no joins, narrow rows); ``queue_rows`` then loads
    what the page shows, for those ids only. With a text search the ids come as a list,
    read in one query, so that counting and paging do not run the search again."""
    order = SORTS.get(filters.sort, SORTS[DEFAULT_SORT])
    ids = _filtered(user, filters, with_status=True).order_by(*order).values_list("pk", flat=True)
    return list(ids) if filters.text.strip() else ids


def queue_with_counts(user: Any, filters: QueueFilters) -> tuple[QuerySet | list[Any], dict]:
    """``(ids, counts)``: the queue's ids in order (``triage_queue``) and how many
    incidents each status has under the other filters (``status_counts``). Two queries;
    ONE with a text search: the matches' ids and statuses, counted and filtered here, so
    the search runs once per page."""
    if not filters.text.strip():
        return triage_queue(user, filters), status_counts(user, filters)
    order = SORTS.get(filters.sort, SORTS[DEFAULT_SORT])
    # The ids as text: a name can match thousands of incidents, and making a UUID of
    # each was a third of the page's search time; ``_in_order`` takes either.
    matches = (
        _filtered(user, filters, with_status=False)
        .order_by(*order)
        .values_list(Cast("pk", output_field=TextField()), "status")
    )
    counts = dict.fromkeys(Incident.Status.values, 0)
    ids = []
    chosen = set(filters.statuses)
    for pk, status in matches:
        counts[status] += 1
        if not chosen or status in chosen:
            ids.append(pk)
    return ids, counts


def queue_rows(ids: list[Any]) -> list[Incident]:
    """The incidents ``ids``, in that order, whole (the triage-queue API serializes
    them): two queries (the rows, their escalations) for a page of any size."""
    rows = Incident.objects.select_related(
        "election", "district", "party", "assignee", "reported_by"
    )
    return _in_order(ids, rows)


QUEUE_ROW_FIELDS = (
    *("id", "ref", "version", "kind", "status", "severity", "reported_at", "occurred_at"),
    *("district__name", "party__name", "assignee__username"),
    *("assignee__first_name", "assignee__last_name"),
)
"""What a row of a queue page shows (``incidents/templatetags/incident_rows.py``)."""


def queue_page_rows(ids: list[Any]) -> list[Incident]:
    """The incidents ``ids``, in that order, with only what a row of a queue page shows
    (``QUEUE_ROW_FIELDS``): a whole incident with its election and observer took twice
    as long to load, per row (docs/benchmarks.md, triage)."""
    rows = Incident.objects.select_related("district", "party", "assignee").only(*QUEUE_ROW_FIELDS)
    return _in_order(ids, rows)


def _in_order(ids: list[Any], rows: QuerySet[Incident]) -> list[Incident]:
    rows = (
        rows.filter(pk__in=list(ids))
        .annotate(evidence_count=_evidence_count())
        .prefetch_related(_escalation_list())
    )
    by_id = {row.pk: row for row in rows}
    wanted = (pk if isinstance(pk, uuid.UUID) else uuid.UUID(pk) for pk in ids)
    return attach_delivery([by_id[pk] for pk in wanted if pk in by_id])


def status_counts(user: Any, filters: QueueFilters) -> dict[str, int]:
    """How many incidents each status has under the other filters (one query), so the
    counts stay meaningful while a status is chosen. From the kept counts when they can
    answer these filters (``_tally_for``), else counted from the incidents."""
    tally = _tally_for(user, filters)
    if tally is not None:
        rows = tally.order_by().values("status").annotate(n=Sum("n"))
    else:
        rows = (
            _filtered(user, filters, with_status=False)
            .order_by()
            .values("status")
            .annotate(n=Count("*"))  # COUNT(*): an index-only scan of a status index suffices
        )
    counts = dict.fromkeys(Incident.Status.values, 0)
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def _tally_for(user: Any, filters: QueueFilters) -> QuerySet | None:
    """The kept counts (docs/incidents.md#kept-counts) narrowed to what ``filters`` and
    ``user``'s scope (``policies.queue_incidents``) select, when they can say it: an
    election, a district, a form and a party, not an assignee, a severity, dates or a text.
    A party with a district, or for a coordinator (limited to districts), needs both
    dimensions, which no tally keeps. None: count the incidents."""
    f = filters
    if not tallies.kept():
        return None
    if f.assignee is not None or f.severity or f.occurred_from or f.occurred_to:
        return None
    if f.text.strip():
        return None
    if f.party is None:
        rows = policies.queue_incidents(user, DistrictTally.objects.all())
        if f.district is not None:
            rows = rows.filter(district=f.district)
    else:
        if f.district is not None or policies.queue_limited_to_districts(user):
            return None
        rows = policies.triage_incidents(user, PartyTally.objects.all())
        if f.party == UNKNOWN_PARTY:
            rows = rows.filter(party__isnull=True)
        else:
            rows = rows.filter(party=f.party)
    if f.election is not None:
        rows = rows.filter(election=f.election)
    if f.kind:
        rows = rows.filter(kind=f.kind)
    return rows


LIST_COUNTED_PARAMS = frozenset({"status", "kind", "district", "election", "party"})
"""The incidents API's filters the kept counts can answer."""
LIST_PAGING_PARAMS = frozenset({"page", "page_size", "ordering", "format"})


def list_count(user: Any, params: Any) -> int | None:
    """How many incidents the incidents API's list selects for ``user`` with the query
    ``params``, from the kept counts (docs/incidents.md#kept-counts), so that a page of it
    costs no COUNT over every incident; None when they cannot say (an observer's or a
    coordinator's list, a search, another filter, a value given twice or not a valid one:
    the list then counts, and its filters answer a bad value with their 400)."""
    if not tallies.kept() or role_of(user) not in policies.SEES_ALL:
        return None
    keys = set(params) - LIST_PAGING_PARAMS
    if not keys <= LIST_COUNTED_PARAMS:
        return None
    values = {}
    for key in keys:
        given = params.getlist(key)
        if len(given) != 1 or not given[0]:
            return None
        values[key] = given[0]
    try:
        ids = {key: int(values[key]) for key in ("district", "election", "party") if key in values}
    except ValueError:
        return None
    if any(not 0 < pk < 2**63 for pk in ids.values()):
        return None
    status, kind = values.get("status", ""), values.get("kind", "")
    if (status and status not in Incident.Status.values) or (
        kind and kind not in Incident.Kind.values
    ):
        return None
    filters = QueueFilters(
        election=ids.get("election"),
        district=ids.get("district"),
        party=ids.get("party"),
        kind=kind,
    )
    if _tally_for(user, filters) is None:
        return None
    counts = status_counts(user, filters)
    return counts[status] if status else sum(counts.values())


def assignable_users() -> QuerySet:
    return (
        get_user_model()
        .objects.filter(
            is_active=True, observer_profile__role__in=[r.value for r in policies.ASSIGNABLE]
        )
        .order_by("first_name", "last_name", "username")
    )


# --- one incident ---------------------------------------------------------------------------


def staff_incident(user: Any, pk: Any) -> Incident:
    """One incident for the staff page, with its evidence, timeline, comments,
    escalations and their attempts, and its duplicates: a fixed number of queries.
    Raises ``Incident.DoesNotExist`` when ``user`` may not see it."""
    return (
        policies.triage_incidents(user, Incident.objects.all())
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
            Prefetch(
                "complaints",
                queryset=Complaint.objects.select_related("commission").order_by(
                    "received_on", "pk"
                ),
            ),
        )
        .get(pk=pk)
    )


def escalations_for(user: Any) -> QuerySet[Escalation]:
    if not policies.ESCALATIONS.can_read(user):
        return Escalation.objects.none()
    return (
        Escalation.objects.select_related("incident", "created_by__observer_profile")
        .prefetch_related(
            Prefetch("attempts", queryset=EscalationAttempt.objects.order_by("started_at", "id"))
        )
        .order_by("-created_at")
    )


def triage_summary() -> dict[str, int]:
    """Counts for head office's home panel (two queries): incidents per status (from the
    kept counts where there are: docs/incidents.md#kept-counts), and
    escalations with the RRCG (delivered or acknowledged), waiting (pending: for a
    channel when none is configured) and failed."""
    counts = dict.fromkeys(Incident.Status.values, 0)
    if tallies.kept():
        per_status = DistrictTally.objects.order_by().values("status").annotate(n=Sum("n"))
    else:
        per_status = Incident.objects.order_by().values("status").annotate(n=Count("pk"))
    counts.update({row["status"]: row["n"] for row in per_status})
    escalations = {
        row["status"]: row["n"]
        for row in Escalation.objects.order_by().values("status").annotate(n=Count("pk"))
    }
    counts["escalations_pending"] = escalations.get(Escalation.Status.PENDING, 0)
    counts["escalations_failed"] = escalations.get(Escalation.Status.FAILED, 0)
    counts["escalations_transferred"] = sum(escalations.get(s, 0) for s in TRANSFERRED)
    counts["channel_configured"] = rrcg.channel_configured()
    return counts


# --- a coordinator's districts: observers' activity, places with no report ------------------

QUIET_DAYS = 3
"""The default of "no report in N days" on the coordinator's quiet-places page."""


@dataclass(frozen=True)
class ObserverActivity:
    user: Any
    districts: list[str]
    last_report: dt.datetime | None
    reports_this_week: int
    open_questions: int


def observer_activity(user: Any, *, now: dt.datetime | None = None) -> list[ObserverActivity]:
    """Each long-term observer covering a district ``user`` watches
    (``policies.watched_districts``), with their last report, how many reports they sent
    in the last seven days and how many of head office's questions wait for their answer;
    the quietest first. Two queries for any number of observers."""
    now = now or timezone.now()
    week_ago = now - dt.timedelta(days=7)
    districts = policies.watched_districts(user)
    mine = Incident.objects.filter(reported_by=OuterRef("pk")).order_by()
    last = mine.order_by("-reported_at").values("reported_at")[:1]
    this_week = (
        mine.filter(reported_at__gte=week_ago).values("reported_by").annotate(n=Count("pk"))
    ).values("n")
    questions = (
        Comment.objects.filter(
            incident__reported_by=OuterRef("pk"),
            visibility=Comment.Visibility.QUESTION_TO_LTO,
            answered_at__isnull=True,
        )
        .order_by()
        .values("incident__reported_by")
        .annotate(n=Count("pk"))
        .values("n")
    )
    observers = (
        get_user_model()
        .objects.filter(
            is_active=True,
            observer_profile__role=Role.LTO,
            observer_profile__districts__in=districts.values("pk"),
        )
        .distinct()
        .annotate(
            last_report=Subquery(last),
            reports_this_week=Coalesce(Subquery(this_week, output_field=IntegerField()), 0),
            open_questions=Coalesce(Subquery(questions, output_field=IntegerField()), 0),
        )
        .prefetch_related(
            Prefetch(
                "observer_profile__districts",
                queryset=District.objects.order_by("name"),
            )
        )
        .select_related("observer_profile")
        .order_by(F("last_report").asc(nulls_first=True), "username")
    )
    return [
        ObserverActivity(
            user=observer,
            districts=[d.name for d in observer.observer_profile.districts.all()],
            last_report=observer.last_report,
            reports_this_week=observer.reports_this_week,
            open_questions=observer.open_questions,
        )
        for observer in observers
    ]


@dataclass(frozen=True)
class QuietPlace:
    """A district or a PEC of a watched district with no report in the window."""

    kind: str  # "district" or "pec"
    name: str
    district: str
    last_report: dt.datetime | None


def quiet_places(
    user: Any, days: int = QUIET_DAYS, *, now: dt.datetime | None = None
) -> list[QuietPlace]:
    """The districts ``user`` watches, and their PECs, with no incident reported in the
    last ``days`` days, each with its last report (None: never). A district's TEC is
    the district here (one TEC per district). Two queries."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=days)
    districts = (
        policies.watched_districts(user)
        .annotate(last_report=Max("incidents__reported_at"))
        .order_by("name")
    )
    pecs = (
        Commission.objects.filter(
            level=Commission.Level.PEC, district__in=policies.watched_districts(user).values("pk")
        )
        .select_related("district")
        .annotate(last_report=Max("incidents__reported_at"))
        .order_by("district__name", "name")
    )
    quiet = [
        QuietPlace("district", d.name, d.name, d.last_report)
        for d in districts
        if d.last_report is None or d.last_report < since
    ]
    quiet += [
        QuietPlace("pec", p.name, p.district.name, p.last_report)
        for p in pecs
        if p.last_report is None or p.last_report < since
    ]
    return quiet


# --- exporting a filtered queue (docs/incidents.md "Export") --------------------------------

EXPORT_BATCH = 500


def export_rows(user: Any, filters: QueueFilters) -> tuple[list[str], Any]:
    """The header and the rows (an iterator of lists of text) of the incidents
    ``filters`` select for ``user``, in the queue's order: what ``user`` may see and no
    more (``policies.can_see_reporter``: who filed it; ``policies.can_see_all_witnesses``:
    the witnesses column). A fixed number of queries per batch of
    ``EXPORT_BATCH`` rows."""
    show_reporter = policies.can_see_reporter(user)
    show_witnesses = policies.can_see_all_witnesses(user)
    header = [
        _("Ref"),
        _("Election"),
        _("District"),
        _("Form"),
        _("Party"),
        _("PEC"),
        _("Happened"),
        _("Received"),
        _("Where"),
        _("Latitude"),
        _("Longitude"),
        _("Status"),
        _("Severity"),
        _("Assigned to"),
        _("RRCG"),
        _("What happened"),
    ]
    if show_reporter:
        header.append(_("Reported by"))
    if show_witnesses:
        header.append(_("Witnesses"))
    ids = list(triage_queue(user, filters))

    def rows() -> Any:
        for start in range(0, len(ids), EXPORT_BATCH):
            batch = ids[start : start + EXPORT_BATCH]
            loaded = {
                i.pk: i
                for i in Incident.objects.filter(pk__in=batch)
                .select_related("election", "district", "party", "pec", "assignee", "reported_by")
                .prefetch_related(_escalation_list())
            }
            incidents = attach_delivery([loaded[pk] for pk in batch if pk in loaded])
            for i in incidents:
                row = [
                    i.ref,
                    i.election.name,
                    i.district.name,
                    i.get_kind_display(),
                    i.party.name if i.party_id else _("Unknown"),
                    i.pec.name if i.pec_id else "",
                    timezone.localtime(i.occurred_at).strftime("%Y-%m-%d %H:%M"),
                    timezone.localtime(i.reported_at).strftime("%Y-%m-%d %H:%M"),
                    i.location,
                    "" if i.latitude is None else str(i.latitude),
                    "" if i.longitude is None else str(i.longitude),
                    i.get_status_display(),
                    i.get_severity_display(),
                    (i.assignee.get_full_name() or i.assignee.get_username())
                    if i.assignee_id
                    else "",
                    str(i.escalation.delivery.label) if i.escalation else "",
                    i.description,
                ]
                if show_reporter:
                    row.append(i.reported_by.get_full_name() or i.reported_by.get_username())
                if show_witnesses:
                    row.append(i.witnesses)
                yield row

    return header, rows()
