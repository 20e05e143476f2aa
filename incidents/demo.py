"""Demo incidents: the 64 violations of section 8 of the seed report.

The numbers are the seed's: 6 on administrative resources (Emgek 3, Asyl Muras Zhashtary
1, party unknown 2; Bishkek 2, Osh 1, Tokmok 3), 8 on vote buying (Ata-Jurt Kyrgyzstan 2,
Birge-Vmeste 2, Bizdin Kyrgyzstan 1, El Birimdigi 1, Onuguu-Progress 1, Emgek 1; Bishkek
2, Osh 3, Tokmok 3) and 50 on campaign rules (Bishkek 11, Osh 38, Tokmok 1), each party
only in a city where it has a list. The seed names no party for the campaign-rules cases,
so none of them names one: attributing a violation to a real party without evidence is
exactly what a report must not do. Every description is synthetic and says so.

Incidents are filed through ``filing.incident_file`` with fixed ids (uuid5), so running
``load_demo`` again files nothing new. Head office's triage of them (statuses, questions,
the two escalations to the RRCG) is ``load_triage``, run right after.

Head office has confirmed the 64 demo incidents (a report counts confirmed incidents
only, docs/reports.md#violations): 62 are verified and the two vote-buying incidents the
seed says "were transferred to the RRCG" are escalated, each with a delivered escalation
(one attempt, HTTP 200) and its frozen payload. Extra reports beyond the seed's 64 show
the rest of triage and change none of its numbers: one duplicate, one rejected, and three
still in triage (in review, waiting for the observer's answer, not yet looked at), which
the report states as "under review" and does not count.

The RRCG channel has two stories (docs/escalation.md "The demo's two channel stories").
The two 2021 escalations were delivered over a configured channel: each shows its
attempt and HTTP 200. A third report, vote buying in Bishkek on 9 July 2021 (after the
report's observation period, so it never changes the seed's numbers), was escalated and
is still pending: with no channel configured (``make run``'s default) every page shows it
"waiting for a channel" and the report does not count it; once ``RRCG_WEBHOOK_URL`` or
``RRCG_EMAIL_TO`` is set, the sweep delivers it like any other.

Everything goes through the lifecycle services (the timeline and audit trail are real),
then the timeline is dated to the story of 2021. Running it again changes nothing: each
step is taken only from the state before it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, TextIO

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from incidents.models import (
    Comment,
    Escalation,
    EscalationAttempt,
    Incident,
    IncidentEvent,
)
from incidents.services import filing, lifecycle, records
from incidents.services.escalation import escalation_create
from incidents.services.records import record_event
from observation.demo import demo_election
from observation.kernel.audit import audit_log
from observation.models import District, Party

NAMESPACE = uuid.UUID("6f1e2a0c-5b7d-4c1e-9a53-1d0b8e2f4a10")
CITY = {"BSK": "bishkek", "OSH": "osh", "TKM": "tokmok"}
LTOS = {"BSK": 4, "OSH": 3, "TKM": 1}
UNKNOWN = None

# (district code, party or UNKNOWN, number of incidents)
ADMIN_RESOURCE = [
    ("BSK", "Emgek", 2),
    ("OSH", UNKNOWN, 1),
    ("TKM", "Emgek", 1),
    ("TKM", "Asyl Muras Zhashtary", 1),
    ("TKM", UNKNOWN, 1),
]
VOTE_BUYING = [
    ("BSK", "Onuguu-Progress", 1),
    ("BSK", "Emgek", 1),
    ("OSH", "Ata-Jurt Kyrgyzstan", 2),
    ("OSH", "Bizdin Kyrgyzstan", 1),
    ("TKM", "Birge-Vmeste", 2),
    ("TKM", "El Birimdigi", 1),
]
# The seed splits the 50 campaign-rules cases by city only: none names a party.
CAMPAIGN_RULES = [
    ("BSK", UNKNOWN, 11),
    ("OSH", UNKNOWN, 38),
    ("TKM", UNKNOWN, 1),
]

ADMIN_TYPES = [
    ("committee_heads", "Heads of quarter committees went door to door with lists of voters."),
    ("pressure_on_employees", "School staff were told to attend a rally after lessons."),
    ("state_property", "A district office hall was used for a campaign meeting."),
    ("threats", "Market vendors were told their stalls depend on how they vote."),
]
OFFERS = [
    ("money", "500 som per vote", "Money was offered to voters near the block entrance."),
    ("goods", "food parcel", "Food parcels were handed out with a party leaflet inside."),
    ("services", "free repairs", "Free yard repairs were promised in exchange for votes."),
]
CAMPAIGN_TYPES = [
    ("unmarked_materials", "outdoor", "Posters without the required imprint on a bus stop."),
    ("placement", "outdoor", "Banners were hung on a school fence, where it is not allowed."),
    ("black_pr", "social_network", "A false story about a rival list spread in a group chat."),
    ("unmarked_materials", "print", "Leaflets without the publisher's imprint in letterboxes."),
    ("prohibited_person", "in_person", "A public servant campaigned during working hours."),
    ("foreign_politician_image", "print", "A flyer showed a foreign politician."),
    ("placement", "outdoor", "Campaign stickers on a residential building's entrance door."),
    ("black_pr", "print", "Anonymous leaflets insulting a candidate were left at a bazaar."),
]
PLACES = {
    "BSK": ["Chui avenue", "Alamedin market", "7th microdistrict", "Jal district"],
    "OSH": ["Kelechek quarter", "Jayma bazaar", "Amir Timur street", "Ak-Buura district"],
    "TKM": ["Lenin street", "central market", "Ak-Bashat quarter"],
}

START = dt.date(2021, 6, 21)
DAYS = 14  # 21 June .. 4 July: the observation period


def _cases() -> list[dict]:
    """The 64 cases in a fixed order, each with its own content."""
    cases = []
    for kind, rows in (
        ("admin_resource", ADMIN_RESOURCE),
        ("vote_buying", VOTE_BUYING),
        ("campaign_rules", CAMPAIGN_RULES),
    ):
        for code, party, count in rows:
            for n in range(count):
                cases.append({"kind": kind, "code": code, "party": party, "n": n})
    for index, case in enumerate(cases):
        case["index"] = index
        kind = case["kind"]
        if kind == "admin_resource":
            type_, text = ADMIN_TYPES[index % len(ADMIN_TYPES)]
            case["details"] = {
                "type": type_,
                "official": "",
                "official_position": "Head of quarter committee"
                if type_ == "committee_heads"
                else "",
                "people_affected": 5 + index % 20,
            }
        elif kind == "vote_buying":
            offered, value, text = OFFERS[index % len(OFFERS)]
            case["details"] = {
                "offered": offered,
                "value": value,
                "offered_by": "party_agent" if index % 3 else "unknown",
                "voters_approached": 3 + index % 15,
            }
        else:
            type_, medium, text = CAMPAIGN_TYPES[index % len(CAMPAIGN_TYPES)]
            case["details"] = {"type": type_, "medium": medium}
        case["description"] = f"[Demo data] {text}"
    return cases


def _occurred_at(index: int) -> dt.datetime:
    day = START + dt.timedelta(days=(index * 5) % DAYS)
    moment = dt.datetime.combine(day, dt.time(9 + index % 9, (index * 7) % 60))
    return timezone.make_aware(moment)


def load(stdout: TextIO) -> None:
    """File the seed's incidents, then let head office triage them (issue 5's demo)."""
    load_filing(stdout)
    load_triage(stdout)


def load_filing(stdout: TextIO) -> None:
    """The 64 incidents as the observers filed them (status ``submitted``)."""
    election = demo_election()
    districts = {d.code: d for d in District.objects.filter(election=election)}
    parties = {p.name: p for p in Party.objects.all()}
    User = get_user_model()
    ltos = {u.username: u for u in User.objects.filter(username__startswith="lto-")}
    created = 0
    for case in _cases():
        code = case["code"]
        reporter = ltos[f"lto-{CITY[code]}-{case['index'] % LTOS[code] + 1}"]
        occurred_at = _occurred_at(case["index"])
        place = PLACES[code][case["index"] % len(PLACES[code])]
        incident, is_new = filing.incident_file(
            actor=reporter,
            id=uuid.uuid5(NAMESPACE, f"incident-{case['index']}"),
            district=districts[code],
            kind=case["kind"],
            occurred_at=occurred_at,
            location=f"{districts[code].name}, {place}",
            description=case["description"],
            source="direct_observation" if case["index"] % 4 else "witness",
            witnesses="[Demo] A resident (contact withheld)" if case["index"] % 4 == 0 else "",
            party=parties[case["party"]] if case["party"] else None,
            details=case["details"],
            reported_at=occurred_at + dt.timedelta(hours=2),
            is_demo=True,
        )
        created += is_new
    stdout.write(f"incidents: {len(_cases())} demo incidents ({created} new)\n")


# --- head office's triage of the demo incidents ---------------------------------------------

Status = Incident.Status
TRIAGE_NAMESPACE = uuid.UUID("0c2f8f7e-3a51-4d0b-8f7c-5e9a2b1d6c44")

# Indexes of the filing demo's cases (``_cases`` above): 8 is vote buying by
# Ata-Jurt Kyrgyzstan in Osh, 11 by Birge-Vmeste in Tokmok.
ESCALATED = {
    8: "[Demo data] Vote buying reported by a witness, with a detailed and consistent account. "
    "Transferred to the RRCG for a rapid response.",
    11: "[Demo data] Vote buying on the eve of the silence period, repeated in the same "
    "quarter. Transferred to the RRCG.",
}
SERIOUS = (3, 8, 11)
ASSIGNED = {8: "headoffice", 11: "headoffice"}
LEGAL_NOTE = {
    8: "[Demo data] This is vote buying under the election law, not campaigning. "
    "I recommend sending it to the RRCG today.",
}


def _case_count() -> int:
    rows = (*ADMIN_RESOURCE, *VOTE_BUYING, *CAMPAIGN_RULES)
    return sum(count for _code, _party, count in rows)


def _demo_incident(index: int) -> Incident | None:
    return Incident.objects.filter(pk=uuid.uuid5(NAMESPACE, f"incident-{index}")).first()


def _dated(incident: Incident, since: dt.datetime, at: dt.datetime) -> None:
    """Give the events (and comments) written for ``incident`` since ``since`` the time
    they have in the demo's story."""
    IncidentEvent.objects.filter(incident=incident, at__gte=since).update(at=at)
    Comment.objects.filter(incident=incident, created_at__gte=since).update(created_at=at)


def _step(incident: Incident, at: dt.datetime, action: Any, **kwargs: Any) -> Incident:
    since = timezone.now()
    result = action(incident=incident, **kwargs)
    _dated(incident, since, at)
    return result if isinstance(result, Incident) else Incident.objects.get(pk=incident.pk)


def _triage(incident: Incident, index: int, head_office: Any) -> str:
    """Take a submitted demo incident as far as its story goes; returns its status."""
    if incident.status != Status.SUBMITTED:
        return incident.status
    seen = incident.reported_at + dt.timedelta(hours=1)
    incident = _step(
        incident, seen, lifecycle.incident_transition, actor=head_office, to=Status.IN_REVIEW
    )
    later = seen + dt.timedelta(hours=3)
    incident = _step(
        incident,
        later,
        lifecycle.incident_transition,
        actor=head_office,
        to=Status.VERIFIED,
        note="[Demo data] Checked with the observer.",
    )
    return incident.status


def _escalate(incident: Incident, index: int, users: dict[str, Any]) -> bool:
    """Escalate a verified demo incident with a delivered escalation; False if it
    already is (or cannot be)."""
    if incident.status != Status.VERIFIED or incident.escalations.exists():
        return False
    at = incident.reported_at + dt.timedelta(hours=5)
    head_office = users["headoffice"]
    if index in LEGAL_NOTE:
        _step(
            incident,
            at - dt.timedelta(hours=1),
            lifecycle.incident_comment,
            actor=users["legal"],
            body=LEGAL_NOTE[index],
            recommendation=Status.ESCALATED,
        )
    with transaction.atomic():
        locked = records.lock_incident(incident.pk, None)
        row = escalation_create(actor=head_office, incident=locked, reason=ESCALATED[index], at=at)
        sent, answered = at + dt.timedelta(seconds=4), at + dt.timedelta(seconds=5)
        EscalationAttempt.objects.create(
            escalation=row,
            started_at=sent,
            finished_at=answered,
            outcome=EscalationAttempt.Outcome.DELIVERED,
            response_code=200,
        )
        Escalation.objects.filter(pk=row.pk).update(
            status=Escalation.Status.DELIVERED,
            attempt_count=1,
            delivered_at=answered,
            next_attempt_at=None,
        )
        record_event(
            locked,
            at=answered,
            actor=None,
            kind=IncidentEvent.Kind.ESCALATION_DELIVERED,
            data={"escalation_id": str(row.pk), "attempts": 1},
        )
        audit_log(actor=None, action="escalation.delivered", target=row, data={"attempts": 1})
    return True


def _extra(
    *,
    key: str,
    reporter: Any,
    district: District,
    party: Party | None,
    kind: str,
    details: dict[str, Any],
    occurred_at: dt.datetime,
    location: str,
    description: str,
) -> Incident:
    incident, _created = filing.incident_file(
        actor=reporter,
        id=uuid.uuid5(TRIAGE_NAMESPACE, key),
        district=district,
        kind=kind,
        occurred_at=occurred_at,
        location=location,
        description=description,
        source="direct_observation",
        party=party,
        details=details,
        reported_at=occurred_at + dt.timedelta(hours=1),
        is_demo=True,
    )
    return incident


def _extras(users: dict[str, Any]) -> list[Incident]:
    """One duplicate (of demo case 9, the second Ata-Jurt vote buying in Osh) and one
    rejected report, filed like any other and then triaged."""
    head_office = users["headoffice"]
    original = _demo_incident(9)
    districts = {d.code: d for d in District.objects.filter(election=original.election)}
    duplicate = _extra(
        key="duplicate-of-9",
        reporter=users["lto-osh-2"],
        district=districts["OSH"],
        party=original.party,
        kind=Incident.Kind.VOTE_BUYING,
        details=original.details,
        occurred_at=original.occurred_at + dt.timedelta(minutes=20),
        location=original.location,
        description="[Demo data] The same offer at the same place, reported by a second "
        "observer who was there too.",
    )
    if duplicate.status == Status.SUBMITTED:
        _step(
            duplicate,
            duplicate.reported_at + dt.timedelta(hours=2),
            lifecycle.incident_transition,
            actor=head_office,
            to=Status.DUPLICATE,
            duplicate_of=original,
            note="[Demo data] Same event as the original report.",
        )
    rejected = _extra(
        key="rejected-1",
        reporter=users["lto-bishkek-1"],
        district=districts["BSK"],
        party=None,
        kind=Incident.Kind.CAMPAIGN_RULES,
        details={"type": "premature", "medium": "social_network"},
        occurred_at=timezone.make_aware(dt.datetime(2021, 6, 22, 10, 30)),
        location="Bishkek, a page on a social network",
        description="[Demo data] A candidate's post that looked like early campaigning.",
    )
    if rejected.status == Status.SUBMITTED:
        seen = rejected.reported_at + dt.timedelta(hours=1)
        _step(
            rejected,
            seen,
            lifecycle.incident_transition,
            actor=head_office,
            to=Status.IN_REVIEW,
        )
        _step(
            Incident.objects.get(pk=rejected.pk),
            seen + dt.timedelta(hours=2),
            lifecycle.incident_transition,
            actor=head_office,
            to=Status.REJECTED,
            note="[Demo data] Published after the campaign had started: not a violation.",
        )
    return [duplicate, rejected, *_in_triage(users, districts)]


# Three reports of 4 July still in triage: the report states them as under review and
# counts them only if the analyst asks. They name no party.
IN_TRIAGE = [
    # (key, district, reporter, status, question for the observer)
    ("triage-in-review", "OSH", "lto-osh-2", Status.IN_REVIEW, ""),
    ("triage-question", "BSK", "lto-bishkek-1", Status.NEEDS_INFO,
     "[Demo data] Can you tell us the street and the time the banner was put up?"),
    ("triage-new", "OSH", "lto-osh-2", Status.SUBMITTED, ""),
]  # fmt: skip


def _in_triage(users: dict[str, Any], districts: dict[str, District]) -> list[Incident]:
    head_office = users["headoffice"]
    incidents = []
    for n, (key, code, reporter, status, question) in enumerate(IN_TRIAGE):
        incident = _extra(
            key=key,
            reporter=users[reporter],
            district=districts[code],
            party=None,
            kind=Incident.Kind.CAMPAIGN_RULES,
            details={"type": "placement", "medium": "outdoor"},
            occurred_at=timezone.make_aware(dt.datetime(2021, 7, 4, 10 + n, 15)),
            location=f"{districts[code].name}, a residential street",
            description="[Demo data] A campaign banner in a place where banners are not allowed.",
        )
        if incident.status == Status.SUBMITTED and status != Status.SUBMITTED:
            seen = incident.reported_at + dt.timedelta(hours=1)
            incident = _step(
                incident,
                seen,
                lifecycle.incident_transition,
                actor=head_office,
                to=Status.IN_REVIEW,
            )
            if status == Status.NEEDS_INFO:
                incident = _step(
                    incident,
                    seen + dt.timedelta(hours=1),
                    lifecycle.incident_transition,
                    actor=head_office,
                    to=Status.NEEDS_INFO,
                    note=question,
                )
        incidents.append(incident)
    return incidents


WAITING_KEY = "escalated-waiting-for-a-channel"
WAITING_REASON = (
    "[Demo data] Cash offered for votes two days before election day, with a photo of the "
    "list of names. Escalated; it leaves when a channel to the RRCG is configured."
)


def _waiting_escalation(users: dict[str, Any]) -> Incident:
    """A verified report escalated after the observation period whose escalation is
    still pending: "waiting for a channel" until one is configured."""
    head_office = users["headoffice"]
    districts = {d.code: d for d in District.objects.filter(election=_demo_incident(0).election)}
    incident = _extra(
        key=WAITING_KEY,
        reporter=users["lto-bishkek-2"],
        district=districts["BSK"],
        # No party: the demo attributes no violation to a real party the 2021 report does
        # not name (docs/reports.md#demo).
        party=None,
        kind=Incident.Kind.VOTE_BUYING,
        details=_demo_incident(8).details,
        occurred_at=timezone.make_aware(dt.datetime(2021, 7, 9, 18, 0)),
        location="Bishkek, a courtyard of a residential block",
        description="[Demo data] People were offered money for their votes and their names "
        "written on a list.",
    )
    if incident.status == Status.SUBMITTED:
        seen = incident.reported_at + dt.timedelta(hours=1)
        incident = _step(
            incident, seen, lifecycle.incident_transition, actor=head_office, to=Status.IN_REVIEW
        )
        incident = _step(
            incident,
            seen + dt.timedelta(hours=1),
            lifecycle.incident_transition,
            actor=head_office,
            to=Status.VERIFIED,
            note="[Demo data] Checked with the observer.",
        )
    if incident.status == Status.VERIFIED and not incident.escalations.exists():
        at = incident.reported_at + dt.timedelta(hours=3)
        with transaction.atomic():
            locked = records.lock_incident(incident.pk, None)
            escalation_create(actor=head_office, incident=locked, reason=WAITING_REASON, at=at)
    return incident


def load_triage(stdout: TextIO) -> None:
    """Head office's triage of the filed demo incidents."""
    names = ["headoffice", "legal", "lto-osh-2", "lto-bishkek-1", "lto-bishkek-2"]
    users = {u.username: u for u in get_user_model().objects.filter(username__in=names)}
    head_office = users["headoffice"]
    escalated = 0
    statuses: dict[str, int] = {}
    for index in range(_case_count()):
        incident = _demo_incident(index)
        if incident is None:
            continue
        status = _triage(incident, index, head_office)
        incident = Incident.objects.get(pk=incident.pk)
        if index in SERIOUS and incident.severity != Incident.Severity.SERIOUS:
            _step(
                incident,
                incident.reported_at + dt.timedelta(hours=2),
                lifecycle.incident_set_severity,
                actor=head_office,
                severity=Incident.Severity.SERIOUS,
            )
        if index in ASSIGNED and incident.assignee_id is None:
            _step(
                Incident.objects.get(pk=incident.pk),
                incident.reported_at + dt.timedelta(hours=2),
                lifecycle.incident_assign,
                actor=head_office,
                assignee=users[ASSIGNED[index]],
            )
        if index in ESCALATED:
            escalated += _escalate(Incident.objects.get(pk=incident.pk), index, users)
            status = Incident.objects.get(pk=incident.pk).status
        statuses[status] = statuses.get(status, 0) + 1
    extras = _extras(users)
    extras.append(_waiting_escalation(users))
    summary = ", ".join(f"{n} {status}" for status, n in sorted(statuses.items()))
    stdout.write(
        f"triage: {sum(statuses.values())} demo incidents ({summary}); "
        f"{escalated} new escalations; {len(extras)} extra reports (duplicate, rejected, "
        f"{len(IN_TRIAGE)} in triage, escalated and waiting for a channel)\n"
    )
