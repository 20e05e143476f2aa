"""The triage and escalation API (docs/escalation.md, docs/api.md): incident actions, the
role matrix, conflicts, the triage queue, the escalations collection and the RRCG's
acknowledgement."""

from __future__ import annotations

import json
import uuid

import pytest
from rest_framework.test import APIClient

from incidents.models import Escalation, Incident
from incidents.services import escalation as escalation_services
from incidents.services import lifecycle
from tests.incidents.triage_support import SECRET, S, incident_in, signed

pytestmark = pytest.mark.django_db

ROLES = ["lto_bishkek", "coordinator_bishkek", "headoffice", "legal", "analyst", "admin"]


@pytest.fixture
def no_channel(settings):
    settings.RRCG_WEBHOOK_URL = ""
    settings.RRCG_EMAIL_TO = []
    settings.RRCG_WEBHOOK_SECRET = SECRET


def action(incident, name):
    return f"/api/v1/incidents/{incident.pk}/{name}/"


# --- incident actions ------------------------------------------------------------------------


def test_transition_changes_the_status_and_returns_the_incident(world, api):
    incident = incident_in(world, S.SUBMITTED)
    response = api(world.user("headoffice")).post(
        action(incident, "transition"), {"to": "in_review", "version": incident.version}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "in_review" and body["version"] == incident.version + 1


def test_an_illegal_move_is_a_400_naming_the_field(world, api):
    incident = incident_in(world, S.SUBMITTED)
    response = api(world.user("headoffice")).post(action(incident, "transition"), {"to": "closed"})
    assert response.status_code == 400 and "to" in response.json()
    assert Incident.objects.get(pk=incident.pk).status == S.SUBMITTED


@pytest.mark.parametrize(
    "data, field",
    [
        ({"to": "dancing"}, "to"),
        ({}, "to"),
        ({"to": "rejected"}, "note"),
        ({"to": "duplicate"}, "duplicate_of"),
        ({"to": "duplicate", "duplicate_of": "not-a-uuid"}, "duplicate_of"),
        ({"to": "in_review", "version": "x"}, "version"),
    ],
)
def test_bad_transition_input_is_a_400_and_changes_nothing(world, api, data, field):
    incident = incident_in(world, S.IN_REVIEW)
    response = api(world.user("headoffice")).post(action(incident, "transition"), data)
    assert response.status_code == 400
    assert field in response.json()
    assert Incident.objects.get(pk=incident.pk).version == incident.version


def test_a_duplicate_of_an_unknown_incident_is_a_400(world, api):
    incident = incident_in(world, S.SUBMITTED)
    response = api(world.user("headoffice")).post(
        action(incident, "transition"), {"to": "duplicate", "duplicate_of": str(uuid.uuid4())}
    )
    assert response.status_code == 400 and "duplicate_of" in response.json()


def test_a_stale_version_is_a_409(world, api):
    incident = incident_in(world, S.IN_REVIEW)
    lifecycle.incident_set_severity(
        actor=world.user("admin"), incident=incident, severity="serious"
    )
    response = api(world.user("headoffice")).post(
        action(incident, "transition"), {"to": "verified", "version": incident.version}
    )
    assert response.status_code == 409
    assert response.json()["version"] == incident.version + 1
    assert Incident.objects.get(pk=incident.pk).status == S.IN_REVIEW


def test_an_unknown_incident_is_a_404(world, api):
    response = api(world.user("headoffice")).post(
        f"/api/v1/incidents/{uuid.uuid4()}/transition/", {"to": "in_review"}
    )
    assert response.status_code == 404


def test_escalate_creates_the_escalation(world, api, no_channel):
    incident = incident_in(world, S.VERIFIED)
    response = api(world.user("headoffice")).post(
        action(incident, "escalate"), {"reason": "Urgent", "version": incident.version}
    )
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "pending" and body["incident"] == str(incident.pk)
    assert body["payload"]["incident"]["ref"] == incident.ref


def test_escalating_an_unverified_incident_is_a_400(world, api, no_channel):
    incident = incident_in(world, S.IN_REVIEW)
    response = api(world.user("headoffice")).post(action(incident, "escalate"), {"reason": "x"})
    assert response.status_code == 400
    assert not Escalation.objects.exists()


def test_assign_and_severity(world, api):
    incident = incident_in(world, S.SUBMITTED)
    client = api(world.user("headoffice"))
    legal = world.user("legal")
    assert client.post(action(incident, "assign"), {"assignee": legal.pk}).json()["assignee"] == (
        legal.pk
    )
    assert client.post(action(incident, "severity"), {"severity": "serious"}).json()[
        "severity"
    ] == ("serious")
    lto = world.user("lto_bishkek")
    refused = client.post(action(incident, "assign"), {"assignee": lto.pk})
    assert refused.status_code == 400 and "assignee" in refused.json()
    assert client.post(action(incident, "severity"), {"severity": "x"}).status_code == 400


def test_comments_and_events(world, api):
    incident = incident_in(world, S.IN_REVIEW)
    legal = api(world.user("legal"))
    created = legal.post(
        action(incident, "comments"), {"body": "Article 51.", "recommendation": "verified"}
    )
    assert created.status_code == 201 and created.json()["visibility"] == "internal"
    question = api(world.user("headoffice")).post(
        action(incident, "comments"), {"body": "Where?", "visibility": "question_to_lto"}
    )
    assert question.status_code == 201
    listed = api(world.user("analyst")).get(action(incident, "comments")).json()
    assert [c["body"] for c in listed] == ["Article 51.", "Where?"]
    events = api(world.user("analyst")).get(action(incident, "events")).json()
    assert [e["to_status"] for e in events if e["kind"] == "transition"] == [
        "in_review",
        "needs_info",
    ]


# --- role matrix ------------------------------------------------------------------------------

TRIAGERS = {"headoffice", "admin"}
STAFF = {"headoffice", "admin", "legal", "analyst"}


def _request(world, api, name, user):
    client = api(world.user(user))
    if name == "transition":
        return client.post(
            action(incident_in(world, S.SUBMITTED), "transition"), {"to": "in_review"}
        )
    if name == "escalate":
        return client.post(action(incident_in(world, S.VERIFIED), "escalate"), {"reason": "x"})
    if name == "assign":
        return client.post(action(incident_in(world, S.SUBMITTED), "assign"), {"assignee": None})
    if name == "severity":
        return client.post(
            action(incident_in(world, S.SUBMITTED), "severity"), {"severity": "serious"}
        )
    if name == "comment":
        return client.post(action(incident_in(world, S.SUBMITTED), "comments"), {"body": "x"})
    if name == "question":
        return client.post(
            action(incident_in(world, S.IN_REVIEW), "comments"),
            {"body": "x", "visibility": "question_to_lto"},
        )
    if name == "read_comments":
        return client.get(action(incident_in(world, S.SUBMITTED), "comments"))
    if name == "read_events":
        return client.get(action(incident_in(world, S.SUBMITTED), "events"))
    if name == "queue":
        return client.get("/api/v1/triage-queue/")
    if name == "escalations":
        return client.get("/api/v1/escalations/")
    raise AssertionError(name)


MATRIX = {
    "transition": (TRIAGERS, 200),
    "escalate": (TRIAGERS, 201),
    "assign": (TRIAGERS, 200),
    "severity": (TRIAGERS, 200),
    "comment": ({"headoffice", "admin", "legal"}, 201),
    "question": (TRIAGERS, 201),
    "read_comments": (STAFF, 200),
    "read_events": (STAFF, 200),
    "queue": (STAFF, 200),
    "escalations": (STAFF, 200),
}


@pytest.mark.parametrize("user", ROLES)
@pytest.mark.parametrize("name", list(MATRIX))
def test_api_role_matrix(world, api, no_channel, name, user):
    allowed, success = MATRIX[name]
    response = _request(world, api, name, user)
    assert response.status_code == (success if user in allowed else 403), response.content


def test_anonymous_gets_401_or_403(world):
    incident = incident_in(world, S.SUBMITTED)
    response = APIClient().post(action(incident, "transition"), {"to": "in_review"})
    assert response.status_code in (401, 403)


# --- the triage queue -------------------------------------------------------------------------


def test_the_queue_filters_like_the_page(world, api):
    a = incident_in(world, S.SUBMITTED, party=world.emgek)
    b = incident_in(world, S.IN_REVIEW)
    c = incident_in(world, S.VERIFIED, user="lto_osh", description="Bus of voters.")
    lifecycle.incident_assign(
        actor=world.user("headoffice"), incident=b, assignee=world.user("legal")
    )
    client = api(world.user("headoffice"))

    def refs(query):
        response = client.get(f"/api/v1/triage-queue/?{query}")
        assert response.status_code == 200, response.content
        return {row["ref"] for row in response.json()["results"]}

    assert refs("") == {a.ref, b.ref, c.ref}
    assert refs("status=submitted&status=verified") == {a.ref, c.ref}
    assert refs(f"party={world.emgek.pk}") == {a.ref}
    assert refs("party=unknown") == {b.ref, c.ref}
    assert refs(f"district={world.osh.pk}") == {c.ref}
    assert refs("q=bus") == {c.ref}
    assert refs(f"q={a.ref.lower()}") == {a.ref}
    assert refs(f"assignee={world.user('legal').pk}") == {b.ref}
    assert refs("assignee=none") == {a.ref, c.ref}
    assert refs("kind=campaign_rules") == set()


def test_a_bad_queue_filter_is_a_400(world, api):
    response = api(world.user("headoffice")).get("/api/v1/triage-queue/?status=lost&sort=x")
    assert response.status_code == 400
    assert {"status", "sort"} <= set(response.json())


@pytest.mark.parametrize("size", [3, 12])
def test_the_queue_api_query_count_does_not_grow(world, api, django_assert_num_queries, size):
    for i in range(size):
        row = incident_in(world, S.VERIFIED if i % 2 else S.SUBMITTED, party=world.emgek)
        if i % 3 == 0:
            lifecycle.incident_assign(
                actor=world.user("headoffice"), incident=row, assignee=world.user("legal")
            )
    client = api(world.user("headoffice"))
    client.get("/api/v1/triage-queue/")  # warm the profile cache of the session-less client
    # the party filter's lookup, the count, the page's ids, its rows, their escalations
    with django_assert_num_queries(5):
        response = client.get(
            f"/api/v1/triage-queue/?party={world.emgek.pk}&status=submitted&sort=ref"
        )
    assert response.status_code == 200
    assert response.json()["count"] == (size + 1) // 2


# --- escalations ------------------------------------------------------------------------------


def _escalation(world) -> Escalation:
    incident = incident_in(world, S.VERIFIED)
    return escalation_services.incident_escalate(
        actor=world.user("headoffice"), incident=incident, reason="Urgent"
    )


def test_escalations_are_listed_and_filtered(world, api, no_channel):
    first, second = _escalation(world), _escalation(world)
    Escalation.objects.filter(pk=second.pk).update(status="failed")
    client = api(world.user("analyst"))
    assert client.get("/api/v1/escalations/").json()["count"] == 2
    failed = client.get("/api/v1/escalations/?status=failed").json()["results"]
    assert [row["id"] for row in failed] == [str(second.pk)]
    by_incident = client.get(f"/api/v1/escalations/?incident={first.incident_id}").json()
    assert [row["id"] for row in by_incident["results"]] == [str(first.pk)]
    detail = client.get(f"/api/v1/escalations/{first.pk}/").json()
    assert detail["attempts"] == [] and detail["incident_ref"] == first.incident.ref
    assert client.get("/api/v1/escalations/?status=lost").status_code == 400


def test_retry_endpoint(world, api, no_channel):
    row = _escalation(world)
    client = api(world.user("headoffice"))
    assert client.post(f"/api/v1/escalations/{row.pk}/retry/").status_code == 400
    Escalation.objects.filter(pk=row.pk).update(status="failed")
    assert api(world.user("legal")).post(f"/api/v1/escalations/{row.pk}/retry/").status_code == 403
    response = client.post(f"/api/v1/escalations/{row.pk}/retry/")
    assert response.status_code == 200 and response.json()["status"] == "pending"


# --- the RRCG's acknowledgement ----------------------------------------------------------------


def ack(row, payload, secret=SECRET, headers=None):
    body, signature = signed(payload, secret)
    client = APIClient(enforce_csrf_checks=True)
    return client.generic(
        "POST",
        f"/api/v1/escalations/{row.pk}/acknowledge/",
        body,
        content_type="application/json",
        **(signature if headers is None else headers),
    )


def test_the_rrcg_acknowledges_with_a_signed_request(world, no_channel):
    row = _escalation(world)
    response = ack(row, {"escalation_id": str(row.pk), "reference": "RRCG-1", "note": "Seen."})
    assert response.status_code == 200
    assert response.json()["status"] == "acknowledged"
    row.refresh_from_db()
    assert (row.rrcg_reference, row.rrcg_note) == ("RRCG-1", "Seen.")

    # accepted once: replaying the very same signed request, or another reference, is a 409
    for reference in ("RRCG-1", "RRCG-2"):
        replay = ack(row, {"escalation_id": str(row.pk), "reference": reference, "note": "Seen."})
        assert replay.status_code == 409, replay.content
        assert "accepted once" in replay.json()["detail"]
    row.refresh_from_db()
    assert row.rrcg_reference == "RRCG-1"


def test_a_signed_body_for_one_escalation_acknowledges_no_other(world, no_channel):
    """The replay the security test found: one signed body without an escalation id
    acknowledged three escalations. The id is required and must match the path."""
    first, second = _escalation(world), _escalation(world)
    body, signature = signed({"reference": "RRCG-1"})
    for row in (first, second):
        response = APIClient().generic(
            "POST", f"/api/v1/escalations/{row.pk}/acknowledge/", body,
            content_type="application/json", **signature,
        )  # fmt: skip
        assert response.status_code == 400 and "escalation_id" in response.json()
    body, signature = signed({"escalation_id": str(first.pk), "reference": "RRCG-1"})
    for row, expected in ((first, 200), (second, 400), (first, 409)):
        response = APIClient().generic(
            "POST", f"/api/v1/escalations/{row.pk}/acknowledge/", body,
            content_type="application/json", **signature,
        )  # fmt: skip
        assert response.status_code == expected, response.content
    assert Escalation.objects.get(pk=second.pk).status == "pending"


def test_an_acknowledgement_with_a_malformed_id_in_the_path_is_not_a_500(world, no_channel):
    body, signature = signed({"escalation_id": str(uuid.uuid4()), "reference": "R"})
    response = APIClient().generic(
        "POST", "/api/v1/escalations/000000000000000000000000000000000000/acknowledge/", body,
        content_type="application/json", **signature,
    )  # fmt: skip
    assert response.status_code == 400


def test_a_bad_signature_is_a_401_and_changes_nothing(world, no_channel):
    row = _escalation(world)
    assert ack(row, {"reference": "R"}, secret="wrong").status_code == 401
    assert ack(row, {"reference": "R"}, headers={}).status_code == 401
    assert Escalation.objects.get(pk=row.pk).status == "pending"


def test_without_a_secret_acknowledgements_are_refused(world, no_channel, settings):
    row = _escalation(world)
    settings.RRCG_WEBHOOK_SECRET = ""
    assert ack(row, {"reference": "R"}, secret="anything").status_code == 503


@pytest.mark.parametrize(
    "payload, field",
    [
        ({}, "reference"),
        ({}, "escalation_id"),
        ({"reference": "x" * 101}, "reference"),
        ({"reference": 5, "note": []}, "note"),
        ({"reference": "R", "escalation_id": "not-a-uuid"}, "escalation_id"),
    ],
)
def test_a_bad_acknowledgement_is_a_400(world, no_channel, payload, field):
    row = _escalation(world)
    response = ack(row, {"escalation_id": str(row.pk), **payload})
    if field == "escalation_id" and "escalation_id" not in payload:
        response = ack(row, {"reference": "R"})
    assert response.status_code == 400 and field in response.json()


def test_an_acknowledgement_for_another_escalation_is_refused(world, no_channel):
    row, other = _escalation(world), _escalation(world)
    response = ack(row, {"escalation_id": str(other.pk), "reference": "R"})
    assert response.status_code == 400
    assert Escalation.objects.get(pk=row.pk).status == "pending"


def test_an_acknowledgement_of_an_unknown_escalation_is_a_404(world, no_channel):
    unknown = uuid.uuid4()
    body, signature = signed({"escalation_id": str(unknown), "reference": "R"})
    response = APIClient().generic(
        "POST",
        f"/api/v1/escalations/{unknown}/acknowledge/",
        body,
        content_type="application/json",
        **signature,
    )
    assert response.status_code == 404


def test_a_body_that_is_not_json_is_a_400(world, no_channel):
    row = _escalation(world)
    body = b"reference=R"
    from incidents.rrcg import sign

    response = APIClient().generic(
        "POST",
        f"/api/v1/escalations/{row.pk}/acknowledge/",
        body,
        content_type="application/json",
        HTTP_X_BAIKOO_SIGNATURE=sign(body, SECRET),
    )
    assert response.status_code == 400


def test_the_schema_documents_the_actions(world, api):
    schema = api(world.user("headoffice")).get("/api/schema/?format=json")
    paths = json.loads(schema.content)["paths"]
    for path in (
        "/api/v1/incidents/{id}/transition/",
        "/api/v1/incidents/{id}/escalate/",
        "/api/v1/escalations/{id}/acknowledge/",
        "/api/v1/triage-queue/",
    ):
        assert path in paths


# --- who may act comes before what they sent (issue 12, item 13) --------------------------------

INVALID_CHANGES = {
    "transition": [{}, {"to": "bogus"}, {"to": "rejected"}, {"to": "escalated"}],
    "escalate": [{}, {"reason": ""}],
    "assign": [{}, {"assignee": 10**9}],
    "severity": [{}, {"severity": "apocalyptic"}],
    "comments": [
        {},
        {"body": ""},
        {"body": "x", "visibility": "question_to_lto"},
        {"body": "", "visibility": "question_to_lto"},
    ],
}


@pytest.mark.parametrize("user", ["analyst", "legal"])
@pytest.mark.parametrize("name", list(INVALID_CHANGES))
def test_a_change_the_role_may_not_make_is_403_whatever_the_body(world, api, name, user):
    if user == "legal" and name == "comments":
        bodies = [b for b in INVALID_CHANGES[name] if b.get("visibility") == "question_to_lto"]
    else:
        bodies = INVALID_CHANGES[name]
    incident = incident_in(world, S.IN_REVIEW)
    for body in bodies:
        response = api(world.user(user)).post(action(incident, name), body, format="json")
        assert response.status_code == 403, (body, response.content)
        assert "detail" in response.json()
    incident.refresh_from_db()
    assert incident.status == S.IN_REVIEW and not incident.comments.exists()


@pytest.mark.parametrize("user", ["analyst", "legal"])
@pytest.mark.parametrize("page", ["status", "duplicate", "assign", "severity", "escalate"])
def test_the_triage_pages_refuse_those_changes_with_403(world, user, page):
    from django.test import Client

    client = Client()
    client.force_login(world.user(user))
    incident = incident_in(world, S.IN_REVIEW)
    response = client.post(f"/triage/incidents/{incident.pk}/{page}/", {"to": "bogus"})
    assert response.status_code == 403


def test_an_analyst_may_not_comment_on_the_page_either(world):
    from django.test import Client

    client = Client()
    client.force_login(world.user("analyst"))
    incident = incident_in(world, S.IN_REVIEW)
    assert client.post(f"/triage/incidents/{incident.pk}/comment/", {}).status_code == 403
