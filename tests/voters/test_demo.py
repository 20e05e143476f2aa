"""load_demo: the seed's Tables 1 and 2, exactly, and idempotently."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from observation.demo import demo_election
from observation.models import AuditEntry
from voters.models import VoterListSnapshot
from voters.queries import gender_age_table, registration_table

TABLE_1 = [
    ("Bishkek TEC", 228, 424_847, 425_107, 260),
    ("Osh TEC", 78, 148_144, 148_224, 80),
    ("Tokmok TEC", 20, 37_164, 37_134, -30),
]
TABLE_2 = [
    ("Bishkek TEC", 179_270, 245_837, Decimal("42.2"), Decimal("57.8"),
     [100_817, 99_529, 77_311, 68_649, 48_740, 30_061]),
    ("Osh TEC", 67_526, 80_698, Decimal("45.6"), Decimal("54.4"),
     [41_325, 37_137, 24_013, 22_659, 16_457, 6_633]),
    ("Tokmok TEC", 16_365, 20_769, Decimal("44.1"), Decimal("55.9"),
     [9_999, 8_420, 6_357, 5_890, 4_410, 2_058]),
]  # fmt: skip


def snapshot_state():
    return list(VoterListSnapshot.objects.order_by("pk").values())


@pytest.mark.django_db
def test_load_demo_gives_tables_1_and_2_of_the_seed_and_is_idempotent():
    call_command("load_demo", stdout=io.StringIO())
    election = demo_election()
    table1 = registration_table(election)
    assert [
        (r.commission, r.pec_count, r.preliminary, r.control, r.change) for r in table1.rows
    ] == TABLE_1
    assert str(table1.as_of["preliminary"]) == "2021-06-09"
    assert str(table1.as_of["control"]) == "2021-06-20"
    table2 = gender_age_table(election, "control")
    assert [
        (r.commission, r.male, r.female, r.male_percent, r.female_percent, list(r.ages.values()))
        for r in table2.rows
    ] == TABLE_2
    for row in table2.rows:
        assert row.male + row.female == row.total == sum(row.ages.values())

    ours = AuditEntry.objects.filter(action__startswith="voter_snapshot")
    state, audit = snapshot_state(), ours.count()
    call_command("load_demo", stdout=io.StringIO())
    assert snapshot_state() == state
    assert ours.count() == audit
