"""From ``load_demo``, the report shows exactly the seed's numbers: in the data endpoint
and inside every export (HTML text, XLSX cells, DOCX tables, PDF text).

The demo is loaded once for the module inside a transaction that is rolled back at the
end, and each export is rendered once."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.db import transaction
from docx import Document as WordDocument
from openpyxl import load_workbook
from pypdf import PdfReader
from rest_framework.test import APIClient

from reports.models import Report

pytestmark = pytest.mark.django_db

# The seed, Table 1: commission, PECs, preliminary, control, change
TABLE_1 = [
    ("Bishkek TEC", 228, 424847, 425107, 260),
    ("Osh TEC", 78, 148144, 148224, 80),
    ("Tokmok TEC", 20, 37164, 37134, -30),
]
# Table 2: male, female, male %, female %, six age brackets
TABLE_2 = [
    ("Bishkek TEC", 179270, 245837, 42.2, 57.8, 100817, 99529, 77311, 68649, 48740, 30061),
    ("Osh TEC", 67526, 80698, 45.6, 54.4, 41325, 37137, 24013, 22659, 16457, 6633),
    ("Tokmok TEC", 16365, 20769, 44.1, 55.9, 9999, 8420, 6357, 5890, 4410, 2058),
]
# Table 3: district, mandates, parties, candidates, male, female
TABLE_3 = [
    ("Bishkek", 45, 18, 1314, 798, 516),
    ("Osh", 45, 9, 691, 440, 251),
    ("Tokmok", 31, 6, 354, 221, 133),
]
TABLE_3_TOTAL = (121, 26, 2359, 1459, 900)
BY_KIND = {"admin_resource": 6, "vote_buying": 8, "campaign_rules": 50}
BY_DISTRICT = {
    "admin_resource": {"Bishkek": 2, "Osh": 1, "Tokmok": 3},
    "vote_buying": {"Bishkek": 2, "Osh": 3, "Tokmok": 3},
    "campaign_rules": {"Bishkek": 11, "Osh": 38, "Tokmok": 1},
}
BY_PARTY = {
    "admin_resource": {"Emgek": 3, "Asyl Muras Zhashtary": 1, "unknown": 2},
    "vote_buying": {
        "Ata-Jurt Kyrgyzstan": 2,
        "Birge-Vmeste": 2,
        "Bizdin Kyrgyzstan": 1,
        "El Birimdigi": 1,
        "Onuguu-Progress": 1,
        "Emgek": 1,
    },
}
# Violations by district: admin resource, vote buying, campaign rules, total
BY_DISTRICT_ROWS = {"Bishkek": [2, 2, 11, 15], "Osh": [1, 3, 38, 42], "Tokmok": [3, 3, 1, 7]}


def _int(text: str) -> int:
    return int(text.replace("\u00a0", "").replace(" ", "").replace("+", ""))


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ").replace("\u202f", " ")).strip()


class _Rows(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(_norm("".join(self.cell)))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """load_demo once, then every export rendered once through the API."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            call_command("load_demo", stdout=io.StringIO())
            report = Report.objects.get(election__name__startswith="Repeat elections")
            api = APIClient()
            from django.contrib.auth import get_user_model

            api.force_login(get_user_model().objects.get(username="analyst"))
            base = f"/api/v1/reports/{report.pk}"
            files = {
                fmt: api.get(f"{base}/export/?format={fmt}").content
                for fmt in ("html", "pdf", "docx", "xlsx")
            }
            yield {"data": api.get(f"{base}/data/").json(), **files}
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


# --- the data endpoint ------------------------------------------------------------------


def test_data_table_1(demo):
    rows = demo["data"]["voter_registration"]["rows"]
    got = [(r["commission"], r["pec_count"], r["preliminary"], r["control"], r["change"])
           for r in rows]  # fmt: skip
    assert got == TABLE_1


def test_data_table_2_with_percentages(demo):
    rows = demo["data"]["voter_registration"]["rows"]
    ages = ["age_18_29", "age_30_39", "age_40_49", "age_50_59", "age_60_69", "age_70_plus"]
    got = [(r["commission"], r["male"], r["female"], r["male_percent"], r["female_percent"],
            *[r[a] for a in ages]) for r in rows]  # fmt: skip
    assert got == TABLE_2


def test_data_table_3_and_totals(demo):
    districts = demo["data"]["districts"]
    got = [(r["district"], r["mandates"], r["parties"], r["candidates"], r["male"], r["female"])
           for r in districts["rows"]]  # fmt: skip
    assert got == TABLE_3
    t = districts["totals"]
    assert (t["mandates"], t["parties"], t["candidates"], t["male"], t["female"]) == TABLE_3_TOTAL


def test_data_violations(demo):
    v = demo["data"]["violations"]
    assert v["total"] == 64
    assert v["by_kind"] == BY_KIND
    assert v["by_kind_and_district"] == BY_DISTRICT
    for kind, parties in BY_PARTY.items():
        assert {p: n for p, n in v["by_kind_and_party"][kind].items() if n} == parties
    assert sum(v["by_kind_and_party"]["campaign_rules"].values()) == 50


def test_data_escalated(demo):
    assert demo["data"]["violations"]["escalated"] == 2


# --- HTML -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def html_rows(demo):
    parser = _Rows()
    parser.feed(demo["html"].decode())
    return parser.rows


def _find(rows: list[list[str]], first: str, width: int | None = None) -> list[list[str]]:
    return [r for r in rows if r and r[0] == first and (width is None or len(r) == width)]


def test_html_table_1(html_rows):
    for name, *numbers in TABLE_1:
        row = _find(html_rows, name, 5)[0]
        assert [_int(c) for c in row[1:]] == numbers


def test_html_table_2(html_rows):
    for name, male, female, male_pct, female_pct, *ages in TABLE_2:
        row = _find(html_rows, name, 11)[0]
        assert [_int(row[1]), _int(row[2])] == [male, female]
        assert [row[3], row[4]] == [f"{male_pct} %", f"{female_pct} %"]
        assert [_int(c) for c in row[5:]] == ages


def test_html_table_3_and_violations(html_rows):
    for name, *numbers in TABLE_3:
        row = next(r for r in html_rows if len(r) == 7 and r[1] == name)
        assert [_int(c) for c in row[2:]] == numbers
    total = next(r for r in html_rows if len(r) == 7 and r[1] == "Total (3)")
    assert tuple(_int(c) for c in total[2:]) == TABLE_3_TOTAL
    for district, numbers in BY_DISTRICT_ROWS.items():
        assert [_int(c) for c in _find(html_rows, district, 5)[0][1:]] == numbers
    assert [6, 8, 50, 64] in [[_int(c) for c in r[1:]] for r in _find(html_rows, "Total", 5)]
    for party, n in BY_PARTY["vote_buying"].items():
        if party != "unknown":
            assert _int(_find(html_rows, party, 5)[0][2]) == n
    assert _int(_find(html_rows, "Party not known", 5)[0][1]) == 2
    assert ["Violations reported", "64"] in html_rows


def test_html_escalated(html_rows):
    assert ["Transferred to the RRCG", "2"] in html_rows


def test_html_has_no_witness_data_or_observer_identity(demo):
    from incidents.models import Incident

    html = demo["html"].decode()
    witnesses = list(Incident.objects.exclude(witnesses="").values_list("witnesses", flat=True))
    for text in witnesses[:20]:
        assert text not in html
    for name in ("lto-bishkek-1", "Observer 1", "Data Analyst"):
        assert name not in html


# --- XLSX -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def book(demo):
    return load_workbook(io.BytesIO(demo["xlsx"]))


def _sheet_rows(book, name):
    return [list(r) for r in book[name].iter_rows(values_only=True)]


def test_xlsx_tables_1_2_3(book):
    t1 = _sheet_rows(book, "Table 1 Voter lists")
    for name, *numbers in TABLE_1:
        assert next(r for r in t1 if r[0] == name)[1:5] == numbers
    t2 = _sheet_rows(book, "Table 2 Gender and age")
    for name, *values in TABLE_2:
        assert tuple(next(r for r in t2 if r[0] == name)[1:]) == tuple(values)
    t3 = _sheet_rows(book, "Table 3 Districts")
    for name, *numbers in TABLE_3:
        assert next(r for r in t3 if r[1] == name)[2:] == numbers
    assert tuple(next(r for r in t3 if r[1] == "Total (3)")[2:]) == TABLE_3_TOTAL


def test_xlsx_violations(book):
    by_district = _sheet_rows(book, "Violations by district")
    for district, numbers in BY_DISTRICT_ROWS.items():
        assert next(r for r in by_district if r[0] == district)[1:] == numbers
    assert next(r for r in by_district if r[0] == "Total")[1:] == [6, 8, 50, 64]
    summary = _sheet_rows(book, "Violations summary")
    assert ["Violations reported", 64] in summary
    assert [r for r in summary if r[0] in ("Vote buying", "Campaign rules")] == [
        ["Vote buying", 8],
        ["Campaign rules", 50],
    ]
    by_party = _sheet_rows(book, "Violations by party")
    assert next(r for r in by_party if r[0] == "Emgek")[1:3] == [3, 1]
    assert next(r for r in by_party if r[0] == "Party not known")[1] == 2


# --- DOCX -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def word_rows(demo):
    document = WordDocument(io.BytesIO(demo["docx"]))
    return [[_norm(c.text) for c in row.cells] for t in document.tables for row in t.rows]


def test_docx_tables(demo, word_rows):
    for name, *numbers in TABLE_1:
        assert [_int(c) for c in _find(word_rows, name, 5)[0][1:]] == numbers
    for name, male, female, male_pct, female_pct, *ages in TABLE_2:
        row = _find(word_rows, name, 11)[0]
        assert [_int(row[1]), _int(row[2]), row[3], row[4]] == [
            male,
            female,
            f"{male_pct} %",
            f"{female_pct} %",
        ]
        assert [_int(c) for c in row[5:]] == ages
    total = next(r for r in word_rows if len(r) == 7 and r[1] == "Total (3)")
    assert tuple(_int(c) for c in total[2:]) == TABLE_3_TOTAL
    for district, numbers in BY_DISTRICT_ROWS.items():
        assert [_int(c) for c in _find(word_rows, district, 5)[0][1:]] == numbers
    headings = [p.text for p in WordDocument(io.BytesIO(demo["docx"])).paragraphs
                if p.style.name == "Heading 1"]  # fmt: skip
    assert "8. Violations and complaints" in headings


# --- PDF --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pdf_text(demo):
    return _norm(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(demo["pdf"])).pages))


def _sp(n: int) -> str:
    return f"{n:,}".replace(",", " ")


def _signed(n: int) -> str:
    return f"+{_sp(n)}" if n > 0 else _sp(n)


def test_pdf_tables(pdf_text):
    for name, pecs, prelim, control, change in TABLE_1:
        assert f"{name} {pecs} {_sp(prelim)} {_sp(control)} {_signed(change)}" in pdf_text
    for name, male, female, male_pct, female_pct, *ages in TABLE_2:
        ages_text = " ".join(_sp(a) for a in ages)
        assert (f"{name} {_sp(male)} {_sp(female)} {male_pct} % {female_pct} % "
                f"{ages_text}") in pdf_text  # fmt: skip
    for i, (name, mandates, parties, candidates, male, female) in enumerate(TABLE_3, 1):
        assert f"{i} {name} {mandates} {parties} {_sp(candidates)} {male} {female}" in pdf_text
    assert "Total (3) 121 26 2 359 1 459 900" in pdf_text


def test_pdf_violations_and_table_of_contents(pdf_text):
    assert "Violations reported 64" in pdf_text
    assert "Vote buying 8" in pdf_text and "Campaign rules 50" in pdf_text
    assert "Bishkek 2 2 11 15" in pdf_text
    assert "Osh 1 3 38 42" in pdf_text
    assert "Tokmok 3 3 1 7" in pdf_text
    assert "Total 6 8 50 64" in pdf_text
    assert re.search(r"8\. Violations and complaints[ .]+\d+", pdf_text)


def test_pdf_escalated(pdf_text):
    assert "Transferred to the RRCG 2" in pdf_text


def test_xlsx_and_docx_escalated(book, word_rows):
    assert ["Transferred to the RRCG", 2] in _sheet_rows(book, "Violations summary")
    assert ["Transferred to the RRCG", "2"] in word_rows
