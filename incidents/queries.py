"""Reads of incidents shared by pages, API and the reports app. Each returns a queryset
or plain data whose query count does not grow with the number of rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from commissions.models import Commission
from incidents.details import KINDS
from incidents.models import Comment, Escalation, Evidence, Incident
from incidents.policies import filing_districts, visible_incidents
from observation.models import District, Election, PartyList

NOT_COUNTED = (Incident.Status.REJECTED, Incident.Status.DUPLICATE)
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


def my_reports(user: Any) -> QuerySet[Incident]:
    """What ``user`` filed, newest first, each with head office's questions and the
    answers given (two queries for any number of reports)."""
    return (
        Incident.objects.filter(reported_by=user)
        .select_related("district", "party")
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
            )
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
) -> QuerySet[Incident]:
    """The incidents a report counts (DESIGN.md §4, §7): of this election, neither
    rejected nor duplicates, and occurred within ``[start, end]`` (dates are whole days;
    by default the election's observation period)."""
    if not isinstance(election, Election):
        election = Election.objects.get(pk=election)
    start = election.observation_start if start is None else start
    end = election.observation_end if end is None else end
    lower, upper = _period_bounds(start, end)
    return Incident.objects.filter(
        election=election, occurred_at__gte=lower, occurred_at__lt=upper
    ).exclude(status__in=NOT_COUNTED)


def transferred_to_rrcg() -> Exists:
    """True for an incident with an escalation that did not fail: what the report counts
    as "escalated to the RRCG" (a failed delivery transferred nothing). For
    ``.annotate()`` or ``.filter()`` on an Incident queryset."""
    return Exists(
        Escalation.objects.filter(incident=OuterRef("pk")).exclude(status=Escalation.Status.FAILED)
    )


def violation_counts(
    election: Election | int,
    start: dt.date | dt.datetime | None = None,
    end: dt.date | dt.datetime | None = None,
    *,
    districts: list[str] | None = None,
    parties: list[str] | None = None,
) -> dict[str, Any]:
    """The numbers of the report's violations section (docs/reports.md ``violations``)::

        {"total": 64,
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
    (``transferred_to_rrcg``). One grouped query whatever the numbers (one more when
    ``election`` is an id)."""
    grouped = (
        counted_incidents(election, start, end)
        .annotate(escalated=transferred_to_rrcg())
        .values("kind", "party__name", "district__name", "escalated")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_kind = dict.fromkeys(KINDS, 0)
    escalated_by_kind = dict.fromkeys(KINDS, 0)
    party_cells: dict[tuple[str, str], int] = {}
    district_cells: dict[tuple[str, str], int] = {}
    for row in grouped:
        kind, n = row["kind"], row["n"]
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
