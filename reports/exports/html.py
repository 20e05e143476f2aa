"""The print-ready HTML export: one self-contained file (styles inline, charts as inline
SVG), which is also what the PDF is made from and what the preview shows.

The markup is kept plain because WeasyPrint pays for every element and every selector
(cascade, boxes, line breaking, borders) and a national report has some five thousand
table cells: tables carry their column widths (``<colgroup>``, computed here from the
text) so print can use the fixed table layout instead of measuring every cell twice, and
cells are styled by a few class selectors only (see ``static/reports/report.css``).
"""

from __future__ import annotations

import base64
from functools import cache
from typing import Any

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from reports.charts import to_svg
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

# Column widths are estimated the way the automatic table layout would set them, in
# characters: a column needs its longest unbreakable piece (a number, a date, a word of its
# heading) and would like its longest text and its heading on at most two lines; the room
# a page has (about 86 characters of the table's type, 100 in a wide table's smaller type)
# is shared out between the two.
TABLE_CHARS = 86
WIDE_TABLE_CHARS = 100
WIDE_TABLE_COLUMNS = 8
CELL_PADDING_CHARS = 2.5
HEADING_CHAR_WIDTH = 1.15  # bold
MIN_TABLE_WIDTH = 50  # per cent of the page's width


@cache
def stylesheet() -> str:
    path = finders.find("reports/report.css")
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def render_html(
    document: Document, *, preview_bar: str = "", back_url: str = "", for_pdf: bool = False
) -> str:
    """``for_pdf``: charts as SVG pictures (``<img>``) rather than inline SVG, so their
    hundreds of shapes stay out of the HTML cascade WeasyPrint computes."""
    with translation.override(document.language):
        sections = [
            {
                "anchor": section.anchor,
                "heading": section.heading,
                "body": mark_safe(
                    "".join(render_block(block, chart_as_image=for_pdf) for block in section.blocks)
                ),
            }
            for section in document.sections
        ]
        logo = ""
        if document.logo is not None:
            logo = format_html(
                '<img class="logo" src="data:{};base64,{}" alt="{}">',
                document.logo.content_type,
                base64.b64encode(document.logo.data).decode("ascii"),
                document.logo.caption,
            )
        return render_to_string(
            "reports/export/report.html",
            {
                "document": document,
                "logo": logo,
                "sections": sections,
                "stylesheet": stylesheet(),
                "preview_bar": preview_bar,
                "back_url": back_url,
            },
        )


# --- blocks -----------------------------------------------------------------------------


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def column_widths(
    table: Table, rows: list[list[Any]], texts: list[list[str]]
) -> tuple[float, list[float]]:
    """The table's width (a percentage of the page's: a small table is not stretched
    across the page) and its columns' (percentages of the table's)."""
    lows, highs = [], []
    for i, heading in enumerate(table.columns):
        low = max((len(word) for word in str(heading).split(" ")), default=0) * HEADING_CHAR_WIDTH
        high = max(low, len(str(heading)) * HEADING_CHAR_WIDTH / 2)  # a heading on two lines
        for row, row_texts in zip(rows, texts, strict=True):
            text = row_texts[i]
            if _is_number(row[i]) or row[i] is None:
                low = max(low, len(text))  # numbers never wrap
            else:
                low = max(low, *(len(word) for word in text.split(" ")))
            high = max(high, len(text))
        lows.append(low + CELL_PADDING_CHARS)
        highs.append(max(low, high) + CELL_PADDING_CHARS)
    room = WIDE_TABLE_CHARS if len(table.columns) > WIDE_TABLE_COLUMNS else TABLE_CHARS
    if sum(highs) <= room:
        widths = highs
    elif sum(lows) >= room:
        widths = lows
    else:
        spare = (room - sum(lows)) / (sum(highs) - sum(lows))
        widths = [low + (high - low) * spare for low, high in zip(lows, highs, strict=True)]
    total = sum(widths) or 1
    table_width = min(100, max(MIN_TABLE_WIDTH, round(100 * total / room)))
    return table_width, [round(100 * w / total, 1) for w in widths]


def render_table(table: Table) -> SafeString:
    rows = table.all_rows
    texts = [[fmt_cell(value) for value in row] for row in rows]
    caption = format_html("<caption>{}</caption>", table.caption) if table.caption else ""
    table_width, widths = column_widths(table, rows, texts)
    cols = "".join(f'<col style="width:{w}%">' for w in widths)
    numeric = [
        bool(rows) and all(_is_number(row[i]) or row[i] is None for row in table.rows)
        for i in range(len(table.columns))
    ]
    head = ""
    if table.groups:
        head += (
            "<tr>"
            + "".join(
                format_html('<th colspan="{}" scope="colgroup">{}</th>', span, label)
                for label, span in table.groups
            )
            + "</tr>"
        )
    head += "<tr>" + format_html_join(
        "",
        '<th scope="col"{}>{}</th>',
        (
            (mark_safe(' class="num"' if n else ""), c)
            for c, n in zip(table.columns, numeric, strict=True)
        ),
    )
    head += "</tr>"
    body = []
    last = len(rows) - 1 if table.total else -1
    for r, (row, row_texts) in enumerate(zip(rows, texts, strict=True)):
        cells = []
        for i, (value, text) in enumerate(zip(row, row_texts, strict=True)):
            number = _is_number(value)
            tag = "th" if i == 0 and not number else "td"
            attrs = ' scope="row"' if tag == "th" else ""
            if number or value is None:
                attrs += ' class="num"'
            cells.append(f"<{tag}{attrs}>{escape(text)}</{tag}>")
        row_attrs = ' class="total"' if r == last else ""
        body.append(f"<tr{row_attrs}>{''.join(cells)}</tr>")
    css = "data wide" if len(table.columns) > WIDE_TABLE_COLUMNS else "data"
    return mark_safe(
        f'<table class="{css}" style="width:{table_width}%">{caption}'
        f"<colgroup>{cols}</colgroup><thead>{head}</thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def render_chart(block: ChartBlock, *, as_image: bool = False) -> SafeString:
    svg = to_svg(block.chart, tooltips=not as_image)
    if not as_image:
        return format_html('<figure class="chart">{}</figure>', mark_safe(svg))
    data = base64.b64encode(svg.encode()).decode("ascii")
    return format_html(
        '<figure class="chart"><img src="data:image/svg+xml;base64,{}" alt="{}"></figure>',
        data,
        f"{block.chart.title}. {block.chart.description()}",
    )


def render_block(block: Any, *, chart_as_image: bool = False) -> SafeString:
    if isinstance(block, Narrative):
        # Sanitised by reports.markdown.render_markdown when the document was built.
        return mark_safe(f'<div class="narrative">{block.html}</div>')
    if isinstance(block, Table):
        return render_table(block)
    if isinstance(block, Beside):
        # Side by side where the screen has room (static/reports/report.css), else stacked.
        items = "".join(
            f'<div class="{"beside-item wide" if len(t.columns) > 4 else "beside-item"}">'
            f"{render_table(t)}</div>"
            for t in block.tables
        )
        return mark_safe(f'<div class="beside">{items}</div>')
    if isinstance(block, ChartBlock):
        return render_chart(block, as_image=chart_as_image)
    if isinstance(block, Facts):
        rows = format_html_join("", '<tr><th scope="row">{}</th><td>{}</td></tr>', block.items)
        return format_html('<table class="facts"><tbody>{}</tbody></table>', rows)
    if isinstance(block, Heading):
        return format_html("<h3>{}</h3>", block.text)
    if isinstance(block, ItemList):
        tag = "ol" if block.ordered else "ul"
        items = format_html_join("", "<li>{}</li>", ((i,) for i in block.items))
        return format_html("<{}>{}</{}>", tag, items, tag)
    if isinstance(block, Paragraph):
        return format_html("<p>{}</p>", block.text)
    if isinstance(block, Footnotes):
        # The notes' HTML was sanitised by reports.markdown when the document was built.
        items = "".join(f'<li id="fn-{number}">{html}</li>' for number, html in block.items)
        first = block.items[0][0] if block.items else 1  # a section's notes are consecutive
        return mark_safe(f'<ol class="footnotes" start="{first}">{items}</ol>')
    if isinstance(block, Picture):
        data = base64.b64encode(block.data).decode("ascii")
        return format_html(
            '<figure class="picture"><img src="data:{};base64,{}" alt="{}">'
            "<figcaption>{}</figcaption></figure>",
            block.content_type,
            data,
            block.caption,
            block.caption,
        )
    return mark_safe("")
