"""The filtered queue as a file (docs/incidents.md "Export"): CSV or XLSX, with the
columns ``incidents.queries.export_rows`` gives the reader. Text is written as text: a
cell that a spreadsheet would take for a formula stays text, by the kernel's one rule
(``observation.kernel.spreadsheets``)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from openpyxl import Workbook

from observation.kernel.spreadsheets import csv_text, write_only_cell


def csv_bytes(header: list[str], rows: Iterable[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_text(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # the BOM: Excel reads UTF-8


def xlsx_bytes(header: list[str], rows: Iterable[list[str]], *, title: str) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])

    sheet.append([write_only_cell(sheet, str(value)) for value in header])
    for row in rows:
        sheet.append([write_only_cell(sheet, str(value)) for value in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
