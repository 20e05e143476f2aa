"""The filtered queue as a file (docs/incidents.md "Export"): CSV or XLSX, with the
columns ``incidents.queries.export_rows`` gives the reader. Text is written as text: a
cell that a spreadsheet would take for a formula (``=``, ``+``, ``-``, ``@``) stays text
(XLSX: the cell's type is string; CSV: a leading apostrophe)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_bytes(header: list[str], rows: Iterable[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_csv_text(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # the BOM: Excel reads UTF-8


def _csv_text(value: str) -> str:
    value = str(value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def xlsx_bytes(header: list[str], rows: Iterable[list[str]], *, title: str) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])

    def cells(values: list[str]) -> list[WriteOnlyCell]:
        out = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=str(value))
            cell.data_type = "s"  # never a formula, whatever the text starts with
            out.append(cell)
        return out

    sheet.append(cells(header))
    for row in rows:
        sheet.append(cells(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
