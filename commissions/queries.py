"""Reads about commissions shared by pages, API and reports.

Every function here issues a fixed number of queries however many rows there are:
counts come from correlated subqueries, related rows from select_related.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from commissions.models import (
    Commission,
    CommissionDecision,
    CommissionMeeting,
    CommissionMember,
    Complaint,
)
from observation.models import Election

# Chair first, then deputy chair, secretary and members, as commissions list themselves.
ROLE_ORDER = Case(
    When(role=CommissionMember.MemberRole.CHAIR, then=Value(0)),
    When(role=CommissionMember.MemberRole.DEPUTY_CHAIR, then=Value(1)),
    When(role=CommissionMember.MemberRole.SECRETARY, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)


def today() -> dt.date:
    return timezone.localdate()


def default_composition_date(commission: Commission) -> dt.date:
    """The date a commission's page shows its members on when none is asked: today while
    its election is still ahead, else its election day; if nobody serves on that date
    (terms recorded for another period), the start of its latest term. So a 2021
    election does not show 0 members in 2026 (docs/commissions.md)."""
    on = min(today(), commission.election.election_day)
    terms = CommissionMember.objects.filter(commission=commission)
    if terms.filter(serving_on(on)).exists():
        return on
    latest = terms.filter(term_start__lte=today()).order_by("-term_start").first()
    return latest.term_start if latest is not None else on


def serving_on(on: dt.date, prefix: str = "") -> Q:
    """Terms covering ``on``: started on or before it (or on a day not recorded), not
    ended before it. A term whose start is not known covers every day up to its end
    (docs/commissions.md)."""
    return (Q(**{f"{prefix}term_start__lte": on}) | Q(**{f"{prefix}term_start__isnull": True})) & (
        Q(**{f"{prefix}term_end__isnull": True}) | Q(**{f"{prefix}term_end__gte": on})
    )


def overdue_q(as_of: dt.date) -> Q:
    """Complaints still undecided at the end of ``as_of`` although their deadline passed
    before it. A complaint decided after ``as_of`` counts as overdue on that day, so a
    report with a cut-off date gives the same number whenever it is computed."""
    return (
        Q(received_on__lte=as_of, deadline__lt=as_of)
        & ~Q(status=Complaint.Status.WITHDRAWN)
        & (Q(decided_on__isnull=True) | Q(decided_on__gt=as_of))
    )


def decided_late_q() -> Q:
    return Q(status=Complaint.Status.DECIDED, decided_on__gt=F("deadline"))


def _count(model: type, *conditions: Q, link: str = "commission") -> Coalesce:
    rows = (
        model.objects.filter(*conditions, **{link: OuterRef("pk")})
        .order_by()
        .values(link)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


# --- Commissions -----------------------------------------------------------------------


def commissions_with_counts(on: dt.date | None = None) -> QuerySet[Commission]:
    """Commissions with how many members serve on ``on``, how many PECs are recorded
    under them, and their meetings, decisions, open and overdue complaints."""
    on = on or today()
    return Commission.objects.select_related("election", "district", "parent").annotate(
        members_serving=_count(CommissionMember, serving_on(on)),
        pec_rows=_count(Commission, Q(level=Commission.Level.PEC), link="parent"),
        meeting_count=_count(CommissionMeeting),
        decision_count=_count(CommissionDecision),
        open_complaints=_count(Complaint, Q(status__in=Complaint.OPEN_STATUSES)),
        overdue_complaints=_count(Complaint, overdue_q(on)),
    )


@dataclass(frozen=True)
class CommissionTree:
    """One election's commissions as the tree page shows them: the CEC, then its TECs."""

    election: Election | None
    cec: Commission | None
    tecs: QuerySet[Commission]
    pec_total: int


def commission_tree(election: Election | None, on: dt.date | None = None) -> CommissionTree:
    if election is None:
        return CommissionTree(None, None, Commission.objects.none(), 0)
    rows = commissions_with_counts(on).filter(election=election)
    tecs = rows.filter(level=Commission.Level.TEC).order_by("name")
    pec_total = Commission.objects.filter(election=election, level=Commission.Level.TEC).aggregate(
        n=Coalesce(Sum("pec_count"), 0)
    )["n"]
    return CommissionTree(
        election=election,
        cec=rows.filter(level=Commission.Level.CEC).first(),
        tecs=tecs,
        pec_total=pec_total,
    )


def elections_with_commissions() -> QuerySet[Election]:
    return Election.objects.filter(commissions__isnull=False).distinct().order_by("-election_day")


def subordinate_commissions(commission: Commission, on: dt.date | None = None):
    return commissions_with_counts(on).filter(parent=commission).order_by("level", "name")


# --- Composition -----------------------------------------------------------------------


def member_terms(commission: Commission | None = None) -> QuerySet[CommissionMember]:
    terms = CommissionMember.objects.select_related("party", "commission")
    if commission is not None:
        terms = terms.filter(commission=commission)
    return terms


def composition_on(commission: Commission, on: dt.date) -> QuerySet[CommissionMember]:
    """The members of ``commission`` whose term covers ``on``: chair first."""
    return (
        member_terms(commission)
        .filter(serving_on(on))
        .annotate(role_order=ROLE_ORDER)
        .order_by("role_order", "full_name")
    )


@dataclass(frozen=True)
class CompositionChanges:
    joined: list[CommissionMember]
    left: list[CommissionMember]


def composition_changes(commission: Commission, start: dt.date, end: dt.date) -> CompositionChanges:
    """Who took up a term and whose term ended between ``start`` and ``end`` inclusive.
    A term's end is the member's last day, so they are gone the day after."""
    terms = list(
        member_terms(commission)
        .filter(Q(term_start__range=(start, end)) | Q(term_end__range=(start, end)))
        .order_by(F("term_start").asc(nulls_first=True), "full_name")
    )
    return _changes(terms, start, end)


def _changes(terms: list[CommissionMember], start: dt.date, end: dt.date) -> CompositionChanges:
    """``terms`` ordered by start and name. A term whose start is not recorded did not
    join in the period as far as the record knows; its end still counts."""
    return CompositionChanges(
        joined=[t for t in terms if t.term_start is not None and start <= t.term_start <= end],
        left=sorted(
            (t for t in terms if t.term_end and start <= t.term_end <= end),
            key=lambda t: (t.term_end, t.full_name),
        ),
    )


# How long before a report's period a renewal of a commission is still shown beside it.
RENEWAL_LOOKBACK = dt.timedelta(days=30)


@dataclass(frozen=True)
class Renewal:
    """A new composition of a commission took office on ``date``: who served the day
    before (``outgoing``) and who served that day (``incoming``), each with what became
    of them: ``left``, ``re_elected``, ``stayed`` (same term, or a new one not marked
    re-elected) or ``joined``. Only recorded terms are listed; the record may hold part
    of a composition (docs/commissions.md, "Renewal")."""

    date: dt.date
    outgoing: list[tuple[CommissionMember, str]]
    incoming: list[tuple[CommissionMember, str]]

    @property
    def outgoing_on(self) -> dt.date:
        return self.date - dt.timedelta(days=1)


@dataclass(frozen=True)
class PeriodComposition:
    """A commission over a period: who serves on its last day, who joined or left, and
    the renewal of its composition during or just before the period, if any."""

    members: list[CommissionMember]
    changes: CompositionChanges
    renewal: Renewal | None = None


def _covers(term: CommissionMember, on: dt.date) -> bool:
    """``serving_on(on)`` in Python."""
    started = term.term_start is None or term.term_start <= on
    return started and (term.term_end is None or term.term_end >= on)


def _renewal(
    rows: list[CommissionMember], after: dt.date, end: dt.date, order: Any
) -> Renewal | None:
    """The last renewal in ``(after, end]`` among ``rows`` (which hold every term serving
    on any day of ``[after, end]``). A composition is renewed on the day a term marked
    re-elected starts: a member is re-elected into a new composition."""
    days = [
        t.term_start
        for t in rows
        if t.re_elected and t.term_start is not None and after < t.term_start <= end
    ]
    if not days:
        return None
    day = max(days)
    before = day - dt.timedelta(days=1)
    outgoing = sorted((t for t in rows if _covers(t, before)), key=order)
    incoming = sorted((t for t in rows if _covers(t, day)), key=order)
    incoming_by_name = {t.full_name: t for t in incoming}
    outgoing_names = {t.full_name for t in outgoing}

    def went(term: CommissionMember) -> str:
        if _covers(term, day):
            return "stayed"
        successor = incoming_by_name.get(term.full_name)
        if successor is None:
            return "left"
        return "re_elected" if successor.re_elected else "stayed"

    def came(term: CommissionMember) -> str:
        if term.term_start is None or term.term_start < day:
            return "stayed"
        if term.re_elected:
            return "re_elected"
        return "stayed" if term.full_name in outgoing_names else "joined"

    return Renewal(
        date=day,
        outgoing=[(t, went(t)) for t in outgoing],
        incoming=[(t, came(t)) for t in incoming],
    )


def compositions_over(
    commissions: list[Commission], start: dt.date, end: dt.date
) -> dict[int, PeriodComposition]:
    """``composition_on(end)`` and ``composition_changes(start, end)`` for every commission
    of ``commissions`` (keyed by id) in one query, for the report, with the renewal of its
    composition in the period or in the ``RENEWAL_LOOKBACK`` before it. The members are
    listed as the report prints them: by role (chair first), then who nominated them, then
    name."""
    after = start - RENEWAL_LOOKBACK
    terms = (
        CommissionMember.objects.filter(commission__in=commissions)
        .filter(Q(term_start__isnull=True) | Q(term_start__lte=end))
        .filter(Q(term_end__isnull=True) | Q(term_end__gte=after))
        .select_related("party")
        .order_by(F("term_start").asc(nulls_first=True), "full_name")
    )
    by_commission: dict[int, list[CommissionMember]] = {c.pk: [] for c in commissions}
    for term in terms:
        by_commission[term.commission_id].append(term)
    role_order = list(CommissionMember.MemberRole.values)

    def order(t: CommissionMember) -> tuple:
        return (role_order.index(t.role), t.nominated_by, t.full_name)

    result = {}
    for pk, rows in by_commission.items():
        in_period = [t for t in rows if t.term_end is None or t.term_end >= start]
        # term_start <= end is in the filter: what remains of ``serving_on(end)``.
        members = sorted((t for t in rows if t.term_end is None or t.term_end >= end), key=order)
        result[pk] = PeriodComposition(
            members=members,
            changes=_changes(in_period, start, end),
            renewal=_renewal(rows, after, end, order),
        )
    return result


def full_history(commission: Commission) -> QuerySet[CommissionMember]:
    """Every term ever recorded, the most recent first."""
    return member_terms(commission).order_by(F("term_start").desc(nulls_last=True), "full_name")


# --- Activity --------------------------------------------------------------------------


def meetings(commission: Commission | None = None) -> QuerySet[CommissionMeeting]:
    rows = CommissionMeeting.objects.select_related("commission", "observer")
    return rows.filter(commission=commission) if commission is not None else rows


def decisions(commission: Commission | None = None) -> QuerySet[CommissionDecision]:
    rows = CommissionDecision.objects.select_related(
        "commission", "party", "candidate__party_list__party", "meeting", "complaint"
    )
    return rows.filter(commission=commission) if commission is not None else rows


def complaints_with_state(on: dt.date | None = None) -> QuerySet[Complaint]:
    """Complaints with ``is_overdue`` (as of ``on``, default today) and ``decided_late``."""
    on = on or today()
    return Complaint.objects.select_related("commission").annotate(
        is_overdue=ExpressionWrapper(overdue_q(on), output_field=BooleanField()),
        decided_late=ExpressionWrapper(decided_late_q(), output_field=BooleanField()),
    )


def complaints(
    commission: Commission | None = None, on: dt.date | None = None
) -> QuerySet[Complaint]:
    rows = complaints_with_state(on)
    return rows.filter(commission=commission) if commission is not None else rows


def overdue_complaints(
    on: dt.date | None = None, election: Election | None = None
) -> QuerySet[Complaint]:
    """Complaints past their deadline and still undecided, the longest overdue first."""
    on = on or today()
    rows = complaints_with_state(on).filter(overdue_q(on))
    if election is not None:
        rows = rows.filter(commission__election=election)
    return rows.order_by("deadline", "id")


def activity_summary(election: Election, until: dt.date | None = None) -> dict[str, Any]:
    """Counts of the commission activity of one election up to ``until`` (inclusive), for
    the report's section on commissions. Three queries whatever the size."""
    until = until or today()
    meeting_rows = CommissionMeeting.objects.filter(commission__election=election, date__lte=until)
    m = meeting_rows.aggregate(
        total=Count("pk"),
        in_person=Count("pk", filter=Q(mode=CommissionMeeting.Mode.IN_PERSON)),
        remote=Count("pk", filter=Q(mode=CommissionMeeting.Mode.REMOTE)),
        quorum_present=Count("pk", filter=Q(quorum=True)),
        quorum_absent=Count("pk", filter=Q(quorum=False)),
        notified=Count("pk", filter=Q(notified=True)),
        **{
            f"sanitary_{value}": Count("pk", filter=Q(sanitary_rules=value))
            for value in CommissionMeeting.Sanitary.values
        },
    )
    d = CommissionDecision.objects.filter(commission__election=election, date__lte=until).aggregate(
        total=Count("pk"),
        **{kind: Count("pk", filter=Q(kind=kind)) for kind in CommissionDecision.Kind.values},
    )
    c = Complaint.objects.filter(commission__election=election, received_on__lte=until).aggregate(
        total=Count("pk"),
        decided=Count("pk", filter=Q(decided_on__lte=until)),
        overdue=Count("pk", filter=overdue_q(until)),
        decided_late=Count("pk", filter=Q(decided_on__lte=until) & decided_late_q()),
    )
    return {
        "meetings": {
            "total": m["total"],
            "in_person": m["in_person"],
            "remote": m["remote"],
            "quorum_present": m["quorum_present"],
            "quorum_absent": m["quorum_absent"],
            "notified": m["notified"],
            "sanitary_rules": {
                value: m[f"sanitary_{value}"] for value in CommissionMeeting.Sanitary.values
            },
        },
        "decisions": {
            "total": d["total"],
            "by_kind": {kind: d[kind] for kind in CommissionDecision.Kind.values},
        },
        "complaints": c,
    }


def complaints_by_commission(election: Election, until: dt.date) -> list[dict[str, Any]]:
    """Complaints received up to ``until`` by each commission that received one, with
    the same rules as ``activity_summary`` (one query)::

        [{"commission": "Osh TEC", "received": 2, "decided": 1, "decided_late": 1,
          "overdue": 1}, ...]"""
    rows = (
        Complaint.objects.filter(commission__election=election, received_on__lte=until)
        .values("commission__name")
        .annotate(
            received=Count("pk"),
            decided=Count("pk", filter=Q(decided_on__lte=until)),
            decided_late=Count("pk", filter=Q(decided_on__lte=until) & decided_late_q()),
            overdue=Count("pk", filter=overdue_q(until)),
        )
        .order_by("commission__level", "commission__name")
    )
    return [
        {
            "commission": r["commission__name"],
            "received": r["received"],
            "decided": r["decided"],
            "decided_late": r["decided_late"],
            "overdue": r["overdue"],
        }
        for r in rows
    ]


def meetings_observed(election: Election, until: dt.date) -> list[dict[str, Any]]:
    """The commission meetings observed up to ``until``, one row each, as counted by
    ``activity_summary`` (one query)."""
    rows = (
        CommissionMeeting.objects.filter(commission__election=election, date__lte=until)
        .order_by("date", "commission__name", "pk")
        .values("date", "commission__name", "mode", "quorum", "notified", "sanitary_rules")
    )
    return [
        {
            "date": r["date"].isoformat(),
            "commission": r["commission__name"],
            "mode": r["mode"],
            "quorum": r["quorum"],
            "notified": r["notified"],
            "sanitary_rules": r["sanitary_rules"],
        }
        for r in rows
    ]
