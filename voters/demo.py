"""Demo data of voters: the preliminary and control lists of Tables 1 and 2 of the seed.

The TECs come from ``commissions.demo`` (it runs first); they are found by the district
code. The preliminary list of 9 June 2021 is known only by its total; the control list of
20 June has the gender and age breakdown of Table 2. Every breakdown adds up to its total
(checked by the model and the database as the snapshots are saved), and the change from
one list to the other is computed, never stored: +260 (Bishkek), +80 (Osh), −30
(Tokmok), so Tokmok's preliminary total is 37 164 as Table 1 prints it.
"""

from __future__ import annotations

import datetime as dt
from typing import TextIO

from commissions.models import Commission
from observation.demo import demo_election
from voters.models import AGE_FIELDS
from voters.services import voter_snapshot_save

PRELIMINARY_AS_OF = dt.date(2021, 6, 9)
CONTROL_AS_OF = dt.date(2021, 6, 20)

# district code -> preliminary total (Table 1)
PRELIMINARY = {"BSK": 424_847, "OSH": 148_144, "TKM": 37_164}

# district code -> (total, male, female, six age brackets 18-29 … 70+) (Tables 1 and 2)
CONTROL = {
    "BSK": (425_107, 179_270, 245_837, (100_817, 99_529, 77_311, 68_649, 48_740, 30_061)),
    "OSH": (148_224, 67_526, 80_698, (41_325, 37_137, 24_013, 22_659, 16_457, 6_633)),
    "TKM": (37_134, 16_365, 20_769, (9_999, 8_420, 6_357, 5_890, 4_410, 2_058)),
}


def tec_of(code: str) -> Commission:
    try:
        return Commission.objects.get(
            election=demo_election(), level=Commission.Level.TEC, district__code=code
        )
    except Commission.DoesNotExist:
        raise RuntimeError(
            f"voters.demo needs the TEC of district {code}: commissions.demo must run first."
        ) from None


def load(stdout: TextIO) -> None:
    count = 0
    for code, preliminary_total in PRELIMINARY.items():
        commission = tec_of(code)
        existing = {s.stage: s for s in commission.voter_snapshots.all()}
        voter_snapshot_save(
            actor=None,
            snapshot=existing.get("preliminary"),
            commission=commission,
            stage="preliminary",
            as_of=PRELIMINARY_AS_OF,
            total=preliminary_total,
        )
        total, male, female, ages = CONTROL[code]
        voter_snapshot_save(
            actor=None,
            snapshot=existing.get("control"),
            commission=commission,
            stage="control",
            as_of=CONTROL_AS_OF,
            total=total,
            male=male,
            female=female,
            **dict(zip(AGE_FIELDS, ages, strict=True)),
        )
        count += 2
    stdout.write(f"voters: {count} voter-list snapshots (preliminary and control lists)\n")
