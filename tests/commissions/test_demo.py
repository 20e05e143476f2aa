"""The demo data of section 5 of the seed report (load_demo's idempotency is tested for
all apps in tests/observation/test_demo.py)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command

from commissions import queries
from commissions.models import Commission, CommissionMeeting
from observation.demo import demo_election

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("load_demo", stdout=io.StringIO())
    return demo_election()


def cec_of(election) -> Commission:
    return Commission.objects.get(election=election, level="CEC")


def test_cec_has_its_twelve_members_from_the_vote_of_30_june(demo):
    members = list(queries.composition_on(cec_of(demo), D(2021, 6, 30)))
    assert len(members) == 12
    assert {m.term_start for m in members} == {D(2021, 6, 30)}
    by_body = {"parliament": 0, "president": 0}
    for member in members:
        by_body[member.nominated_by] += 1
    assert by_body == {"parliament": 6, "president": 6}


RE_ELECTED = {"Akylbek Eshimov", "Tynchtyk Shainazarov", "Abdyzhapar Bekmatov",
              "Nurzhan Shildabekova"}  # fmt: skip


def test_before_the_vote_only_the_four_re_elected_members_are_recorded(demo):
    """The seed names only the four re-elected members of the outgoing CEC, and gives no
    first day of their terms: none is invented."""
    outgoing = list(queries.composition_on(cec_of(demo), D(2021, 6, 29)))
    assert {m.full_name for m in outgoing} == RE_ELECTED
    assert {(m.term_start, m.term_end, m.nominated_by, m.re_elected) for m in outgoing} == {
        (None, D(2021, 6, 29), "unknown", False)
    }


def test_cec_members_parties_and_re_election_as_the_seed_lists_them(demo):
    rows = {
        m.full_name: (m.nominated_by, m.party.name if m.party else m.party_label, m.re_elected)
        for m in cec_of(demo).members.select_related("party").filter(term_start=D(2021, 6, 30))
    }
    assert rows == {
        "Uzarbek Zhylykbaev": ("parliament", "SDPK", False),
        "Akylbek Eshimov": ("parliament", "Kyrgyzstan", True),
        "Kairat Mamatov": ("parliament", "Republic - Ata-Zhurt", False),
        "Tynchtyk Shainazarov": ("parliament", "Onuguu-Progress", True),
        "Abdyzhapar Bekmatov": ("parliament", "Bir Bol", True),
        "Iskender Gaypkulov": ("parliament", "Ata Meken", False),
        "Nurzhan Shildabekova": ("president", "", True),
        "Mars Naspekov": ("president", "", False),
        "Anar Dubanbaeva": ("president", "", False),
        "Nurlan Koichukeyev": ("president", "", False),
        "Akbalik Zhumalieva": ("president", "", False),
        "Aidana Zhupueva": ("president", "", False),
    }


def test_registered_parties_are_linked_not_just_named(demo):
    shainazarov = cec_of(demo).members.get(
        full_name="Tynchtyk Shainazarov", term_start=D(2021, 6, 30)
    )
    assert shainazarov.party is not None and shainazarov.party.name == "Onuguu-Progress"


def test_three_tecs_with_their_pec_counts_under_the_cec(demo):
    tecs = Commission.objects.filter(election=demo, level="TEC").select_related("district")
    assert {(t.name, t.district.code, t.pec_count) for t in tecs} == {
        ("Bishkek TEC", "BSK", 228),
        ("Osh TEC", "OSH", 78),
        ("Tokmok TEC", "TKM", 20),
    }
    assert {t.parent_id for t in tecs} == {cec_of(demo).pk}
    assert queries.commission_tree(demo).pec_total == 326


def test_osh_and_tokmok_tecs_are_noted_as_re_formed(demo):
    for name in ("Osh TEC", "Tokmok TEC"):
        assert "re-formed" in Commission.objects.get(election=demo, name=name).note


def test_bishkek_tec_chair_changed_when_mamatov_joined_the_cec(demo):
    tec = Commission.objects.get(election=demo, name="Bishkek TEC")
    before = {m.full_name: m.role for m in queries.composition_on(tec, D(2021, 6, 29))}
    after = {m.full_name: m.role for m in queries.composition_on(tec, D(2021, 6, 30))}
    assert before == {"Kairat Mamatov": "chair"}
    assert after == {
        "Stamov Aibek Kubatovich": "chair",
        "Bakhadyr Arunovich Konurov": "secretary",
    }
    # His TEC term ends before his CEC term starts.
    tec_term = tec.members.get(full_name="Kairat Mamatov")
    cec_term = cec_of(demo).members.get(full_name="Kairat Mamatov")
    assert tec_term.term_end < cec_term.term_start


def test_meetings_observed_as_the_seed_reports(demo):
    rows = {
        m.commission.name: m
        for m in CommissionMeeting.objects.filter(commission__election=demo).select_related(
            "commission"
        )
    }
    assert rows["Osh TEC"].mode == rows["Tokmok TEC"].mode == "in_person"
    assert rows["Osh TEC"].sanitary_rules == rows["Tokmok TEC"].sanitary_rules == "partial"
    assert all(m.quorum and m.notified for m in rows.values())


def test_bishkek_tec_decisions(demo):
    tec = Commission.objects.get(election=demo, name="Bishkek TEC")
    warnings = tec.decisions.filter(date=D(2021, 6, 23), kind="verbal_warning")
    assert {d.party.name for d in warnings} == {
        "Ata-Jurt Kyrgyzstan",
        "Ishenim",
        "Reform",
        "Social Democrats",
        "Stolitsa (Capital)",
    }
    assert warnings.get(party__name="Ata-Jurt Kyrgyzstan").candidate_name == "K.K. Kongantiev"
    written = tec.decisions.get(kind="written_warning")
    assert (written.date, written.party.name) == (D(2021, 7, 3), "Bizdin Kyrgyzstan")
    assert "Part 2 of Article 28" in written.legal_basis
    assert {d.party.name for d in tec.decisions.filter(kind="no_violation")} == {
        "Kelechek-Future",
        "Emgek",
    }


def test_an_osh_complaint_is_overdue(demo):
    overdue = queries.overdue_complaints(on=D(2021, 7, 4), election=demo)
    assert [c.commission.name for c in overdue] == ["Osh TEC"]
    summary = queries.activity_summary(demo, until=D(2021, 7, 4))
    assert summary["complaints"]["decided_late"] == 1
