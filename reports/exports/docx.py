"""The Word export: real headings (so Word's navigation and table of contents work),
real Word tables, charts as PNG pictures, the narrative converted from its sanitised
HTML."""

from __future__ import annotations

import datetime as dt
import io
from html.parser import HTMLParser
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from docx import Document as WordDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from reports.charts import to_png
from reports.document import (
    Beside,
    ChartBlock,
    Document,
    Facts,
    Footnotes,
    Heading,
    ItemList,
    Narrative,
    Paragraph,
    Picture,
    Table,
)
from reports.formatting import fmt_cell


def render_docx(document: Document) -> bytes:
    with translation.override(document.language):
        word = WordDocument()
        style = word.styles["Normal"]
        style.font.name = "DejaVu Serif"
        style.font.size = Pt(11)
        for section in word.sections:
            # A4 like the PDF (python-docx's default template is US Letter).
            section.page_width, section.page_height = Cm(21), Cm(29.7)
            section.left_margin = section.right_margin = Cm(2)
        properties = word.core_properties
        properties.title = document.title[:255]
        properties.subject = document.election[:255]
        properties.author = document.publisher[:255]
        properties.last_modified_by = document.publisher[:255]
        properties.language = document.language
        if document.issued_on:
            issued = dt.date.fromisoformat(document.issued_on)
            properties.created = dt.datetime(issued.year, issued.month, issued.day)

        if document.logo is not None:
            word.add_picture(io.BytesIO(document.logo.data), height=Cm(2.5))
        word.add_heading(document.title, level=0)
        word.add_paragraph(document.election)
        word.add_paragraph(f"{_('Observation period')}: {document.period}")
        if document.publisher:
            word.add_paragraph().add_run(document.publisher).bold = True
        if document.issued:
            word.add_paragraph(document.issued)
        if document.contact_line:
            word.add_paragraph(document.contact_line)
        if document.status:
            word.add_paragraph(document.status)
        word.add_page_break()
        word.add_heading(_("Table of contents"), level=1)
        _add_toc_field(word)
        for section in document.sections:
            word.add_page_break()
            word.add_heading(section.heading, level=1)
            for block in section.blocks:
                _add_block(word, block)
        buffer = io.BytesIO()
        word.save(buffer)
        return buffer.getvalue()


def _add_toc_field(word: Any) -> None:
    """A Word TOC field; Word fills in the page numbers when the document is opened and
    the field updated (F9)."""
    paragraph = word.add_paragraph()
    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    instruction = OxmlElement("w:instrText")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = 'TOC \\o "1-1" \\h \\z \\u'
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    placeholder = OxmlElement("w:t")
    placeholder.text = _("Right-click and choose “Update field” to show the page numbers.")
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    for element in (begin, instruction, separate, placeholder, end):
        run._r.append(element)


def _add_block(word: Any, block: Any) -> None:
    if isinstance(block, Narrative):
        _HtmlToWord(word).feed(block.html)
    elif isinstance(block, Table):
        _add_table(word, block)
    elif isinstance(block, Beside):  # one after the other: a page has no room for both
        for table in block.tables:
            _add_table(word, table)
    elif isinstance(block, ChartBlock):
        word.add_picture(io.BytesIO(to_png(block.chart)), width=Cm(16))
        word.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        # The title as text too, so Word's search and a screen reader find the chart.
        caption = word.add_paragraph(block.chart.title, style="Caption")
        caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif isinstance(block, Facts):
        for label, value in block.items:
            paragraph = word.add_paragraph()
            paragraph.add_run(f"{label}: ").bold = True
            paragraph.add_run(value)
    elif isinstance(block, Heading):
        word.add_heading(block.text, level=2)
    elif isinstance(block, ItemList):
        style = "List Number" if block.ordered else "List Bullet"
        for item in block.items:
            word.add_paragraph(item, style=style)
    elif isinstance(block, Paragraph):
        word.add_paragraph(block.text)
    elif isinstance(block, Footnotes):
        word.add_paragraph("_" * 20)
        for number, html in block.items:
            parser = _HtmlToWord(word)
            parser.paragraph = word.add_paragraph()
            parser.paragraph.add_run(str(number)).font.superscript = True
            parser.paragraph.add_run(" ")
            note = parser.paragraph
            parser.feed(html)
            for run in note.runs:
                run.font.size = Pt(9)
    elif isinstance(block, Picture):
        word.add_picture(io.BytesIO(block.data), width=Cm(14))
        word.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        caption = word.add_paragraph(style="Caption")
        caption.add_run(block.caption).italic = True
        caption.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _add_table(word: Any, table: Table) -> None:
    if table.caption:
        caption = word.add_paragraph(style="Caption")
        caption.add_run(table.caption).bold = True
    header_rows = 2 if table.groups else 1
    rows = table.all_rows
    grid = word.add_table(rows=header_rows + len(rows), cols=len(table.columns))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    if table.groups:
        column = 0
        for label, span in table.groups:
            cell = grid.cell(0, column)
            if span > 1:
                cell = cell.merge(grid.cell(0, column + span - 1))
            cell.text = label
            column += span
    # One row's cells at a time: ``grid.cell(r, c)`` lays out the whole table's grid on
    # every call, which made a national report's Word file take half a minute.
    grid_rows = list(grid.rows)
    for cell, name in zip(grid_rows[header_rows - 1].cells, table.columns, strict=True):
        cell.text = name
    for r in range(header_rows):
        for cell in grid_rows[r].cells:
            for run in cell.paragraphs[0].runs:
                run.bold = True
    for r, row in enumerate(rows, start=header_rows):
        is_total = table.total is not None and r == header_rows + len(rows) - 1
        cells = grid_rows[r].cells
        for c, value in enumerate(row):
            paragraph = cells[c].paragraphs[0]
            run = paragraph.add_run(fmt_cell(value))
            run.bold = is_total
            if isinstance(value, int | float) and not isinstance(value, bool):
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    word.add_paragraph()


class _HtmlToWord(HTMLParser):
    """Just the tags ``reports.markdown`` lets through."""

    def __init__(self, word: Any) -> None:
        super().__init__(convert_charrefs=True)
        self.word = word
        self.paragraph = None
        self.format: dict[str, int] = {"b": 0, "i": 0, "u": 0, "code": 0, "sup": 0, "sub": 0}
        self.lists: list[str] = []
        self.table_rows: list[list[str]] | None = None
        self.cell: list[str] | None = None
        self.href: str | None = None

    def _new(self, style: str | None = None) -> None:
        self.paragraph = self.word.add_paragraph(style=style)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.table_rows is not None:
            if tag == "tr":
                self.table_rows.append([])
            elif tag in ("td", "th"):
                self.cell = []
            return
        if tag == "p":
            self._new("Quote" if "blockquote" in self.lists else None)
        elif tag in ("h3", "h4", "h5", "h6"):
            self.paragraph = self.word.add_heading(level=min(int(tag[1]) - 1, 4))
        elif tag in ("ul", "ol"):
            self.lists.append(tag)
        elif tag == "blockquote":
            self.lists.append("blockquote")
        elif tag == "li":
            kind = next((k for k in reversed(self.lists) if k in ("ul", "ol")), "ul")
            self._new("List Number" if kind == "ol" else "List Bullet")
        elif tag in ("strong", "b"):
            self.format["b"] += 1
        elif tag in ("em", "i"):
            self.format["i"] += 1
        elif tag in ("u", "code", "sup", "sub"):
            self.format[tag] += 1
        elif tag == "pre":
            self._new()
            self.format["code"] += 1
        elif tag == "br" and self.paragraph is not None:
            self.paragraph.add_run().add_break()
        elif tag == "hr":
            self._new()
        elif tag == "a":
            self.href = dict(attrs).get("href")
        elif tag == "table":
            self.table_rows = []

    def handle_endtag(self, tag: str) -> None:
        if self.table_rows is not None:
            if tag in ("td", "th") and self.cell is not None:
                self.table_rows[-1].append("".join(self.cell).strip())
                self.cell = None
            elif tag == "table":
                rows, self.table_rows = self.table_rows, None
                width = max((len(r) for r in rows), default=0)
                if width:
                    grid = self.word.add_table(rows=len(rows), cols=width)
                    grid.style = "Table Grid"
                    for grid_row, row in zip(grid.rows, rows, strict=True):
                        cells = grid_row.cells
                        for c, text in enumerate(row):
                            cells[c].text = text
                self.paragraph = None
            return
        if tag in ("ul", "ol", "blockquote") and self.lists:
            self.lists.pop()
        elif tag in ("strong", "b"):
            self.format["b"] -= 1
        elif tag in ("em", "i"):
            self.format["i"] -= 1
        elif tag in ("u", "code", "sup", "sub"):
            self.format[tag] -= 1
        elif tag == "pre":
            self.format["code"] -= 1
        elif tag == "a" and self.href:
            # A footnote reference ("#fn-1") is its superscript number; an outside link
            # keeps its address in brackets.
            if self.paragraph is not None and not self.href.startswith("#"):
                self.paragraph.add_run(f" ({self.href})")
            self.href = None
        elif tag in ("p", "li", "h3", "h4", "h5", "h6", "pre"):
            self.paragraph = None

    def handle_data(self, data: str) -> None:
        if self.table_rows is not None:
            if self.cell is not None:
                self.cell.append(data)
            return
        if not data.strip() and self.paragraph is None:
            return
        if self.paragraph is None:
            self._new()
        run = self.paragraph.add_run(data)
        run.bold = bool(self.format["b"]) or None
        run.italic = bool(self.format["i"]) or None
        run.underline = bool(self.format["u"]) or None
        if self.format["code"]:
            run.font.name = "DejaVu Sans Mono"
        if self.format["sup"]:
            run.font.superscript = True
        if self.format["sub"]:
            run.font.subscript = True
