from __future__ import annotations

import pytest

from observation.kernel.roles import Role
from tests.factories import make_district, make_election, make_user


@pytest.mark.django_db
def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_sign_in_page_has_labelled_fields_and_landmarks(client):
    html = client.get("/accounts/login/").content.decode()
    assert '<label for="id_username">' in html
    assert '<label for="id_password">' in html
    assert '<main id="main"' in html
    assert 'name="viewport"' in html


@pytest.mark.django_db
def test_sign_in_and_out(client):
    make_user(Role.LEGAL, username="legal")
    response = client.post("/accounts/login/", {"username": "legal", "password": "pw-for-tests"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    client.post("/accounts/logout/")
    assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_wrong_password_is_refused_with_a_message(client):
    make_user(Role.LEGAL, username="legal")
    response = client.post("/accounts/login/", {"username": "legal", "password": "wrong"})
    assert response.status_code == 200
    assert "error-summary" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
def test_home_page_renders_for_every_role(client, role):
    election = make_election(name="Repeat local elections")
    district = make_district(election, name="Tokmok", code="TKM")
    user = make_user(role, districts=[district])
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert str(role.label) in html
    if role in (Role.LTO, Role.COORDINATOR):
        assert "Your districts" in html and "Tokmok" in html
    else:
        assert "Repeat local elections" in html


@pytest.mark.django_db
def test_lto_only_sees_their_own_districts_on_home(client):
    election = make_election()
    osh = make_district(election, name="Osh", code="OSH")
    make_district(election, name="Bishkek", code="BSK")
    client.force_login(make_user(Role.LTO, districts=[osh]))
    html = client.get("/").content.decode()
    assert "Osh" in html and "Bishkek" not in html


@pytest.mark.django_db
def test_user_without_role_is_told_to_ask_an_administrator(client):
    client.force_login(make_user(None))
    assert "no role in the mission" in client.get("/").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("language, text", [("ru", "Выйти"), ("ky", "Чыгуу")])
def test_language_switch(client, language, text):
    client.force_login(make_user(Role.ANALYST))
    response = client.post("/i18n/setlang/", {"language": language, "next": "/"}, follow=True)
    assert response.status_code == 200
    assert text in response.content.decode()
    assert f'<html lang="{language}">' in response.content.decode()


@pytest.mark.django_db
def test_pages_use_local_htmx_and_no_cdn(client):
    client.force_login(make_user(Role.HEAD_OFFICE))
    html = client.get("/").content.decode()
    assert "/static/django_htmx/htmx" in html
    assert "cdn" not in html.lower()
