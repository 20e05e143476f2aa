"""Issue 10 point 10: evidence as previews scaled on the server from the copy the role may
see, and the incident's coordinates on a map (Leaflet, vendored; tiles from MAP_TILE_URL)."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from incidents.services import filing
from tests.incidents.conftest import file_incident, jpeg_with_gps

pytestmark = pytest.mark.django_db


@pytest.fixture
def photo(world):
    incident = file_incident(world)
    big = io.BytesIO()
    Image.new("RGB", (2000, 1000), (200, 10, 10)).save(big, "JPEG")
    evidence, _ = filing.evidence_add(
        actor=world.user("lto_bishkek"),
        incident=incident,
        file=SimpleUploadedFile("big.jpg", big.getvalue(), content_type="image/jpeg"),
    )
    return evidence


def preview(client, world, user, evidence):
    client.force_login(world.user(user))
    return client.get(f"/incidents/evidence/{evidence.pk}/preview.jpg")


@pytest.mark.parametrize("user", ["headoffice", "lto_bishkek", "coordinator_bishkek", "analyst"])
def test_a_preview_is_scaled_on_the_server(world, client, photo, user):
    response = preview(client, world, user, photo)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    image = Image.open(io.BytesIO(response.content))
    assert max(image.size) == django_settings.EVIDENCE_THUMBNAIL_PX
    assert response["X-Content-Type-Options"] == "nosniff"


def test_no_preview_for_who_may_not_see_the_incident(world, client, photo):
    assert preview(client, world, "lto_osh", photo).status_code == 404


def test_the_preview_carries_no_location(world, client):
    incident = file_incident(world)
    evidence, _ = filing.evidence_add(
        actor=world.user("lto_bishkek"),
        incident=incident,
        file=SimpleUploadedFile("gps.jpg", jpeg_with_gps((64, 48)), content_type="image/jpeg"),
    )
    for user in ("headoffice", "lto_bishkek"):
        body = preview(client, world, user, evidence).content
        assert not Image.open(io.BytesIO(body)).getexif().get_ifd(0x8825)


def test_pages_show_the_previews(world, client, photo):
    client.force_login(world.user("headoffice"))
    html = client.get(f"/triage/incidents/{photo.incident_id}/").content.decode()
    assert f'src="/incidents/evidence/{photo.pk}/preview.jpg"' in html
    client.force_login(world.user("lto_bishkek"))
    html = client.get(f"/incidents/{photo.incident_id}/").content.decode()
    assert f'src="/incidents/evidence/{photo.pk}/preview.jpg"' in html


def test_the_map_reads_its_data_from_attributes(world, client, settings):
    settings.MAP_TILE_URL = "https://tiles.example.test/{z}/{x}/{y}.png"
    settings.MAP_TILE_ATTRIBUTION = "© Example tiles"
    incident = file_incident(world, latitude=Decimal("42.874621"), longitude=Decimal("74.569762"))
    client.force_login(world.user("headoffice"))
    html = client.get(f"/triage/incidents/{incident.pk}/").content.decode()
    assert 'id="incident-map"' in html and 'data-lat="42.874621"' in html
    assert 'data-tiles="https://tiles.example.test/{z}/{x}/{y}.png"' in html
    assert "/static/vendor/leaflet/leaflet.js" in html and "/static/incidents/map.js" in html
    assert "42.874621, 74.569762" in html  # the coordinates as text, whatever the map does
    settings.MAP_TILE_URL = ""
    html = client.get(f"/triage/incidents/{incident.pk}/").content.decode()
    assert 'data-tiles=""' in html
    no_place = file_incident(world)
    html = client.get(f"/triage/incidents/{no_place.pk}/").content.decode()
    assert 'id="incident-map"' not in html and "leaflet.js" not in html


def test_leaflet_is_vendored_with_its_license():
    folder = Path(django_settings.BASE_DIR) / "static" / "vendor" / "leaflet"
    assert (folder / "leaflet.js").stat().st_size > 100_000
    assert (
        "BSD" in (folder / "LICENSE").read_text()
        or "Redistribution" in (folder / "LICENSE").read_text()
    )
    assert (folder / "leaflet.css").exists() and (folder / "images" / "marker-icon.png").exists()
