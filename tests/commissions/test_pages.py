"""Commission pages for every role: the tree, a commission's page with its composition on
a date, the forms (which refuse what the rules refuse), and constant query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commissions.models import (
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
from tests.factories import make_candidate, make_party_list, make_user

D = dt.date
pytestmark = pytest.mark.django_db
EDITORS = {Role.HEAD_OFFICE, Role.LEGAL, Role.ADMIN}
STRUCTURE_EDITORS = {Role.ANALYST, Role.ADMIN}


@pytest.fixture
def seeded(tec):
    make_member(
        tec,
        full_name="Kairat Mamatov",
        role="chair",
        term_start=D(2021, 2, 1),
        term_end=D(2021, 6, 29),
    )
    make_member(tec, full_name="Stamov Aibek Kubatovich", role="chair", term_start=D(2021, 6, 30))
    make_meeting(tec, sanitary_rules="partial")
    make_decision(tec, kind="verbal_warning", candidate_name="K.K. Kongantiev")
    make_complaint(tec, complainant="Late Complainant", deadline=D(2021, 6, 29))
    return tec


def html_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# --- Every role reads ------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_commission_list_renders_the_tree_for_every_role(client, seeded, role):
    client.force_login(make_user(role))
    html = html_of(client.get("/commissions/"))
    assert "Bishkek TEC" in html and "CEC" in html
    assert 'href="/commissions/"' in html  # the navigation entry


@pytest.mark.parametrize("role", list(Role))
def test_commission_page_renders_for_every_role(client, seeded, role):
    client.force_login(make_user(role))
    html = html_of(client.get(f"/commissions/{seeded.pk}/?on=2021-07-01"))
    assert "Stamov Aibek Kubatovich" in html
    assert "K.K. Kongantiev" in html and "Late Complainant" in html
    assert ("Add a member" in html) is (role in EDITORS)
    assert ("Record a decision" in html) is (role in EDITORS)
    assert ("Edit this commission" in html) is (role in STRUCTURE_EDITORS)


@pytest.mark.parametrize("role", list(Role))
def test_complaint_list_renders_for_every_role(client, seeded, role):
    client.force_login(make_user(role))
    assert "Late Complainant" in html_of(client.get("/complaints/?overdue=1"))


def test_anonymous_visitor_is_sent_to_sign_in(client, tec):
    response = client.get(f"/commissions/{tec.pk}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_user_without_role_is_forbidden(client, tec):
    client.force_login(make_user(None))
    assert client.get("/commissions/").status_code == 403


# --- Composition on a date -------------------------------------------------------------


def test_composition_before_the_chair_left(client, seeded, headoffice):
    client.force_login(headoffice)
    html = html_of(client.get(f"/commissions/{seeded.pk}/?on=2021-06-29"))
    composition = html.split('id="composition"')[1].split("</table>")[0]
    assert "Kairat Mamatov" in composition and "Stamov" not in composition


def test_composition_after_the_chair_left(client, seeded, headoffice):
    client.force_login(headoffice)
    html = html_of(client.get(f"/commissions/{seeded.pk}/?on=2021-06-30"))
    composition = html.split('id="composition"')[1].split("</table>")[0]
    assert "Stamov Aibek Kubatovich" in composition and "Mamatov" not in composition


def test_date_picker_works_without_javascript(client, seeded, headoffice):
    client.force_login(headoffice)
    html = html_of(client.get(f"/commissions/{seeded.pk}/"))
    assert 'method="get"' in html and 'name="on"' in html and 'type="date"' in html
    assert 'hx-get="/commissions/' in html and 'hx-target="#composition"' in html


def test_htmx_request_gets_only_the_composition(client, seeded, headoffice):
    client.force_login(headoffice)
    response = client.get(
        f"/commissions/{seeded.pk}/?on=2021-06-29",
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="composition",
    )
    html = html_of(response)
    assert html.lstrip().startswith('<div id="composition"')
    assert "Kairat Mamatov" in html and "<html" not in html


def test_malformed_date_shows_today_and_a_message(client, seeded, headoffice):
    client.force_login(headoffice)
    html = html_of(client.get(f"/commissions/{seeded.pk}/?on=not-a-date"))
    assert "Stamov Aibek Kubatovich" in html
    assert "errorlist" in html


def test_changes_during_observation_period_are_listed(client, seeded, headoffice):
    client.force_login(headoffice)
    html = html_of(client.get(f"/commissions/{seeded.pk}/"))
    assert "Changes during the observation period" in html
    assert "2021-06-29: Kairat Mamatov" in html and "2021-06-30: Stamov" in html


def test_overdue_complaints_are_highlighted(client, seeded, headoffice):
    client.force_login(headoffice)
    html = html_of(client.get(f"/commissions/{seeded.pk}/"))
    assert 'class="overdue"' in html and "badge-overdue" in html


# --- Home panel ------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_overdue_panel_on_home_for_those_who_follow_deadlines(client, seeded, role):
    client.force_login(make_user(role))
    html = html_of(client.get("/"))
    assert ("Overdue complaints" in html) is (role in EDITORS)
    if role in EDITORS:
        assert "Late Complainant" in html


# --- Forms: who may use them -----------------------------------------------------------

FORM_PAGES = [
    ("member-add", "commission"),
    ("meeting-add", "commission"),
    ("decision-add", "commission"),
    ("complaint-add", "commission"),
    ("member-edit", "member"),
    ("member-end-term", "member"),
    ("meeting-edit", "meeting"),
    ("decision-edit", "decision"),
    ("complaint-edit", "complaint"),
    ("complaint-decide", "complaint"),
]


@pytest.fixture
def targets(tec):
    return {
        "commission": tec,
        "member": make_member(tec, term_start=D(2021, 1, 1)),
        "meeting": make_meeting(tec),
        "decision": make_decision(tec),
        "complaint": make_complaint(tec),
    }


def form_url(name: str, pk: int) -> str:
    from django.urls import reverse

    return reverse(f"commissions:{name}", args=[pk])


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("page, target", FORM_PAGES)
def test_form_pages_open_only_for_editors(client, targets, role, page, target):
    client.force_login(make_user(role))
    response = client.get(form_url(page, targets[target].pk))
    assert response.status_code == (200 if role in EDITORS else 403)


@pytest.mark.parametrize("role", sorted(set(Role) - EDITORS))
def test_non_editors_cannot_post_forms(client, tec, role):
    client.force_login(make_user(role))
    response = client.post(
        form_url("member-add", tec.pk),
        {"full_name": "X", "role": "member", "nominated_by": "other", "term_start": "2021-06-30"},
    )
    assert response.status_code == 403
    assert not CommissionMember.objects.exists()


# --- Forms: accepted -------------------------------------------------------------------


def test_member_form_adds_a_member_through_the_service(client, tec, headoffice):
    client.force_login(headoffice)
    response = client.post(
        form_url("member-add", tec.pk),
        {
            "full_name": "Bakhadyr Arunovich Konurov",
            "role": "secretary",
            "nominated_by": "other",
            "term_start": "2021-06-30",
        },
    )
    assert response.status_code == 302
    member = tec.members.get()
    assert member.role == "secretary"
    assert AuditEntry.objects.get(action="commission_member.add").actor == headoffice


def test_end_term_form_ends_the_term(client, tec, headoffice):
    member = make_member(tec, term_start=D(2021, 1, 1))
    client.force_login(headoffice)
    response = client.post(form_url("member-end-term", member.pk), {"term_end": "2021-06-29"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.term_end == D(2021, 6, 29)


def test_meeting_form_records_a_meeting(client, tec, headoffice):
    client.force_login(headoffice)
    response = client.post(
        form_url("meeting-add", tec.pk),
        {
            "date": "2021-06-25",
            "mode": "in_person",
            "quorum": "true",
            "notified": "on",
            "notified_how": "in_person",
            "sanitary_rules": "partial",
        },
    )
    assert response.status_code == 302
    meeting = tec.meetings.get()
    assert (meeting.quorum, meeting.sanitary_rules) == (True, "partial")


def test_decision_form_finds_the_candidate_by_list_position(client, tec, party, headoffice):
    candidate = make_candidate(party.lists.get(), position=7)
    client.force_login(headoffice)
    response = client.post(
        form_url("decision-add", tec.pk),
        {
            "date": "2021-06-23",
            "kind": "verbal_warning",
            "party": party.pk,
            "candidate_position": 7,
            "summary": "Premature campaigning.",
        },
    )
    assert response.status_code == 302
    assert tec.decisions.get().candidate == candidate


def test_complaint_form_fills_in_the_deadline(client, tec, headoffice):
    client.force_login(headoffice)
    response = client.post(
        form_url("complaint-add", tec.pk),
        {
            "complainant": "A voter",
            "subject": "Posters",
            "filed_on": "2021-06-24",
            "received_on": "2021-06-24",
            "status": "received",
        },
    )
    assert response.status_code == 302
    assert tec.complaints.get().deadline == D(2021, 6, 29)


def test_decide_form_closes_the_complaint(client, tec, headoffice):
    complaint = make_complaint(tec)
    client.force_login(headoffice)
    response = client.post(
        form_url("complaint-decide", complaint.pk),
        {"decided_on": "2021-06-28", "decision": "Posters removed."},
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == "decided"


# --- Forms: refused, with the field named and nothing written --------------------------


def refused_by_form(client, user, url, data, field, model) -> None:
    before, audit = model.objects.count(), AuditEntry.objects.count()
    client.force_login(user)
    response = client.post(url, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html or (field == "__all__" and "errorlist" in html), html
    assert (model.objects.count(), AuditEntry.objects.count()) == (before, audit)


MEMBER = {"full_name": "X", "role": "member", "nominated_by": "other", "term_start": "2021-06-30"}


def test_member_form_refuses_a_term_ending_before_it_starts(client, tec, headoffice):
    refused_by_form(
        client,
        headoffice,
        form_url("member-add", tec.pk),
        {**MEMBER, "term_end": "2021-06-01"},
        "term_end",
        CommissionMember,
    )


def test_member_form_refuses_a_second_chair(client, tec, headoffice):
    make_member(tec, role="chair", term_start=D(2021, 1, 1))
    refused_by_form(
        client,
        headoffice,
        form_url("member-add", tec.pk),
        {**MEMBER, "role": "chair"},
        "role",
        CommissionMember,
    )


def test_member_form_refuses_party_nomination_without_party(client, tec, headoffice):
    refused_by_form(
        client,
        headoffice,
        form_url("member-add", tec.pk),
        {**MEMBER, "nominated_by": "party"},
        "party",
        CommissionMember,
    )


def test_end_term_form_refuses_an_end_before_the_start(client, tec, headoffice):
    member = make_member(tec, term_start=D(2021, 6, 1))
    refused_by_form(
        client,
        headoffice,
        form_url("member-end-term", member.pk),
        {"term_end": "2021-05-01"},
        "term_end",
        CommissionMember,
    )
    member.refresh_from_db()
    assert member.term_end is None


def test_meeting_form_refuses_a_way_of_notice_without_notice(client, tec, headoffice):
    refused_by_form(
        client,
        headoffice,
        form_url("meeting-add", tec.pk),
        {"date": "2021-06-25", "mode": "remote", "quorum": "unknown", "notified_how": "phone"},
        "notified_how",
        CommissionMeeting,
    )


DECISION = {"date": "2021-06-23", "kind": "verbal_warning", "summary": "x"}


def test_decision_form_refuses_a_warning_to_nobody(client, tec, headoffice):
    refused_by_form(
        client, headoffice, form_url("decision-add", tec.pk), DECISION, "party", CommissionDecision
    )


def test_decision_form_refuses_a_party_without_a_list_in_the_district(client, tec, headoffice):
    elsewhere = make_party_list(district=make_tec(tec.parent).district).party
    refused_by_form(
        client,
        headoffice,
        form_url("decision-add", tec.pk),
        {**DECISION, "party": elsewhere.pk},
        "party",
        CommissionDecision,
    )


def test_decision_form_refuses_an_unknown_list_position(client, tec, party, headoffice):
    refused_by_form(
        client,
        headoffice,
        form_url("decision-add", tec.pk),
        {**DECISION, "party": party.pk, "candidate_position": 99},
        "candidate_position",
        CommissionDecision,
    )


def test_decision_form_refuses_a_date_other_than_the_meeting(client, tec, party, headoffice):
    meeting = make_meeting(tec, date=D(2021, 7, 3))
    refused_by_form(
        client,
        headoffice,
        form_url("decision-add", tec.pk),
        {**DECISION, "party": party.pk, "meeting": meeting.pk},
        "date",
        CommissionDecision,
    )


COMPLAINT = {
    "complainant": "A",
    "subject": "B",
    "filed_on": "2021-06-24",
    "received_on": "2021-06-24",
    "status": "received",
}


@pytest.mark.parametrize(
    "change, field",
    [
        ({"deadline": "2021-06-20"}, "deadline"),
        ({"received_on": "2021-06-20"}, "received_on"),
        ({"status": "decided", "decision": "x"}, "decided_on"),
        ({"status": "decided", "decided_on": "2021-06-25"}, "decision"),
    ],
)
def test_complaint_form_refuses_what_breaks_a_rule(client, tec, headoffice, change, field):
    refused_by_form(
        client,
        headoffice,
        form_url("complaint-add", tec.pk),
        {**COMPLAINT, **change},
        field,
        Complaint,
    )


def test_decide_form_refuses_a_closed_complaint(client, tec, headoffice):
    done = make_complaint(tec, status="withdrawn")
    refused_by_form(
        client,
        headoffice,
        form_url("complaint-decide", done.pk),
        {"decided_on": "2021-06-28", "decision": "x"},
        "__all__",
        Complaint,
    )
    done.refresh_from_db()
    assert done.status == "withdrawn"


# --- Query counts ----------------------------------------------------------------------


def grow(tec, n: int) -> None:
    for _ in range(n):
        make_tec(tec.parent)
        make_pec(tec)
        make_member(tec, term_start=D(2020, 1, 1))
        meeting = make_meeting(tec, observer=make_user(Role.LTO))
        make_decision(tec, meeting=meeting, date=meeting.date)
        make_complaint(tec, deadline=D(2021, 6, 29))


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        html_of(client.get(url))
    return len(ctx)


@pytest.mark.parametrize("page", ["/commissions/", "detail", "/complaints/", "/"])
def test_page_query_count_does_not_grow_with_rows(client, tec, page):
    client.force_login(make_user(Role.LEGAL))
    url = f"/commissions/{tec.pk}/" if page == "detail" else page
    grow(tec, 2)
    small = queries_for(client, url)
    grow(tec, 12)
    assert queries_for(client, url) == small


def test_editing_a_cec_decision_keeps_its_candidate(client, tec, party, headoffice):
    candidate = make_candidate(party.lists.get(), position=3)
    decision = make_decision(tec.parent, kind="verbal_warning", party=party, candidate=candidate)
    client.force_login(headoffice)
    response = client.post(
        form_url("decision-edit", decision.pk),
        {"date": "2021-06-23", "kind": "verbal_warning", "party": party.pk, "summary": "Changed"},
    )
    assert response.status_code == 302
    decision.refresh_from_db()
    assert (decision.candidate, decision.summary) == (candidate, "Changed")
    assert AuditEntry.objects.get(action="commission_decision.update").data == {
        "summary": ["Nothing found.", "Changed"]
    }


def test_composition_partial_varies_on_htmx_headers(client, tec, headoffice):
    client.force_login(headoffice)
    response = client.get(f"/commissions/{tec.pk}/")
    assert "HX-Request" in response["Vary"]


def test_without_a_date_the_members_are_shown_on_election_day(client, seeded, headoffice):
    """A 2021 election viewed today shows its members on its election day, not the 0
    members serving today (issue 10)."""
    client.force_login(headoffice)
    response = client.get(f"/commissions/{seeded.pk}/")
    election_day = seeded.election.election_day
    assert response.context["on"] == election_day
    composition = html_of(response).split('id="composition"')[1].split("</table>")[0]
    assert "Stamov Aibek Kubatovich" in composition
    assert f'value="{response.context["on"].isoformat()}"' in html_of(response)


def test_default_date_falls_back_to_the_latest_term(seeded):
    from commissions import queries

    seeded.election.election_day = dt.date(2019, 1, 1)  # before anyone served
    seeded.election.save(update_fields=["election_day"])
    on = queries.default_composition_date(seeded)
    assert on > dt.date(2019, 1, 1)
    assert queries.composition_on(seeded, on).exists()
