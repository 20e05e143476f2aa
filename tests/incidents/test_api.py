"""The incidents API (docs/api.md): idempotent create, role-filtered reads."""

from __future__ import annotations

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from incidents.models import Incident
from tests.incidents.conftest import api_payload, file_incident

pytestmark = pytest.mark.django_db
URL = "/api/v1/incidents/"


def test_create_answers_201_with_the_stored_incident(world, api):
    payload = api_payload(world)
    response = api(world.user("lto_bishkek")).post(URL, payload, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["id"] == payload["id"]
    assert body["ref"] == "BSK-0001"
    assert body["status"] == "submitted"
    assert body["details"]["offered"] == "money"
    assert body["election"] == world.election.pk


def test_resending_the_same_report_answers_200_and_creates_nothing(world, api):
    client = api(world.user("lto_bishkek"))
    payload = api_payload(world)
    first = client.post(URL, payload, format="json")
    second = client.post(URL, payload, format="json")
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["ref"] == first.json()["ref"]
    assert Incident.objects.count() == 1


def test_same_id_with_other_content_answers_409_revealing_nothing(world, api):
    client = api(world.user("lto_bishkek"))
    payload = api_payload(world)
    client.post(URL, payload, format="json")
    response = client.post(URL, {**payload, "location": "Elsewhere"}, format="json")
    assert response.status_code == 409
    assert set(response.json()) == {"detail"}
    assert "BSK" not in response.json()["detail"]


def test_another_observers_id_answers_409(world, api):
    payload = api_payload(world)
    api(world.user("lto_bishkek")).post(URL, payload, format="json")
    response = api(world.user("lto_bishkek_2")).post(URL, payload, format="json")
    assert response.status_code == 409
    assert response.json() == {
        "detail": "This id is already used by another report. Generate a new id."
    }


def test_invalid_details_answer_400_naming_the_field(world, api):
    payload = api_payload(world, details={"offered": "cash"})
    response = api(world.user("lto_bishkek")).post(URL, payload, format="json")
    assert response.status_code == 400
    assert set(response.json()["details"]) == {"offered", "offered_by"}
    assert Incident.objects.count() == 0


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"kind": "riot"}, "kind"),
        ({"source": "rumour"}, "source"),
        ({"id": "not-a-uuid"}, "id"),
        ({"district": 999999}, "district"),
        ({"occurred_at": "yesterday"}, "occurred_at"),
        ({"latitude": "95"}, "latitude"),
        ({"details": "money"}, "details"),
    ],
)
def test_bad_input_answers_400_with_the_field(world, api, overrides, field):
    response = api(world.user("lto_bishkek")).post(
        URL, api_payload(world, **overrides), format="json"
    )
    assert response.status_code == 400
    assert field in response.json()


def test_party_without_a_list_in_the_district_answers_400(world, api):
    payload = api_payload(world, party=world.nur.pk)
    response = api(world.user("lto_bishkek")).post(URL, payload, format="json")
    assert response.status_code == 400
    assert "party" in response.json()


def test_osh_observer_cannot_file_in_bishkek_through_the_api(world, api):
    response = api(world.user("lto_osh")).post(URL, api_payload(world), format="json")
    assert response.status_code == 400
    assert "district" in response.json()
    assert Incident.objects.count() == 0


@pytest.mark.parametrize("role, status", [
    ("lto_bishkek", 201), ("coordinator_bishkek", 201), ("headoffice", 201), ("admin", 201),
    ("legal", 403), ("analyst", 403),
])  # fmt: skip
def test_who_may_file_through_the_api(world, api, role, status):
    response = api(world.user(role)).post(URL, api_payload(world, party=None), format="json")
    assert response.status_code == status


def test_anonymous_cannot_file(world):
    from rest_framework.test import APIClient

    assert APIClient().post(URL, api_payload(world), format="json").status_code in (401, 403)


def _listed_ids(client, **params):
    return {row["id"] for row in client.get(URL, params).json()["results"]}


@pytest.fixture
def three_incidents(world):
    return {
        "bishkek_1": file_incident(world, witnesses="Aigul +996"),
        "bishkek_2": file_incident(world, user="lto_bishkek_2"),
        "osh": file_incident(world, user="lto_osh", kind="campaign_rules",
                             details={"type": "black_pr", "medium": "print"}),
    }  # fmt: skip


@pytest.mark.parametrize("role, visible", [
    ("lto_bishkek", {"bishkek_1"}),
    ("lto_osh", {"osh"}),
    ("coordinator_bishkek", {"bishkek_1", "bishkek_2"}),
    ("headoffice", {"bishkek_1", "bishkek_2", "osh"}),
    ("legal", {"bishkek_1", "bishkek_2", "osh"}),
    ("analyst", {"bishkek_1", "bishkek_2", "osh"}),
    ("admin", {"bishkek_1", "bishkek_2", "osh"}),
])  # fmt: skip
def test_who_sees_which_incidents(world, api, three_incidents, role, visible):
    expected = {str(three_incidents[name].pk) for name in visible}
    assert _listed_ids(api(world.user(role))) == expected


def test_lto_gets_404_for_an_incident_not_theirs(world, api, three_incidents):
    client = api(world.user("lto_osh"))
    assert client.get(f"{URL}{three_incidents['bishkek_1'].pk}/").status_code == 404
    assert client.get(f"{URL}{three_incidents['osh'].pk}/").status_code == 200


@pytest.mark.parametrize("role, sees", [
    ("lto_bishkek", True), ("coordinator_bishkek", False), ("headoffice", True),
    ("legal", True), ("analyst", False), ("admin", True),
])  # fmt: skip
def test_witnesses_only_where_allowed(world, api, three_incidents, role, sees):
    incident = three_incidents["bishkek_1"]
    body = api(world.user(role)).get(f"{URL}{incident.pk}/").json()
    assert ("witnesses" in body) is sees
    if sees:
        assert body["witnesses"] == "Aigul +996"
    listed = api(world.user(role)).get(URL).json()["results"]
    assert all(("witnesses" in row) is sees for row in listed if row["id"] == str(incident.pk))


def test_analyst_does_not_learn_who_filed(world, api, three_incidents):
    body = api(world.user("analyst")).get(f"{URL}{three_incidents['osh'].pk}/").json()
    assert "reported_by" not in body
    body = api(world.user("headoffice")).get(f"{URL}{three_incidents['osh'].pk}/").json()
    assert body["reported_by"] == "lto-osh"


@pytest.mark.parametrize("param, value, expected", [
    ("kind", "campaign_rules", {"osh"}),
    ("status", "submitted", {"bishkek_1", "bishkek_2", "osh"}),
    ("status", "verified", set()),
])  # fmt: skip
def test_list_filters(world, api, three_incidents, param, value, expected):
    ids = _listed_ids(api(world.user("headoffice")), **{param: value})
    assert ids == {str(three_incidents[name].pk) for name in expected}


def test_list_filters_by_district_and_party(world, api, three_incidents):
    client = api(world.user("headoffice"))
    assert len(_listed_ids(client, district=world.osh.pk)) == 1
    assert _listed_ids(client, party=world.emgek.pk) == set()
    assert len(_listed_ids(client, election=world.election.pk)) == 3


def test_unknown_filter_value_is_a_400(world, api):
    response = api(world.user("headoffice")).get(URL, {"kind": "riot"})
    assert response.status_code == 400


def test_list_query_count_does_not_grow(world, api, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api(world.user("headoffice"))
    file_incident(world)
    with CaptureQueriesContext(connection) as few:
        assert client.get(URL).status_code == 200
    for _ in range(6):
        file_incident(world, party=world.emgek)
        file_incident(world, user="lto_osh", party=world.nur)
    with django_assert_max_num_queries(len(few)):
        assert client.get(URL).json()["count"] == 13


@pytest.mark.parametrize("role", ["headoffice", "analyst", "coordinator_bishkek", "lto_bishkek"])
def test_list_count_is_the_number_of_matches_for_every_filter(world, api, role):
    """The list's ``count`` comes from the kept counts where they can say
    (``queries.list_count``) and from the rows otherwise: the same number either way."""
    file_incident(world)
    file_incident(world, party=world.ata_jurt)
    file_incident(world, user="lto_osh", party=world.nur, kind="campaign_rules",
                  details={"type": "black_pr", "medium": "print"})  # fmt: skip
    client = api(world.user(role))
    visible = client.get(URL, {"page_size": 500}).json()["results"]
    cases = [
        {}, {"status": "submitted"}, {"status": "verified"}, {"kind": "campaign_rules"},
        {"district": world.osh.pk}, {"election": world.election.pk},
        {"party": world.nur.pk}, {"district": world.bishkek.pk, "kind": "vote_buying"},
        {"party": world.ata_jurt.pk, "status": "submitted"}, {"search": "entrance"},
        {"severity": "serious"}, {"page_size": 1, "ordering": "ref"},
    ]  # fmt: skip
    for params in cases:
        body = client.get(URL, {**params, "page_size": params.get("page_size", 500)}).json()
        matching = client.get(URL, {**params, "page_size": 500}).json()["results"]
        assert body["count"] == len(matching) <= len(visible), params


def test_list_counts_from_the_kept_counts_on_postgresql(world, api):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from incidents import tallies

    if not tallies.kept():
        pytest.skip("the kept counts are PostgreSQL's (docs/incidents.md#kept-counts)")
    file_incident(world)
    client = api(world.user("headoffice"))
    for params in ({}, {"status": "submitted", "district": world.bishkek.pk}):
        with CaptureQueriesContext(connection) as queries_run:
            assert client.get(URL, params).json()["count"] == 1
        sql = " ".join(q["sql"] for q in queries_run.captured_queries)
        assert "COUNT(*)" not in sql.upper().replace("COUNT(*) FILTER", ""), params
    with CaptureQueriesContext(connection) as queries_run:
        assert client.get(URL, {"search": "entrance"}).json()["count"] == 1
    assert "COUNT(" in " ".join(q["sql"] for q in queries_run.captured_queries).upper()


def test_a_uuid_that_does_not_exist_is_a_404(world, api):
    assert api(world.user("headoffice")).get(f"{URL}{uuid.uuid4()}/").status_code == 404


def test_a_date_far_outside_the_elections_period_is_refused(world, api, settings):
    """1999-01-01 for an election observed from 2021 (issue 10, point 8): a service rule,
    so the API refuses it like the form, and stores nothing."""
    settings.INCIDENT_DATE_MARGIN_DAYS = 30
    payload = api_payload(world, occurred_at="1999-01-01T10:00:00+06:00")
    response = api(world.user("lto_bishkek")).post(URL, payload, format="json")
    assert response.status_code == 400
    message = " ".join(response.json()["occurred_at"])
    assert "outside the election's observation period" in message
    assert Incident.objects.count() == 0


@pytest.mark.parametrize("days_before, status", [(30, 201), (31, 400)])
def test_the_margin_before_the_period_is_configurable(world, api, settings, days_before, status):
    settings.INCIDENT_DATE_MARGIN_DAYS = 30
    start = world.election.observation_start
    when = dt.datetime.combine(start - dt.timedelta(days=days_before), dt.time(12, 0))
    payload = api_payload(world, occurred_at=when.isoformat() + "+06:00")
    response = api(world.user("lto_bishkek")).post(URL, payload, format="json")
    assert response.status_code == status, response.json()


def test_a_margin_of_zero_keeps_to_the_period(world, api, settings):
    settings.INCIDENT_DATE_MARGIN_DAYS = 0
    day_before = world.election.observation_start - dt.timedelta(days=1)
    payload = api_payload(world, occurred_at=f"{day_before.isoformat()}T23:00:00+06:00")
    response = api(world.user("lto_bishkek")).post(URL, payload, format="json")
    assert response.status_code == 400


def test_a_time_with_a_tokyo_offset_is_not_in_the_future(world, api):
    """What offline.js sends: the phone's wall-clock time as an instant. A phone on Tokyo
    time filing "now" is three hours ahead of Bishkek and still not in the future."""
    tokyo_now = timezone.now().astimezone(ZoneInfo("Asia/Tokyo")).replace(microsecond=0)
    payload = api_payload(world, occurred_at=tokyo_now.isoformat())
    response = api(world.user("lto_bishkek")).post(URL, payload, format="json")
    assert response.status_code == 201, response.json()
    assert Incident.objects.get().occurred_at == tokyo_now


def test_a_time_behind_bishkek_is_stored_as_that_instant(world, api):
    new_york = (timezone.now() - dt.timedelta(hours=2)).astimezone(ZoneInfo("America/New_York"))
    new_york = new_york.replace(microsecond=0)
    payload = api_payload(world, occurred_at=new_york.isoformat())
    response = api(world.user("lto_bishkek")).post(URL, payload, format="json")
    assert response.status_code == 201, response.json()
    assert Incident.objects.get().occurred_at == new_york
