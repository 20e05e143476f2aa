"""Services: each rule is refused with a message naming the field, nothing is written,
and every accepted change leaves an audit entry naming the actor."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from commissions import services
from commissions.models import (
    Commission,
    CommissionDecision,
    CommissionMeeting,
    CommissionMember,
    Complaint,
)
from observation.models import AuditEntry
from tests.commissions.builders import (
    make_cec,
    make_complaint,
    make_meeting,
    make_member,
    make_pec,
    make_tec,
)
from tests.factories import make_candidate, make_district, make_election, make_party_list

D = dt.date
pytestmark = pytest.mark.django_db


def refused(field: str, call) -> ValidationError:
    """``call`` raises a ValidationError on ``field`` and writes nothing at all."""
    models = (Commission, CommissionMember, CommissionMeeting, CommissionDecision, Complaint)
    before = {m: m.objects.count() for m in (*models, AuditEntry)}
    with pytest.raises(ValidationError) as caught:
        call()
    assert field in caught.value.message_dict, caught.value.message_dict
    assert {m: m.objects.count() for m in before} == before
    return caught.value


# --- Commissions -----------------------------------------------------------------------


def test_commission_create_writes_an_audit_entry(headoffice, cec, bishkek):
    tec = services.commission_create(
        actor=headoffice,
        election=cec.election,
        level="TEC",
        name="Bishkek TEC",
        parent=cec,
        district=bishkek,
        pec_count=228,
    )
    entry = AuditEntry.objects.get(action="commission.create")
    assert entry.actor == headoffice
    assert entry.object_id == str(tec.pk)
    assert entry.data["pec_count"] == 228 and entry.data["parent_id"] == cec.pk


def test_tec_must_report_to_the_cec(headoffice, tec):
    other = make_district(tec.election)
    refused(
        "parent",
        lambda: services.commission_create(
            actor=headoffice,
            election=tec.election,
            level="TEC",
            name="X",
            parent=tec,
            district=other,
        ),
    )


def test_pec_serves_the_district_of_its_tec(headoffice, tec):
    other = make_district(tec.election)
    refused(
        "district",
        lambda: services.commission_create(
            actor=headoffice,
            election=tec.election,
            level="PEC",
            name="PEC 1",
            parent=tec,
            district=other,
        ),
    )


def test_commission_district_must_belong_to_its_election(headoffice, cec):
    foreign = make_district(make_election())
    refused(
        "district",
        lambda: services.commission_create(
            actor=headoffice,
            election=cec.election,
            level="TEC",
            name="X",
            parent=cec,
            district=foreign,
        ),
    )


def test_parent_must_belong_to_the_same_election(headoffice, cec):
    other_election = make_election()
    refused(
        "parent",
        lambda: services.commission_create(
            actor=headoffice,
            election=other_election,
            level="TEC",
            name="X",
            parent=cec,
            district=make_district(other_election),
        ),
    )


def test_second_tec_for_a_district_is_refused_on_the_district(headoffice, tec):
    refused(
        "district",
        lambda: services.commission_create(
            actor=headoffice,
            election=tec.election,
            level="TEC",
            name="Other",
            parent=tec.parent,
            district=tec.district,
        ),
    )


def test_duplicate_commission_name_is_refused_on_the_name(headoffice, tec):
    refused(
        "name",
        lambda: services.commission_create(
            actor=headoffice,
            election=tec.election,
            level="PEC",
            name=tec.name,
            parent=tec,
            district=tec.district,
        ),
    )


def test_only_a_tec_has_a_pec_count(headoffice, election):
    refused(
        "pec_count",
        lambda: services.commission_create(
            actor=headoffice, election=election, level="CEC", name="CEC", pec_count=5
        ),
    )


def test_commission_level_cannot_change(headoffice, tec):
    refused(
        "level", lambda: services.commission_update(actor=headoffice, commission=tec, level="PEC")
    )


def test_commission_update_records_what_changed(headoffice, tec):
    services.commission_update(actor=headoffice, commission=tec, pec_count=230)
    entry = AuditEntry.objects.get(action="commission.update")
    assert entry.data == {"pec_count": [228, 230]}


# --- Members ---------------------------------------------------------------------------


def test_member_add_is_audited(headoffice, tec):
    member = services.commission_member_add(
        actor=headoffice,
        commission=tec,
        full_name="A. B.",
        term_start=D(2021, 6, 30),
        role="secretary",
    )
    entry = AuditEntry.objects.get(action="commission_member.add")
    assert entry.object_id == str(member.pk) and entry.data["role"] == "secretary"


def test_term_cannot_end_before_it_starts(headoffice, tec):
    refused(
        "term_end",
        lambda: services.commission_member_add(
            actor=headoffice,
            commission=tec,
            full_name="A",
            term_start=D(2021, 6, 30),
            term_end=D(2021, 6, 1),
        ),
    )


def test_two_chairs_at_once_are_refused(headoffice, tec):
    make_member(tec, full_name="First Chair", role="chair", term_start=D(2021, 1, 1))
    error = refused(
        "role",
        lambda: services.commission_member_add(
            actor=headoffice,
            commission=tec,
            full_name="Second",
            role="chair",
            term_start=D(2021, 6, 30),
        ),
    )
    assert "First Chair" in error.message_dict["role"][0]


def test_a_new_chair_may_start_the_day_after_the_last_one_left(headoffice, tec):
    make_member(tec, role="chair", term_start=D(2021, 1, 1), term_end=D(2021, 6, 29))
    services.commission_member_add(
        actor=headoffice, commission=tec, full_name="New", role="chair", term_start=D(2021, 6, 30)
    )
    assert tec.members.filter(role="chair").count() == 2


def test_many_ordinary_members_may_serve_at_once(headoffice, tec):
    make_member(tec, term_start=D(2021, 1, 1))
    services.commission_member_add(
        actor=headoffice, commission=tec, full_name="Other", term_start=D(2021, 6, 30)
    )


def test_same_person_cannot_hold_overlapping_terms(headoffice, tec):
    make_member(tec, full_name="A. B.", term_start=D(2021, 1, 1))
    refused(
        "term_start",
        lambda: services.commission_member_add(
            actor=headoffice,
            commission=tec,
            full_name="A. B.",
            role="secretary",
            term_start=D(2021, 6, 30),
        ),
    )


def test_nominated_by_a_party_names_the_party(headoffice, tec):
    refused(
        "party",
        lambda: services.commission_member_add(
            actor=headoffice,
            commission=tec,
            full_name="A",
            nominated_by="party",
            term_start=D(2021, 6, 30),
        ),
    )


def test_end_term_sets_the_last_day_and_is_audited(headoffice, tec):
    member = make_member(tec, term_start=D(2021, 1, 1))
    services.commission_member_end_term(actor=headoffice, member=member, term_end=D(2021, 6, 29))
    member.refresh_from_db()
    assert member.term_end == D(2021, 6, 29)
    entry = AuditEntry.objects.get(action="commission_member.end_term")
    assert entry.data == {"term_end": [None, "2021-06-29"]}


def test_an_ended_term_cannot_be_ended_again(headoffice, tec):
    member = make_member(tec, term_start=D(2021, 1, 1), term_end=D(2021, 6, 29))
    refused(
        "term_end",
        lambda: services.commission_member_end_term(
            actor=headoffice, member=member, term_end=D(2021, 6, 30)
        ),
    )


def test_end_term_before_the_start_is_refused(headoffice, tec):
    member = make_member(tec, term_start=D(2021, 6, 1))
    refused(
        "term_end",
        lambda: services.commission_member_end_term(
            actor=headoffice, member=member, term_end=D(2021, 5, 1)
        ),
    )


def test_a_term_cannot_move_to_another_commission(headoffice, tec):
    member = make_member(tec)
    refused(
        "commission",
        lambda: services.commission_member_update(
            actor=headoffice, member=member, commission=tec.parent
        ),
    )


# --- Meetings and decisions ------------------------------------------------------------


def test_meeting_record_is_audited(headoffice, tec):
    meeting = services.commission_meeting_record(
        actor=headoffice,
        commission=tec,
        date=D(2021, 6, 25),
        mode="remote",
        quorum=True,
        notified=True,
        notified_how="in_person",
    )
    entry = AuditEntry.objects.get(action="commission_meeting.record")
    assert entry.object_id == str(meeting.pk) and entry.data["mode"] == "remote"


def test_meeting_not_announced_has_no_way_it_was(headoffice, tec):
    refused(
        "notified_how",
        lambda: services.commission_meeting_record(
            actor=headoffice,
            commission=tec,
            date=D(2021, 6, 25),
            mode="remote",
            notified=False,
            notified_how="phone",
        ),
    )


def test_decision_record_is_audited(headoffice, tec, party):
    services.commission_decision_record(
        actor=headoffice,
        commission=tec,
        date=D(2021, 6, 23),
        kind="verbal_warning",
        party=party,
        summary="Premature campaigning.",
    )
    assert AuditEntry.objects.get(action="commission_decision.record").data["party_id"] == party.pk


def test_warning_must_be_addressed_to_someone(headoffice, tec):
    refused(
        "party",
        lambda: services.commission_decision_record(
            actor=headoffice,
            commission=tec,
            date=D(2021, 6, 23),
            kind="written_warning",
            summary="x",
        ),
    )


def test_decision_party_must_have_a_list_in_the_commission_district(headoffice, tec, election):
    elsewhere = make_party_list(district=make_district(election)).party
    refused(
        "party",
        lambda: services.commission_decision_record(
            actor=headoffice,
            commission=tec,
            date=D(2021, 6, 23),
            kind="verbal_warning",
            party=elsewhere,
            summary="x",
        ),
    )


def test_the_cec_may_decide_about_a_party_of_any_district_of_its_election(headoffice, tec):
    elsewhere = make_party_list(district=make_district(tec.election)).party
    services.commission_decision_record(
        actor=headoffice,
        commission=tec.parent,
        date=D(2021, 6, 23),
        kind="verbal_warning",
        party=elsewhere,
        summary="x",
    )


def test_decision_candidate_must_stand_in_the_commission_election(headoffice, tec):
    foreign = make_candidate()  # on a list in another election
    refused(
        "candidate",
        lambda: services.commission_decision_record(
            actor=headoffice,
            commission=tec,
            date=D(2021, 6, 23),
            kind="verbal_warning",
            candidate=foreign,
            summary="x",
        ),
    )


def test_decision_candidate_must_stand_for_the_named_party(headoffice, tec, party):
    candidate = make_candidate(make_party_list(district=tec.district))
    refused(
        "candidate",
        lambda: services.commission_decision_record(
            actor=headoffice,
            commission=tec,
            date=D(2021, 6, 23),
            kind="verbal_warning",
            party=party,
            candidate=candidate,
            summary="x",
        ),
    )


def test_decision_meeting_must_be_of_the_same_commission(headoffice, tec):
    other = make_meeting(tec.parent)
    refused(
        "meeting",
        lambda: services.commission_decision_record(
            actor=headoffice,
            commission=tec,
            date=other.date,
            kind="no_violation",
            meeting=other,
            summary="x",
        ),
    )


def test_decision_at_a_meeting_carries_its_date(headoffice, tec):
    meeting = make_meeting(tec, date=D(2021, 7, 3))
    refused(
        "date",
        lambda: services.commission_decision_record(
            actor=headoffice,
            commission=tec,
            date=D(2021, 7, 4),
            kind="no_violation",
            meeting=meeting,
            summary="x",
        ),
    )


def test_decision_complaint_must_be_of_the_same_commission(headoffice, tec):
    other = make_complaint(tec.parent)
    refused(
        "complaint",
        lambda: services.commission_decision_record(
            actor=headoffice,
            commission=tec,
            date=D(2021, 7, 1),
            kind="no_violation",
            complaint=other,
            summary="x",
        ),
    )


def test_meeting_date_cannot_leave_its_decisions_behind(headoffice, tec):
    meeting = make_meeting(tec, date=D(2021, 7, 3))
    services.commission_decision_record(
        actor=headoffice,
        commission=tec,
        date=D(2021, 7, 3),
        kind="no_violation",
        meeting=meeting,
        summary="x",
    )
    refused(
        "date",
        lambda: services.commission_meeting_update(
            actor=headoffice, meeting=meeting, date=D(2021, 7, 4)
        ),
    )


# --- Complaints ------------------------------------------------------------------------


def test_complaint_without_deadline_gets_five_days(headoffice, tec):
    complaint = services.complaint_record(
        actor=headoffice,
        commission=tec,
        filed_on=D(2021, 6, 24),
        received_on=D(2021, 6, 24),
        complainant="A voter",
        subject="Posters",
    )
    assert complaint.deadline == D(2021, 6, 29)
    assert AuditEntry.objects.get(action="complaint.record").data["deadline"] == "2021-06-29"


def test_default_deadline_falls_before_election_day(headoffice, tec):
    # election day 2021-07-11: five days from 07-08 would pass it
    complaint = services.complaint_record(
        actor=headoffice,
        commission=tec,
        filed_on=D(2021, 7, 8),
        received_on=D(2021, 7, 8),
        complainant="A voter",
        subject="Posters",
    )
    assert complaint.deadline == D(2021, 7, 10)


def test_complaint_on_election_day_is_due_at_once(headoffice, tec):
    complaint = services.complaint_record(
        actor=headoffice,
        commission=tec,
        filed_on=D(2021, 7, 11),
        received_on=D(2021, 7, 11),
        complainant="A voter",
        subject="Ballot stuffing",
    )
    assert complaint.deadline == D(2021, 7, 11)


def test_entered_deadline_before_receipt_is_refused(headoffice, tec):
    refused(
        "deadline",
        lambda: services.complaint_record(
            actor=headoffice,
            commission=tec,
            filed_on=D(2021, 6, 24),
            received_on=D(2021, 6, 24),
            deadline=D(2021, 6, 20),
            complainant="A",
            subject="B",
        ),
    )


def test_complaint_received_before_filed_is_refused(headoffice, tec):
    refused(
        "received_on",
        lambda: services.complaint_record(
            actor=headoffice,
            commission=tec,
            filed_on=D(2021, 6, 24),
            received_on=D(2021, 6, 20),
            complainant="A",
            subject="B",
        ),
    )


def test_decide_closes_the_complaint_and_is_audited(headoffice, tec):
    complaint = make_complaint(tec)
    services.complaint_decide(
        actor=headoffice, complaint=complaint, decided_on=D(2021, 6, 28), decision="Upheld"
    )
    complaint.refresh_from_db()
    assert (complaint.status, complaint.decided_on) == ("decided", D(2021, 6, 28))
    entry = AuditEntry.objects.get(action="complaint.decide")
    assert entry.actor == headoffice and entry.data["status"] == ["received", "decided"]


def test_decision_before_receipt_is_refused(headoffice, tec):
    complaint = make_complaint(tec)
    refused(
        "decided_on",
        lambda: services.complaint_decide(
            actor=headoffice, complaint=complaint, decided_on=D(2021, 6, 1), decision="x"
        ),
    )


def test_decided_complaint_cannot_be_decided_again(headoffice, tec):
    complaint = make_complaint(tec, status="decided", decided_on=D(2021, 6, 25), decision="x")
    refused(
        "status",
        lambda: services.complaint_decide(
            actor=headoffice, complaint=complaint, decided_on=D(2021, 6, 26), decision="y"
        ),
    )


@pytest.mark.parametrize("closed", ["decided", "withdrawn"])
def test_closed_complaint_does_not_reopen(headoffice, tec, closed):
    fields = {"decided_on": D(2021, 6, 25), "decision": "x"} if closed == "decided" else {}
    complaint = make_complaint(tec, status=closed, **fields)
    refused(
        "status",
        lambda: services.complaint_update(
            actor=headoffice, complaint=complaint, status="under_review", decided_on=None
        ),
    )


def test_open_complaint_moves_to_review_then_withdrawn(headoffice, tec):
    complaint = make_complaint(tec)
    services.complaint_update(actor=headoffice, complaint=complaint, status="under_review")
    services.complaint_update(actor=headoffice, complaint=complaint, status="withdrawn")
    complaint.refresh_from_db()
    assert complaint.status == "withdrawn"
    assert AuditEntry.objects.filter(action="complaint.update").count() == 2


def test_pec_can_be_created_under_its_tec(headoffice, tec):
    pec = services.commission_create(
        actor=headoffice,
        election=tec.election,
        level="PEC",
        name="PEC 1001",
        parent=tec,
        district=tec.district,
    )
    assert pec.parent == tec
    make_pec(tec)
    assert tec.children.count() == 2


def test_cec_builder_and_tec_builder_make_a_valid_tree(election):
    cec = make_cec(election)
    make_tec(cec).full_clean()
