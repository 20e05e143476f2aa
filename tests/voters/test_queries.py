"""Tables 1 and 2 computed from the snapshots: the seed's numbers, gaps, query counts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests.factories import make_commission, make_district
from tests.voters.conftest import SEED, make_snapshot
from voters.models import AGE_FIELDS
from voters.queries import (
    gender_age_table,
    registration_table,
    share,
    voter_registration_data,
)


def load_seed(tecs) -> None:
    for name, (preliminary, control, male, female, ages) in SEED.items():
        make_snapshot(tecs[name], "preliminary", as_of=dt.date(2021, 6, 9), total=preliminary)
        make_snapshot(
            tecs[name],
            "control",
            as_of=dt.date(2021, 6, 20),
            total=control,
            male=male,
            female=female,
            **dict(zip(AGE_FIELDS, ages, strict=True)),
        )


@pytest.mark.django_db
def test_table_1_has_the_seeds_numbers_and_changes(tecs):
    load_seed(tecs)
    table = registration_table(tecs["Osh TEC"].election)
    assert [
        (r.commission, r.pec_count, r.preliminary, r.control, r.change) for r in table.rows
    ] == [
        ("Bishkek TEC", 228, 424_847, 425_107, 260),
        ("Osh TEC", 78, 148_144, 148_224, 80),
        ("Tokmok TEC", 20, 37_164, 37_134, -30),
    ]
    assert (table.totals.pec_count, table.totals.preliminary, table.totals.control) == (
        326,
        610_155,
        610_465,
    )
    assert table.totals.change == 310
    assert table.as_of == {
        "preliminary": dt.date(2021, 6, 9),
        "control": dt.date(2021, 6, 20),
        "final": None,
    }


@pytest.mark.django_db
def test_table_2_has_the_seeds_numbers_and_percentages(tecs):
    load_seed(tecs)
    table = gender_age_table(tecs["Osh TEC"].election)
    got = {
        r.commission: (r.male, r.female, r.male_percent, r.female_percent, tuple(r.ages.values()))
        for r in table.rows
    }
    assert got == {
        "Bishkek TEC": (
            179_270, 245_837, Decimal("42.2"), Decimal("57.8"),
            (100_817, 99_529, 77_311, 68_649, 48_740, 30_061),
        ),
        "Osh TEC": (
            67_526, 80_698, Decimal("45.6"), Decimal("54.4"),
            (41_325, 37_137, 24_013, 22_659, 16_457, 6_633),
        ),
        "Tokmok TEC": (
            16_365, 20_769, Decimal("44.1"), Decimal("55.9"),
            (9_999, 8_420, 6_357, 5_890, 4_410, 2_058),
        ),
    }  # fmt: skip
    assert (table.totals.total, table.totals.male, table.totals.female) == (
        610_465,
        263_161,
        347_304,
    )


@pytest.mark.django_db
def test_report_data_merges_both_tables_in_the_design_shape(tecs):
    load_seed(tecs)
    data = voter_registration_data(tecs["Osh TEC"].election)
    assert data["rows"][0] == {
        "commission": "Bishkek TEC",
        "district": "Bishkek",
        "pec_count": 228,
        "preliminary": 424_847,
        "control": 425_107,
        "final": None,
        "change": 260,
        "final_change": None,
        "split_stage": "control",
        "split_total": 425_107,
        "male": 179_270,
        "female": 245_837,
        "male_percent": 42.2,
        "female_percent": 57.8,
        "age_18_29": 100_817,
        "age_18_29_percent": 23.7,
        "age_30_39": 99_529,
        "age_30_39_percent": 23.4,
        "age_40_49": 77_311,
        "age_40_49_percent": 18.2,
        "age_50_59": 68_649,
        "age_50_59_percent": 16.1,
        "age_60_69": 48_740,
        "age_60_69_percent": 11.5,
        "age_70_plus": 30_061,
        "age_70_plus_percent": 7.1,
    }
    assert data["totals"]["control"] == 610_465 and data["totals"]["change"] == 310
    assert data["as_of"] == {"preliminary": ["2021-06-09"], "control": ["2021-06-20"]}


@pytest.mark.django_db
def test_report_data_leaves_out_snapshots_published_after_the_cut_off(tecs):
    load_seed(tecs)
    make_snapshot(tecs["Osh TEC"], "final", as_of=dt.date(2021, 7, 9), total=148_300)
    election = tecs["Osh TEC"].election
    assert voter_registration_data(election)["rows"][1]["final"] == 148_300
    cut = voter_registration_data(election, as_of=dt.date(2021, 7, 4))
    assert cut["rows"][1]["final"] is None and "final" not in cut["as_of"]
    early = voter_registration_data(election, as_of=dt.date(2021, 6, 10))
    assert early["totals"]["control"] is None and early["totals"]["preliminary"] == 610_155


@pytest.mark.django_db
def test_as_dict_is_json_serialisable(tecs):
    import json

    load_seed(tecs)
    election = tecs["Osh TEC"].election
    json.dumps(registration_table(election).as_dict())
    json.dumps(gender_age_table(election).as_dict())


@pytest.mark.django_db
def test_a_missing_snapshot_shows_as_a_gap_and_blanks_the_total(tecs):
    load_seed(tecs)
    tecs["Tokmok TEC"].voter_snapshots.filter(stage="preliminary").delete()
    table = registration_table(tecs["Osh TEC"].election)
    tokmok = table.rows[2]
    assert (tokmok.preliminary, tokmok.control, tokmok.change) == (None, 37_134, None)
    assert table.totals.preliminary is None and table.totals.change is None
    assert table.totals.control == 610_465


@pytest.mark.django_db
def test_total_only_snapshot_has_no_percentages(tecs):
    load_seed(tecs)
    table = gender_age_table(tecs["Osh TEC"].election, "preliminary")
    assert all(r.male is None and r.male_percent is None for r in table.rows)
    assert table.totals.total == 610_155 and table.totals.male is None


@pytest.mark.django_db
def test_pec_snapshots_and_other_elections_stay_out_of_the_tables(tecs):
    load_seed(tecs)
    bishkek = tecs["Bishkek TEC"]
    pec = make_commission(
        "PEC", election=bishkek.election, district=bishkek.district, parent=bishkek
    )
    make_snapshot(pec, "control", total=5)
    make_snapshot(make_commission("TEC"), "control", total=7)
    table = registration_table(bishkek.election)
    assert len(table.rows) == 3 and table.totals.control == 610_465


def test_share_rounds_half_up_to_one_decimal():
    assert share(1, 8) == Decimal("12.5")
    assert share(1, 16) == Decimal("6.3")  # 6.25 → 6.3, not banker's 6.2
    assert share(0, 0) is None and share(None, 5) is None


def add_tecs(election, count: int) -> None:
    for _ in range(count):
        tec = make_commission("TEC", election=election, district=make_district(election))
        make_snapshot(tec, "preliminary", total=10)
        make_snapshot(tec, "control", total=10, male=4, female=6)


@pytest.mark.django_db
@pytest.mark.parametrize("query", [registration_table, gender_age_table, voter_registration_data])
def test_query_count_does_not_grow_with_commissions(tecs, django_assert_num_queries, query):
    election = tecs["Osh TEC"].election
    add_tecs(election, 2)
    with django_assert_num_queries(2):
        query(election)
    add_tecs(election, 20)
    with django_assert_num_queries(2):
        result = query(election)
    rows = result["rows"] if isinstance(result, dict) else result.rows
    assert len(rows) == 25
