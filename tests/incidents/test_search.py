"""Text search of incidents (docs/incidents.md#search): Cyrillic and Latin in any case on
SQLite and PostgreSQL, on the triage page, the triage API's ``q`` and the incidents API's
``search``; one search per triage page."""

from __future__ import annotations

import pytest

from tests.incidents.conftest import file_incident
from tests.incidents.triage_support import S, incident_in

pytestmark = pytest.mark.django_db

QUEUE = "/triage/"
INCIDENTS = "/api/v1/incidents/"
TRIAGE_QUEUE = "/api/v1/triage-queue/"
SPELLINGS = ["Рынок", "рынок", "РЫНОК", "рЫнОк", "ынок"]


@pytest.fixture
def market(world):
    """One incident at the market, one elsewhere; their refs."""
    found = file_incident(world, location="Ошский рынок, ряд 4", description="Деньги у входа.")
    other = file_incident(world, location="School No. 5", description="Bus of VOTERS arrived.")
    return found, other


@pytest.mark.parametrize("text", SPELLINGS)
def test_the_triage_page_finds_cyrillic_in_any_case(world, client, market, text):
    found, other = market
    client.force_login(world.user("headoffice"))
    html = client.get(QUEUE, {"q": text}).content.decode()
    assert found.ref in html and other.ref not in html


@pytest.mark.parametrize("text", SPELLINGS)
def test_the_incidents_api_searches(world, api, market, text):
    found, _other = market
    response = api(world.user("headoffice")).get(INCIDENTS, {"search": text})
    assert response.status_code == 200
    assert [row["ref"] for row in response.json()["results"]] == [found.ref]


@pytest.mark.parametrize(
    "text, expected",
    [("voters", "other"), ("VOTERS", "other"), ("деньги", "found"), ("ДЕНЬГИ", "found")],
)
def test_the_api_searches_the_description_and_the_ref(world, api, market, text, expected):
    found, other = market
    client = api(world.user("headoffice"))
    refs = [row["ref"] for row in client.get(INCIDENTS, {"search": text}).json()["results"]]
    assert refs == [{"found": found, "other": other}[expected].ref]
    refs = [
        r["ref"] for r in client.get(INCIDENTS, {"search": other.ref.lower()}).json()["results"]
    ]
    assert refs == [other.ref]


def test_a_blank_search_lists_everything_and_nothing_found_is_empty(world, api, market):
    client = api(world.user("headoffice"))
    assert client.get(INCIDENTS, {"search": "  "}).json()["count"] == 2
    assert client.get(INCIDENTS, {"search": "базар"}).json()["count"] == 0


def test_the_api_search_keeps_to_what_the_user_may_see(world, api):
    mine = file_incident(world, location="Рынок Дордой")
    file_incident(world, user="lto_osh", location="Рынок Кара-Суу")
    response = api(world.user("lto_bishkek")).get(INCIDENTS, {"search": "РЫНОК"})
    assert [row["ref"] for row in response.json()["results"]] == [mine.ref]


def test_the_search_combines_with_the_filters(world, api):
    market = incident_in(world, S.VERIFIED, location="Рынок Дордой")
    file_incident(world, location="Рынок Ош")
    client = api(world.user("headoffice"))
    response = client.get(INCIDENTS, {"search": "рынок", "status": "verified"})
    assert [row["ref"] for row in response.json()["results"]] == [market.ref]


@pytest.mark.parametrize("text", SPELLINGS)
def test_the_triage_queue_api_finds_cyrillic_in_any_case(world, api, market, text):
    found, _other = market
    response = api(world.user("headoffice")).get(TRIAGE_QUEUE, {"q": text})
    assert response.status_code == 200
    body = response.json()
    assert [row["ref"] for row in body["results"]] == [found.ref] and body["count"] == 1


def test_the_triage_page_counts_matches_per_status(world, client):
    incident_in(world, S.VERIFIED, location="Рынок Дордой")
    incident_in(world, S.SUBMITTED, location="рынок Ош")
    file_incident(world, location="School No. 5")
    client.force_login(world.user("headoffice"))
    response = client.get(QUEUE, {"q": "РЫНОК", "status": "verified"})
    counts = {s: n for s, _label, n in response.context["counts"]}
    assert counts["verified"] == 1 and counts["submitted"] == 1 and sum(counts.values()) == 2
    assert len(response.context["rows"]) == 1
    assert response.context["page"].paginator.count == 1


@pytest.mark.parametrize("size", [2, 20])
def test_a_search_runs_once_per_triage_page(world, client, django_assert_num_queries, size):
    for i in range(size):
        incident_in(world, S.VERIFIED if i % 2 else S.SUBMITTED, location=f"Рынок {i}")
    client.force_login(world.user("headoffice"))
    # session, user with profile; the filter form's elections, districts, parties, people;
    # the matches with their statuses (ONE search: counts and page come from it), the
    # page's rows, their escalations; the open alerts; the RRCG channel's last attempts
    # and waiting escalations; the bulk form's people
    with django_assert_num_queries(13):
        response = client.get(QUEUE, {"q": "рынок"})
    assert len(response.context["rows"]) == size
