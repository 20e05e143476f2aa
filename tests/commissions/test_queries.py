"""Reads: composition on a date, changes in a period, overdue complaints, the tree."""

from __future__ import annotations

import datetime as dt

import pytest

from commissions import queries
from commissions.models import Complaint
from tests.commissions.builders import (
    make_cec,
    make_complaint,
    make_decision,
    make_meeting,
    make_member,
    make_pec,
    make_tec,
)
from tests.factories import make_district, make_election

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def bishkek_tec_history(tec):
    """The Bishkek TEC of the seed: its chair left on 29 June for the CEC, a new chair
    and secretary took office the next day."""
    make_member(
        tec,
        full_name="Kairat Mamatov",
        role="chair",
        term_start=D(2021, 2, 1),
        term_end=D(2021, 6, 29),
    )
    make_member(tec, full_name="Stamov Aibek Kubatovich", role="chair", term_start=D(2021, 6, 30))
    make_member(
        tec, full_name="Bakhadyr Arunovich Konurov", role="secretary", term_start=D(2021, 6, 30)
    )
    make_member(tec, full_name="Long Serving", role="member", term_start=D(2020, 1, 1))
    return tec


def names(rows) -> list[str]:
    return [m.full_name for m in rows]


def test_composition_before_the_chair_left(bishkek_tec_history):
    assert names(queries.composition_on(bishkek_tec_history, D(2021, 6, 29))) == [
        "Kairat Mamatov",
        "Long Serving",
    ]


def test_composition_after_the_chair_left_lists_chair_then_secretary(bishkek_tec_history):
    assert names(queries.composition_on(bishkek_tec_history, D(2021, 6, 30))) == [
        "Stamov Aibek Kubatovich",
        "Bakhadyr Arunovich Konurov",
        "Long Serving",
    ]


def test_composition_before_anyone_served_is_empty(bishkek_tec_history):
    assert not queries.composition_on(bishkek_tec_history, D(2019, 1, 1)).exists()


def test_composition_is_a_query_that_follows_later_changes(bishkek_tec_history):
    on = D(2021, 7, 5)
    before = len(queries.composition_on(bishkek_tec_history, on))
    bishkek_tec_history.members.filter(full_name="Long Serving").update(term_end=D(2021, 7, 1))
    assert len(queries.composition_on(bishkek_tec_history, on)) == before - 1


def test_composition_of_one_commission_ignores_others(bishkek_tec_history, cec):
    make_member(cec, full_name="Kairat Mamatov", term_start=D(2021, 6, 30))
    assert "Kairat Mamatov" not in names(queries.composition_on(bishkek_tec_history, D(2021, 7, 1)))
    assert names(queries.composition_on(cec, D(2021, 7, 1))) == ["Kairat Mamatov"]


def test_composition_changes_in_the_observation_period(bishkek_tec_history):
    changes = queries.composition_changes(bishkek_tec_history, D(2021, 6, 21), D(2021, 7, 4))
    assert names(changes.joined) == ["Bakhadyr Arunovich Konurov", "Stamov Aibek Kubatovich"]
    assert names(changes.left) == ["Kairat Mamatov"]


def test_composition_changes_outside_the_period_are_not_listed(bishkek_tec_history):
    changes = queries.composition_changes(bishkek_tec_history, D(2021, 7, 1), D(2021, 7, 4))
    assert changes.joined == [] and changes.left == []


def test_compositions_over_a_period_agree_with_the_single_commission_reads(
    bishkek_tec_history, cec, django_assert_num_queries
):
    make_member(cec, full_name="Kairat Mamatov", role="chair", term_start=D(2021, 6, 30))
    start, end = D(2021, 6, 21), D(2021, 7, 4)
    with django_assert_num_queries(1):
        over = queries.compositions_over([cec, bishkek_tec_history], start, end)
    for commission in (cec, bishkek_tec_history):
        changes = queries.composition_changes(commission, start, end)
        assert names(over[commission.pk].members) == names(queries.composition_on(commission, end))
        assert names(over[commission.pk].changes.joined) == names(changes.joined)
        assert names(over[commission.pk].changes.left) == names(changes.left)


# --- Complaints ------------------------------------------------------------------------


def test_undecided_complaint_past_its_deadline_is_overdue(tec):
    late = make_complaint(tec, received_on=D(2021, 6, 24), deadline=D(2021, 6, 29))
    assert list(queries.overdue_complaints(on=D(2021, 6, 30))) == [late]


def test_complaint_on_its_deadline_day_is_not_yet_overdue(tec):
    make_complaint(tec, deadline=D(2021, 6, 29))
    assert not queries.overdue_complaints(on=D(2021, 6, 29)).exists()


@pytest.mark.parametrize(
    "fields",
    [
        {"status": "decided", "decided_on": D(2021, 6, 28), "decision": "x"},
        {"status": "withdrawn"},
    ],
)
def test_closed_complaints_are_not_overdue(tec, fields):
    make_complaint(tec, deadline=D(2021, 6, 29), **fields)
    assert not queries.overdue_complaints(on=D(2021, 7, 4)).exists()


def test_complaint_decided_late_counted_overdue_as_of_a_day_before_its_decision(tec):
    make_complaint(
        tec, deadline=D(2021, 6, 29), status="decided", decided_on=D(2021, 7, 2), decision="x"
    )
    assert queries.overdue_complaints(on=D(2021, 7, 1)).count() == 1
    assert queries.overdue_complaints(on=D(2021, 7, 2)).count() == 0


def test_overdue_is_computed_not_stored(tec):
    make_complaint(tec, deadline=D(2021, 6, 29))
    row = queries.complaints(tec, on=D(2021, 6, 30)).get()
    assert row.is_overdue is True
    assert queries.complaints(tec, on=D(2021, 6, 28)).get().is_overdue is False
    assert not hasattr(Complaint(), "is_overdue")


def test_decided_late_is_flagged(tec):
    make_complaint(
        tec, deadline=D(2021, 6, 29), status="decided", decided_on=D(2021, 7, 2), decision="x"
    )
    assert queries.complaints(tec).get().decided_late is True


def test_overdue_complaints_of_one_election_only(tec, election):
    make_complaint(tec, deadline=D(2021, 6, 29))
    assert queries.overdue_complaints(on=D(2021, 7, 1), election=election).count() == 1
    other = make_tec(make_cec(make_election()))
    make_complaint(other, deadline=D(2021, 6, 29))
    assert queries.overdue_complaints(on=D(2021, 7, 1), election=election).count() == 1
    assert queries.overdue_complaints(on=D(2021, 7, 1)).count() == 2


# --- Tree ------------------------------------------------------------------------------


def test_tree_lists_the_cec_and_its_tecs_with_counts(cec, tec, election):
    osh = make_tec(cec, make_district(election, name="Osh", code="OSH"), pec_count=78)
    make_pec(osh)
    make_member(tec, term_start=D(2021, 1, 1))
    make_member(tec, term_start=D(2021, 1, 1), term_end=D(2021, 1, 2))
    make_complaint(tec, deadline=D(2021, 6, 29))
    make_meeting(tec)
    make_decision(tec)
    tree = queries.commission_tree(election, on=D(2021, 7, 1))
    assert tree.cec == cec
    assert tree.pec_total == 228 + 78
    rows = {t.name: t for t in tree.tecs}
    assert list(rows) == ["Bishkek TEC", "Osh TEC"]
    bishkek = rows["Bishkek TEC"]
    assert (bishkek.members_serving, bishkek.meeting_count, bishkek.decision_count) == (1, 1, 1)
    assert (bishkek.open_complaints, bishkek.overdue_complaints) == (1, 1)
    assert rows["Osh TEC"].pec_rows == 1 and rows["Osh TEC"].pec_count == 78


def test_activity_summary_counts_up_to_the_cut_off(tec, election):
    make_meeting(tec, date=D(2021, 6, 25), mode="in_person", sanitary_rules="partial")
    make_meeting(tec, date=D(2021, 7, 3), mode="remote")
    make_meeting(tec, date=D(2021, 7, 9), mode="remote")  # after the cut-off
    make_decision(tec, kind="verbal_warning", candidate_name="K.", date=D(2021, 6, 23))
    make_complaint(tec, deadline=D(2021, 6, 29))
    summary = queries.activity_summary(election, until=D(2021, 7, 4))
    assert summary["meetings"]["total"] == 2
    assert summary["meetings"]["remote"] == 1
    assert summary["meetings"]["sanitary_rules"]["partial"] == 1
    assert summary["decisions"]["by_kind"]["verbal_warning"] == 1
    assert summary["complaints"] == {"total": 1, "decided": 0, "overdue": 1, "decided_late": 0}
