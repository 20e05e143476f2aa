"""The API of elections, districts, parties, party lists, candidates and party meetings
(docs/api.md): names, roles, filters, pagination, errors, query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from observation.kernel.roles import Role
from observation.models import AuditEntry, Candidate, Party, PartyMeeting
from tests.factories import (
    make_candidate,
    make_district,
    make_election,
    make_party,
    make_party_list,
    make_party_meeting,
    make_user,
)

pytestmark = pytest.mark.django_db

ENDPOINTS = ["elections", "districts", "parties", "party-lists", "candidates", "party-meetings"]
FIELDS = {
    "elections": {"id", "name", "kind", "election_day", "observation_start", "observation_end"},
    "districts": {"id", "election", "name", "code", "mandates", "threshold_percent"},
    "parties": {"id", "name", "short_name"},
    "party-lists": {"id", "party", "district", "nominated_count"},
    "candidates": {
        "id", "party_list", "full_name", "gender", "position", "status", "denial_reason",
        "is_demo",
    },
    "party-meetings": {"id", "party", "district", "date", "attendees", "concerns", "themes"},
}  # fmt: skip
REFERENCE_WRITERS = {Role.ANALYST, Role.ADMIN}
MEETING_WRITERS = {Role.LTO, Role.COORDINATOR, Role.HEAD_OFFICE, Role.ANALYST, Role.ADMIN}


@pytest.fixture
def world():
    election = make_election()
    district = make_district(election, code="BSK", name="Bishkek")
    party = make_party(name="Emgek")
    party_list = make_party_list(party, district, nominated_count=3)
    candidate = make_candidate(party_list, position=1)
    meeting = make_party_meeting(party, district)
    return {
        "election": election,
        "district": district,
        "party": party,
        "party_list": party_list,
        "candidate": candidate,
        "meeting": meeting,
    }


def client_for(role, districts=()):
    api = APIClient()
    api.force_authenticate(make_user(role, districts=districts))
    return api


def new_payload(endpoint: str, world: dict) -> dict:
    """Valid data for a new record, distinct on every call."""
    n = Party.objects.count() + Candidate.objects.count() + PartyMeeting.objects.count()
    return {
        "elections": {
            "name": f"Election {n}", "kind": "local", "election_day": "2021-07-11",
            "observation_start": "2021-06-21", "observation_end": "2021-07-04",
        },
        "districts": {
            "election": world["election"].pk, "name": f"City {n}", "code": f"C{n}",
            "mandates": 31, "threshold_percent": "7.00",
        },
        "parties": {"name": f"Party {n}", "short_name": ""},
        "party-lists": {
            "party": make_party().pk, "district": world["district"].pk, "nominated_count": 40,
        },
        "candidates": {
            "party_list": world["party_list"].pk, "full_name": "Aida Bekova", "gender": "F",
            "position": 100 + n,
        },
        "party-meetings": {
            "party": make_party().pk, "district": world["district"].pk, "date": "2021-06-02",
            "concerns": "Low voter awareness.",
        },
    }[endpoint]  # fmt: skip


def existing(endpoint: str, world: dict):
    return {
        "elections": world["election"],
        "districts": world["district"],
        "parties": world["party"],
        "party-lists": world["party_list"],
        "candidates": world["candidate"],
        "party-meetings": world["meeting"],
    }[endpoint]


# --- Reading ------------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("role", list(Role))
def test_every_role_reads_every_collection(world, endpoint, role):
    response = client_for(role, [world["district"]]).get(f"/api/v1/{endpoint}/")
    assert response.status_code == 200
    assert response.json()["count"] == 1


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_anonymous_and_roleless_users_read_nothing(world, endpoint):
    assert APIClient().get(f"/api/v1/{endpoint}/").status_code in (401, 403)
    assert client_for(None).get(f"/api/v1/{endpoint}/").status_code == 403


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_fields_are_named_as_the_design_says(world, endpoint):
    item = client_for(Role.LEGAL).get(f"/api/v1/{endpoint}/").json()["results"][0]
    assert set(item) == FIELDS[endpoint]


def test_candidate_reads_as_documented(world):
    candidate = world["candidate"]
    item = client_for(Role.LTO).get(f"/api/v1/candidates/{candidate.pk}/").json()
    assert item == {
        "id": candidate.pk,
        "party_list": world["party_list"].pk,
        "full_name": candidate.full_name,
        "gender": "F",
        "position": 1,
        "status": "registered",
        "denial_reason": "",
        "is_demo": False,
    }


def test_district_threshold_reads_as_a_decimal_string(world):
    item = client_for(Role.LTO).get(f"/api/v1/districts/{world['district'].pk}/").json()
    assert item["threshold_percent"] == "7.00"
    assert item["election"] == world["election"].pk


# --- Writing: the role matrix -------------------------------------------------------------


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e != "party-meetings"])
@pytest.mark.parametrize("role", list(Role))
def test_only_analysts_and_admins_add_reference_data(world, endpoint, role):
    response = client_for(role, [world["district"]]).post(
        f"/api/v1/{endpoint}/", new_payload(endpoint, world)
    )
    assert response.status_code == (201 if role in REFERENCE_WRITERS else 403), response.content


@pytest.mark.parametrize("role", list(Role))
def test_party_meetings_are_recorded_by_observers_head_office_analysts_and_admins(world, role):
    response = client_for(role, [world["district"]]).post(
        "/api/v1/party-meetings/", new_payload("party-meetings", world)
    )
    assert response.status_code == (201 if role in MEETING_WRITERS else 403), response.content


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e != "party-meetings"])
@pytest.mark.parametrize("role", [Role.LTO, Role.COORDINATOR, Role.HEAD_OFFICE, Role.LEGAL])
def test_other_roles_cannot_change_or_delete_reference_data(world, endpoint, role):
    api = client_for(role, [world["district"]])
    url = f"/api/v1/{endpoint}/{existing(endpoint, world).pk}/"
    assert api.patch(url, {}).status_code == 403
    assert api.delete(url).status_code == 403
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("role", [Role.ANALYST, Role.ADMIN])
def test_analysts_and_admins_change_reference_data(world, role):
    api = client_for(role)
    response = api.patch(f"/api/v1/party-lists/{world['party_list'].pk}/", {"nominated_count": 5})
    assert response.status_code == 200
    assert response.json()["nominated_count"] == 5
    assert AuditEntry.objects.get(action="party_list.update").data == {"nominated_count": [3, 5]}


def test_legal_experts_cannot_record_or_change_party_meetings(world):
    api = client_for(Role.LEGAL)
    url = f"/api/v1/party-meetings/{world['meeting'].pk}/"
    assert api.patch(url, {"concerns": "x"}).status_code == 403
    assert api.delete(url).status_code == 403


def test_observer_recording_in_another_district_gets_a_400_on_district(world):
    osh = make_district(world["election"], code="OSH", name="Osh")
    api = client_for(Role.LTO, [osh])
    response = api.post("/api/v1/party-meetings/", new_payload("party-meetings", world))
    assert response.status_code == 400
    assert "district" in response.json()
    assert PartyMeeting.objects.count() == 1


def test_observer_cannot_change_a_meeting_of_another_district(world):
    api = client_for(Role.LTO, [make_district(world["election"])])
    url = f"/api/v1/party-meetings/{world['meeting'].pk}/"
    assert api.patch(url, {"concerns": "Rewritten"}).status_code == 403
    world["meeting"].refresh_from_db()
    assert world["meeting"].concerns != "Rewritten"


def test_observer_changes_a_meeting_of_their_district(world):
    api = client_for(Role.LTO, [world["district"]])
    url = f"/api/v1/party-meetings/{world['meeting'].pk}/"
    response = api.patch(url, {"concerns": "Black PR."})
    assert response.status_code == 200
    assert response.json()["concerns"] == "Black PR."


# --- Writing: rules through the API -------------------------------------------------------


def test_denying_a_candidate_without_a_reason_is_a_400_that_changes_nothing(world):
    url = f"/api/v1/candidates/{world['candidate'].pk}/"
    response = client_for(Role.ANALYST).patch(url, {"status": "denied"})
    assert response.status_code == 400
    assert list(response.json()) == ["denial_reason"]
    world["candidate"].refresh_from_db()
    assert world["candidate"].status == "registered"
    assert not AuditEntry.objects.exists()


def test_denying_a_candidate_with_a_reason(world):
    url = f"/api/v1/candidates/{world['candidate'].pk}/"
    response = client_for(Role.ANALYST).patch(
        url, {"status": "denied", "denial_reason": "Court ruling of April 2021"}
    )
    assert response.status_code == 200
    assert response.json()["status"] == "denied"


def test_moving_a_candidate_to_another_list_is_a_400(world):
    other = make_party_list(district=make_district(make_election()))
    url = f"/api/v1/candidates/{world['candidate'].pk}/"
    response = client_for(Role.ANALYST).patch(url, {"party_list": other.pk})
    assert response.status_code == 400
    assert "party_list" in response.json()


def test_moving_a_district_to_another_election_is_a_400(world):
    url = f"/api/v1/districts/{world['district'].pk}/"
    response = client_for(Role.ANALYST).patch(url, {"election": make_election().pk})
    assert response.status_code == 400
    assert "election" in response.json()


def test_full_replace_with_the_same_references_is_accepted(world):
    candidate = world["candidate"]
    response = client_for(Role.ANALYST).put(
        f"/api/v1/candidates/{candidate.pk}/",
        {"party_list": candidate.party_list_id, "full_name": "New Name", "gender": "M",
         "position": 2, "status": "withdrawn", "denial_reason": ""},
    )  # fmt: skip
    assert response.status_code == 200, response.content
    assert response.json()["full_name"] == "New Name"


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"gender": "female"}, "gender"),
        ({"position": "first"}, "position"),
        ({"party_list": 999999}, "party_list"),
        ({"status": "elected"}, "status"),
    ],
)
def test_bad_types_and_unknown_codes_are_400s_naming_the_field(world, payload, field):
    data = {**new_payload("candidates", world), **payload}
    response = client_for(Role.ANALYST).post("/api/v1/candidates/", data)
    assert response.status_code == 400
    assert field in response.json()


def test_deleting_a_list_that_has_candidates_is_a_409(world):
    response = client_for(Role.ANALYST).delete(f"/api/v1/party-lists/{world['party_list'].pk}/")
    assert response.status_code == 409
    assert Candidate.objects.filter(pk=world["candidate"].pk).exists()


def test_deleting_a_party_with_lists_is_a_409(world):
    response = client_for(Role.ADMIN).delete(f"/api/v1/parties/{world['party'].pk}/")
    assert response.status_code == 409


def test_deleting_an_empty_list_is_audited(world):
    empty = make_party_list(district=world["district"])
    response = client_for(Role.ANALYST).delete(f"/api/v1/party-lists/{empty.pk}/")
    assert response.status_code == 204
    assert AuditEntry.objects.filter(action="party_list.delete", object_id=str(empty.pk)).exists()


# --- Filters and pagination ---------------------------------------------------------------


@pytest.fixture
def two_cities():
    election = make_election()
    bishkek = make_district(election, code="BSK", name="Bishkek")
    osh = make_district(election, code="OSH", name="Osh")
    emgek, nur = make_party(name="Emgek"), make_party(name="Nur")
    emgek_bsk = make_party_list(emgek, bishkek)
    nur_osh = make_party_list(nur, osh)
    make_candidate(emgek_bsk, position=1, gender="F")
    make_candidate(emgek_bsk, position=2, gender="M")
    make_candidate(emgek_bsk, position=3, gender="M", status="denied", denial_reason="Late")
    make_candidate(nur_osh, position=1, gender="F", status="withdrawn")
    other_election = make_election()
    make_candidate(make_party_list(emgek, make_district(other_election)), position=1)
    make_party_meeting(emgek, bishkek, date=dt.date(2021, 6, 2))
    make_party_meeting(nur, osh, date=dt.date(2021, 6, 20))
    return locals()


def _count(url):
    response = client_for(Role.ANALYST).get(url)
    assert response.status_code == 200, response.content
    return response.json()["count"]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("gender=F", 3),
        ("gender=M", 2),
        ("status=denied", 1),
        ("status=withdrawn", 1),
        ("status=registered&gender=M", 1),
        ("district={bishkek.pk}", 3),
        ("election={election.pk}", 4),
        ("election={other_election.pk}", 1),
        ("party={emgek.pk}", 4),
        ("party={emgek.pk}&election={election.pk}", 3),
        ("party_list={nur_osh.pk}", 1),
        ("is_demo=true", 0),
    ],
)
def test_candidates_filter_by_their_references_and_codes(two_cities, query, expected):
    assert _count("/api/v1/candidates/?" + query.format(**two_cities)) == expected


@pytest.mark.parametrize(
    "url, expected",
    [
        ("/api/v1/districts/?election={election.pk}", 2),
        ("/api/v1/districts/?code=OSH", 1),
        ("/api/v1/parties/?election={election.pk}", 2),
        ("/api/v1/parties/?district={osh.pk}", 1),
        ("/api/v1/parties/?election={other_election.pk}", 1),
        ("/api/v1/party-lists/?party={emgek.pk}", 2),
        ("/api/v1/party-lists/?district={bishkek.pk}", 1),
        ("/api/v1/party-lists/?election={election.pk}", 2),
        ("/api/v1/party-meetings/?party={nur.pk}", 1),
        ("/api/v1/party-meetings/?district={bishkek.pk}", 1),
        ("/api/v1/party-meetings/?election={other_election.pk}", 0),
        ("/api/v1/party-meetings/?date_after=2021-06-10", 1),
        ("/api/v1/elections/?kind=local", 2),
    ],
)
def test_collections_filter_by_their_references(two_cities, url, expected):
    assert _count(url.format(**two_cities)) == expected


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/candidates/?gender=X",
        "/api/v1/candidates/?status=elected",
        "/api/v1/candidates/?district=abc",
        "/api/v1/candidates/?election=999999",
        "/api/v1/party-meetings/?date_after=yesterday",
    ],
)
def test_a_bad_filter_value_is_a_400_not_a_500(two_cities, url):
    assert client_for(Role.ANALYST).get(url).status_code == 400


def test_lists_are_paginated(world):
    for position in range(2, 8):
        make_candidate(world["party_list"], position=position)
    page = client_for(Role.LTO).get("/api/v1/candidates/?page_size=3&page=2").json()
    assert set(page) == {"count", "next", "previous", "results"}
    assert page["count"] == 7
    assert [c["position"] for c in page["results"]] == [4, 5, 6]
    assert page["next"] and page["previous"]


def test_schema_documents_every_collection(client):
    client.force_login(make_user(Role.ANALYST))
    paths = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()["paths"]
    for endpoint in ENDPOINTS:
        assert f"/api/v1/{endpoint}/" in paths
        assert f"/api/v1/{endpoint}/{{id}}/" in paths
    names = {p["name"] for p in paths["/api/v1/candidates/"]["get"]["parameters"]}
    assert {"gender", "status", "election", "district", "party", "party_list"} <= names


# --- Query counts -------------------------------------------------------------------------


def _grow(size: int) -> None:
    election = make_election()
    for _ in range(size):
        district = make_district(election)
        party = make_party()
        party_list = make_party_list(party, district)
        for position in range(1, 4):
            make_candidate(party_list, position=position)
        make_party_meeting(party, district)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_list_endpoints_cost_the_same_queries_for_more_rows(endpoint, django_assert_num_queries):
    api = client_for(Role.LTO)
    _grow(1)
    with CaptureQueriesContext(connection) as small:
        assert api.get(f"/api/v1/{endpoint}/").status_code == 200
    _grow(6)
    with django_assert_num_queries(len(small.captured_queries)):
        response = api.get(f"/api/v1/{endpoint}/")
    assert response.json()["count"] > 1
