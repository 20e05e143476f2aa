"""The API (docs/api.md): field names, filters, the role × action matrix, 400 with field
messages that change nothing, and query counts that do not grow with rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commissions.models import (
    Commission,
    CommissionDecision,
    CommissionMeeting,
    CommissionMember,
    Complaint,
)
from observation.kernel.roles import Role
from observation.models import AuditEntry
from tests.commissions.builders import (
    make_complaint,
    make_decision,
    make_meeting,
    make_member,
    make_pec,
    make_tec,
)
from tests.factories import make_candidate, make_district, make_election, make_user

D = dt.date
pytestmark = pytest.mark.django_db
BASE = "/api/v1/"
WRITERS = {Role.HEAD_OFFICE, Role.LEGAL, Role.ADMIN}
"""Who records the commissions' activity (members, meetings, decisions, complaints)."""
STRUCTURE_WRITERS = {Role.ANALYST, Role.ADMIN}
"""Who keeps the commissions themselves (docs/roles.md; issue 10 point 11)."""


def writers(endpoint: str) -> set:
    return STRUCTURE_WRITERS if endpoint == "commissions" else WRITERS


MODELS = {
    "commissions": Commission,
    "commission-members": CommissionMember,
    "commission-meetings": CommissionMeeting,
    "commission-decisions": CommissionDecision,
    "complaints": Complaint,
}


@pytest.fixture
def records(tec, party):
    """One existing row per endpoint and a valid new one to create."""
    member = make_member(tec, term_start=D(2021, 1, 1))
    meeting = make_meeting(tec)
    decision = make_decision(tec)
    complaint = make_complaint(tec)
    new = {
        "commissions": {
            "election": tec.election_id,
            "level": "PEC",
            "name": "PEC 1001",
            "parent": tec.pk,
            "district": tec.district_id,
        },
        "commission-members": {
            "commission": tec.pk,
            "full_name": "New Member",
            "role": "member",
            "nominated_by": "party",
            "party": party.pk,
            "term_start": "2021-06-30",
        },
        "commission-meetings": {
            "commission": tec.pk,
            "date": "2021-07-03",
            "mode": "remote",
            "quorum": True,
            "notified": True,
            "notified_how": "in_person",
        },
        "commission-decisions": {
            "commission": tec.pk,
            "date": "2021-06-23",
            "kind": "verbal_warning",
            "party": party.pk,
            "summary": "Premature campaigning.",
        },
        "complaints": {
            "commission": tec.pk,
            "filed_on": "2021-06-24",
            "received_on": "2021-06-24",
            "complainant": "A voter",
            "subject": "Posters on a school fence",
        },
    }
    existing = {
        "commissions": tec,
        "commission-members": member,
        "commission-meetings": meeting,
        "commission-decisions": decision,
        "complaints": complaint,
    }
    patch = {
        "commissions": {"pec_count": 230},
        "commission-members": {"re_elected": True},
        "commission-meetings": {"notes": "Quorum checked by roll call."},
        "commission-decisions": {"legal_basis": "Article 28"},
        "complaints": {"status": "under_review"},
    }
    return {"new": new, "existing": existing, "patch": patch}


# --- Role × action matrix --------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("endpoint", list(MODELS))
def test_every_role_reads_every_collection(api, records, role, endpoint):
    api.force_authenticate(make_user(role))
    response = api.get(f"{BASE}{endpoint}/")
    assert response.status_code == 200
    assert response.json()["count"] >= 1
    row = records["existing"][endpoint]
    assert api.get(f"{BASE}{endpoint}/{row.pk}/").status_code == 200


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("endpoint", list(MODELS))
def test_only_editors_create(api, records, role, endpoint):
    api.force_authenticate(make_user(role))
    model = MODELS[endpoint]
    before = model.objects.count()
    response = api.post(f"{BASE}{endpoint}/", records["new"][endpoint], format="json")
    if role in writers(endpoint):
        assert response.status_code == 201, response.json()
        assert model.objects.count() == before + 1
        assert AuditEntry.objects.filter(object_id=str(response.json()["id"])).exists()
    else:
        assert response.status_code == 403
        assert model.objects.count() == before


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("endpoint", list(MODELS))
def test_only_editors_update(api, records, role, endpoint):
    api.force_authenticate(make_user(role))
    row = records["existing"][endpoint]
    change = records["patch"][endpoint]
    response = api.patch(f"{BASE}{endpoint}/{row.pk}/", change, format="json")
    row.refresh_from_db()
    field, value = next(iter(change.items()))
    if role in writers(endpoint):
        assert response.status_code == 200, response.json()
        assert response.json()[field] == value
        assert getattr(row, field) == value
    else:
        assert response.status_code == 403
        assert getattr(row, field) != value


@pytest.mark.parametrize("endpoint", list(MODELS))
def test_anonymous_is_refused(api, endpoint):
    assert api.get(f"{BASE}{endpoint}/").status_code in (401, 403)


@pytest.mark.parametrize("endpoint", list(MODELS))
def test_records_are_not_deleted_through_the_api(writer_api, records, endpoint):
    row = records["existing"][endpoint]
    assert writer_api(endpoint).delete(f"{BASE}{endpoint}/{row.pk}/").status_code == 405
    assert MODELS[endpoint].objects.filter(pk=row.pk).exists()


# --- Field names -----------------------------------------------------------------------


def test_commission_fields_follow_the_design(editor_api, tec):
    row = editor_api.get(f"{BASE}commissions/{tec.pk}/").json()
    assert row == {
        "id": tec.pk,
        "election": tec.election_id,
        "level": "TEC",
        "name": "Bishkek TEC",
        "parent": tec.parent_id,
        "district": tec.district_id,
        "pec_count": 228,
        "note": "",
    }


def test_complaint_shows_whether_it_is_overdue(editor_api, tec):
    late = make_complaint(tec, deadline=D(2021, 6, 29))
    row = editor_api.get(f"{BASE}complaints/{late.pk}/").json()
    assert row["is_overdue"] is True and row["decided_late"] is False
    assert row["deadline"] == "2021-06-29" and row["status"] == "received"


# --- Bad input: 400 with field messages, nothing written -------------------------------

INVALID = [
    ("commissions", {"parent": None}, "parent"),
    ("commissions", {"level": "CEC", "parent": None, "district": None, "pec_count": 5}, "level"),
    ("commissions", {"level": "TEC", "parent": None}, "parent"),
    ("commissions", {"level": "XYZ"}, "level"),
    ("commissions", {"parent": 999999}, "parent"),
    ("commission-members", {"term_end": "2021-06-01"}, "term_end"),
    ("commission-members", {"role": "boss"}, "role"),
    ("commission-members", {"term_start": "30/06/2021"}, "term_start"),
    ("commission-members", {"party": None, "party_label": ""}, "party"),
    ("commission-meetings", {"mode": "tv"}, "mode"),
    ("commission-meetings", {"notified": False}, "notified_how"),
    ("commission-meetings", {"sanitary_rules": "perfect"}, "sanitary_rules"),
    ("commission-decisions", {"kind": "written_warning", "party": None}, "party"),
    ("commission-decisions", {"kind": "fine"}, "kind"),
    ("complaints", {"deadline": "2021-06-20"}, "deadline"),
    ("complaints", {"received_on": "2021-06-20"}, "received_on"),
    ("complaints", {"status": "decided"}, "decided_on"),
    ("complaints", {"status": "decided", "decided_on": "2021-06-25"}, "decision"),
    ("complaints", {"status": "lost"}, "status"),
    ("complaints", {"filed_on": "yesterday"}, "filed_on"),
]


@pytest.mark.parametrize("endpoint, change, field", INVALID)
def test_bad_input_is_refused_with_a_field_message(writer_api, records, endpoint, change, field):
    model = MODELS[endpoint]
    before, audit = model.objects.count(), AuditEntry.objects.count()
    payload = {**records["new"][endpoint], **change}
    response = writer_api(endpoint).post(f"{BASE}{endpoint}/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert (model.objects.count(), AuditEntry.objects.count()) == (before, audit)


def test_second_chair_is_refused_on_role(editor_api, tec):
    make_member(tec, role="chair", term_start=D(2021, 1, 1))
    response = editor_api.post(
        f"{BASE}commission-members/",
        {"commission": tec.pk, "full_name": "X", "role": "chair", "term_start": "2021-07-01"},
        format="json",
    )
    assert response.status_code == 400 and "role" in response.json()
    assert tec.members.count() == 1


def test_pec_in_another_district_than_its_tec_is_refused(structure_api, tec):
    other = make_district(tec.election)
    response = structure_api.post(
        f"{BASE}commissions/",
        {
            "election": tec.election_id,
            "level": "PEC",
            "name": "PEC 1",
            "parent": tec.pk,
            "district": other.pk,
        },
        format="json",
    )
    assert response.status_code == 400 and "district" in response.json()


def test_decision_about_a_candidate_of_another_election_is_refused(editor_api, tec):
    foreign = make_candidate()
    response = editor_api.post(
        f"{BASE}commission-decisions/",
        {
            "commission": tec.pk,
            "date": "2021-06-23",
            "kind": "verbal_warning",
            "candidate": foreign.pk,
            "summary": "x",
        },
        format="json",
    )
    assert response.status_code == 400 and "candidate" in response.json()
    assert not CommissionDecision.objects.exists()


def test_decision_about_a_party_without_a_list_there_is_refused(editor_api, tec, election):
    from tests.factories import make_party_list

    elsewhere = make_party_list(district=make_district(election)).party
    response = editor_api.post(
        f"{BASE}commission-decisions/",
        {
            "commission": tec.pk,
            "date": "2021-06-23",
            "kind": "verbal_warning",
            "party": elsewhere.pk,
            "summary": "x",
        },
        format="json",
    )
    assert response.status_code == 400 and "party" in response.json()


def test_decision_at_a_meeting_of_another_commission_is_refused(editor_api, tec):
    meeting = make_meeting(tec.parent)
    response = editor_api.post(
        f"{BASE}commission-decisions/",
        {
            "commission": tec.pk,
            "date": meeting.date.isoformat(),
            "kind": "no_violation",
            "meeting": meeting.pk,
            "summary": "x",
        },
        format="json",
    )
    assert response.status_code == 400 and "meeting" in response.json()


def test_changing_the_level_of_a_commission_is_refused(structure_api, tec):
    response = structure_api.patch(f"{BASE}commissions/{tec.pk}/", {"level": "PEC"}, format="json")
    assert response.status_code == 400 and "level" in response.json()
    tec.refresh_from_db()
    assert tec.level == "TEC"


def test_reopening_a_decided_complaint_is_refused(editor_api, tec):
    done = make_complaint(tec, status="decided", decided_on=D(2021, 6, 25), decision="x")
    response = editor_api.patch(
        f"{BASE}complaints/{done.pk}/",
        {"status": "received", "decided_on": None, "decision": ""},
        format="json",
    )
    assert response.status_code == 400 and "status" in response.json()
    done.refresh_from_db()
    assert done.status == "decided"


# --- Actions ---------------------------------------------------------------------------


def test_end_term_action_sets_the_last_day(editor_api, tec):
    member = make_member(tec, term_start=D(2021, 1, 1))
    response = editor_api.post(
        f"{BASE}commission-members/{member.pk}/end-term/",
        {"term_end": "2021-06-29", "note": "Joined the CEC"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["term_end"] == "2021-06-29"
    assert response.json()["note"] == "Joined the CEC"


def test_end_term_before_start_is_a_400(editor_api, tec):
    member = make_member(tec, term_start=D(2021, 6, 1))
    response = editor_api.post(
        f"{BASE}commission-members/{member.pk}/end-term/", {"term_end": "2021-05-01"}
    )
    assert response.status_code == 400 and "term_end" in response.json()


@pytest.mark.parametrize("role", list(Role))
def test_only_editors_end_terms(api, tec, role):
    member = make_member(tec, term_start=D(2021, 1, 1))
    api.force_authenticate(make_user(role))
    response = api.post(
        f"{BASE}commission-members/{member.pk}/end-term/", {"term_end": "2021-06-29"}
    )
    assert response.status_code == (200 if role in WRITERS else 403)


def test_decide_action_closes_the_complaint(editor_api, tec):
    complaint = make_complaint(tec, deadline=D(2021, 6, 29))
    response = editor_api.post(
        f"{BASE}complaints/{complaint.pk}/decide/",
        {"decided_on": "2021-07-01", "decision": "Leaflets to be removed."},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "decided" and body["decided_late"] is True
    assert body["is_overdue"] is False


def test_decide_without_a_decision_is_a_400(editor_api, tec):
    complaint = make_complaint(tec)
    response = editor_api.post(
        f"{BASE}complaints/{complaint.pk}/decide/", {"decided_on": "2021-07-01"}, format="json"
    )
    assert response.status_code == 400 and "decision" in response.json()


@pytest.mark.parametrize("role", list(Role))
def test_only_editors_decide_complaints(api, tec, role):
    complaint = make_complaint(tec)
    api.force_authenticate(make_user(role))
    response = api.post(
        f"{BASE}complaints/{complaint.pk}/decide/",
        {"decided_on": "2021-07-01", "decision": "x"},
        format="json",
    )
    assert response.status_code == (200 if role in WRITERS else 403)


# --- Filters ---------------------------------------------------------------------------


def ids(response) -> set[int]:
    assert response.status_code == 200, response.json()
    return {row["id"] for row in response.json()["results"]}


def test_members_on_a_date_give_the_composition(editor_api, tec):
    old = make_member(tec, role="chair", term_start=D(2021, 2, 1), term_end=D(2021, 6, 29))
    new = make_member(tec, role="chair", term_start=D(2021, 6, 30))
    url = f"{BASE}commission-members/?commission={tec.pk}&on="
    assert ids(editor_api.get(url + "2021-06-29")) == {old.pk}
    assert ids(editor_api.get(url + "2021-06-30")) == {new.pk}


def test_members_on_a_malformed_date_is_a_400(editor_api):
    response = editor_api.get(f"{BASE}commission-members/?on=29.06.2021")
    assert response.status_code == 400 and "on" in response.json()


def test_filters_by_level_and_parent(editor_api, tec):
    pec = make_pec(tec)
    assert ids(editor_api.get(f"{BASE}commissions/?level=TEC")) == {tec.pk}
    assert ids(editor_api.get(f"{BASE}commissions/?parent={tec.pk}")) == {pec.pk}


def test_unknown_level_filter_is_a_400(editor_api, tec):
    assert editor_api.get(f"{BASE}commissions/?level=XYZ").status_code == 400


def test_filters_by_election(editor_api, tec):
    other_cec = Commission.objects.create(election=make_election(), level="CEC", name="Other")
    assert ids(editor_api.get(f"{BASE}commissions/?election={tec.election_id}")) == {
        tec.pk,
        tec.parent_id,
    }
    assert ids(editor_api.get(f"{BASE}commissions/?election={other_cec.election_id}")) == {
        other_cec.pk
    }


def test_filters_members_by_role(editor_api, tec):
    chair = make_member(tec, role="chair")
    make_member(tec, role="member")
    assert ids(editor_api.get(f"{BASE}commission-members/?role=chair")) == {chair.pk}


def test_filters_decisions_by_kind_and_party(editor_api, tec, party):
    warning = make_decision(tec, kind="verbal_warning", party=party)
    make_decision(tec, kind="no_violation")
    assert ids(editor_api.get(f"{BASE}commission-decisions/?kind=verbal_warning")) == {warning.pk}
    assert ids(editor_api.get(f"{BASE}commission-decisions/?party={party.pk}")) == {warning.pk}


def test_filters_meetings_by_mode(editor_api, tec):
    remote = make_meeting(tec, mode="remote")
    make_meeting(tec, mode="in_person")
    assert ids(editor_api.get(f"{BASE}commission-meetings/?mode=remote")) == {remote.pk}


def test_filters_complaints_by_status_and_overdue(editor_api, tec):
    late = make_complaint(tec, deadline=D(2021, 6, 29))
    done = make_complaint(tec, status="decided", decided_on=D(2021, 6, 25), decision="x")
    assert ids(editor_api.get(f"{BASE}complaints/?status=decided")) == {done.pk}
    assert ids(editor_api.get(f"{BASE}complaints/?overdue=true")) == {late.pk}
    assert ids(editor_api.get(f"{BASE}complaints/?overdue=false")) == {done.pk}


def test_lists_are_paginated(editor_api, tec):
    for _ in range(3):
        make_complaint(tec)
    body = editor_api.get(f"{BASE}complaints/?page_size=2").json()
    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]


# --- Query counts ----------------------------------------------------------------------


def grow(tec, n: int) -> None:
    for _ in range(n):
        pec = make_pec(tec)
        make_member(tec, term_start=D(2021, 1, 1), party=None)
        make_member(pec, term_start=D(2021, 1, 1))
        meeting = make_meeting(tec, observer=make_user(Role.LTO))
        make_decision(tec, meeting=meeting, date=meeting.date, kind="no_violation")
        make_complaint(tec)
    make_tec(tec.parent)


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


@pytest.mark.parametrize(
    "url",
    [
        "commissions/",
        "commission-members/",
        "commission-members/?on=2021-06-30",
        "commission-meetings/",
        "commission-decisions/",
        "complaints/",
        "complaints/?overdue=true",
    ],
)
def test_list_query_count_does_not_grow_with_rows(editor_api, tec, url):
    grow(tec, 2)
    small = queries_for(editor_api, BASE + url)
    grow(tec, 15)
    assert queries_for(editor_api, BASE + url) == small
