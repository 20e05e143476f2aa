"""Builders for the reports tests: incidents, escalations, snapshots and a small but
complete election that does not depend on the demo data."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from commissions.models import Commission, CommissionMember
from incidents.models import Escalation, Incident
from observation.models import District, Election, Party
from reports import services
from tests.factories import (
    make_candidate,
    make_commission,
    make_district,
    make_election,
    make_party,
    make_party_list,
    make_user,
)
from voters.models import VoterListSnapshot

_seq = itertools.count(1)


def local(day: dt.date, hour: int = 12, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def make_incident(
    *,
    election: Election,
    district: District,
    kind: str = "vote_buying",
    party: Party | None = None,
    status: str = "verified",
    occurred_at: dt.datetime | None = None,
    reporter=None,
    **fields,
) -> Incident:
    n = next(_seq)
    original = None
    if status == "duplicate":
        original = fields.pop("duplicate_of", None) or make_incident(
            election=election, district=district, kind=kind, party=party, reporter=reporter
        )
    return Incident.objects.create(
        id=uuid.uuid4(),
        ref=f"{district.code}-{n:05d}",
        number=n,
        election=election,
        district=district,
        kind=kind,
        occurred_at=occurred_at or local(election.observation_start + dt.timedelta(days=2)),
        reported_by=reporter or make_user("lto", districts=[district]),
        location="Somewhere",
        party=party,
        description="What happened",
        source="direct_observation",
        witnesses="Witness Secretname, +996 555 000 111",
        status=status,
        duplicate_of=original,
        fingerprint=uuid.uuid4().hex,
        **fields,
    )


def make_escalation(incident: Incident, status: str = "delivered", **fields) -> Escalation:
    return Escalation.objects.create(
        incident=incident,
        created_by=fields.pop("created_by", None) or make_user("headoffice"),
        reason="Serious",
        status=status,
        **fields,
    )


def make_snapshot(commission: Commission, stage: str, total: int, male: int | None = None,
                  ages: list[int] | None = None, as_of: dt.date | None = None):  # fmt: skip
    fields = {}
    if male is not None:
        fields.update(male=male, female=total - male)
    if ages is not None:
        names = ["age_18_29", "age_30_39", "age_40_49", "age_50_59", "age_60_69", "age_70_plus"]
        fields.update(dict(zip(names, ages, strict=True)))
    return VoterListSnapshot.objects.create(
        commission=commission,
        stage=stage,
        as_of=as_of
        or {
            "preliminary": dt.date(2021, 6, 9),
            "control": dt.date(2021, 6, 20),
            "final": dt.date(2021, 7, 9),
        }[stage],  # fmt: skip
        total=total,
        **fields,
    )


def make_report(election: Election | None = None, actor=None, **fields):
    return services.report_create(
        actor=actor or make_user("analyst"),
        election=election or make_election(),
        title=fields.pop("title", "Preliminary report"),
        **fields,
    )


@dataclass
class World:
    election: Election
    districts: list[District]
    parties: list[Party]
    tecs: list[Commission] = field(default_factory=list)
    reporter: object = None


def build_world(districts: int = 2, parties: int = 3, incidents_per_district: int = 2) -> World:
    """An election with ``districts`` districts (45 mandates each); every party stands in
    every district with one man and one woman registered and one denied; each TEC has a
    preliminary and a control list; each district gets vote-buying incidents naming each
    party in turn."""
    election = make_election()
    world = World(election, [], [])
    world.parties = [make_party(name=f"Party {next(_seq)}") for _ in range(parties)]
    cec = make_commission("CEC", election=election, name=f"CEC {next(_seq)}")
    for i in range(districts):
        district = make_district(election, name=f"City {next(_seq)}", mandates=45,
                                 threshold_percent=Decimal("7.00"))  # fmt: skip
        world.districts.append(district)
        for party in world.parties:
            party_list = make_party_list(party, district, nominated_count=3)
            make_candidate(party_list, gender="M", position=1)
            make_candidate(party_list, gender="F", position=2)
            make_candidate(party_list, gender="M", position=3, status="denied",
                           denial_reason="Late papers")  # fmt: skip
        tec = make_commission("TEC", election=election, district=district, parent=cec,
                              name=f"{district.name} TEC", pec_count=10 + i)  # fmt: skip
        world.tecs.append(tec)
        make_snapshot(tec, "preliminary", 1000)
        make_snapshot(tec, "control", 1010, male=410, ages=[300, 250, 200, 150, 70, 40])
        CommissionMember.objects.create(
            commission=tec, full_name=f"Chair {i}", role="chair", term_start=dt.date(2021, 1, 1)
        )
    world.reporter = make_user("lto", districts=world.districts)
    for district in world.districts:
        for j in range(incidents_per_district):
            make_incident(
                election=election,
                district=district,
                party=world.parties[j % len(world.parties)],
                reporter=world.reporter,
            )
    return world
