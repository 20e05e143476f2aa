"""The demo report says what the 2021 preliminary report says, and nothing it does not
(issue 11): its calendar, the decree, the team, the publisher, the COVID-19 figures, the
complaints of §8, the four recommendations and the re-elected CEC members are data,
printed in the HTML, the PDF and the Word file; no campaign-rules case names a party;
it counts confirmed incidents and states those under review apart.

The demo is loaded once for the module inside a transaction rolled back at the end, and
each export is rendered once."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from docx import Document as WordDocument
from docx.shared import Cm
from openpyxl import load_workbook
from pypdf import PdfReader
from rest_framework.test import APIClient

from reports.drafting import draft_sentences
from reports.models import Report

pytestmark = pytest.mark.django_db

# What every format must print (whitespace and no-break spaces normalised).
FACTS = [
    # the calendar (§3), the decree and the voter-list milestones (§6)
    "Decree No. 231 of 27 May 2021",
    "27 May 2021",
    "28 May 2021",
    "13 June 2021",
    "9 June 2021",
    "20 June 2021",
    "2 July 2021",
    "9 July 2021",
    "10 July 2021, 08:00",
    "11 July 2021",
    "Day of silence",
    # the publisher on the cover
    "Common Cause Public Foundation",
    "July 2021",
    # the team (§2), computed from the observer accounts
    "8 (Bishkek 4, Osh 3, Tokmok 1)",
    # the COVID-19 figures (§4) with their source, charted as Chart 1
    "132 070",
    "1 432",
    "2 046",
    "Ministry of Health of the Kyrgyz Republic",
    "Chart 1. COVID-19 in the Kyrgyz Republic as of 5 July 2021",
    "Chart 2. Voters by gender",
    "Chart 3. Voters by age group",
    # §8: confirmed incidents, those under review stated apart, the numbered tables
    "3 more are still under review and are not counted",
    "Table 4. Incidents transferred to the RRCG, by form",
    "Table 5. Complaints to election commissions up to 4 July 2021",
    # the four recommendations, grouped by addressee (§9)
    "To election commissions",
    "To law enforcement agencies",
    "To political parties",
    "insist that COVID-19 prevention measures are strictly kept",
    "examine the complaints about them as fast as possible",
    "stay away from unlawful or questionable ways of campaigning",
    "Follow the COVID-19 sanitary and epidemiological rules at every campaign event",
    # footnotes
    "commoncause.kg/about",
    "Ministry of Health data.",
    # §5: the legal basis of a decision, re-formed TECs, partly observed sanitary rules
    "Part 2 of Article 28",
    "re-formed in a new composition",
    "Partially observed",
    # §7: concerns grouped by theme
    "Concerns raised by the parties met, by theme",
    "Black PR against the party and its candidates",
]
RE_ELECTED = ["Akylbek Eshimov", "Tynchtyk Shainazarov", "Abdyzhapar Bekmatov",
              "Nurzhan Shildabekova"]  # fmt: skip
# Complaints by commission: received, decided, decided late, overdue (Table 5)
COMPLAINTS = {"Bishkek TEC": [3, 3, 0, 0], "Osh TEC": [2, 1, 1, 1], "Total": [5, 4, 1, 1]}


def _norm(text: str) -> str:
    text = text.replace("\u00a0", " ").replace("\u202f", " ").replace("\u00ad", "")
    return re.sub(r"\s+", " ", text).strip()


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script"):
            self.skip += 1
        elif tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self.cell = []
        if tag in ("p", "li", "td", "th", "tr", "h1", "h2", "h3", "caption", "div"):
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self.skip -= 1
        elif tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(_norm("".join(self.cell)))
            self.cell = None

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)
            if self.cell is not None:
                self.cell.append(data)


def _docx_text(content: bytes) -> tuple[str, list[list[str]], object]:
    word = WordDocument(io.BytesIO(content))
    parts = [p.text for p in word.paragraphs]
    rows = []
    for table in word.tables:
        for row in table.rows:
            cells = [_norm(c.text) for c in row.cells]
            rows.append(cells)
            parts.append(" ".join(cells))
    return _norm(" ".join(parts)), rows, word


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            call_command("load_demo", stdout=io.StringIO())
            report = Report.objects.get(election__name__startswith="Repeat elections")
            api = APIClient()
            api.force_login(get_user_model().objects.get(username="analyst"))
            base = f"/api/v1/reports/{report.pk}"
            files = {
                fmt: api.get(f"{base}/export/?format={fmt}").content
                for fmt in ("html", "pdf", "docx", "xlsx")
            }
            html = _Text()
            html.feed(files["html"].decode())
            pdf = PdfReader(io.BytesIO(files["pdf"]))
            docx_text, docx_rows, word = _docx_text(files["docx"])
            yield {
                "data": api.get(f"{base}/data/").json(),
                "html": (_norm("".join(html.parts)), html.rows),
                "raw_html": files["html"].decode(),
                "xlsx": load_workbook(io.BytesIO(files["xlsx"])),
                "pdf": _norm(" ".join(page.extract_text() for page in pdf.pages)),
                "pdf_meta": pdf.metadata,
                "docx": (docx_text, docx_rows),
                "word": word,
            }
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


# --- the data endpoint ------------------------------------------------------------------


def test_data_has_the_new_keys(demo):
    data = demo["data"]
    assert data["report"]["publisher"] == "Common Cause Public Foundation"
    assert data["report"]["issued_on"].startswith("2021-07-")
    calendar = {e["kind"]: e for e in data["calendar"]}
    assert calendar["called"]["date"] == "2021-05-27"
    assert "Decree No. 231" in calendar["called"]["reference"]
    assert calendar["lists_closed"]["date"] == "2021-06-20"
    assert (calendar["campaign_end"]["date"], calendar["campaign_end"]["time"]) == (
        "2021-07-10",
        "08:00",
    )
    assert calendar["silence_day"]["date"] == "2021-07-10"
    assert [calendar[k]["date"] for k in ("voter_list_preliminary", "voter_list_control",
            "voter_list_corrections_end", "voter_list_final")] == [
        "2021-06-09", "2021-06-20", "2021-07-02", "2021-07-09"]  # fmt: skip
    assert data["observers"]["total"] == 8
    assert data["observers"]["by_district"] == {"Bishkek": 4, "Osh": 3, "Tokmok": 1}
    (covid,) = data["context_figures"]
    assert [value for _label, value in covid["rows"]] == [132070, 1432, 924, 71, 142, 2046]
    violations = data["violations"]
    assert violations["total"] == violations["confirmed"] == 64
    assert violations["under_review"] == 3
    assert {k: violations["complaints"][k] for k in ("received", "decided", "decided_late",
            "overdue")} == dict(zip(("received", "decided", "decided_late", "overdue"),
                                    COMPLAINTS["Total"], strict=True))  # fmt: skip
    assert violations["escalated_by_kind"]["vote_buying"] == 2
    addressees = [r["addressee"] for r in data["recommendations"]]
    assert addressees == [
        "election_commissions",
        "law_enforcement",
        "political_parties",
        "political_parties",
    ]


def test_no_campaign_rules_case_names_a_party(demo):
    cases = demo["data"]["violations"]["by_kind_and_party"]["campaign_rules"]
    assert {party: n for party, n in cases.items() if n} == {"unknown": 50}


def test_no_concern_is_pinned_on_a_named_party_where_the_seed_says_some_parties(demo):
    meetings = demo["data"]["campaign"]["party_meetings"]
    assert not any("admin_resources" in m["themes"] for m in meetings)
    assert not any("administrative resources" in m["concerns"] for m in meetings)


def test_every_commission_count_equals_its_rows(demo):
    commissions = demo["data"]["commissions"]
    assert commissions["activity"]["decisions"]["total"] == len(commissions["decisions"])
    assert commissions["activity"]["meetings"]["total"] == len(commissions["meetings"])


def test_data_has_the_outgoing_cec_beside_the_new_one(demo):
    """Added keys only: the CEC's renewal of 30 June 2021 with the four members of the
    outgoing CEC the seed names (first day not recorded) and the twelve new ones."""
    (cec,) = demo["data"]["commissions"]["cec"]
    assert {"members", "changes", "commission", "level", "note"} <= cec.keys()
    renewal = cec["renewal"]
    assert (renewal["date"], renewal["outgoing_on"]) == ("2021-06-30", "2021-06-29")
    outgoing = {m["full_name"]: m for m in renewal["outgoing"]}
    assert set(outgoing) == set(RE_ELECTED)
    facts = {(m["change"], m["term_start"], m["term_end"], m["nominated_by"])
             for m in outgoing.values()}  # fmt: skip
    assert facts == {("re_elected", None, "2021-06-29", "unknown")}
    incoming = {m["full_name"]: m["change"] for m in renewal["incoming"]}
    assert len(incoming) == 12 and incoming == {
        name: "re_elected" if name in RE_ELECTED else "joined" for name in incoming
    }
    assert [t["renewal"] for t in demo["data"]["commissions"]["tecs"]] == [None, None, None]


def _composition_tables(rows: list[list[str]]) -> tuple[list[list[str]], list[list[str]]]:
    """The outgoing (4 columns) and new (6 columns) CEC tables' rows, by their names."""
    names = set(RE_ELECTED) | {"Mars Naspekov", "Kairat Mamatov"}
    outgoing = [r for r in rows if len(r) == 4 and r[0].isdigit() and r[1] in names]
    incoming = [r for r in rows if len(r) == 6 and r[0].isdigit() and r[-1] in (
        "re-elected", "joined", "stayed")]  # fmt: skip
    return outgoing, incoming


@pytest.mark.parametrize("fmt", ["html", "docx"])
def test_outgoing_and_new_cec_side_by_side_with_the_counts_they_print(demo, fmt):
    text, rows = demo[fmt]
    outgoing, incoming = _composition_tables(rows)
    assert sorted(r[1] for r in outgoing) == sorted(RE_ELECTED)
    assert {r[3] for r in outgoing} == {"re-elected"}
    assert len(incoming) == 12
    assert sorted(r[1] for r in incoming if r[-1] == "re-elected") == sorted(RE_ELECTED)
    assert {r[1] for r in incoming if r[-1] == "joined"} >= {"Kairat Mamatov", "Mars Naspekov"}
    # the counts stated are the rows printed, and the outgoing CEC is what the record holds
    assert (
        "Outgoing composition of Central Commission for Elections and Referenda (CEC) "
        "on 29 June 2021 (4 members recorded)" in text
    )
    assert "(CEC) on 30 June 2021 (12 members)" in text
    assert "The record holds 4 members of the outgoing composition" in text
    assert "took office on 30 June 2021" in text
    # the renewal's departures and arrivals are not listed a second time as changes
    assert not any(r[1] in RE_ELECTED and r[2] == "left" for r in rows if len(r) == 4)


def test_html_puts_the_two_compositions_beside_each_other(demo):
    html = demo["raw_html"]
    start = html.index('<div class="beside">')
    block = html[start : html.index("</table></div></div>", start)]
    assert block.count('<div class="beside-item') == 2
    assert block.index("Outgoing composition") < block.index("New composition")


def test_xlsx_has_the_outgoing_and_new_cec_as_two_sheets(demo):
    book = demo["xlsx"]
    outgoing = next(book[n] for n in book.sheetnames if n.startswith("Outgoing"))
    new = next(book[n] for n in book.sheetnames if n.startswith("New Central"))
    rows = [row for row in outgoing.iter_rows(values_only=True) if isinstance(row[0], int)]
    names = {row[1]: row[3] for row in rows}
    assert names == dict.fromkeys(RE_ELECTED, "re-elected")
    changes = [row[5] for row in new.iter_rows(values_only=True) if isinstance(row[0], int)]
    assert (len(changes), changes.count("re-elected"), changes.count("joined")) == (12, 4, 8)


def test_drafted_sentences_count_what_the_tables_print(demo):
    sentences = draft_sentences("commissions", demo["data"], "en")
    assert (
        "On 30 June 2021 a new composition of Central Commission for Elections and Referenda "
        "(CEC) took office: 12 members (4 re-elected and 8 new)." in sentences
    )
    assert "The record holds 4 members of the outgoing composition." in sentences
    assert "During the period, 2 members joined and 1 member left Bishkek TEC." in sentences
    assert not any("joined and" in s and "(CEC)" in s for s in sentences)


def test_pdf_prints_the_outgoing_and_new_cec(demo):
    text = demo["pdf"]
    assert "(CEC) on 29 June 2021 (4 members recorded)" in text
    assert "(CEC) on 30 June 2021 (12 members)" in text
    assert "The record holds 4 members of the outgoing composition" in text
    for name in RE_ELECTED:  # in the outgoing table (role, change) and in the new one
        assert len(re.findall(re.escape(name) + r" Member re-elected", text)) == 1, name
        assert re.search(re.escape(name) + r" Member .{0,60}re-elected", text), name


# --- each format ------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["html", "pdf", "docx"])
def test_each_format_prints_the_facts(demo, fmt):
    text = demo[fmt][0] if fmt != "pdf" else demo["pdf"]
    missing = [fact for fact in FACTS if _norm(fact) not in text]
    assert not missing


@pytest.mark.parametrize("fmt", ["html", "docx"])
def test_complaints_table_and_re_elected_members(demo, fmt):
    _text, rows = demo[fmt]
    for commission, numbers in COMPLAINTS.items():
        assert any(
            r[0] == commission and [int(c) for c in r[1:]] == numbers
            for r in rows
            if len(r) == 5 and all(c.isdigit() for c in r[1:])
        ), commission
    for name in RE_ELECTED:
        assert any(name in r and "re-elected" in r for r in rows), name


def test_pdf_complaints_and_re_elected(demo):
    text = demo["pdf"]
    assert "Osh TEC 2 1 1 1" in text and "Bishkek TEC 3 3 0 0" in text
    for name in RE_ELECTED:  # the outgoing CEC's table: name, role, change
        assert re.search(re.escape(name) + r" Member re-elected", text), name


def test_publisher_is_in_the_document_properties(demo):
    assert demo["pdf_meta"].author == "Common Cause Public Foundation"
    properties = demo["word"].core_properties
    assert properties.author == "Common Cause Public Foundation"
    assert properties.created.year == 2021 and properties.created.month == 7


def test_the_word_file_is_a4(demo):
    for section in demo["word"].sections:  # Word stores twentieths of a point
        assert abs(section.page_width - Cm(21)) < Cm(0.01)
        assert abs(section.page_height - Cm(29.7)) < Cm(0.01)
