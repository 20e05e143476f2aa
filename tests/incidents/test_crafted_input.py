"""Crafted request bodies get a 400 (or 413) with a JSON message, never a 500 or an HTML
page, and change nothing (issue 12, item 10; docs/api.md#errors)."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from incidents import details as incident_details
from incidents.models import Comment, Incident
from observation.kernel.api import MAX_TEXT
from tests.incidents.conftest import api_payload, file_incident
from tests.incidents.triage_support import S, incident_in, signed

pytestmark = pytest.mark.django_db

FILE = "/api/v1/incidents/"


def _post(client, url, raw: str | bytes):
    return client.generic("POST", url, raw, content_type="application/json")


@pytest.mark.parametrize("raw", ["[" * 1000 + "]" * 1000, '{"a":' * 1000 + "1" + "}" * 1000])
def test_json_nested_a_thousand_levels_deep_is_a_400(world, api, raw):
    response = _post(api(world.user("lto_bishkek")), FILE, raw)
    assert response.status_code == 400
    assert "nested" in response.json()["detail"]
    assert not Incident.objects.exists()


def test_json_nested_deeper_than_python_can_parse_is_a_400(world, api):
    raw = "[" * 100_000 + "]" * 100_000
    response = _post(api(world.user("lto_bishkek")), FILE, raw)
    assert response.status_code == 400 and "nested" in response.json()["detail"]


def test_ordinary_nesting_is_fine(world, api):
    payload = api_payload(world)
    response = api(world.user("lto_bishkek")).post(FILE, payload, format="json")
    assert response.status_code == 201


@pytest.mark.parametrize(
    "field, value",
    [
        ("details", {"offered": "money", "value": "500\x00 som", "offered_by": "party_agent"}),
        ("details", {"offered\x00": "money"}),
        ("description", "Money\x00 offered"),
        ("witnesses", "Aigul\x00"),
        ("location", "School\x00"),
    ],
)
def test_a_nul_character_anywhere_is_a_400(world, api, field, value):
    payload = api_payload(world, **{field: value})
    response = _post(api(world.user("lto_bishkek")), FILE, json.dumps(payload))
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/json"
    assert not Incident.objects.exists()


def test_the_services_refuse_nul_and_overlong_text_too(world):
    """The same rules hold for pages and scripts that call the services directly."""
    for field, value in [
        ("description", "a\x00b"),
        ("witnesses", "a\x00b"),
        ("description", "x" * (MAX_TEXT + 1)),
        ("location", "x" * (MAX_TEXT + 1)),
    ]:
        with pytest.raises(ValidationError) as refused:
            file_incident(world, **{field: value})
        assert field in refused.value.message_dict
    _, errors = incident_details.clean_details(
        "vote_buying", {"offered": "money", "value": "5\x00", "offered_by": "party_agent"}
    )
    assert "value" in errors
    assert not Incident.objects.exists()


@pytest.mark.parametrize("field", ["description", "witnesses"])
def test_free_text_has_a_maximum_length_on_the_api(world, api, field):
    client = api(world.user("lto_bishkek"))
    too_long = client.post(FILE, api_payload(world, **{field: "x" * (MAX_TEXT + 1)}), format="json")
    assert too_long.status_code == 400 and field in too_long.json()
    at_most = client.post(FILE, api_payload(world, **{field: "x" * MAX_TEXT}), format="json")
    assert at_most.status_code == 201


def test_a_comment_has_a_maximum_length(world, api):
    incident = incident_in(world, S.IN_REVIEW)
    client = api(world.user("headoffice"))
    url = f"/api/v1/incidents/{incident.pk}/comments/"
    response = client.post(url, {"body": "x" * (MAX_TEXT + 1)}, format="json")
    assert response.status_code == 400 and "body" in response.json()
    assert _post(client, url, json.dumps({"body": "a\x00b"})).status_code == 400
    assert not Comment.objects.exists()


def test_a_party_meetings_concerns_have_a_maximum_length(world, api):
    client = api(world.user("headoffice"))
    payload = {
        "party": world.emgek.pk,
        "district": world.bishkek.pk,
        "date": "2021-06-25",
        "concerns": "x" * (MAX_TEXT + 1),
    }
    response = client.post("/api/v1/party-meetings/", payload, format="json")
    assert response.status_code == 400 and "concerns" in response.json()


def test_a_body_over_the_size_limit_is_a_json_413_on_the_api(world, api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    client = api(world.user("lto_bishkek"))
    payload = api_payload(world, description="x" * 20_000)
    response = _post(client, FILE, json.dumps(payload))
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert "larger" in response.json()["detail"]
    form = client.post(FILE, {"description": "x" * 20_000}, format="multipart")
    assert form.status_code == 413 and "detail" in form.json()
    assert not Incident.objects.exists()


def test_the_rrcg_acknowledgement_refuses_crafted_bodies_with_json(world, settings):
    settings.RRCG_WEBHOOK_SECRET = "test-rrcg-secret"
    incident = incident_in(world, S.IN_REVIEW)
    url = f"/api/v1/escalations/{incident.pk}/acknowledge/"
    from incidents.rrcg import sign

    for raw in ["[" * 1000 + "]" * 1000, json.dumps({"reference": "R\x00"}), "not json"]:
        body = raw.encode()
        response = Client().generic(
            "POST",
            url,
            body,
            content_type="application/json",
            HTTP_X_BAIKOO_SIGNATURE=sign(body, "test-rrcg-secret"),
        )
        assert response.status_code == 400, raw[:20]
        assert "detail" in response.json()
    body, signature = signed({"reference": "R"})
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10
    response = Client().generic("POST", url, body, content_type="application/json", **signature)
    assert response.status_code == 413 and "detail" in response.json()


def test_pages_keep_their_html_400(world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    client = Client()
    client.force_login(world.user("headoffice"))
    response = client.post("/incidents/new/vote_buying/", {"description": "x" * 5_000})
    assert response.status_code == 400
    assert not response["Content-Type"].startswith("application/json")
