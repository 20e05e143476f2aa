"""A report of a large election summarises its long lists (the seed's model: summary
tables, not raw lists) with totals that add up; a small one still lists everything. And
what keeps the PDF fast: charts as pictures that fit a page, tables with their widths."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from commissions.models import CommissionDecision, CommissionMember
from reports import queries
from reports.charts import BarChart, Series, layout
from reports.document import MAX_LISTED_DISTRICTS, MAX_LISTED_ROWS, MAX_LISTED_TECS, Table
from reports.exports.html import column_widths, render_html
from reports.formatting import fmt_cell
from tests.factories import make_party_meeting
from tests.reports.factories import build_world, make_report

pytestmark = pytest.mark.django_db

DAY = dt.date(2021, 6, 25)  # inside the test election's observation period


def _document(world, *, decisions=0, meetings=0):
    """The world's report, after one member of each TEC left and another joined."""
    for i, tec in enumerate(world.tecs):
        CommissionMember.objects.create(commission=tec, full_name=f"Left {i}",
                                        term_start=dt.date(2021, 1, 1), term_end=DAY)  # fmt: skip
        CommissionMember.objects.create(commission=tec, full_name=f"Joined {i}",
                                        term_start=DAY + dt.timedelta(days=1))  # fmt: skip
    for i in range(decisions):
        CommissionDecision.objects.create(
            commission=world.tecs[i % len(world.tecs)], date=DAY, kind="no_violation",
            summary=f"Decision {i}",
        )  # fmt: skip
    for i in range(meetings):
        make_party_meeting(party=world.parties[i % len(world.parties)],
                           district=world.districts[i % len(world.districts)],
                           date=DAY - dt.timedelta(days=i // len(world.districts)))  # fmt: skip
    report = make_report(world.election)
    return queries.report_document(queries.report_with_parts().get(pk=report.pk))


def _table(document, key: str) -> Table:
    return next(t for t in document.tables() if t.key == key)


def _blocks(document, section: str) -> list:
    return next(s.blocks for s in document.sections if s.key == section)


@pytest.fixture
def national():
    world = build_world(districts=MAX_LISTED_DISTRICTS + 2, parties=3, incidents_per_district=0)
    return _document(world, decisions=MAX_LISTED_ROWS + 1, meetings=MAX_LISTED_ROWS + 3)


def test_many_districts_give_a_table_of_lists_by_party_that_adds_up(national):
    by_party = _table(national, "lists-by-party")
    table3 = _table(national, "table3")
    assert len(by_party.rows) == 3
    # each party stands in every district with 3 nominated, 2 registered (1 M, 1 F), 1 denied
    districts = MAX_LISTED_DISTRICTS + 2
    assert by_party.rows[0][1:] == [districts, 3 * districts, 2 * districts, districts,
                                    districts, districts]  # fmt: skip
    assert by_party.total[1:] == [sum(r[i] for r in by_party.rows) for i in range(1, 7)]
    # registered, male and female come to Table 3's totals
    assert by_party.total[3:6] == table3.total[4:7]
    headings = [b.text for b in _blocks(national, "campaign") if type(b).__name__ == "Heading"]
    assert "Party lists registered in each district" not in headings


def test_many_tecs_give_one_row_each_and_one_table_of_changes(national):
    tecs = _table(national, "tecs")
    table1 = _table(national, "table1")
    assert len(tecs.rows) == MAX_LISTED_DISTRICTS + 2 > MAX_LISTED_TECS
    assert tecs.total[1] == table1.total[1]  # PECs, as in Table 1
    assert tecs.rows[0][3].startswith("Chair")
    joined, left = tecs.total[4], tecs.total[5]
    assert joined == left == len(tecs.rows)
    assert len(_table(national, "tec-changes").rows) == joined + left
    assert not any(t.key.startswith("composition-") and "TEC" in t.key for t in national.tables())


def test_many_decisions_and_meetings_are_counted_not_listed(national):
    decisions = _table(national, "decisions")
    assert decisions.columns[-1] == "Total" and "Summary" not in decisions.columns
    assert decisions.total[-1] == MAX_LISTED_ROWS + 1
    assert sum(r[-1] for r in decisions.rows) == MAX_LISTED_ROWS + 1
    meetings = _table(national, "party-meetings")
    assert meetings.total[1] == sum(r[1] for r in meetings.rows) == MAX_LISTED_ROWS + 3
    assert meetings.total[2] == 3  # distinct parties met
    assert all(r[3] == 3 for r in meetings.rows)  # parties standing in the district


def test_a_small_election_keeps_every_list():
    world = build_world(districts=2, parties=3, incidents_per_district=0)
    document = _document(world, decisions=2, meetings=2)
    keys = {t.key for t in document.tables()}
    assert not keys & {"lists-by-party", "tecs", "tec-changes"}
    assert "Summary" in _table(document, "decisions").columns
    assert "Concerns raised" in _table(document, "party-meetings").columns
    campaign = [b.text for b in _blocks(document, "campaign") if type(b).__name__ == "Heading"]
    assert "Party lists registered in each district" in campaign
    commissions = [b.text for b in _blocks(document, "commissions")
                   if type(b).__name__ == "Heading"]  # fmt: skip
    assert [tec.name for tec in world.tecs] == [h for h in commissions if h.endswith("TEC")]


def test_a_chart_of_sixty_commissions_fits_on_a_page_in_print():
    names = [f"District {i:02d} TEC" for i in range(60)]
    series = [Series("Male", [46.9] * 60), Series("Female", [53.1] * 60)]
    screen = BarChart("g", "Voters by gender", names, series, stacked=True, horizontal=True)
    paper = BarChart("g", "Voters by gender", names, series, stacked=True, horizontal=True,
                     fit_page=True)  # fmt: skip
    # 640 units wide printed 174 mm wide: an A4 text area is 257 mm tall
    assert layout(paper).height * 174 / 640 < 250 < layout(screen).height * 174 / 640
    labels = [item.text for item in layout(paper).items if hasattr(item, "text")]
    assert all(name in labels for name in names)


def test_few_categories_draw_the_same_on_paper_and_on_screen():
    series = [Series("Male", [42.2, 45.6, 44.1]), Series("Female", [57.8, 54.4, 55.9])]
    charts = [BarChart("g", "Gender", ["Bishkek", "Osh", "Tokmok"], series, stacked=True,
                       horizontal=True, fit_page=fit) for fit in (False, True)]  # fmt: skip
    assert layout(charts[0]) == layout(charts[1])


def test_the_pdf_gets_charts_as_pictures_and_the_html_export_inline_svg(national):
    for_pdf = render_html(national, for_pdf=True)
    assert "<svg" not in for_pdf
    assert len(re.findall(r'<img src="data:image/svg\+xml;base64,', for_pdf)) == len(
        national.charts()
    )
    assert render_html(national).count("<svg") == len(national.charts())


def test_table_columns_are_never_narrower_than_their_numbers():
    table = Table("t", "", ["District", "Voters", "Summary"],
                  [["Bishkek", 424847, "word " * 60], ["Osh", 148144, "short"]])  # fmt: skip
    rows = table.all_rows
    width, widths = column_widths(table, rows, [[fmt_cell(v) for v in r] for r in rows])
    assert width == 100 and abs(sum(widths) - 100) < 0.5
    # the numbers column keeps its 7 characters (+ padding) of about 86 in the page's width
    assert widths[1] >= 100 * 7 / 86
    assert widths[2] > widths[0] > widths[1] * 0.9
    small = Table("s", "", ["Form", "Number"], [["Vote buying", 8]])
    assert column_widths(small, small.all_rows, [["Vote buying", "8"]])[0] < 100
