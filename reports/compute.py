"""The computed content of a report, from the other apps' stored data (read-only).

``report_data`` returns plain JSON-able data in the shape of DESIGN.md §7 (with extra
keys). It issues a fixed number of queries whatever the number of districts, parties,
commissions, snapshots or incidents: every part is one aggregated or flat query, folded
in Python. Labels are not part of the data: codes and names only, so a snapshot is the
same in every language.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from commissions.models import Commission, CommissionDecision, CommissionMember
from commissions.queries import activity_summary
from incidents import queries as incident_queries
from incidents.models import Incident
from observation.models import Election, PartyMeeting
from observation.queries import election_overview, party_lists_with_counts
from voters.models import AGE_FIELDS, VoterListSnapshot
from voters.queries import share, sum_if_complete

KINDS = [choice for choice, _label in Incident.Kind.choices]
STAGES = list(VoterListSnapshot.STAGE_ORDER)
UNKNOWN_PARTY = "unknown"
# Reports count what was filed and not thrown out (DESIGN.md §4).
NOT_COUNTED = (Incident.Status.REJECTED, Incident.Status.DUPLICATE)


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """[start of the first day, start of the day after the last) in local time, so
        an incident at 23:30 in Bishkek on the last day counts."""
        tz = timezone.get_current_timezone()
        start = dt.datetime.combine(self.start, dt.time.min, tzinfo=tz)
        end = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        return start, end


def percent(part: int | None, whole: int | None) -> float | None:
    """One decimal, rounded half up (voters' rule: 42.17 -> 42.2)."""
    value = share(part, whole)
    return None if value is None else float(value)


def counted_incidents(election: Election, period: Period) -> QuerySet[Incident]:
    """Incidents a report counts: the incidents app's rule (DESIGN.md §4, §7)."""
    return incident_queries.counted_incidents(election, period.start, period.end)


# --- about the elections / Table 3 ------------------------------------------------------


def districts_data(election: Election) -> dict[str, Any]:
    """Table 3 and the election overview, from ``observation.queries.election_overview``,
    plus the lists registered in each district (one more query)."""
    overview = election_overview(election)
    lists = (
        party_lists_with_counts()
        .filter(district__election=election)
        .order_by("party__name")
        .values("district_id", "party__name", "nominated_count", "registered", "male",
                "female", "denied", "withdrawn")
    )  # fmt: skip
    lists_by_district: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for item in lists:
        lists_by_district[item["district_id"]].append(
            {
                "party": item["party__name"],
                "nominated": item["nominated_count"],
                "candidates": item["registered"],
                "male": item["male"],
                "female": item["female"],
                "denied": item["denied"],
                "withdrawn": item["withdrawn"],
            }
        )
    rows = [
        {
            "district": r.district,
            "code": r.code,
            "mandates": r.mandates,
            "threshold_percent": float(r.threshold_percent),
            "parties": r.parties,
            "candidates": r.candidates,
            "male": r.male,
            "female": r.female,
            "nominated": r.nominated,
            "denied": r.denied,
            "withdrawn": r.withdrawn,
            "lists": lists_by_district[r.district_id],
        }
        for r in overview.rows
    ]
    t = overview.totals
    totals = {
        "districts": len(rows),
        "mandates": t.mandates,
        # distinct parties, not lists: a party standing in three cities counts once
        "parties": t.parties,
        "lists": t.party_lists,
        "candidates": t.candidates,
        "male": t.male,
        "female": t.female,
        "nominated": t.nominated,
        "denied": t.denied,
        "withdrawn": t.withdrawn,
    }
    several = [
        {"party": p.party, "districts": list(p.districts)} for p in overview.multi_district_parties
    ]
    return {"rows": rows, "totals": totals, "parties_in_several_districts": several}


# --- commissions ------------------------------------------------------------------------


def _member(member: CommissionMember) -> dict[str, Any]:
    return {
        "full_name": member.full_name,
        "role": member.role,
        "nominated_by": member.nominated_by,
        "party": member.party.name if member.party else member.party_label,
        "re_elected": member.re_elected,
        "term_start": member.term_start.isoformat(),
        "term_end": member.term_end.isoformat() if member.term_end else None,
        "note": member.note,
    }


def commissions_data(
    commissions: list[Commission], period: Period
) -> dict[str, list[dict[str, Any]]]:
    """Composition of the CEC and the TECs on the last day of the period, and who joined
    or left during it, as ``commissions.queries.composition_on`` and
    ``composition_changes`` define them (a term's end is the member's last day), but for
    all commissions in one query rather than two per commission."""
    members = (
        CommissionMember.objects.filter(commission__in=commissions, term_start__lte=period.end)
        .filter(Q(term_end__isnull=True) | Q(term_end__gte=period.start))
        .select_related("party")
        .order_by("term_start", "full_name")
    )
    by_commission: dict[int, list[CommissionMember]] = defaultdict(list)
    for member in members:
        by_commission[member.commission_id].append(member)
    role_order = [choice for choice, _label in CommissionMember.MemberRole.choices]

    result = []
    for commission in commissions:
        terms = by_commission[commission.pk]
        current = [m for m in terms if m.term_end is None or m.term_end >= period.end]
        current.sort(key=lambda m: (role_order.index(m.role), m.nominated_by, m.full_name))
        changes = []
        for m in terms:
            if period.start <= m.term_start <= period.end:
                changes.append({"date": m.term_start.isoformat(), "change": "joined", **_member(m)})
            if m.term_end is not None and period.start <= m.term_end <= period.end:
                changes.append({"date": m.term_end.isoformat(), "change": "left", **_member(m)})
        changes.sort(key=lambda c: (c["date"], c["change"] != "left", c["full_name"]))
        result.append(
            {
                "commission": commission.name,
                "level": commission.level,
                "district": commission.district.name if commission.district else None,
                "pec_count": commission.pec_count,
                "members": [_member(m) for m in current],
                "changes": changes,
            }
        )
    return {
        "cec": [c for c in result if c["level"] == Commission.Level.CEC],
        "tecs": [c for c in result if c["level"] == Commission.Level.TEC],
    }


def decisions_data(election: Election, period: Period) -> list[dict[str, Any]]:
    """Decisions commissions took about parties and candidates during the period."""
    decisions = (
        CommissionDecision.objects.filter(
            commission__election=election, date__range=(period.start, period.end)
        )
        .select_related("commission", "party", "candidate")
        .order_by("date", "commission__name", "id")
    )
    return [
        {
            "date": d.date.isoformat(),
            "commission": d.commission.name,
            "kind": d.kind,
            "party": d.party.name if d.party else "",
            "candidate": d.candidate.full_name if d.candidate else d.candidate_name,
            "legal_basis": d.legal_basis,
            "summary": d.summary,
        }
        for d in decisions
    ]


# --- voter registration (Tables 1 and 2) ------------------------------------------------


def voter_registration_data(tecs: list[Commission], period: Period) -> dict[str, Any]:
    """One row per TEC: the totals of each stage published by the end of the period, the
    change between the preliminary and the control list, and the gender and age split of
    the latest stage that has it (the control list in the seed's Table 2)."""
    snapshots = VoterListSnapshot.objects.filter(
        commission__in=tecs, as_of__lte=period.end
    ).order_by("commission_id", "as_of")
    by_tec: dict[int, dict[str, VoterListSnapshot]] = defaultdict(dict)
    as_of: dict[str, set[str]] = defaultdict(set)
    for snapshot in snapshots:
        by_tec[snapshot.commission_id][snapshot.stage] = snapshot
        as_of[snapshot.stage].add(snapshot.as_of.isoformat())

    rows = []
    for tec in tecs:
        stages = by_tec[tec.pk]
        row: dict[str, Any] = {
            "commission": tec.name,
            "district": tec.district.name if tec.district else None,
            "pec_count": tec.pec_count,
        }
        for stage in STAGES:
            row[stage] = stages[stage].total if stage in stages else None
        row["change"] = (
            row["control"] - row["preliminary"]
            if row["control"] is not None and row["preliminary"] is not None
            else None
        )
        row["final_change"] = (
            row["final"] - row["control"]
            if row["final"] is not None and row["control"] is not None
            else None
        )
        detailed = [
            stages[s] for s in reversed(STAGES) if s in stages and stages[s].male is not None
        ]
        split = detailed[0] if detailed else None
        row["split_stage"] = split.stage if split else None
        row["split_total"] = split.total if split else None
        row["male"] = split.male if split else None
        row["female"] = split.female if split else None
        row["male_percent"] = percent(row["male"], row["split_total"])
        row["female_percent"] = percent(row["female"], row["split_total"])
        for field in AGE_FIELDS:
            value = getattr(split, field) if split else None
            row[field] = value
            row[f"{field}_percent"] = percent(value, row["split_total"])
        rows.append(row)

    def column_sum(key: str) -> int | None:
        return sum_if_complete([r[key] for r in rows])

    summed = ["pec_count", *STAGES, "change", "final_change", "split_total", "male", "female"]
    totals: dict[str, Any] = {key: column_sum(key) for key in [*summed, *AGE_FIELDS]}
    totals["male_percent"] = percent(totals["male"], totals["split_total"])
    totals["female_percent"] = percent(totals["female"], totals["split_total"])
    for field in AGE_FIELDS:
        totals[f"{field}_percent"] = percent(totals[field], totals["split_total"])
    return {
        "rows": rows,
        "totals": totals,
        "as_of": {stage: sorted(dates) for stage, dates in as_of.items()},
    }


# --- campaign ---------------------------------------------------------------------------


def party_meetings_data(election: Election, period: Period) -> list[dict[str, Any]]:
    """Interviews held up to the end of the period (the seed reports meetings held
    before the period started); who attended and who recorded them are left out."""
    meetings = (
        PartyMeeting.objects.filter(district__election=election, date__lte=period.end)
        .order_by("date", "party__name")
        .values("date", "party__name", "district__name", "concerns")
    )
    return [
        {
            "date": m["date"].isoformat(),
            "party": m["party__name"],
            "district": m["district__name"],
            "concerns": m["concerns"],
        }
        for m in meetings
    ]


# --- violations -------------------------------------------------------------------------


def violations_data(
    election: Election, period: Period, districts: list[str], parties: list[str]
) -> dict[str, Any]:
    """Counted incidents by form, party (``unknown`` when none is named) and district,
    and how many of them were escalated to the RRCG. One grouped query.

    What counts as escalated is ``incidents.queries.transferred_to_rrcg``."""
    grouped = (
        counted_incidents(election, period)
        .annotate(escalated=incident_queries.transferred_to_rrcg())
        .values("kind", "party__name", "district__name", "escalated")
        .annotate(n=Count("id"))
        .order_by()
    )
    incident_parties = set()
    by_kind = dict.fromkeys(KINDS, 0)
    party_cells: dict[tuple[str, str], int] = defaultdict(int)
    district_cells: dict[tuple[str, str], int] = defaultdict(int)
    escalated_by_kind = dict.fromkeys(KINDS, 0)
    for row in grouped:
        kind, n = row["kind"], row["n"]
        party = row["party__name"] or UNKNOWN_PARTY
        if row["party__name"]:
            incident_parties.add(party)
        by_kind[kind] += n
        party_cells[kind, party] += n
        district_cells[kind, row["district__name"]] += n
        if row["escalated"]:
            escalated_by_kind[kind] += n

    party_keys = [*sorted(set(parties) | incident_parties), UNKNOWN_PARTY]
    district_keys = [*districts, *sorted({d for _k, d in district_cells} - set(districts))]
    by_kind_and_party = {k: {p: party_cells[k, p] for p in party_keys} for k in KINDS}
    by_kind_and_district = {k: {d: district_cells[k, d] for d in district_keys} for k in KINDS}
    return {
        "total": sum(by_kind.values()),
        "by_kind": by_kind,
        "by_kind_and_party": by_kind_and_party,
        "by_kind_and_district": by_kind_and_district,
        "by_party": {p: sum(by_kind_and_party[k][p] for k in KINDS) for p in party_keys},
        "by_district": {d: sum(by_kind_and_district[k][d] for k in KINDS) for d in district_keys},
        "escalated": sum(escalated_by_kind.values()),
        "escalated_by_kind": escalated_by_kind,
    }


# --- the whole report -------------------------------------------------------------------


def report_data(report: Any) -> dict[str, Any]:
    """Everything a report shows that is computed, for its election and period."""
    election = report.election
    period = Period(report.period_start, report.period_end)
    commissions = list(
        Commission.objects.filter(election=election, level__in=["CEC", "TEC"])
        .select_related("district")
        .order_by("level", "district__name", "name")
    )
    tecs = [c for c in commissions if c.level == Commission.Level.TEC]
    districts = districts_data(election)
    return {
        "report": {
            "id": report.pk,
            "title": report.title,
            "language": report.language,
            "status": report.status,
            "period_start": period.start.isoformat(),
            "period_end": period.end.isoformat(),
            "computed_at": timezone.now().isoformat(),
        },
        "election": {
            "id": election.pk,
            "name": election.name,
            "kind": election.kind,
            "election_day": election.election_day.isoformat(),
            "observation_start": election.observation_start.isoformat(),
            "observation_end": election.observation_end.isoformat(),
        },
        "districts": districts,
        "commissions": {
            **commissions_data(commissions, period),
            "activity": activity_summary(election, until=period.end),
            "decisions": decisions_data(election, period),
        },
        "voter_registration": voter_registration_data(tecs, period),
        "campaign": {"party_meetings": party_meetings_data(election, period)},
        "violations": violations_data(
            election,
            period,
            districts=[r["district"] for r in districts["rows"]],
            parties=sorted({item["party"] for r in districts["rows"] for item in r["lists"]}),
        ),
    }
