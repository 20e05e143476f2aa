"""The Excel export: a cover sheet, then one sheet per table with the numbers as numbers
(so analysts can compute with them) and each chart as a picture beside its table. Every
cell goes through ``observation.kernel.spreadsheets.write_cell``: text is never a formula."""

from __future__ import annotations

import io
import re

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.drawing.image import Image
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from observation.kernel.spreadsheets import write_cell
from reports.charts import to_png
from reports.document import Beside, ChartBlock, Document, Table
from reports.formatting import Percent, Signed

_BAD_SHEET_CHARS = re.compile(r"[\[\]\:\*\?\/\\]")
HEADER_FILL = PatternFill("solid", fgColor="EEF1F4")


def _sheet_name(wanted: str, taken: set[str]) -> str:
    base = _BAD_SHEET_CHARS.sub(" ", wanted).strip()[:31] or "Sheet"
    name, n = base, 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name = base[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(name.lower())
    return name


def render_xlsx(document: Document) -> bytes:
    with translation.override(document.language):
        book = Workbook()
        cover = book.active
        cover.title = _sheet_name(_("Report"), taken := set())
        lines = [
            [document.title],
            [document.election],
            [_("Observation period"), document.period],
            [_("Published by"), document.publisher],
            [_("Issued"), document.issued],
            [_("Status"), document.status],
            [],
            [_("Sheet"), _("Table")],
        ]
        for row, values in enumerate(lines, 1):
            for column, value in enumerate(values, 1):
                write_cell(cover, row, column, value)
        cover["A1"].font = Font(bold=True, size=14)
        cover.column_dimensions["A"].width = 40
        cover_row = len(lines)

        last_sheet = None
        for section in document.sections:
            for block in section.blocks:
                if isinstance(block, Table | Beside):  # tables side by side: a sheet each
                    for table in block.tables if isinstance(block, Beside) else [block]:
                        last_sheet = _add_table(book, table, taken)
                        cover_row += 1
                        write_cell(cover, cover_row, 1, last_sheet.title)
                        write_cell(cover, cover_row, 2, table.caption or section.title)
                elif isinstance(block, ChartBlock) and last_sheet is not None:
                    image = Image(io.BytesIO(to_png(block.chart)))
                    image.width, image.height = image.width // 2, image.height // 2
                    column = get_column_letter(last_sheet.max_column + 2)
                    anchor_row = 1 + sum(1 for c in last_sheet._images) * 22
                    last_sheet.add_image(image, f"{column}{anchor_row}")
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()


def _add_table(book: Workbook, table: Table, taken: set[str]):
    sheet = book.create_sheet(_sheet_name(table.sheet or table.caption or table.key, taken))
    row = 1
    if table.caption:
        write_cell(sheet, row, 1, table.caption).font = Font(bold=True)
        row += 1
    if table.groups:
        column = 1
        for label, span in table.groups:
            cell = write_cell(sheet, row, column, label or None)
            cell.font, cell.fill = Font(bold=True), HEADER_FILL
            if span > 1:
                sheet.merge_cells(start_row=row, start_column=column, end_row=row,
                                  end_column=column + span - 1)  # fmt: skip
            column += span
        row += 1
    for c, name in enumerate(table.columns, 1):
        cell = write_cell(sheet, row, c, name)
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = sheet.cell(row + 1, 2)
    for values in table.all_rows:
        row += 1
        is_total = table.total is not None and values is table.total
        for c, value in enumerate(values, 1):
            cell = write_cell(sheet, row, c, _excel_value(value))
            if isinstance(value, Percent):
                cell.number_format = "0.0"
            elif isinstance(value, Signed):
                cell.number_format = "+#,##0;-#,##0;0"
            elif isinstance(value, int) and not isinstance(value, bool):
                cell.number_format = "#,##0"
            if is_total:
                cell.font = Font(bold=True)
    for c, name in enumerate(table.columns, 1):
        longest = max([len(str(name)), *(len(str(v[c - 1] or "")) for v in table.all_rows)])
        sheet.column_dimensions[get_column_letter(c)].width = min(60, max(8, longest + 2))
    return sheet


def _excel_value(value):
    if isinstance(value, Percent):
        return float(value)
    if isinstance(value, Signed):
        return int(value)
    return value
