"""A report laid out as sections of blocks (narrative, tables, charts, lists), in the
report's language. Every export format renders the same ``Document``, so HTML, PDF, DOCX
and XLSX cannot disagree about a number."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from commissions.models import CommissionDecision, CommissionMeeting, CommissionMember
from incidents.models import Incident
from observation.models import CalendarEntry, ConcernTheme
from reports import sections as S
from reports.charts import BarChart, Series
from reports.formatting import Percent, Signed, fmt_date, fmt_int, fmt_pct, fmt_short_date
from reports.markdown import render_with_footnotes
from reports.models import ContextFigure, Recommendation, Report
from voters.models import VoterListSnapshot

# Codes to words: the models' choice labels are the one source, so the report, the forms
# and the pages name a kind, a role or a list alike.
KIND_LABELS = dict(Incident.Kind.choices)
ROLE_LABELS = dict(CommissionMember.MemberRole.choices)
NOMINATED_BY_LABELS = dict(CommissionMember.NominatedBy.choices)
STAGE_LABELS = dict(VoterListSnapshot.Stage.choices)
# Column headings, shorter than the fields' names ("aged 18-29"), as the voters' page has them.
AGE_LABELS = {
    "age_18_29": "18–29",
    "age_30_39": "30–39",
    "age_40_49": "40–49",
    "age_50_59": "50–59",
    "age_60_69": "60–69",
    "age_70_plus": "70+",
}
DECISION_LABELS = dict(CommissionDecision.Kind.choices)
ADDRESSEE_LABELS = dict(Recommendation.Addressee.choices)
CALENDAR_LABELS = dict(CalendarEntry.Kind.choices)
THEME_LABELS = dict(ConcernTheme.choices)
MODE_LABELS = dict(CommissionMeeting.Mode.choices)
SANITARY_LABELS = dict(CommissionMeeting.Sanitary.choices)
# What became of a member when a new composition took office (commissions.queries.Renewal).
RENEWAL_LABELS = {
    "left": gettext_lazy("left"),
    "re_elected": gettext_lazy("re-elected"),
    "stayed": gettext_lazy("stayed"),
    "joined": gettext_lazy("joined"),
}

# A preliminary report summarises (the seed's model): a list longer than these limits is
# replaced by a summary table whose counts add up to the list's length. At the seed's size
# everything is listed; at national size (60 districts, docs/benchmarks.md) the report stays a
# report of a few dozen pages instead of a hundred and fifty pages of raw lists.
MAX_LISTED_DISTRICTS = 10  # party names district by district, district names party by party
MAX_LISTED_TECS = 6  # each TEC's composition and changes in tables of its own
MAX_LISTED_ROWS = 30  # decisions and party meetings one by one


@dataclass
class Table:
    key: str
    caption: str
    columns: list[str]
    rows: list[list[Any]]
    total: list[Any] | None = None
    groups: list[tuple[str, int]] | None = None  # a header row above the columns
    sheet: str = ""  # the XLSX sheet name

    @property
    def all_rows(self) -> list[list[Any]]:
        return [*self.rows, self.total] if self.total else list(self.rows)


@dataclass
class Facts:
    items: list[tuple[str, str]]


@dataclass
class Paragraph:
    text: str


@dataclass
class Heading:
    text: str


@dataclass
class ItemList:
    items: list[str]
    ordered: bool = False


@dataclass
class Narrative:
    html: str


@dataclass
class ChartBlock:
    chart: BarChart
    number: int = 0


@dataclass
class Footnotes:
    """The numbered notes of a section's narrative: (number, sanitised HTML)."""

    items: list[tuple[int, str]]


@dataclass
class Picture:
    """An image the analyst added to a section (JPEG or PNG, checked on upload)."""

    data: bytes
    content_type: str
    caption: str


@dataclass
class Beside:
    """Tables read side by side: beside each other on a screen wide enough, one after the
    other in print, in Word and in a narrow window; each its own sheet in XLSX."""

    tables: list[Table]


Block = (
    Table
    | Facts
    | Paragraph
    | Heading
    | ItemList
    | Narrative
    | ChartBlock
    | Footnotes
    | Picture
    | Beside
)


@dataclass
class Section:
    key: str
    number: int | None
    title: str
    blocks: list[Block] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"section-{self.key}"

    @property
    def heading(self) -> str:
        return f"{self.number}. {self.title}" if self.number else self.title


@dataclass
class Document:
    title: str
    election: str
    period: str
    status: str
    language: str
    sections: list[Section]
    publisher: str = ""
    issued: str = ""  # month and year, as on the cover
    issued_on: str | None = None  # ISO date, for the document properties
    address: str = ""
    website: str = ""
    contact: str = ""
    logo: Picture | None = None

    @property
    def contact_line(self) -> str:
        """The publisher's address, web site and contact on one line, as on the cover."""
        return " · ".join(x for x in (self.address, self.website, self.contact) if x)

    def tables(self) -> list[Table]:
        return [t for s in self.sections for b in s.blocks for t in _tables_of(b)]

    def charts(self) -> list[ChartBlock]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, ChartBlock)]


def build_document(
    *,
    report: Report,
    data: dict[str, Any],
    narratives: dict[str, str],
    recommendations: list[Any],
    abbreviations: list[Any],
    images: list[Any] | None = None,
) -> Document:
    """``images``: the report's SectionImage rows (their files are read here)."""
    with translation.override(report.language):
        builder = _Builder(data)
        sections = []
        next_note = 1  # footnotes are numbered across the whole report
        pictures = [
            (image.section, Picture(_read(image.file), image.content_type, image.caption))
            for image in images or []
        ]
        for key in S.SECTION_KEYS:
            section = Section(key, S.section_number(key), str(S.SECTION_TITLES[key]))
            body = narratives.get(key, "")
            if key == S.ABBREVIATIONS:
                section.blocks += builder.abbreviations(abbreviations)
            rendered = render_with_footnotes(body, first=next_note)
            next_note += len(rendered.notes)
            if body.strip():
                section.blocks.append(Narrative(rendered.html))
            section.blocks += [picture for where, picture in pictures if where == key]
            section.blocks += builder.context_figures(key)
            section.blocks += builder.blocks_for(key)
            if key == S.RECOMMENDATIONS:
                section.blocks += builder.recommendations(recommendations)
            if rendered.notes:
                section.blocks.append(Footnotes(rendered.notes))
            sections.append(section)
        period = (
            f"{fmt_date(data['report']['period_start'])} – {fmt_date(data['report']['period_end'])}"
        )
        meta = data["report"]
        details = meta.get("publisher_details") or {}
        issued_on = meta.get("issued_on")
        return Document(
            title=report.title,
            election=data["election"]["name"],
            period=period,
            status=str(report.get_status_display()),
            language=report.language,
            sections=sections,
            publisher=meta.get("publisher") or "",
            issued=_month_year(issued_on),
            issued_on=issued_on,
            address=details.get("address", ""),
            website=details.get("website", ""),
            contact=details.get("contact", ""),
            logo=_logo(report),
        )


def _tables_of(block: Block) -> list[Table]:
    if isinstance(block, Table):
        return [block]
    return list(block.tables) if isinstance(block, Beside) else []


def changes_outside_renewal(commission: dict[str, Any]) -> list[dict[str, Any]]:
    """The period's changes of a commission except the departures and arrivals its
    renewal shows (the outgoing composition's last day, the new one's first), so the
    report lists each once."""
    renewal = commission.get("renewal")
    if not renewal:
        return commission["changes"]
    shown = {("left", renewal["outgoing_on"], m["full_name"]) for m in renewal["outgoing"]}
    shown |= {("joined", renewal["date"], m["full_name"]) for m in renewal["incoming"]}
    return [
        c for c in commission["changes"] if (c["change"], c["date"], c["full_name"]) not in shown
    ]


def _logo(report: Report) -> Picture | None:
    publisher = report.publisher
    if publisher is None or not publisher.logo:
        return None
    data = _read(publisher.logo)
    content_type = "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"
    return Picture(data, content_type, publisher.name)


def _read(file: Any) -> bytes:
    with file.open("rb") as handle:
        return handle.read()


def _same_terms(members: list[dict[str, Any]], others: list[dict[str, Any]]) -> bool:
    def key(m: dict[str, Any]) -> tuple:
        return (m["full_name"], m["term_start"], m["role"])

    return sorted(map(key, members), key=str) == sorted(map(key, others), key=str)


def _month_year(value: str | None) -> str:
    if not value:
        return ""
    return formats.date_format(dt.date.fromisoformat(value), "F Y")


class _Builder:
    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.table_number = 0
        self.chart_number = 0

    def _chart(self, chart: BarChart) -> ChartBlock:
        self.chart_number += 1
        chart.fit_page = True
        chart.title = _("Chart %(number)s. %(title)s") % {
            "number": self.chart_number,
            "title": chart.title,
        }
        return ChartBlock(chart, self.chart_number)

    def _numbered(self, caption: str) -> str:
        self.table_number += 1
        return _("Table %(number)s. %(caption)s") % {
            "number": self.table_number,
            "caption": caption,
        }

    def blocks_for(self, key: str) -> list[Block]:
        method = {
            S.INTRODUCTION: self.introduction,
            S.ABOUT_ELECTIONS: self.about_elections,
            S.COMMISSIONS: self.commissions,
            S.VOTER_REGISTRATION: self.voter_registration,
            S.CAMPAIGN: self.campaign,
            S.VIOLATIONS: self.violations,
        }.get(key)
        return method() if method else []

    # --- sections ---

    def introduction(self) -> list[Block]:
        """The mission's team, counted from the observer accounts."""
        team = self.data.get("observers")
        if not team:
            return []
        by_district = ", ".join(
            f"{name} {fmt_int(n)}" for name, n in team["by_district"].items() if n
        )
        ltos = fmt_int(team["total"])
        return [
            Heading(_("The observation mission")),
            Facts(
                [
                    (
                        _("Long-term observers"),
                        f"{ltos} ({by_district})" if by_district else ltos,
                    ),
                    (_("Regional coordinators"), fmt_int(team["coordinators"])),
                    (_("Legal experts"), fmt_int(team["legal_experts"])),
                    (_("Head office staff"), fmt_int(team["head_office"])),
                    (_("Analysts"), fmt_int(team["analysts"])),
                ]
            ),
            Paragraph(_("Observers report violations on three incident forms:")),
            ItemList([str(label) for label in KIND_LABELS.values()], ordered=True),
        ]

    def context_figures(self, key: str) -> list[Block]:
        """The analyst's tables of outside figures for this section, each with its
        source and, if chosen, its chart (numbered with the report's other charts)."""
        blocks: list[Block] = []
        for figure in self.data.get("context_figures") or []:
            if figure["section"] != key:
                continue
            rows = figure["rows"]
            blocks.append(
                Table(
                    f"context-{len(blocks)}",
                    figure["title"],
                    [_("Figure"), _("Number")],
                    [[label, value] for label, value in rows],
                    sheet=figure["title"][:31],
                )
            )
            blocks.append(Paragraph(_("Source: %(source)s") % {"source": figure["source"]}))
            if figure["chart"] != ContextFigure.Chart.NONE and rows:
                blocks.append(
                    self._chart(
                        BarChart(
                            f"context-{len(blocks)}",
                            figure["title"],
                            [label for label, _value in rows],
                            [Series(figure["title"], [value for _label, value in rows])],
                            horizontal=figure["chart"] == ContextFigure.Chart.HORIZONTAL,
                        )
                    )
                )
        return blocks

    def calendar(self, kinds: tuple[str, ...] | None = None) -> list[list[str]]:
        rows = []
        for entry in self.data.get("calendar") or []:
            if kinds is not None and entry["kind"] not in kinds:
                continue
            when = fmt_date(entry["date"])
            if entry.get("time"):
                when = f"{when}, {entry['time']}"
            what = entry["label"] or str(CALENDAR_LABELS.get(entry["kind"], entry["kind"]))
            rows.append([when, what, entry["reference"] or ""])
        return rows

    def abbreviations(self, abbreviations: list[Any]) -> list[Block]:
        if not abbreviations:
            return []
        return [
            Table(
                "abbreviations",
                "",
                [_("Abbreviation"), _("Meaning")],
                [[a.short, a.meaning] for a in abbreviations],
                sheet=_("Abbreviations"),
            )
        ]

    def about_elections(self) -> list[Block]:
        election = self.data["election"]
        districts = self.data["districts"]
        totals = districts["totals"]
        thresholds = sorted({r["threshold_percent"] for r in districts["rows"]})
        facts = [
            (_("Election"), election["name"]),
            (_("Election day"), fmt_date(election["election_day"])),
            (
                _("Observation period"),
                f"{fmt_date(election['observation_start'])} – "
                f"{fmt_date(election['observation_end'])}",
            ),
            (_("Districts"), fmt_int(totals["districts"])),
            (_("Mandates"), fmt_int(totals["mandates"])),
            (_("Threshold"), ", ".join(fmt_pct(t) for t in thresholds) or "–"),
            (_("Parties standing (distinct)"), fmt_int(totals["parties"])),
            (_("Party lists registered"), fmt_int(totals["lists"])),
            (
                _("Candidates registered"),
                _("%(total)s (%(male)s men, %(female)s women)")
                % {
                    "total": fmt_int(totals["candidates"]),
                    "male": fmt_int(totals["male"]),
                    "female": fmt_int(totals["female"]),
                },
            ),
        ]
        table = Table(
            "nomination",
            _("Lists and candidates by district"),
            [
                _("District"),
                _("Mandates"),
                _("Threshold"),
                _("Parties"),
                _("Nominated"),
                _("Registered"),
                _("Denied"),
            ],
            [
                [
                    r["district"],
                    r["mandates"],
                    Percent(r["threshold_percent"]),
                    r["parties"],
                    r["nominated"],
                    r["candidates"],
                    r["denied"],
                ]
                for r in districts["rows"]
            ],
            total=[
                _("Total"),
                totals["mandates"],
                None,
                totals["parties"],
                totals["nominated"],
                totals["candidates"],
                totals["denied"],
            ],
            sheet=_("Nomination"),
        )
        blocks: list[Block] = [Facts(facts)]
        calendar = self.calendar()
        if calendar:
            blocks.append(
                Table(
                    "calendar",
                    _("The election calendar"),
                    [_("Date"), _("What happens"), _("Reference")],
                    calendar,
                    sheet=_("Calendar"),
                )
            )
        blocks.append(table)
        several = districts["parties_in_several_districts"]
        if len(districts["rows"]) > MAX_LISTED_DISTRICTS:
            blocks.append(Heading(_("Parties standing in several districts")))
            blocks.append(
                Paragraph(
                    _("%(several)s of the %(parties)s parties stand in more than one district.")
                    % {"several": fmt_int(len(several)), "parties": fmt_int(totals["parties"])}
                )
            )
            blocks.append(self.lists_by_party())
        elif several:
            blocks.append(Heading(_("Parties standing in several districts")))
            blocks.append(ItemList([f"{p['party']}: {', '.join(p['districts'])}" for p in several]))
        return blocks

    def lists_by_party(self) -> Table:
        """The lists of each party summed over the districts: what the party lists of
        sixty districts come to, in one row per party."""
        parties: dict[str, dict[str, Any]] = {}
        keys = ("nominated", "candidates", "male", "female", "denied")
        for row in self.data["districts"]["rows"]:
            for item in row["lists"]:
                party = parties.setdefault(
                    item["party"], {"districts": set(), **dict.fromkeys(keys, 0)}
                )
                party["districts"].add(row["district"])
                for key in keys:
                    party[key] += item[key] or 0
        rows = [
            [name, len(p["districts"]), *[p[key] for key in keys]]
            for name, p in sorted(parties.items())
        ]
        return Table(
            "lists-by-party",
            _("Lists and candidates by party"),
            [
                _("Party"),
                _("Districts"),
                _("Nominated"),
                _("Registered"),
                _("Male"),
                _("Female"),
                _("Denied"),
            ],
            rows,
            total=[
                _("Total (%(count)s)") % {"count": len(rows)},
                *[sum(r[i] for r in rows) for i in range(1, 2 + len(keys))],
            ],
            sheet=_("Lists by party"),
        )

    def commissions(self) -> list[Block]:
        cec, tecs = self.data["commissions"]["cec"], self.data["commissions"]["tecs"]
        if not cec and not tecs:
            return [Paragraph(_("No commissions are recorded for this election."))]
        blocks: list[Block] = []
        for commission in cec:
            blocks += self.commission_detail(commission)
        if len(tecs) <= MAX_LISTED_TECS:
            for commission in tecs:
                blocks += self.commission_detail(commission)
        else:
            blocks += self.tecs_summary(tecs)
        return blocks + self.commission_activity()

    def commission_detail(self, commission: dict[str, Any]) -> list[Block]:
        """A commission's composition on the last day and its changes, name by name."""
        blocks: list[Block] = [Heading(commission["commission"])]
        if commission.get("note"):
            blocks.append(Paragraph(commission["note"]))
        period_end = fmt_date(self.data["report"]["period_end"])
        if commission["pec_count"] is not None:
            blocks.append(
                Paragraph(
                    _("Precinct election commissions overseen: %(count)s")
                    % {"count": fmt_int(commission["pec_count"])}
                )
            )
        members = commission["members"]
        renewal = commission.get("renewal")
        if renewal:
            blocks += self.renewal(commission["commission"], renewal)
        # The new composition, printed beside the outgoing one, may still be in office at
        # the end of the period: then it is not printed a second time.
        still_in_office = bool(renewal) and _same_terms(members, renewal["incoming"])
        if still_in_office:
            blocks.append(
                Paragraph(
                    _("%(commission)s had the same composition on %(date)s, the end of the period.")
                    % {"commission": commission["commission"], "date": period_end}
                )
            )
        elif members:
            blocks.append(
                Table(
                    f"composition-{commission['commission']}",
                    _("Composition of %(commission)s on %(date)s")
                    % {"commission": commission["commission"], "date": period_end},
                    ["№", _("Name"), _("Role"), _("Nominated by"), _("Party"), _("Re-elected")],
                    [
                        [
                            i,
                            m["full_name"],
                            str(ROLE_LABELS.get(m["role"], m["role"])),
                            str(NOMINATED_BY_LABELS.get(m["nominated_by"], m["nominated_by"])),
                            m["party"] or "–",
                            _("yes") if m["re_elected"] else "",
                        ]
                        for i, m in enumerate(members, 1)
                    ],
                    sheet=commission["commission"],
                )
            )
        else:
            blocks.append(Paragraph(_("No members are recorded for this commission.")))
        changes = changes_outside_renewal(commission)
        if changes:
            blocks.append(
                Table(
                    f"changes-{commission['commission']}",
                    _("Changes in the composition of %(commission)s during the period")
                    % {"commission": commission["commission"]},
                    [_("Date"), _("Name"), _("Change"), _("Role")],
                    [
                        [
                            fmt_short_date(c["date"]),
                            c["full_name"],
                            self._change_label(c["change"], c["re_elected"]),
                            str(ROLE_LABELS.get(c["role"], c["role"])),
                        ]
                        for c in changes
                    ],
                    sheet=_("%(commission)s changes") % {"commission": commission["commission"]},
                )
            )
        return blocks

    def renewal(self, name: str, renewal: dict[str, Any]) -> list[Block]:
        """The outgoing composition beside the new one, each member with what became of
        them. The record may hold part of the outgoing composition: the report says how
        many members it holds and lists those, never a number it does not have."""
        outgoing, incoming = renewal["outgoing"], renewal["incoming"]
        date, before = fmt_date(renewal["date"]), fmt_date(renewal["outgoing_on"])
        took_office = _("A new composition of %(commission)s took office on %(date)s.") % {
            "commission": name,
            "date": date,
        }
        if not outgoing:  # nothing recorded of it: say so, and print no empty table
            return [
                Paragraph(
                    took_office
                    + " "
                    + _(
                        "No member of the outgoing composition (in office on %(date)s) is recorded."
                    )
                    % {"date": before}
                ),
                self._incoming_table(name, date, incoming),
            ]
        return [
            Paragraph(
                took_office
                + " "
                + ngettext(
                    "The record holds %(count)s member of the outgoing composition (in "
                    "office on %(date)s); only recorded members are listed.",
                    "The record holds %(count)s members of the outgoing composition (in "
                    "office on %(date)s); only recorded members are listed.",
                    len(outgoing),
                )
                % {"count": fmt_int(len(outgoing)), "date": before}
            ),
            Beside(
                [
                    Table(
                        f"outgoing-{name}",
                        ngettext(
                            "Outgoing composition of %(commission)s on %(date)s "
                            "(%(count)s member recorded)",
                            "Outgoing composition of %(commission)s on %(date)s "
                            "(%(count)s members recorded)",
                            len(outgoing),
                        )
                        % {"commission": name, "date": before, "count": fmt_int(len(outgoing))},
                        ["№", _("Name"), _("Role"), _("Change")],
                        [
                            [
                                i,
                                m["full_name"],
                                str(ROLE_LABELS.get(m["role"], m["role"])),
                                str(RENEWAL_LABELS[m["change"]]),
                            ]
                            for i, m in enumerate(outgoing, 1)
                        ],
                        sheet=_("Outgoing %(commission)s") % {"commission": name},
                    ),
                    self._incoming_table(name, date, incoming),
                ]
            ),
        ]

    def _incoming_table(self, name: str, date: str, incoming: list[dict[str, Any]]) -> Table:
        return Table(
            f"incoming-{name}",
            ngettext(
                "New composition of %(commission)s on %(date)s (%(count)s member)",
                "New composition of %(commission)s on %(date)s (%(count)s members)",
                len(incoming),
            )
            % {"commission": name, "date": date, "count": fmt_int(len(incoming))},
            ["№", _("Name"), _("Role"), _("Nominated by"), _("Party"), _("Change")],
            [
                [
                    i,
                    m["full_name"],
                    str(ROLE_LABELS.get(m["role"], m["role"])),
                    str(NOMINATED_BY_LABELS.get(m["nominated_by"], m["nominated_by"])),
                    m["party"] or "–",
                    str(RENEWAL_LABELS[m["change"]]),
                ]
                for i, m in enumerate(incoming, 1)
            ],
            sheet=_("New %(commission)s") % {"commission": name},
        )

    @staticmethod
    def _change_label(change: str, re_elected: bool = False) -> str:
        if change == "joined":
            return _("re-elected") if re_elected else _("joined")
        return _("left")

    def tecs_summary(self, tecs: list[dict[str, Any]]) -> list[Block]:
        """Many TECs: one row each (PECs, members, chair, who joined and left) and one
        table of all the changes, instead of a composition table per commission."""
        period_end = fmt_date(self.data["report"]["period_end"])
        rows = []
        for tec in tecs:
            chair = next((m["full_name"] for m in tec["members"] if m["role"] == "chair"), "–")
            changes = [c["change"] for c in tec["changes"]]
            rows.append(
                [
                    tec["commission"],
                    tec["pec_count"],
                    len(tec["members"]),
                    chair,
                    changes.count("joined"),
                    changes.count("left"),
                ]
            )
        pecs = [r[1] for r in rows if r[1] is not None]
        blocks: list[Block] = [
            Heading(_("Territorial election commissions")),
            Table(
                "tecs",
                _("Territorial election commissions on %(date)s") % {"date": period_end},
                [
                    _("Territorial election commission"),
                    _("Number of PECs"),
                    _("Members"),
                    _("Chair"),
                    _("Joined"),
                    _("Left"),
                ],
                rows,
                total=[
                    _("Total (%(count)s)") % {"count": len(rows)},
                    sum(pecs) if pecs else None,
                    sum(r[2] for r in rows),
                    "",
                    sum(r[4] for r in rows),
                    sum(r[5] for r in rows),
                ],
                sheet=_("TECs"),
            ),
        ]
        changes = sorted(
            ((c, tec["commission"]) for tec in tecs for c in tec["changes"]),
            key=lambda pair: pair[0]["date"],  # stable: each TEC's own order within a day
        )
        if changes:
            blocks.append(
                Table(
                    "tec-changes",
                    _(
                        "Changes in the composition of the territorial election commissions "
                        "during the period"
                    ),
                    [_("Date"), _("Commission"), _("Name"), _("Change"), _("Role")],
                    [
                        [
                            fmt_short_date(c["date"]),
                            name,
                            c["full_name"],
                            self._change_label(c["change"], c["re_elected"]),
                            str(ROLE_LABELS.get(c["role"], c["role"])),
                        ]
                        for c, name in changes
                    ],
                    sheet=_("TEC changes"),
                )
            )
        return blocks

    def commission_activity(self) -> list[Block]:
        """Meetings, decisions and complaints up to the end of the period: every count
        stated here equals the rows printed below it."""
        activity = self.data["commissions"].get("activity")
        decisions = self.data["commissions"].get("decisions") or []
        meetings = self.data["commissions"].get("meetings")
        period_end = fmt_date(self.data["report"]["period_end"])
        blocks: list[Block] = []
        if activity:
            counted, complaints = activity["meetings"], activity["complaints"]
            sanitary = counted.get("sanitary_rules") or {}
            blocks.append(Heading(_("Commission activity observed")))
            blocks.append(
                Facts(
                    [
                        (_("Meetings observed"), fmt_int(counted["total"])),
                        (_("of them in person"), fmt_int(counted["in_person"])),
                        (_("of them remotely"), fmt_int(counted["remote"])),
                        (_("with a quorum"), fmt_int(counted["quorum_present"])),
                        (_("announced in advance"), fmt_int(counted["notified"])),
                        (
                            _("sanitary rules only partly observed"),
                            fmt_int(sanitary.get("partial", 0)),
                        ),
                        (_("Decisions recorded"), fmt_int(activity["decisions"]["total"])),
                        (_("Complaints received"), fmt_int(complaints["total"])),
                        (_("Complaints decided"), fmt_int(complaints["decided"])),
                        (_("Complaints decided late"), fmt_int(complaints["decided_late"])),
                        (_("Complaints overdue"), fmt_int(complaints["overdue"])),
                    ]
                )
            )
        if meetings:
            blocks.append(
                Table(
                    "commission-meetings",
                    _("Commission meetings observed up to %(date)s") % {"date": period_end},
                    [_("Date"), _("Commission"), _("Observed"), _("Quorum"), _("Sanitary rules")],
                    [
                        [
                            fmt_short_date(m["date"]),
                            m["commission"],
                            str(MODE_LABELS.get(m["mode"], m["mode"])),
                            _("yes") if m["quorum"] else (_("no") if m["quorum"] is False else "–"),
                            str(SANITARY_LABELS.get(m["sanitary_rules"], "")) or "–",
                        ]
                        for m in meetings
                    ],
                    sheet=_("Commission meetings"),
                )
            )
        if len(decisions) > MAX_LISTED_ROWS:
            blocks.append(self.decisions_by_commission(decisions))
        elif decisions:
            blocks.append(
                Table(
                    "decisions",
                    _("Decisions of the commissions up to %(date)s") % {"date": period_end},
                    [_("Date"), _("Commission"), _("Decision"), _("Concerning"), _("Summary")],
                    [
                        [
                            fmt_short_date(d["date"]),
                            d["commission"],
                            str(DECISION_LABELS.get(d["kind"], d["kind"])),
                            ", ".join(x for x in (d["party"], d["candidate"]) if x) or "–",
                            self._with_basis(d),
                        ]
                        for d in decisions
                    ],
                    sheet=_("Commission decisions"),
                )
            )
        return blocks

    @staticmethod
    def _with_basis(decision: dict[str, Any]) -> str:
        """The summary and, after it, the legal basis the commission gave."""
        if not decision["legal_basis"]:
            return decision["summary"]
        return _("%(summary)s Legal basis: %(basis)s.") % {
            "summary": decision["summary"].rstrip(),
            "basis": decision["legal_basis"].rstrip("."),
        }

    def decisions_by_commission(self, decisions: list[dict[str, Any]]) -> Table:
        """Many decisions: how many of each kind each commission took."""
        kinds = [k for k in DECISION_LABELS if any(d["kind"] == k for d in decisions)]
        kinds += sorted({d["kind"] for d in decisions} - set(kinds))
        counts: dict[str, dict[str, int]] = {}
        for d in decisions:
            row = counts.setdefault(d["commission"], dict.fromkeys(kinds, 0))
            row[d["kind"]] += 1
        rows = [
            [name, *[row[k] for k in kinds], sum(row.values())]
            for name, row in sorted(counts.items())
        ]
        return Table(
            "decisions",
            _("Decisions of the commissions up to %(date)s, by commission")
            % {"date": fmt_date(self.data["report"]["period_end"])},
            [_("Commission"), *[str(DECISION_LABELS.get(k, k)) for k in kinds], _("Total")],
            rows,
            total=[_("Total"), *[sum(r[i] for r in rows) for i in range(1, len(kinds) + 2)]],
            sheet=_("Commission decisions"),
        )

    def voter_registration(self) -> list[Block]:
        voters = self.data["voter_registration"]
        rows, totals = voters["rows"], voters["totals"]
        if not rows:
            return [Paragraph(_("No territorial election commissions are recorded."))]
        as_of = voters["as_of"]
        stages = [s for s in ("preliminary", "control", "final") if as_of.get(s)]

        def stage_header(stage: str) -> str:
            dates = as_of.get(stage) or []
            label = str(STAGE_LABELS[stage])
            return f"{label}, {fmt_date(dates[-1])}" if len(dates) == 1 else label

        milestones = self.calendar(tuple(CalendarEntry.VOTER_LIST_KINDS))
        columns = [_("Territorial election commission"), _("Number of PECs")]
        columns += [stage_header(s) for s in stages]
        change_columns = []
        if "preliminary" in stages and "control" in stages:
            change_columns.append(("change", _("Change, preliminary to control")))
        if "control" in stages and "final" in stages:
            change_columns.append(("final_change", _("Change, control to final")))
        columns += [label for _key, label in change_columns]

        def table1_row(r: dict[str, Any], name: str) -> list[Any]:
            values = [name, r["pec_count"], *[r[s] for s in stages]]
            values += [None if r[k] is None else Signed(r[k]) for k, _label in change_columns]
            return values

        table1 = Table(
            "table1",
            self._numbered(_("Voters on the lists by territorial election commission")),
            columns,
            [table1_row(r, r["commission"]) for r in rows],
            total=table1_row(totals, _("Total")),
            sheet=_("Table 1 Voter lists"),
        )
        blocks: list[Block] = []
        if milestones:
            blocks.append(Heading(_("Voter-list milestones")))
            blocks.append(ItemList([f"{when}: {what}" for when, what, _ref in milestones]))
        blocks.append(table1)
        split_rows = [r for r in rows if r["male"] is not None]
        if not split_rows:
            return blocks
        split_stage = split_rows[0]["split_stage"]
        ages = list(AGE_LABELS)

        def table2_row(r: dict[str, Any], name: str) -> list[Any]:
            return [
                name,
                r["male"],
                r["female"],
                Percent(r["male_percent"]) if r["male_percent"] is not None else None,
                Percent(r["female_percent"]) if r["female_percent"] is not None else None,
                *[r[a] for a in ages],
            ]

        table2 = Table(
            "table2",
            self._numbered(
                _("Voters on the %(list)s by gender and age")
                % {"list": str(STAGE_LABELS[split_stage]).lower()}
            ),
            [
                _("Commission"),
                _("Male"),
                _("Female"),
                _("Male, %"),
                _("Female, %"),
                *AGE_LABELS.values(),
            ],
            [table2_row(r, r["commission"]) for r in split_rows],
            total=table2_row(totals, _("Total")),
            groups=[("", 1), (_("Gender"), 4), (_("Age"), 6)],
            sheet=_("Table 2 Gender and age"),
        )
        blocks.append(table2)
        names = [r["district"] or r["commission"] for r in split_rows]
        blocks.append(
            self._chart(
                BarChart(
                    "gender",
                    _("Voters by gender"),
                    names,
                    [
                        Series(_("Male"), [r["male_percent"] or 0 for r in split_rows]),
                        Series(_("Female"), [r["female_percent"] or 0 for r in split_rows]),
                    ],
                    stacked=True,
                    horizontal=True,
                    unit="%",
                )
            )
        )
        if len(split_rows) <= 6:
            age_series = [
                Series(n, [r[f"{a}_percent"] or 0 for a in ages])
                for n, r in zip(names, split_rows, strict=True)
            ]
        else:  # more commissions than a chart can tell apart: the whole electorate
            age_series = [Series(_("All voters"), [totals[f"{a}_percent"] or 0 for a in ages])]
        blocks.append(
            self._chart(
                BarChart(
                    "age", _("Voters by age group"), list(AGE_LABELS.values()), age_series, unit="%"
                )  # fmt: skip
            )
        )
        return blocks

    def campaign(self) -> list[Block]:
        districts = self.data["districts"]
        totals = districts["totals"]
        table3 = Table(
            "table3",
            self._numbered(_("Mandates, parties and candidates by district")),
            [
                "№",
                _("District"),
                _("Mandates"),
                _("Parties"),
                _("Candidates"),
                _("Male"),
                _("Female"),
            ],
            [
                [
                    i,
                    r["district"],
                    r["mandates"],
                    r["parties"],
                    r["candidates"],
                    r["male"],
                    r["female"],
                ]
                for i, r in enumerate(districts["rows"], 1)
            ],
            total=[
                "",
                _("Total (%(count)s)") % {"count": totals["districts"]},
                totals["mandates"],
                totals["parties"],
                totals["candidates"],
                totals["male"],
                totals["female"],
            ],
            sheet=_("Table 3 Districts"),
        )
        blocks: list[Block] = [table3]
        if len(districts["rows"]) <= MAX_LISTED_DISTRICTS:
            blocks.append(Heading(_("Party lists registered in each district")))
            blocks.append(
                ItemList(
                    [
                        _("%(district)s (%(count)s): %(parties)s")
                        % {
                            "district": r["district"],
                            "count": r["parties"],
                            "parties": ", ".join(item["party"] for item in r["lists"]) or "–",
                        }
                        for r in districts["rows"]
                    ]
                )
            )
        meetings = self.data["campaign"]["party_meetings"]
        blocks.append(Heading(_("Meetings with political parties")))
        if len(meetings) > MAX_LISTED_ROWS:
            blocks.append(self.meetings_by_district(meetings))
        elif meetings:
            blocks.append(
                Table(
                    "party-meetings",
                    _("Meetings with political parties"),
                    [_("Date"), _("Party"), _("District"), _("Concerns raised")],
                    [
                        # A tagged meeting shows its themes (the table below groups them);
                        # an untagged one its concerns as recorded.
                        [fmt_short_date(m["date"]), m["party"], m["district"], self._concerns(m)]
                        for m in meetings
                    ],
                    sheet=_("Party meetings"),
                )
            )
        else:
            blocks.append(Paragraph(_("No meetings with parties are recorded for the period.")))
        blocks += self.concerns_by_theme(meetings)
        return blocks

    @staticmethod
    def _concerns(meeting: dict[str, Any]) -> str:
        themes = meeting.get("themes") or []
        if themes:
            return "; ".join(str(THEME_LABELS.get(t, t)) for t in themes)
        return meeting["concerns"]

    def concerns_by_theme(self, meetings: list[dict[str, Any]]) -> list[Block]:
        """Each theme raised at the meetings once, with the parties that raised it (and
        how many of the parties met that is)."""
        parties_by_theme: dict[str, set[str]] = {}
        for m in meetings:
            for theme in m.get("themes") or []:
                parties_by_theme.setdefault(theme, set()).add(m["party"])
        if not parties_by_theme:
            return []
        met = len({m["party"] for m in meetings})
        order = [t for t in THEME_LABELS if t in parties_by_theme]
        order += sorted(set(parties_by_theme) - set(order))
        return [
            Table(
                "concerns",
                _("Concerns raised by the parties met, by theme"),
                [_("Concern"), _("Parties that raised it"), _("Parties")],
                [
                    [
                        str(THEME_LABELS.get(t, t)),
                        _("all parties met")
                        if len(parties_by_theme[t]) == met and met > 1
                        else ", ".join(sorted(parties_by_theme[t])),
                        len(parties_by_theme[t]),
                    ]
                    for t in order
                ],
                sheet=_("Party concerns"),
            )
        ]

    def meetings_by_district(self, meetings: list[dict[str, Any]]) -> Table:
        """Many meetings: in each district, how many meetings, with how many of the
        parties standing there (the seed: "meetings were held with 5 parties out of 18")."""
        districts = self.data["districts"]
        met: dict[str, set[str]] = {}
        held: dict[str, int] = {}
        for m in meetings:
            met.setdefault(m["district"], set()).add(m["party"])
            held[m["district"]] = held.get(m["district"], 0) + 1
        standing = {r["district"]: r["parties"] for r in districts["rows"]}
        names = [*standing, *sorted(set(held) - set(standing))]
        return Table(
            "party-meetings",
            _("Meetings with political parties by district"),
            [_("District"), _("Meetings"), _("Parties met"), _("Parties standing")],
            [[d, held.get(d, 0), len(met.get(d, ())), standing.get(d)] for d in names],
            # parties in the total are distinct parties, as in Table 3
            total=[
                _("Total"),
                len(meetings),
                len({m["party"] for m in meetings}),
                districts["totals"]["parties"],
            ],
            sheet=_("Party meetings"),
        )

    def violations(self) -> list[Block]:
        v = self.data["violations"]
        kinds = list(KIND_LABELS)
        kind_names = [str(KIND_LABELS[k]) for k in kinds]
        includes = v.get("includes_under_review", False)
        under_review = v.get("under_review", 0)
        if includes:
            counted = _(
                "The tables count %(total)s incidents: %(confirmed)s confirmed by head office "
                "and %(review)s still under review, which the analyst chose to include."
            ) % {
                "total": fmt_int(v["total"]),
                "confirmed": fmt_int(v.get("confirmed", v["total"])),
                "review": fmt_int(under_review),
            }
        else:
            counted = _(
                "The tables count the %(total)s incidents head office confirmed (verified, "
                "sent to the RRCG or closed). %(review)s more are still under review and "
                "are not counted."
            ) % {"total": fmt_int(v["total"]), "review": fmt_int(under_review)}
        summary = Table(
            "violations-summary",
            _("Violations reported in the period"),
            [_("Violations"), _("Number")],
            [
                [_("Violations reported"), v["total"]],
                *[[str(KIND_LABELS[k]), v["by_kind"][k]] for k in kinds],
                [_("Transferred to the RRCG"), v["escalated"]],
                [
                    _("Still under review (%(how)s)")
                    % {"how": _("counted") if includes else _("not counted")},
                    under_review,
                ],
            ],
            sheet=_("Violations summary"),
        )
        blocks: list[Block] = [Paragraph(counted), summary]
        districts = list(v["by_district"])
        # Districts are rows, so the table keeps its width at sixty districts.
        by_district = Table(
            "violations-district",
            _("Violations by district and form"),
            [_("District"), *kind_names, _("Total")],
            [
                [d, *[v["by_kind_and_district"][k][d] for k in kinds], v["by_district"][d]]
                for d in districts
            ],
            total=[_("Total"), *[v["by_kind"][k] for k in kinds], v["total"]],
            sheet=_("Violations by district"),
        )
        parties = [p for p, n in v["by_party"].items() if n and p != "unknown"]
        party_rows = [
            [p, *[v["by_kind_and_party"][k][p] for k in kinds], v["by_party"][p]] for p in parties
        ]
        party_rows.append(
            [
                _("Party not known"),
                *[v["by_kind_and_party"][k]["unknown"] for k in kinds],
                v["by_party"]["unknown"],
            ]
        )
        by_party = Table(
            "violations-party",
            _("Violations by form and party involved"),
            [_("Party"), *kind_names, _("Total")],
            party_rows,
            total=[_("Total"), *[v["by_kind"][k] for k in kinds], v["total"]],
            sheet=_("Violations by party"),
        )
        chart = self._chart(
            BarChart(
                "violations",
                _("Violations by district and form"),
                districts,
                [
                    Series(
                        str(KIND_LABELS[k]), [v["by_kind_and_district"][k][d] for d in districts]
                    )
                    for k in kinds
                ],
                stacked=True,
            )
        )
        blocks += [by_district, by_party, chart]
        escalated_by_kind = v.get("escalated_by_kind") or {}
        blocks.append(
            Table(
                "rrcg",
                self._numbered(_("Incidents transferred to the RRCG, by form")),
                [_("Form"), _("Transferred to the RRCG")],
                [[str(KIND_LABELS[k]), escalated_by_kind.get(k, 0)] for k in kinds],
                total=[_("Total"), v["escalated"]],
                sheet=_("Transfers to the RRCG"),
            )
        )
        complaints = v.get("complaints")
        if complaints:
            blocks.append(Heading(_("Complaints to election commissions")))
            rows = [
                [c["commission"], c["received"], c["decided"], c["decided_late"], c["overdue"]]
                for c in complaints["by_commission"]
            ]
            blocks.append(
                Table(
                    "complaints",
                    self._numbered(
                        _("Complaints to election commissions up to %(date)s")
                        % {"date": fmt_date(self.data["report"]["period_end"])}
                    ),
                    [
                        _("Commission"),
                        _("Received"),
                        _("Decided"),
                        _("Decided late"),
                        _("Overdue"),
                    ],
                    rows,
                    total=[
                        _("Total"),
                        complaints["received"],
                        complaints["decided"],
                        complaints["decided_late"],
                        complaints["overdue"],
                    ],
                    sheet=_("Complaints"),
                )
            )
        return blocks

    def recommendations(self, recommendations: list[Any]) -> list[Block]:
        blocks: list[Block] = []
        for addressee, label in ADDRESSEE_LABELS.items():
            texts = [r.text for r in recommendations if r.addressee == addressee]
            if texts:
                blocks += [Heading(str(label)), ItemList(texts, ordered=True)]
        return blocks
