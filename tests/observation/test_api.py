from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from observation.kernel.roles import Role
from tests.factories import make_district, make_user


@pytest.fixture
def api():
    return APIClient()


@pytest.mark.django_db
def test_token_endpoint_returns_a_token_that_authenticates(api):
    district = make_district(name="Osh", code="OSH")
    make_user(Role.LTO, username="lto-osh-1", districts=[district])
    response = api.post(
        "/api/v1/auth/token/", {"username": "lto-osh-1", "password": "pw-for-tests"}
    )
    assert response.status_code == 200
    token = response.json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api.get("/api/v1/me/")
    assert me.status_code == 200
    assert me.json()["role"] == "lto"
    assert [d["code"] for d in me.json()["districts"]] == ["OSH"]


@pytest.mark.django_db
def test_token_endpoint_refuses_a_wrong_password_with_a_field_message(api):
    make_user(Role.LTO, username="lto-osh-1")
    response = api.post("/api/v1/auth/token/", {"username": "lto-osh-1", "password": "nope"})
    assert response.status_code == 400
    assert "non_field_errors" in response.json()


@pytest.mark.django_db
def test_anonymous_requests_are_refused(api):
    assert api.get("/api/v1/me/").status_code in (401, 403)


@pytest.mark.django_db
def test_account_without_role_is_forbidden(api):
    api.force_authenticate(make_user(None))
    assert api.get("/api/v1/me/").status_code == 403


@pytest.mark.django_db
def test_session_auth_works_for_the_browser(client):
    make_user(Role.ANALYST, username="analyst")
    client.login(username="analyst", password="pw-for-tests")
    assert client.get("/api/v1/me/").json()["role"] == "analyst"


@pytest.mark.django_db
def test_openapi_schema_is_generated(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/auth/token/" in schema["paths"]
    assert "/api/v1/me/" in schema["paths"]


def test_schema_has_no_warnings(capsys):
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")


@pytest.mark.django_db
def test_api_docs_serve_their_assets_locally(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "https://" not in html and "http://" not in html.replace("http://testserver", "")
