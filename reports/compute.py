"""The computed content of a report, from the other apps' stored data (read-only).

``report_data`` returns plain JSON-able data in the shape of docs/api.md (with extra
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

from django.utils import timezone

from commissions.models import Commission, CommissionDecision, CommissionMember
from commissions.queries import (
    Renewal,
    activity_summary,
    complaints_by_commission,
    compositions_over,
    meetings_observed,
)
from incidents import queries as incident_queries
from observation.models import Election, PartyMeeting
from observation.queries import (
    election_calendar,
    election_overview,
    observation_mission,
    party_lists_with_counts,
)
from reports.models import Recommendation, Report
from voters.queries import share, voter_registration_data


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date


def percent(part: int | None, whole: int | None) -> float | None:
    """One decimal, rounded half up (voters' rule: 42.17 -> 42.2)."""
    value = share(part, whole)
    return None if value is None else float(value)


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
        # None: the first day is not known (docs/commissions.md)
        "term_start": member.term_start.isoformat() if member.term_start else None,
        "term_end": member.term_end.isoformat() if member.term_end else None,
        "note": member.note,
    }


def _renewal(renewal: Renewal | None) -> dict[str, Any] | None:
    """A new composition that took office in or just before the period: the outgoing
    composition (the day before) beside the new one, each member with ``change``
    (``left``/``re_elected``/``stayed``/``joined``). Only recorded terms: the record may
    hold part of the outgoing composition (docs/reports.md)."""
    if renewal is None:
        return None
    return {
        "date": renewal.date.isoformat(),
        "outgoing_on": renewal.outgoing_on.isoformat(),
        "outgoing": [{**_member(m), "change": change} for m, change in renewal.outgoing],
        "incoming": [{**_member(m), "change": change} for m, change in renewal.incoming],
    }


def commissions_data(
    commissions: list[Commission], period: Period
) -> dict[str, list[dict[str, Any]]]:
    """Composition of the CEC and the TECs on the last day of the period, who joined or
    left during it, and a renewal of the composition in or just before the period
    (``commissions.queries.compositions_over``)."""
    compositions = compositions_over(commissions, period.start, period.end)
    result = []
    for commission in commissions:
        composition = compositions[commission.pk]
        changes = [
            *({"date": m.term_start.isoformat(), "change": "joined", **_member(m)}
              for m in composition.changes.joined),
            *({"date": m.term_end.isoformat(), "change": "left", **_member(m)}
              for m in composition.changes.left),
        ]  # fmt: skip
        changes.sort(key=lambda c: (c["date"], c["change"] != "left", c["full_name"]))
        result.append(
            {
                "commission": commission.name,
                "level": commission.level,
                "district": commission.district.name if commission.district else None,
                "pec_count": commission.pec_count,
                "note": commission.note,
                "members": [_member(m) for m in composition.members],
                "changes": changes,
                "renewal": _renewal(composition.renewal),
            }
        )
    return {
        "cec": [c for c in result if c["level"] == Commission.Level.CEC],
        "tecs": [c for c in result if c["level"] == Commission.Level.TEC],
    }


def decisions_data(election: Election, period: Period) -> list[dict[str, Any]]:
    """Decisions commissions took about parties and candidates up to the end of the
    period."""
    decisions = (
        # Up to the end of the period, as ``activity_summary`` counts them: the count the
        # report states equals the rows it prints.
        CommissionDecision.objects.filter(commission__election=election, date__lte=period.end)
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


# --- campaign ---------------------------------------------------------------------------


def party_meetings_data(election: Election, period: Period) -> list[dict[str, Any]]:
    """Interviews held up to the end of the period (the seed reports meetings held
    before the period started); who attended and who recorded them are left out."""
    meetings = (
        PartyMeeting.objects.filter(district__election=election, date__lte=period.end)
        .order_by("date", "party__name")
        .values("date", "party__name", "district__name", "concerns", "themes")
    )
    return [
        {
            "date": m["date"].isoformat(),
            "party": m["party__name"],
            "district": m["district__name"],
            "concerns": m["concerns"],
            "themes": list(m["themes"] or []),
        }
        for m in meetings
    ]


# --- violations -------------------------------------------------------------------------


def violations_data(
    election: Election,
    period: Period,
    districts: list[str],
    parties: list[str],
    *,
    include_under_review: bool = False,
) -> dict[str, Any]:
    """Counted incidents by form, party and district, and how many were escalated to the
    RRCG: ``incidents.queries.violation_counts`` over the report's districts and parties;
    confirmed incidents only unless the analyst chose to include those under review."""
    return incident_queries.violation_counts(
        election,
        period.start,
        period.end,
        districts=districts,
        parties=parties,
        include_under_review=include_under_review,
    )


def complaints_data(activity: dict[str, Any], election: Election, period: Period) -> dict:
    """The complaints to election commissions up to the end of the period: the totals
    (``activity_summary``) and each commission's (``complaints_by_commission``)."""
    totals = activity["complaints"]
    return {
        "received": totals["total"],
        "decided": totals["decided"],
        "decided_late": totals["decided_late"],
        "overdue": totals["overdue"],
        "by_commission": complaints_by_commission(election, period.end),
    }


def context_figures_data(report: Report) -> list[dict[str, Any]]:
    return [
        {
            "section": f.section,
            "title": f.title,
            "source": f.source,
            "rows": [[label, value] for label, value in f.rows],
            "chart": f.chart,
        }
        for f in report.context_figures.all()
    ]


def recommendations_data(report: Report) -> list[dict[str, Any]]:
    order = {code: i for i, code in enumerate(Recommendation.ADDRESSEE_ORDER)}
    items = sorted(report.recommendations.all(), key=lambda r: (order[r.addressee], r.order, r.pk))
    return [{"addressee": r.addressee, "text": r.text} for r in items]


# --- the whole report -------------------------------------------------------------------


def report_data(report: Report) -> dict[str, Any]:
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
    activity = activity_summary(election, until=period.end)
    violations = violations_data(
        election,
        period,
        districts=[r["district"] for r in districts["rows"]],
        parties=sorted({item["party"] for r in districts["rows"] for item in r["lists"]}),
        include_under_review=report.include_under_review,
    )
    violations["complaints"] = complaints_data(activity, election, period)
    publisher = report.publisher
    return {
        "report": {
            "id": report.pk,
            "title": report.title,
            "language": report.language,
            "status": report.status,
            "period_start": period.start.isoformat(),
            "period_end": period.end.isoformat(),
            "computed_at": timezone.now().isoformat(),
            "publisher": publisher.name if publisher else "",
            "publisher_details": {
                "address": publisher.address if publisher else "",
                "website": publisher.website if publisher else "",
                "contact": publisher.contact if publisher else "",
            },
            "issued_on": report.issued_on.isoformat() if report.issued_on else None,
            "includes_under_review": report.include_under_review,
        },
        "election": {
            "id": election.pk,
            "name": election.name,
            "kind": election.kind,
            "election_day": election.election_day.isoformat(),
            "observation_start": election.observation_start.isoformat(),
            "observation_end": election.observation_end.isoformat(),
        },
        "calendar": election_calendar(election),
        "observers": observation_mission(
            election, districts=[r["district"] for r in districts["rows"]]
        ),
        "context_figures": context_figures_data(report),
        "districts": districts,
        "commissions": {
            **commissions_data(commissions, period),
            "activity": activity,
            "meetings": meetings_observed(election, period.end),
            "decisions": decisions_data(election, period),
        },
        "voter_registration": voter_registration_data(election, as_of=period.end, tecs=tecs),
        "campaign": {"party_meetings": party_meetings_data(election, period)},
        "violations": violations,
        "recommendations": recommendations_data(report),
    }
