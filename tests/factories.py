"""Small builders for test data, shared by every app's tests.

Personas follow the roles of docs/roles.md: ``make_user("lto", districts=[bishkek])``.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from django.contrib.auth import get_user_model

from observation.kernel.roles import Role
from observation.models import Candidate, District, Election, ObserverProfile, Party, PartyList

_seq = itertools.count(1)


def running_now() -> dict:
    """An election observed from June 2021 until today: incidents dated in 2021 and
    incidents filed "now" both fall in its observation period (the filing rule of
    INCIDENT_DATE_MARGIN_DAYS, docs/incidents.md)."""
    return {"observation_end": dt.date.today() + dt.timedelta(days=5)}


def make_election(**fields) -> Election:
    n = next(_seq)
    defaults = {
        "name": f"Test election {n}",
        "kind": Election.Kind.LOCAL,
        "election_day": dt.date(2021, 7, 11),
        "observation_start": dt.date(2021, 6, 21),
        "observation_end": dt.date(2021, 7, 4),
    }
    return Election.objects.create(**{**defaults, **fields})


def make_district(election: Election | None = None, **fields) -> District:
    n = next(_seq)
    defaults = {
        "name": f"District {n}",
        "code": f"D{n:03d}",
        "mandates": 45,
        "threshold_percent": Decimal("7.00"),
    }
    return District.objects.create(election=election or make_election(), **{**defaults, **fields})


def make_party(**fields) -> Party:
    n = next(_seq)
    return Party.objects.create(**{"name": f"Party {n}", "short_name": f"P{n}", **fields})


def make_party_list(party: Party | None = None, district: District | None = None, **fields):
    return PartyList.objects.create(
        party=party or make_party(), district=district or make_district(), **fields
    )


def make_candidate(party_list: PartyList | None = None, **fields) -> Candidate:
    n = next(_seq)
    defaults = {"full_name": f"Candidate {n}", "gender": "F", "position": n}
    return Candidate.objects.create(
        party_list=party_list or make_party_list(), **{**defaults, **fields}
    )


def make_user(role: str | Role | None, username: str | None = None, districts=(), **fields):
    User = get_user_model()
    user = User.objects.create_user(
        username=username or f"user{next(_seq)}", password="pw-for-tests", **fields
    )
    if role is not None:
        profile = ObserverProfile.objects.create(user=user, role=Role(role))
        profile.districts.set(districts)
    return user


def make_commission(level: str = "TEC", election=None, district=None, parent=None, **fields):
    """A commission in a valid tree: a TEC or PEC gets a district and a parent (the
    election's CEC, created if missing) unless given."""
    from commissions.models import Commission

    n = next(_seq)
    level = Commission.Level(level)
    if level == Commission.Level.CEC:
        election = election or make_election()
        return Commission.objects.create(
            election=election, level=level, **{"name": f"CEC {n}", **fields}
        )
    if district is None:
        district = make_district(election)
    election = election or district.election
    if parent is None:
        parent = Commission.objects.filter(election=election, level="CEC").first()
        parent = parent or make_commission("CEC", election=election)
    return Commission.objects.create(
        election=election,
        level=level,
        district=district,
        parent=parent,
        **{"name": f"{level} {n}", **fields},
    )


def make_party_meeting(party=None, district=None, **fields):
    from observation.models import PartyMeeting

    defaults = {"date": dt.date(2021, 6, 2), "concerns": "Low voter awareness."}
    return PartyMeeting.objects.create(
        party=party or make_party(), district=district or make_district(), **{**defaults, **fields}
    )
