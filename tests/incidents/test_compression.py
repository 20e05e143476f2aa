"""Compression of pages, the API and static files (docs/operations.md#compression), and
the observer's form page under 60 KB transferred."""

from __future__ import annotations

import gzip
import re

import pytest
from django.contrib.staticfiles import finders
from rest_framework.authtoken.models import Token

from tests.incidents.conftest import file_incident

pytestmark = pytest.mark.django_db

# the form page lives at an address that carries its report id (docs/incidents.md)
FORM = "/incidents/new/vote_buying/?draft=6f1c2b9e-3d4a-4f5b-8c7d-1e2f3a4b5c6d"
BUDGET = 60 * 1024


def _static_gzipped(path: str) -> int:
    found = finders.find(path.removeprefix("/static/").split("?")[0])
    assert found, path
    with open(found, "rb") as file:
        return len(gzip.compress(file.read()))


def test_the_lto_form_page_is_compressed_and_under_60_kb(world, client):
    client.force_login(world.user("lto_bishkek"))
    response = client.get(FORM, HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    body = response.content
    html = gzip.decompress(body).decode()
    assert 'name="location"' in html
    # what the browser fetches for the page: the HTML as sent, its stylesheets and scripts
    # (WhiteNoise serves these pre-compressed)
    assets = re.findall(r'(?:href|src)="(/static/[^"]+\.(?:css|js))"', html)
    assert assets, "the page links its stylesheet and scripts"
    transferred = len(body) + sum(_static_gzipped(a) for a in assets)
    assert transferred < BUDGET, transferred
    assert len(body) < len(html.encode()) / 3


def test_api_json_is_compressed(world, client):
    for _ in range(3):
        file_incident(world)
    token = Token.objects.create(user=world.user("headoffice"))
    response = client.get(
        "/api/v1/incidents/", HTTP_AUTHORIZATION=f"Token {token.key}", HTTP_ACCEPT_ENCODING="gzip"
    )
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.content).startswith(b"{")


def test_without_accept_encoding_nothing_is_compressed(world, client):
    client.force_login(world.user("lto_bishkek"))
    response = client.get(FORM)
    assert response.status_code == 200 and not response.has_header("Content-Encoding")
