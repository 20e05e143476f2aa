from __future__ import annotations

import datetime as dt

import pytest

from commissions.models import CommissionMember
from reports import compute
from tests.factories import make_candidate, make_district, make_party, make_party_list
from tests.reports.factories import (
    build_world,
    local,
    make_escalation,
    make_incident,
    make_report,
    make_snapshot,
)

pytestmark = pytest.mark.django_db


def test_parties_in_total_are_distinct_not_lists():
    world = build_world(districts=3, parties=2)
    data = compute.report_data(make_report(world.election))
    totals = data["districts"]["totals"]
    assert totals["parties"] == 2
    assert totals["lists"] == 6
    assert [r["parties"] for r in data["districts"]["rows"]] == [2, 2, 2]


def test_table3_counts_registered_candidates_by_gender():
    world = build_world(districts=2, parties=3)
    data = compute.report_data(make_report(world.election))
    row = data["districts"]["rows"][0]
    assert (row["candidates"], row["male"], row["female"], row["denied"]) == (6, 3, 3, 3)
    assert data["districts"]["totals"]["candidates"] == 12
    assert data["districts"]["totals"]["mandates"] == 90


def test_parties_standing_in_several_districts_are_listed():
    world = build_world(districts=2, parties=1)
    lone = make_party(name="Only Here")
    make_candidate(make_party_list(lone, world.districts[0]), gender="F", position=1)
    data = compute.report_data(make_report(world.election))
    several = data["districts"]["parties_in_several_districts"]
    assert [p["party"] for p in several] == [world.parties[0].name]


def test_voter_table_has_change_and_gender_percentages():
    world = build_world(districts=1)
    row = compute.report_data(make_report(world.election))["voter_registration"]["rows"][0]
    assert (row["preliminary"], row["control"], row["change"]) == (1000, 1010, 10)
    assert (row["male"], row["female"]) == (410, 600)
    assert (row["male_percent"], row["female_percent"]) == (40.6, 59.4)
    assert row["age_18_29"] == 300 and row["age_70_plus"] == 40


def test_percentages_round_half_up_like_the_seed():
    assert compute.percent(179270, 425107) == 42.2
    assert compute.percent(245837, 425107) == 57.8
    assert compute.percent(16365, 37134) == 44.1
    assert compute.percent(1, 8) == 12.5
    assert compute.percent(None, 10) is None


def test_voter_snapshots_published_after_the_period_are_left_out():
    world = build_world(districts=1)
    make_snapshot(world.tecs[0], "final", 1020, male=420, as_of=dt.date(2021, 7, 9))
    row = compute.report_data(make_report(world.election))["voter_registration"]["rows"][0]
    assert row["final"] is None
    assert row["split_stage"] == "control"


def test_a_stage_total_is_left_blank_unless_every_tec_has_it():
    world = build_world(districts=2)
    make_snapshot(world.tecs[0], "final", 1020, as_of=dt.date(2021, 7, 1))
    totals = compute.report_data(make_report(world.election))["voter_registration"]["totals"]
    assert totals["control"] == 2020  # both TECs have their control list
    assert totals["final"] is None  # one TEC's final list alone is not the total


def test_rejected_and_duplicate_incidents_are_not_counted():
    world = build_world(districts=1, incidents_per_district=0)
    district = world.districts[0]
    make_incident(election=world.election, district=district, status="verified")
    make_incident(election=world.election, district=district, status="rejected")
    make_incident(election=world.election, district=district, status="duplicate")
    violations = compute.report_data(make_report(world.election))["violations"]
    # the duplicate's original is counted once; the duplicate and the rejected are not
    assert violations["total"] == 2


def test_incidents_outside_the_period_are_not_counted_in_local_time():
    world = build_world(districts=1, incidents_per_district=0)
    election, district = world.election, world.districts[0]
    make_incident(
        election=election, district=district, occurred_at=local(dt.date(2021, 7, 4), 23, 30)
    )
    make_incident(
        election=election, district=district, occurred_at=local(dt.date(2021, 7, 5), 0, 30)
    )
    make_incident(
        election=election, district=district, occurred_at=local(dt.date(2021, 6, 20), 23, 59)
    )
    make_incident(
        election=election, district=district, occurred_at=local(dt.date(2021, 6, 21), 0, 0)
    )
    report = make_report(
        election, period_start=dt.date(2021, 6, 21), period_end=dt.date(2021, 7, 4)
    )
    assert compute.report_data(report)["violations"]["total"] == 2


def test_breakdowns_by_party_with_unknown_and_by_district():
    world = build_world(districts=2, parties=2, incidents_per_district=0)
    a, b = world.districts
    p1 = world.parties[0]
    make_incident(election=world.election, district=a, kind="admin_resource", party=p1)
    make_incident(election=world.election, district=a, kind="admin_resource", party=None)
    make_incident(election=world.election, district=b, kind="campaign_rules", party=None)
    v = compute.report_data(make_report(world.election))["violations"]
    assert v["by_kind"] == {"admin_resource": 2, "vote_buying": 0, "campaign_rules": 1}
    assert v["by_kind_and_party"]["admin_resource"][p1.name] == 1
    assert v["by_kind_and_party"]["admin_resource"]["unknown"] == 1
    assert v["by_kind_and_party"]["vote_buying"]["unknown"] == 0
    assert v["by_kind_and_party"]["campaign_rules"][world.parties[1].name] == 0
    assert v["by_kind_and_district"]["admin_resource"] == {a.name: 2, b.name: 0}
    assert v["by_kind_and_district"]["campaign_rules"] == {a.name: 0, b.name: 1}


def test_escalated_counts_distinct_incidents_with_a_transfer():
    world = build_world(districts=1, incidents_per_district=0)
    district = world.districts[0]
    twice = make_incident(election=world.election, district=district)
    make_escalation(twice, "delivered")
    make_escalation(twice, "pending")
    make_escalation(make_incident(election=world.election, district=district), "acknowledged")
    make_escalation(make_incident(election=world.election, district=district), "failed")
    rejected = make_incident(election=world.election, district=district, status="rejected")
    make_escalation(rejected, "delivered")
    v = compute.report_data(make_report(world.election))["violations"]
    assert v["total"] == 3
    assert v["escalated"] == 2


def test_report_counts_only_its_own_election():
    world = build_world(districts=1, incidents_per_district=3)
    other = build_world(districts=1, incidents_per_district=5)
    assert compute.report_data(make_report(world.election))["violations"]["total"] == 3
    assert compute.report_data(make_report(other.election))["violations"]["total"] == 5


def test_commission_composition_on_the_last_day_and_changes_in_the_period():
    world = build_world(districts=1)
    tec = world.tecs[0]
    CommissionMember.objects.create(
        commission=tec,
        full_name="Old Secretary",
        role="secretary",
        term_start=dt.date(2020, 1, 1),
        term_end=dt.date(2021, 6, 25),
    )
    CommissionMember.objects.create(
        commission=tec, full_name="New Secretary", role="secretary", term_start=dt.date(2021, 6, 26)
    )
    CommissionMember.objects.create(
        commission=tec, full_name="Future Member", term_start=dt.date(2021, 7, 10)
    )
    tec_data = compute.report_data(make_report(world.election))["commissions"]["tecs"][0]
    assert [m["full_name"] for m in tec_data["members"]] == ["Chair 0", "New Secretary"]
    assert [(c["change"], c["full_name"]) for c in tec_data["changes"]] == [
        ("left", "Old Secretary"),
        ("joined", "New Secretary"),
    ]


def test_data_has_the_contract_keys_of_design_7():
    world = build_world(districts=1)
    data = compute.report_data(make_report(world.election))
    row = data["voter_registration"]["rows"][0]
    for key in (
        "commission",
        "pec_count",
        "preliminary",
        "control",
        "change",
        "male",
        "female",
        "age_18_29",
        "age_30_39",
        "age_40_49",
        "age_50_59",
        "age_60_69",
        "age_70_plus",
    ):
        assert key in row
    assert set(data["districts"]["rows"][0]) >= {
        "district",
        "mandates",
        "parties",
        "candidates",
        "male",
        "female",
    }
    assert set(data["districts"]["totals"]) >= {
        "mandates",
        "parties",
        "candidates",
        "male",
        "female",
    }
    assert set(data["violations"]) >= {
        "total",
        "by_kind",
        "by_kind_and_party",
        "by_kind_and_district",
        "escalated",
    }


def test_a_district_without_lists_still_shows():
    world = build_world(districts=1)
    make_district(world.election, name="Empty town")
    rows = compute.report_data(make_report(world.election))["districts"]["rows"]
    assert ("Empty town", 0, 0) in [(r["district"], r["parties"], r["candidates"]) for r in rows]
