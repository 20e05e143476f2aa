"""``election_overview``: the seed's Table 3 as the app computes it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from observation.queries import DistrictRow, OverviewTotals, election_overview
from tests.factories import (
    make_candidate,
    make_district,
    make_election,
    make_party,
    make_party_list,
)

pytestmark = pytest.mark.django_db


def test_counts_registered_candidates_by_gender_and_the_denied_apart():
    election = make_election()
    district = make_district(election, name="Tokmok", code="TKM", mandates=31)
    party_list = make_party_list(district=district, nominated_count=5)
    make_candidate(party_list, position=1, gender="M")
    make_candidate(party_list, position=2, gender="F")
    make_candidate(party_list, position=3, gender="F")
    make_candidate(party_list, position=4, gender="M", status="denied", denial_reason="Court")
    make_candidate(party_list, position=5, gender="F", status="withdrawn")

    [row] = election_overview(election).rows

    assert row == DistrictRow(
        district_id=district.pk,
        district="Tokmok",
        code="TKM",
        mandates=31,
        threshold_percent=Decimal("7.00"),
        parties=1,
        candidates=3,
        male=1,
        female=2,
        nominated=5,
        denied=1,
        withdrawn=1,
    )


def test_totals_count_a_party_standing_in_several_districts_once():
    election = make_election()
    bishkek, osh = make_district(election, mandates=45), make_district(election, mandates=31)
    everywhere, only_osh = make_party(name="Ata-Jurt"), make_party(name="Nur")
    make_party_list(everywhere, bishkek, nominated_count=2)
    make_party_list(everywhere, osh, nominated_count=3)
    make_party_list(only_osh, osh)

    overview = election_overview(election)

    assert [row.parties for row in overview.rows] == [1, 2]
    assert overview.totals == OverviewTotals(
        mandates=76, parties=2, party_lists=3, candidates=0, male=0, female=0,
        nominated=5, denied=0, withdrawn=0,
    )  # fmt: skip
    [multi] = overview.multi_district_parties
    assert (multi.party, len(multi.districts)) == ("Ata-Jurt", 2)


def test_a_district_without_lists_reads_as_zeros():
    election = make_election()
    make_district(election, name="Empty")
    [row] = election_overview(election).rows
    assert (row.parties, row.candidates, row.nominated, row.denied) == (0, 0, 0, 0)


def test_other_elections_do_not_count():
    election, other = make_election(), make_election()
    party = make_party()
    make_candidate(make_party_list(party, make_district(other)), position=1)
    make_district(election)
    overview = election_overview(election)
    assert overview.totals.candidates == 0 and overview.totals.parties == 0
    assert overview.multi_district_parties == []


def _grow(election, districts: int) -> None:
    for _ in range(districts):
        district = make_district(election)
        for _ in range(2):
            party_list = make_party_list(district=district, nominated_count=3)
            for position in range(1, 4):
                make_candidate(party_list, position=position)


def test_costs_four_queries_however_large_the_election(django_assert_num_queries):
    election = make_election()
    _grow(election, 1)
    with django_assert_num_queries(4):
        election_overview(election)
    _grow(election, 8)
    with django_assert_num_queries(4):
        assert election_overview(election).totals.candidates == 9 * 2 * 3
