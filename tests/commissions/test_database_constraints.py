"""The database refuses what breaks a rule even when a write skips the services
(``objects.create`` / ``bulk_create`` / ``update``): the last line of defence."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from commissions.models import (
    Commission,
    CommissionDecision,
    CommissionMeeting,
    CommissionMember,
    Complaint,
)
from tests.commissions.builders import make_cec, make_complaint, make_member, make_tec
from tests.factories import make_district

D = dt.date
pytestmark = pytest.mark.django_db


def refused(write) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        write()


def test_tec_without_parent_is_refused(election, bishkek):
    refused(
        lambda: Commission.objects.create(
            election=election, level="TEC", name="TEC", district=bishkek
        )
    )


def test_tec_without_district_is_refused(cec):
    refused(
        lambda: Commission.objects.create(
            election=cec.election, level="TEC", name="TEC", parent=cec
        )
    )


def test_cec_with_a_parent_is_refused(cec):
    refused(
        lambda: Commission.objects.create(
            election=cec.election, level="CEC", name="Second", parent=cec
        )
    )


def test_unknown_level_is_refused(election):
    refused(lambda: Commission.objects.create(election=election, level="XYZ", name="X"))


def test_pec_count_on_the_cec_is_refused(election):
    refused(
        lambda: Commission.objects.create(election=election, level="CEC", name="CEC", pec_count=3)
    )


def test_second_cec_of_an_election_is_refused(cec):
    refused(lambda: Commission.objects.create(election=cec.election, level="CEC", name="CEC 2"))


def test_second_tec_of_a_district_is_refused(tec):
    refused(
        lambda: Commission.objects.create(
            election=tec.election,
            level="TEC",
            name="Another",
            parent=tec.parent,
            district=tec.district,
        )
    )


def test_member_term_ending_before_it_starts_is_refused(tec):
    refused(
        lambda: CommissionMember.objects.bulk_create(
            [
                CommissionMember(
                    commission=tec, full_name="A", term_start=D(2021, 6, 30), term_end=D(2021, 6, 1)
                )
            ]
        )
    )


def test_updating_a_term_to_end_before_it_starts_is_refused(tec):
    member = make_member(tec, term_start=D(2021, 6, 30))
    refused(lambda: CommissionMember.objects.filter(pk=member.pk).update(term_end=D(2021, 1, 1)))


@pytest.mark.parametrize("field, value", [("role", "boss"), ("nominated_by", "king")])
def test_member_unknown_codes_are_refused(tec, field, value):
    refused(lambda: make_member(tec, **{field: value}))


def test_meeting_unknown_mode_is_refused(tec):
    refused(lambda: CommissionMeeting.objects.create(commission=tec, date=D(2021, 6, 1), mode="tv"))


def test_meeting_not_announced_but_with_a_way_is_refused(tec):
    refused(
        lambda: CommissionMeeting.objects.create(
            commission=tec, date=D(2021, 6, 1), mode="remote", notified=False, notified_how="phone"
        )
    )


def test_meeting_unknown_sanitary_rules_is_refused(tec):
    refused(
        lambda: CommissionMeeting.objects.create(
            commission=tec, date=D(2021, 6, 1), mode="remote", sanitary_rules="perfect"
        )
    )


@pytest.mark.parametrize(
    "fields",
    [
        {"received_on": D(2021, 6, 20), "filed_on": D(2021, 6, 21)},  # received before filed
        {"deadline": D(2021, 6, 23)},  # deadline before receipt
        {"status": "decided", "decision": "Upheld"},  # decided without a date
        {"status": "decided", "decided_on": D(2021, 6, 25)},  # decided without a decision
        {"decided_on": D(2021, 6, 25)},  # a date of decision on an open complaint
        {"status": "decided", "decided_on": D(2021, 6, 1), "decision": "x"},  # before receipt
        {"status": "lost"},
    ],
)
def test_complaint_breaking_a_rule_is_refused(tec, fields):
    refused(lambda: make_complaint(tec, **fields))


def test_decision_unknown_kind_is_refused(tec):
    refused(
        lambda: CommissionDecision.objects.create(
            commission=tec, date=D(2021, 6, 1), kind="fine", summary="x", candidate_name="A"
        )
    )


def test_warning_addressed_to_nobody_is_refused(tec):
    refused(
        lambda: CommissionDecision.objects.create(
            commission=tec, date=D(2021, 6, 1), kind="verbal_warning", summary="x"
        )
    )


def test_rows_that_keep_the_rules_are_accepted(election):
    cec = make_cec(election)
    tec = make_tec(cec, make_district(election))
    make_member(tec, term_start=D(2021, 6, 30), term_end=D(2021, 6, 30))
    make_complaint(tec, status=Complaint.Status.DECIDED, decided_on=D(2021, 6, 24), decision="x")
    CommissionDecision.objects.create(
        commission=tec, date=D(2021, 6, 1), kind="verbal_warning", summary="x", candidate_name="A"
    )
