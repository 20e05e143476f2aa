"""Writing spreadsheet cells safely (docs/reports.md#exports).

Text typed by a user (an observer's account of a party meeting, a candidate's name) must
reach an XLSX export as text. openpyxl stores a string beginning with ``=`` as a formula,
and a spreadsheet program may evaluate text beginning with ``+``, ``-``, ``@``, a tab or a
carriage return once someone edits the cell. Every XLSX writer puts its cells through
``write_cell``: such text is stored as a plain string with Excel's "quote prefix" style, so
it is shown exactly as typed and never evaluated, and numbers stay numbers.
"""

from __future__ import annotations

from typing import Any

from openpyxl.cell.cell import Cell, WriteOnlyCell
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def write_cell(sheet: Worksheet, row: int, column: int, value: Any) -> Cell:
    """Put ``value`` in ``sheet`` at (``row``, ``column``), text as text (see above)."""
    cell = sheet.cell(row, column)
    cell.value = value
    if is_formula_like(value):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def write_only_cell(sheet: Any, value: Any) -> WriteOnlyCell:
    """The same rule for a row of a write-only workbook (``sheet.append``)."""
    cell = WriteOnlyCell(sheet, value=value)
    if is_formula_like(value):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def csv_text(value: Any) -> str:
    """CSV has no cell types: text a spreadsheet would evaluate gets a leading apostrophe,
    which spreadsheet programs show as text."""
    text = "" if value is None else str(value)
    return "'" + text if is_formula_like(text) else text
