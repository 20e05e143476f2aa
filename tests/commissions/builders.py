"""Builders for commission test data. They write rows directly (no service), so tests can
set up any state quickly; behaviour under test always goes through the real code path."""

from __future__ import annotations

import datetime as dt
import itertools

from commissions.models import (
    Commission,
    CommissionDecision,
    CommissionMeeting,
    CommissionMember,
    Complaint,
)
from observation.models import District, Election
from tests.factories import make_district

D = dt.date
_seq = itertools.count(1)


def make_cec(election: Election, **fields) -> Commission:
    return Commission.objects.create(
        **{"election": election, "level": "CEC", "name": f"CEC {next(_seq)}", **fields}
    )


def make_tec(cec: Commission, district: District | None = None, **fields) -> Commission:
    district = district or make_district(cec.election)
    return Commission.objects.create(
        **{
            "election": cec.election,
            "level": "TEC",
            "name": f"{district.name} TEC",
            "parent": cec,
            "district": district,
            "pec_count": 20,
            **fields,
        }
    )


def make_pec(tec: Commission, **fields) -> Commission:
    return Commission.objects.create(
        **{
            "election": tec.election,
            "level": "PEC",
            "name": f"PEC {next(_seq)}",
            "parent": tec,
            "district": tec.district,
            **fields,
        }
    )


def make_member(commission: Commission, **fields) -> CommissionMember:
    defaults = {"full_name": f"Member {next(_seq)}", "term_start": D(2021, 6, 1)}
    return CommissionMember.objects.create(commission=commission, **{**defaults, **fields})


def make_meeting(commission: Commission, **fields) -> CommissionMeeting:
    defaults = {"date": D(2021, 6, 25), "mode": "in_person", "quorum": True}
    return CommissionMeeting.objects.create(commission=commission, **{**defaults, **fields})


def make_complaint(commission: Commission, **fields) -> Complaint:
    defaults = {
        "complainant": f"Complainant {next(_seq)}",
        "subject": "Posters on a school fence",
        "filed_on": D(2021, 6, 24),
        "received_on": D(2021, 6, 24),
        "deadline": D(2021, 6, 29),
    }
    return Complaint.objects.create(commission=commission, **{**defaults, **fields})


def make_decision(commission: Commission, **fields) -> CommissionDecision:
    defaults = {"date": D(2021, 6, 23), "kind": "no_violation", "summary": "Nothing found."}
    return CommissionDecision.objects.create(commission=commission, **{**defaults, **fields})
