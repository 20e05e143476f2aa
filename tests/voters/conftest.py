"""Fixtures of the voters tests: an election with the seed's three TECs, and files."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from observation.kernel.roles import Role
from tests.factories import make_commission, make_district, make_election, make_user
from voters.models import VoterListSnapshot
from voters.services import IMPORT_COLUMNS

# Table 1 and 2 of the seed: (preliminary total, control total, male, female, ages)
SEED = {
    "Bishkek TEC": (
        424_847,
        425_107,
        179_270,
        245_837,
        (100_817, 99_529, 77_311, 68_649, 48_740, 30_061),
    ),
    "Osh TEC": (148_144, 148_224, 67_526, 80_698, (41_325, 37_137, 24_013, 22_659, 16_457, 6_633)),
    "Tokmok TEC": (37_164, 37_134, 16_365, 20_769, (9_999, 8_420, 6_357, 5_890, 4_410, 2_058)),
}
PEC_COUNTS = {"Bishkek TEC": 228, "Osh TEC": 78, "Tokmok TEC": 20}


@pytest.fixture
def election():
    return make_election(name="Repeat elections 2021")


@pytest.fixture
def tecs(election):
    """The three TECs of the seed, by name."""
    result = {}
    for code, city in (("BSK", "Bishkek"), ("OSH", "Osh"), ("TKM", "Tokmok")):
        district = make_district(election, name=city, code=code)
        name = f"{city} TEC"
        result[name] = make_commission(
            "TEC", election=election, district=district, name=name, pec_count=PEC_COUNTS[name]
        )
    return result


@pytest.fixture
def cec(tecs):
    return next(iter(tecs.values())).parent


@pytest.fixture
def bishkek(tecs):
    return tecs["Bishkek TEC"]


def seed_rows() -> list[list[str]]:
    """The seed's snapshots as import rows (preliminary: totals only)."""
    rows = []
    for name, (preliminary, control, male, female, ages) in SEED.items():
        rows.append([name, "preliminary", "2021-06-09", str(preliminary)] + [""] * 8)
        rows.append(
            [name, "control", "2021-06-20", str(control), str(male), str(female)]
            + [str(a) for a in ages]
        )
    return rows


def csv_bytes(rows: Iterable[Sequence[object]], header: Sequence[str] = IMPORT_COLUMNS) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def xlsx_bytes(rows: Iterable[Sequence[object]], header: Sequence[str] = IMPORT_COLUMNS) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(data: bytes, name: str = "voters.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def seed_xlsx_rows() -> list[list[object]]:
    """The seed rows as a spreadsheet holds them: numbers as numbers, dates as dates."""
    rows: list[list[object]] = []
    for name, (preliminary, control, male, female, ages) in SEED.items():
        rows.append([name, "preliminary", dt.datetime(2021, 6, 9), preliminary] + [None] * 8)
        rows.append([name, "control", dt.date(2021, 6, 20), control, male, female, *ages])
    return rows


def make_snapshot(commission, stage="control", **fields) -> VoterListSnapshot:
    defaults = {"as_of": dt.date(2021, 6, 20), "total": 100}
    return VoterListSnapshot.objects.create(
        commission=commission, stage=stage, **{**defaults, **fields}
    )


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def analyst():
    return make_user(Role.ANALYST)


WRITERS = (Role.ANALYST, Role.ADMIN)
READERS_ONLY = (Role.LTO, Role.COORDINATOR, Role.HEAD_OFFICE, Role.LEGAL)
