"""Error pages and an expired session (issue 10, points 3 and 7; docs/architecture.md)."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from incidents.models import Incident
from observation.kernel import errors
from tests.factories import make_district, make_election, make_user, running_now

pytestmark = pytest.mark.django_db


def test_a_403_says_why_in_the_layout(client):
    client.force_login(make_user("lto", "lto-x"))
    response = client.get("/triage/")
    assert response.status_code == 403
    body = response.content.decode()
    assert "Only these roles can open the triage queue: Head office" in body
    assert 'class="site-header"' in body and "Go to the home page" in body
    assert "<title>Not allowed — Baikoo</title>" in body


def test_an_access_rule_names_its_roles(client):
    client.force_login(make_user("lto", "lto-y"))
    response = client.get("/reports/")
    assert response.status_code == 403
    assert "This page is for these roles only:" in response.content.decode()


def test_a_404_is_in_the_layout_and_translated(client):
    client.force_login(make_user("analyst", "analyst-x"))
    english = client.get("/no-such-page/")
    assert english.status_code == 404
    assert "Page not found" in english.content.decode()
    client.cookies["django_language"] = "ru"
    russian = client.get("/no-such-page/", headers={"accept-language": "ru"})
    assert "Page not found" not in russian.content.decode()
    assert 'lang="ru"' in russian.content.decode()


def test_a_400_page(rf):
    request = rf.get("/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    response = errors.bad_request(request)
    assert response.status_code == 400
    assert "Go to the home page" in response.content.decode()


def test_the_500_page_needs_no_database(rf):
    with CaptureQueriesContext(connection) as queries:
        response = errors.server_error(rf.get("/"))
    assert response.status_code == 500
    assert len(queries) == 0
    body = response.content.decode()
    assert "Something went wrong" in body and 'href="/"' in body


def test_a_csrf_failure_is_in_the_layout():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "a", "password": "b"})
    assert response.status_code == 403
    body = response.content.decode()
    assert "The form expired" in body and "Go to the home page" in body


def test_an_htmx_request_meeting_the_sign_in_gets_401_not_the_sign_in_page(client):
    response = client.get("/triage/", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response["HX-Reswap"] == "none"
    assert "Sign in" not in response.content.decode() or "<form" not in response.content.decode()


def test_an_htmx_403_carries_the_reason_in_a_header(client):
    client.force_login(make_user("lto", "lto-z"))
    response = client.get("/triage/", headers={"HX-Request": "true"})
    assert response.status_code == 403
    assert "triage%20queue" in response["X-Baikoo-Reason"]


def test_a_form_posted_after_the_session_expired_is_kept_and_sent_after_sign_in(client):
    """The no-JavaScript LTO form: the POST meets the sign-in page; after signing in, the
    person sees what they typed and sends it with one button, with its own id."""
    district = make_district(make_election(**running_now()), code="BSK")
    make_user("lto", "lto-kept", districts=[district])
    address = f"/incidents/new/vote_buying/?draft={uuid.uuid4()}"
    draft = address.split("=")[1]
    data = {
        "id": draft,
        "district": district.pk,
        "occurred_at": "2021-06-25T12:00",
        "location": "Market",
        "description": "A long paragraph the observer typed.",
        "source": "direct_observation",
        "offered": "money",
        "offered_by": "party_agent",
    }
    lost = client.post(address, data)
    assert lost.status_code == 302 and "/accounts/login/" in lost["Location"]
    login_page = client.get(lost["Location"]).content.decode()
    assert "You were signed out" in login_page
    client.post(lost["Location"], {"username": "lto-kept", "password": "pw-for-tests"})
    kept = client.get(address)
    body = kept.content.decode()
    assert "Send what you typed" in body
    assert "A long paragraph the observer typed." in body
    assert f'name="id" value="{draft}"' in body
    assert Incident.objects.count() == 0
    resend = client.post(address, data)
    assert resend.status_code == 302
    assert str(Incident.objects.get().pk) == draft
    # The kept copy is used once.
    assert "Send what you typed" not in client.get(address).content.decode()
