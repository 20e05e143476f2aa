"""A small world for incident tests: one election with Bishkek and Osh, their party
lists and PECs, and one user per role (docs/roles.md)."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from incidents.services import filing
from tests.factories import (
    make_commission,
    make_district,
    make_election,
    make_party,
    make_party_list,
    make_user,
    running_now,
)


@dataclass
class World:
    election: Any
    bishkek: Any
    osh: Any
    emgek: Any  # list in Bishkek only
    ata_jurt: Any  # lists in Bishkek and Osh
    nur: Any  # list in Osh only
    pec_bishkek: Any
    pec_osh: Any
    tec_bishkek: Any
    users: dict[str, Any]

    def user(self, name: str) -> Any:
        return self.users[name]


@pytest.fixture
def world(db) -> World:
    election = make_election(name="Repeat 2021", **running_now())
    bishkek = make_district(election, name="Bishkek", code="BSK")
    osh = make_district(election, name="Osh", code="OSH")
    emgek, ata_jurt, nur = (
        make_party(name="Emgek"),
        make_party(name="Ata-Jurt"),
        make_party(name="Nur"),
    )
    make_party_list(emgek, bishkek)
    make_party_list(ata_jurt, bishkek)
    make_party_list(ata_jurt, osh)
    make_party_list(nur, osh)
    tec_bishkek = make_commission("TEC", election=election, district=bishkek, name="Bishkek TEC")
    tec_osh = make_commission("TEC", election=election, district=osh, name="Osh TEC")
    pec_bishkek = make_commission(
        "PEC", election=election, district=bishkek, parent=tec_bishkek, name="PEC 1001"
    )
    pec_osh = make_commission(
        "PEC", election=election, district=osh, parent=tec_osh, name="PEC 2001"
    )
    users = {
        "lto_bishkek": make_user("lto", "lto-bishkek", districts=[bishkek]),
        "lto_bishkek_2": make_user("lto", "lto-bishkek-2", districts=[bishkek]),
        "lto_osh": make_user("lto", "lto-osh", districts=[osh]),
        "coordinator_bishkek": make_user("coordinator", "coord-bishkek", districts=[bishkek]),
        "headoffice": make_user("headoffice", "headoffice"),
        "legal": make_user("legal", "legal"),
        "analyst": make_user("analyst", "analyst"),
        "admin": make_user("admin", "admin"),
    }
    return World(
        election, bishkek, osh, emgek, ata_jurt, nur, pec_bishkek, pec_osh, tec_bishkek, users
    )


def occurred(days_ago: int = 1) -> dt.datetime:
    return timezone.now().replace(microsecond=0) - dt.timedelta(days=days_ago)


def file_incident(world: World, user: str = "lto_bishkek", **overrides: Any):
    """File through the service with sensible defaults; returns the incident."""
    arguments = {
        "actor": world.user(user),
        "id": uuid.uuid4(),
        "district": world.bishkek if "osh" not in user else world.osh,
        "kind": "vote_buying",
        "occurred_at": occurred(),
        "location": "School No. 5",
        "description": "Money offered at the entrance.",
        "source": "direct_observation",
        "details": {"offered": "money", "offered_by": "party_agent"},
    }
    arguments.update(overrides)
    incident, _ = filing.incident_file(**arguments)
    return incident


def api_payload(world: World, **overrides: Any) -> dict[str, Any]:
    payload = {
        "id": str(uuid.uuid4()),
        "district": world.bishkek.pk,
        "kind": "vote_buying",
        "occurred_at": occurred().isoformat(),
        "location": "School No. 5",
        "party": world.emgek.pk,
        "description": "Money offered at the entrance.",
        "source": "direct_observation",
        "witnesses": "Aigul, +996 555 000 000",
        "details": {"offered": "money", "value": "500 som", "offered_by": "party_agent"},
    }
    payload.update(overrides)
    return payload


@pytest.fixture
def api():
    def client_for(user: Any) -> APIClient:
        client = APIClient()
        client.force_authenticate(user)
        return client

    return client_for


def jpeg_with_gps(size: tuple[int, int] = (32, 24)) -> bytes:
    """A small JPEG whose EXIF carries GPS coordinates (Bishkek)."""
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (42.0, 52.0, 30.0)
    gps[3] = "E"
    gps[4] = (74.0, 35.0, 10.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 0, 255)).save(out, "PNG")
    return out.getvalue()


def mp4_with_location() -> bytes:
    """A minimal MP4: ftyp, moov with a udta/©xyz location box, and mdat."""

    def box(kind: bytes, payload: bytes) -> bytes:
        return (8 + len(payload)).to_bytes(4, "big") + kind + payload

    ftyp = box(b"ftyp", b"isom" + (512).to_bytes(4, "big") + b"isomiso2avc1mp41")
    xyz = box(b"\xa9xyz", (17).to_bytes(2, "big") + b"\x15\xc7" + b"+42.8746+074.5698/")
    moov = box(b"moov", box(b"mvhd", bytes(100)) + box(b"udta", xyz))
    mdat = box(b"mdat", bytes(64))
    return ftyp + moov + mdat
