"""Reads of observation's data shared by pages, the API and the reports app.

Each function fixes its query count: aggregation happens in the database, related rows
come with ``select_related``, so a page or a report costs the same number of queries for
three districts as for sixty.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, IntegerField, Max, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from observation.kernel.roles import Role
from observation.models import (
    AuditEntry,
    CalendarEntry,
    Candidate,
    District,
    Election,
    ObserverProfile,
    Party,
    PartyList,
    PartyMeeting,
)
from observation.policies import visible_districts

REGISTERED = Q(status=Candidate.Status.REGISTERED)


def elections_with_counts() -> QuerySet[Election]:
    return Election.objects.annotate(
        district_count=Count("districts", distinct=True),
    ).order_by("-election_day", "name")


def districts_for_user(user: Any) -> QuerySet[District]:
    districts = District.objects.select_related("election").annotate(
        registered_candidates=Count(
            "party_lists__candidates",
            filter=Q(party_lists__candidates__status="registered"),
        )
    )
    return visible_districts(user, districts).order_by("election__name", "name")


# --- The election overview (the seed's Table 3) ------------------------------------------


@dataclass(frozen=True)
class DistrictRow:
    """One district of :func:`election_overview`.

    ``parties`` counts the party lists registered in the district (one per party);
    ``candidates``, ``male`` and ``female`` count *registered* candidates, as Table 3 does;
    ``nominated`` is the sum of the lists' ``nominated_count``; ``denied`` and
    ``withdrawn`` count candidates with that status."""

    district_id: int
    district: str
    code: str
    mandates: int
    threshold_percent: Decimal
    parties: int
    candidates: int
    male: int
    female: int
    nominated: int
    denied: int
    withdrawn: int


@dataclass(frozen=True)
class OverviewTotals:
    """The election as a whole. ``parties`` counts *distinct* parties (a party standing in
    three districts counts once), ``party_lists`` counts lists."""

    mandates: int
    parties: int
    party_lists: int
    candidates: int
    male: int
    female: int
    nominated: int
    denied: int
    withdrawn: int


@dataclass(frozen=True)
class MultiDistrictParty:
    """A party that registered lists in more than one district of the election."""

    party_id: int
    party: str
    districts: tuple[str, ...]


@dataclass(frozen=True)
class ElectionOverview:
    election: Election
    rows: list[DistrictRow]
    totals: OverviewTotals
    multi_district_parties: list[MultiDistrictParty] = field(default_factory=list)


def _count(condition: Q) -> Count:
    return Count("pk", filter=condition)


def election_overview(election: Election) -> ElectionOverview:
    """Per district: mandates, threshold, party lists, registered candidates by gender,
    nominated and denied; totals with distinct parties; parties standing in several
    districts. Always four queries, whatever the number of districts, lists or
    candidates."""
    districts = list(
        District.objects.filter(election=election)
        .annotate(
            list_count=Count("party_lists"),
            nominated=Coalesce(Sum("party_lists__nominated_count"), Value(0)),
        )
        .order_by("name")
    )
    by_district = {
        row["party_list__district"]: row
        for row in Candidate.objects.filter(party_list__district__election=election)
        .order_by()
        .values("party_list__district")
        .annotate(
            registered=_count(REGISTERED),
            male=_count(REGISTERED & Q(gender=Candidate.Gender.MALE)),
            female=_count(REGISTERED & Q(gender=Candidate.Gender.FEMALE)),
            denied=_count(Q(status=Candidate.Status.DENIED)),
            withdrawn=_count(Q(status=Candidate.Status.WITHDRAWN)),
        )
    }
    lists = PartyList.objects.filter(district__election=election)
    distinct = lists.aggregate(
        parties=Count("party", distinct=True), party_lists=Count("pk", output_field=IntegerField())
    )

    empty = {"registered": 0, "male": 0, "female": 0, "denied": 0, "withdrawn": 0}
    rows = []
    for district in districts:
        counts = by_district.get(district.pk, empty)
        rows.append(
            DistrictRow(
                district_id=district.pk,
                district=district.name,
                code=district.code,
                mandates=district.mandates,
                threshold_percent=district.threshold_percent,
                parties=district.list_count,
                candidates=counts["registered"],
                male=counts["male"],
                female=counts["female"],
                nominated=district.nominated,
                denied=counts["denied"],
                withdrawn=counts["withdrawn"],
            )
        )
    totals = OverviewTotals(
        mandates=sum(r.mandates for r in rows),
        parties=distinct["parties"],
        party_lists=distinct["party_lists"],
        candidates=sum(r.candidates for r in rows),
        male=sum(r.male for r in rows),
        female=sum(r.female for r in rows),
        nominated=sum(r.nominated for r in rows),
        denied=sum(r.denied for r in rows),
        withdrawn=sum(r.withdrawn for r in rows),
    )
    return ElectionOverview(
        election=election,
        rows=rows,
        totals=totals,
        multi_district_parties=_multi_district_parties(lists),
    )


def _multi_district_parties(lists: QuerySet[PartyList]) -> list[MultiDistrictParty]:
    several = (
        lists.order_by().values("party").annotate(n=Count("pk")).filter(n__gte=2).values("party")
    )
    found: dict[int, MultiDistrictParty] = {}
    for party_id, party, district in (
        lists.filter(party__in=several)
        .order_by("party__name", "district__name")
        .values_list("party_id", "party__name", "district__name")
    ):
        known = found.get(party_id)
        districts = (*known.districts, district) if known else (district,)
        found[party_id] = MultiDistrictParty(party_id=party_id, party=party, districts=districts)
    return sorted(found.values(), key=lambda p: (-len(p.districts), p.party))


# --- Districts, parties, lists, candidates -------------------------------------------------


def _with_candidate_counts(lists: QuerySet[PartyList]) -> QuerySet[PartyList]:
    """Candidates per list by status and gender, counted in the database (one join)."""
    return lists.annotate(
        registered=Count("candidates", filter=Q(candidates__status="registered")),
        male=Count("candidates", filter=Q(candidates__status="registered", candidates__gender="M")),
        female=Count(
            "candidates", filter=Q(candidates__status="registered", candidates__gender="F")
        ),
        denied=Count("candidates", filter=Q(candidates__status="denied")),
        withdrawn=Count("candidates", filter=Q(candidates__status="withdrawn")),
    )


def party_lists_with_counts() -> QuerySet[PartyList]:
    return _with_candidate_counts(PartyList.objects.all())


def district_party_lists(district: District) -> QuerySet[PartyList]:
    """The lists registered in ``district``, with their candidate counts."""
    lists = PartyList.objects.filter(district=district).select_related("party")
    return _with_candidate_counts(lists).order_by("party__name")


def party_lists_of_party(party: Party) -> QuerySet[PartyList]:
    """Where ``party`` stands: its lists in every district, with candidate counts."""
    lists = PartyList.objects.filter(party=party).select_related("district__election")
    return _with_candidate_counts(lists).order_by(
        "-district__election__election_day", "district__name"
    )


def parties_with_counts(election: Election | None = None) -> QuerySet[Party]:
    """Parties with the number of lists they registered and their registered candidates
    (within ``election`` if given)."""
    scope = Q(lists__district__election=election) if election else Q()
    candidates = Q(lists__candidates__status="registered")
    if election:
        candidates &= scope
    parties = Party.objects.annotate(
        list_count=Count("lists", filter=scope, distinct=True),
        registered=Count("lists__candidates", filter=candidates),
    )
    if election:
        parties = parties.filter(list_count__gt=0)
    return parties.order_by("name")


def next_free_position(party_list: PartyList) -> int:
    """The position after the last one taken on ``party_list``: what a form suggests."""
    last = party_list.candidates.aggregate(last=Max("position"))["last"]
    return (last or 0) + 1


def candidates_of(
    *,
    party: Party | None = None,
    party_list: PartyList | None = None,
    status: str = "",
    gender: str = "",
    district: District | None = None,
) -> QuerySet[Candidate]:
    """Candidates in list order, with their list, party and district in the same query."""
    candidates = Candidate.objects.select_related("party_list__party", "party_list__district")
    if party is not None:
        candidates = candidates.filter(party_list__party=party)
    if party_list is not None:
        candidates = candidates.filter(party_list=party_list)
    if district is not None:
        candidates = candidates.filter(party_list__district=district)
    if status:
        candidates = candidates.filter(status=status)
    if gender:
        candidates = candidates.filter(gender=gender)
    return candidates.order_by("party_list__district__name", "party_list__party__name", "position")


def party_meetings(
    *,
    election: Election | None = None,
    district: District | None = None,
    party: Party | None = None,
) -> QuerySet[PartyMeeting]:
    """Meetings, newest first, with party, district and election in the same query."""
    meetings = PartyMeeting.objects.select_related("party", "district__election")
    if election is not None:
        meetings = meetings.filter(district__election=election)
    if district is not None:
        meetings = meetings.filter(district=district)
    if party is not None:
        meetings = meetings.filter(party=party)
    return meetings.order_by("-date", "party__name", "pk")


def audit_entries(
    *,
    actor: str = "",
    action: str = "",
    target: str = "",
    since: Any = None,
    until: Any = None,
) -> QuerySet:
    """The audit trail, newest first, filtered by who (user name), what (action, a prefix
    such as ``login`` matches ``login.failed``), which object (its name or id) and when
    (dates, inclusive). Reads actor and object type in the same query."""
    entries = AuditEntry.objects.select_related("actor", "content_type")
    if actor:
        entries = entries.filter(actor__username__iexact=actor)
    if action:
        entries = entries.filter(Q(action=action) | Q(action__startswith=f"{action}."))
    if target:
        entries = entries.filter(Q(object_repr__icontains=target) | Q(object_id=target))
    if since:
        entries = entries.filter(at__date__gte=since)
    if until:
        entries = entries.filter(at__date__lte=until)
    return entries.order_by("-at", "-id")


def audit_actions() -> list[str]:
    return list(AuditEntry.objects.order_by("action").values_list("action", flat=True).distinct())


def locked_accounts() -> list[dict[str, Any]]:
    """User names refused for too many failed sign-ins now: their failures within the
    cool-off reach LOGIN_FAILURE_LIMIT (django-axes' attempts, observation.security)."""
    from datetime import timedelta

    from axes.models import AccessAttempt
    from django.conf import settings
    from django.db.models import Max
    from django.utils import timezone

    since = timezone.now() - timedelta(minutes=settings.LOGIN_COOLOFF_MINUTES)
    return list(
        AccessAttempt.objects.filter(attempt_time__gte=since)
        .exclude(username__isnull=True)
        .exclude(username="")
        .values("username")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .filter(failures__gte=settings.LOGIN_FAILURE_LIMIT)
        .order_by("-last")
    )


def calendar_timeline(election: Election) -> list[CalendarEntry]:
    """The election's calendar for its page, in date order (one query), each entry with
    ``days_before`` election day (negative after it) and ``days_after`` it (0 before)."""
    entries = list(CalendarEntry.objects.filter(election=election).order_by("date", "time", "pk"))
    for entry in entries:
        entry.days_before = (election.election_day - entry.date).days
        entry.days_after = max(0, -entry.days_before)
    return entries


def election_calendar(election: Election) -> list[dict[str, Any]]:
    """The election's calendar in date order, as plain data (one query)::

    [{"date": "2021-05-27", "time": None, "kind": "called", "label": "...",
      "reference": "Decree No. 231"}, ...]"""
    entries = CalendarEntry.objects.filter(election=election).order_by("date", "time", "pk")
    return [
        {
            "date": e.date.isoformat(),
            "time": e.time.strftime("%H:%M") if e.time else None,
            "kind": e.kind,
            "label": e.label,
            "reference": e.reference,
        }
        for e in entries
    ]


def observation_mission(election: Election, districts: list[str] | None = None) -> dict[str, Any]:
    """The mission's team, computed from the active accounts (one query): long-term
    observers and coordinators of the election's districts (by district; someone covering
    two districts counts once in the total), and the head office, legal experts and
    analysts::

        {"total": 8, "by_district": {"Bishkek": 4, "Osh": 3, "Tokmok": 1},
         "coordinators": 1, "head_office": 1, "legal_experts": 1, "analysts": 1}

    ``total`` and ``by_district`` count long-term observers (docs/reports.md); every
    district of the election is listed (given as ``districts``, in that order, or read)."""
    rows = (
        ObserverProfile.objects.filter(user__is_active=True)
        .filter(
            Q(role__in=[Role.LTO, Role.COORDINATOR], districts__election=election)
            | Q(role__in=[Role.HEAD_OFFICE, Role.LEGAL, Role.ANALYST])
        )
        .values_list("user_id", "role", "districts__name")
        .order_by()
    )
    ltos: set[int] = set()
    by_district: dict[str, set[int]] = {}
    others: dict[str, set[int]] = {}
    district_names = (
        districts
        if districts is not None
        else list(
            District.objects.filter(election=election)
            .order_by("name")
            .values_list("name", flat=True)
        )
    )
    for user_id, role, district in rows:
        if role == Role.LTO:
            ltos.add(user_id)
            by_district.setdefault(district, set()).add(user_id)
        else:
            others.setdefault(role, set()).add(user_id)
    return {
        "total": len(ltos),
        "by_district": {d: len(by_district.get(d, ())) for d in district_names},
        "coordinators": len(others.get(Role.COORDINATOR, ())),
        "head_office": len(others.get(Role.HEAD_OFFICE, ())),
        "legal_experts": len(others.get(Role.LEGAL, ())),
        "analysts": len(others.get(Role.ANALYST, ())),
    }
