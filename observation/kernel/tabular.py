"""Reading CSV and XLSX uploads for the imports (voter-list snapshots, candidate lists).

The reader is strict on purpose: a file it cannot read with certainty is refused with a
message the analyst can act on, never half-read or read with a guessed encoding, because
an import feeds numbers that end up in a published report.

- ``.csv``: UTF-8 text, with or without a byte-order mark; the delimiter is a comma,
  semicolon or tab (whichever the header row uses: Excel with a Russian locale saves
  CSV with semicolons). Any other encoding is refused, with a hint to save as
  "CSV UTF-8".
- ``.xlsx``: the first worksheet, read with openpyxl in read-only, values-only mode
  (formulas give their cached values).
- Row 1 is the header; column names are matched without regard to case or surrounding
  spaces, must all be present and none may be unknown. Blank rows are skipped, but keep
  their numbers, so the row numbers of the report are the ones a spreadsheet shows.

The second half of the module is what every import shares: the row-by-row report
(``ImportReport``), cell parsers that record a ``RowError`` instead of raising, and the
stash that keeps an upload between its preview and its commit on the import pages.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import io
import json
import re
import uuid
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import IO, TYPE_CHECKING, Any, Literal

from django.conf import settings
from django.core import signing
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
DEFAULT_MAX_ROWS = 50_000
MAX_COLUMNS = 100
"""The widest sheet an import reads (the imports have a dozen columns at most)."""
# A workbook is a zip; refuse one that would inflate far beyond any real spreadsheet of
# the allowed size (a "zip bomb") before openpyxl starts decompressing it.
INFLATION_LIMIT = 40

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls, and encrypted workbooks
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
CSV_DELIMITERS = (",", ";", "\t")


def max_bytes() -> int:
    return int(getattr(settings, "IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_rows() -> int:
    return int(getattr(settings, "IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS))


def file_error(message: str, code: str) -> ValidationError:
    """A problem with the file as a whole, reported on the form's ``file`` field."""
    return ValidationError({"file": [ValidationError(message, code=code)]})


@dataclass(frozen=True)
class Row:
    number: int  # as a spreadsheet shows it: the header is row 1
    values: dict[str, str]  # column -> cell text, stripped; "" for an empty cell


@dataclass(frozen=True)
class Table:
    filename: str
    format: Literal["csv", "xlsx"]
    sha256: str
    columns: tuple[str, ...]
    rows: list[Row]
    # (row, message) for rows whose shape is wrong: more cells than the header, or fewer
    # in a CSV file, which is what a file cut off in the middle of a line looks like.
    shape_errors: list[tuple[int, str]] = field(default_factory=list)


def read_table(upload: IO[bytes] | Any, *, columns: Sequence[str]) -> Table:
    """Read ``upload`` (a Django ``UploadedFile``/``File`` or any binary file object with a
    ``name``) and check its header against ``columns``.

    Raises ``ValidationError({"file": [...]})`` for a file that cannot be read as a whole:
    wrong type, too big, too many rows, wrongly encoded, malformed, truncated, wrong header.
    Row-level problems are left to the import, which reports them row by row."""
    filename = PurePath(getattr(upload, "name", "") or "").name
    data = _read_bounded(upload)
    if not data.strip():
        raise file_error(_("The file is empty."), "empty")
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".xlsx":
        fmt: Literal["csv", "xlsx"] = "xlsx"
        raw_rows = _xlsx_rows(data)
    elif suffix == ".csv":
        fmt = "csv"
        raw_rows = _csv_rows(data)
    else:
        raise file_error(
            _("Upload a .csv or .xlsx file (this one is named “%(name)s”).") % {"name": filename},
            "file_type",
        )
    return _build_table(
        raw_rows,
        filename=filename,
        fmt=fmt,
        sha256=hashlib.sha256(data).hexdigest(),
        columns=tuple(columns),
    )


def _read_bounded(upload: Any) -> bytes:
    limit = max_bytes()
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise _too_big(limit)
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise _too_big(limit)
    return bytes(data)


def _too_big(limit: int) -> ValidationError:
    return file_error(
        _("The file is larger than %(limit)s MB; split it into smaller files.")
        % {"limit": f"{limit / (1024 * 1024):g}"},
        "too_big",
    )


# --- CSV --------------------------------------------------------------------------------


def _csv_rows(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    if data.startswith(XLSX_MAGIC) or data.startswith(OLE_MAGIC):
        raise file_error(
            _("This is a spreadsheet workbook, not CSV text: save it as .xlsx or as CSV UTF-8."),
            "not_csv",
        )
    if data.startswith(UTF16_BOMS):
        raise file_error(
            _(
                "The file is UTF-16 text. Save it as “CSV UTF-8 (comma delimited)” and "
                "upload it again."
            ),
            "encoding",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise file_error(
            _(
                "The file is not UTF-8 text (the first unreadable byte is on line %(line)s). "
                "It was probably saved in another encoding such as Windows-1251: save it as "
                "“CSV UTF-8” and upload it again."
            )
            % {"line": line},
            "encoding",
        ) from None
    if "\x00" in text:
        raise file_error(_("The file contains binary data, not CSV text."), "binary")
    # Line breaks bound the rows (a quoted cell may hold some, so this over-counts, never
    # under-counts): refuse a file with far too many before parsing a cell.
    lines = text.count("\n")
    if lines > 2 * (max_rows() + 1):
        raise file_error(
            _("The file has more than %(limit)s rows; split it into smaller files.")
            % {"limit": max_rows()},
            "too_many_rows",
        )
    first_line = text.split("\n", 1)[0]
    delimiter = max(CSV_DELIMITERS, key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    return _numbered_csv(reader)


def _numbered_csv(reader: Any) -> Iterator[tuple[int, list[Any]]]:
    number = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise file_error(
                _(
                    "The CSV file is malformed after row %(row)s (%(problem)s). Is it complete, "
                    "and are quotes balanced?"
                )
                % {"row": number, "problem": exc},
                "malformed",
            ) from None
        number += 1
        yield number, cells


# --- XLSX -------------------------------------------------------------------------------


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    if data.startswith(OLE_MAGIC):
        raise file_error(
            _(
                "This is an old-format Excel file (.xls) or a password-protected workbook. "
                "Save it as .xlsx without a password, or as CSV UTF-8."
            ),
            "not_xlsx",
        )
    if not data.startswith(XLSX_MAGIC):
        raise file_error(_("The file is named .xlsx but is not an Excel workbook."), "not_xlsx")
    _check_workbook_archive(data)
    return _xlsx_sheet_rows(data)


def _check_workbook_archive(data: bytes) -> None:
    damaged = file_error(
        _("The workbook is damaged or incomplete (was the upload cut off?). Save it again."),
        "damaged",
    )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            names = {member.filename for member in members}
            if "xl/workbook.xml" not in names:
                raise file_error(
                    _("The file is named .xlsx but is not an Excel workbook."), "not_xlsx"
                )
            if sum(member.file_size for member in members) > INFLATION_LIMIT * max_bytes():
                raise file_error(
                    _("The workbook unpacks to far more data than a spreadsheet should."),
                    "too_big",
                )
            # Reads every member and checks its CRC: a truncated or corrupted upload fails
            # here rather than half-way through the rows.
            if archive.testzip() is not None:
                raise damaged
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        EOFError,
        OSError,
        NotImplementedError,
        ValueError,
    ):
        raise damaged from None


def _xlsx_sheet_rows(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    import openpyxl

    unreadable = file_error(
        _("The workbook could not be read; open it in a spreadsheet program and save it again."),
        "damaged",
    )
    # openpyxl raises many kinds of exception for a broken workbook (KeyError, XML parse
    # errors, ValueError...): any of them means "not a readable workbook", never a 500.
    try:
        workbook = openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=True, keep_links=False
        )
    except Exception:
        raise unreadable from None
    try:
        if not workbook.worksheets:
            raise file_error(_("The workbook has no worksheet."), "empty")
        sheet = workbook.worksheets[0]
        _check_declared_size(sheet)
        # Bounded even if the declared size lies: one row past the most allowed (the
        # header, the data rows, one to notice there are too many) and one column past
        # the widest import, so a cell far out cannot make openpyxl pad every row to it.
        rows = sheet.iter_rows(max_row=max_rows() + 2, max_col=MAX_COLUMNS + 1, values_only=True)
        number = 0
        while True:
            try:
                cells = next(rows)
            except StopIteration:
                return
            except Exception:
                raise unreadable from None
            number += 1
            yield number, list(cells)
    finally:
        workbook.close()


def _check_declared_size(sheet: Any) -> None:
    """Refuse a sheet whose declared range (``<dimension ref="A1:…"/>``, read from the
    sheet's first bytes) has more rows or columns than an import may have, before any
    cell is read: a small file can declare a range of a million rows and 16,384 columns,
    which openpyxl would pad every row to (docs/reference-data.md#imports)."""
    try:
        max_row, max_column = sheet.max_row, sheet.max_column
    except Exception:  # an unreadable dimension: the bounded reading below still applies
        return
    if max_row is not None and max_row > max_rows() + 1:
        raise file_error(
            _(
                "The worksheet declares %(declared)s rows; at most %(limit)s are imported "
                "(blank rows count too). Delete the empty rows below the data, or split "
                "the file."
            )
            % {"declared": max_row, "limit": max_rows()},
            "too_many_rows",
        )
    if max_column is not None and max_column > MAX_COLUMNS:
        raise file_error(
            _(
                "The worksheet declares %(declared)s columns; an import has at most "
                "%(limit)s. Delete the empty columns right of the data."
            )
            % {"declared": max_column, "limit": MAX_COLUMNS},
            "too_many_columns",
        )


# --- Header and rows --------------------------------------------------------------------


def cell_text(value: Any) -> str:
    """A cell as the text the import parses, whichever format it came from."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _build_table(
    raw_rows: Iterable[tuple[int, list[Any]]],
    *,
    filename: str,
    fmt: Literal["csv", "xlsx"],
    sha256: str,
    columns: tuple[str, ...],
) -> Table:
    iterator = iter(raw_rows)
    try:
        return _read_rows(iterator, filename=filename, fmt=fmt, sha256=sha256, columns=columns)
    finally:
        # Releases the workbook at once when reading stops early (e.g. too many rows).
        close = getattr(iterator, "close", None)
        if close is not None:
            close()


def _read_rows(
    iterator: Iterator[tuple[int, list[Any]]],
    *,
    filename: str,
    fmt: Literal["csv", "xlsx"],
    sha256: str,
    columns: tuple[str, ...],
) -> Table:
    first = next(iterator, None)
    if first is None:
        raise file_error(_("The file is empty."), "empty")
    header = _check_header([cell_text(c) for c in first[1]], columns)
    limit = max_rows()
    rows: list[Row] = []
    shape_errors: list[tuple[int, str]] = []
    for number, cells in iterator:
        if cells.count(None) == len(cells):  # an empty row, cheaply (openpyxl pads gaps)
            continue
        texts = [cell_text(c) for c in cells]
        if not any(texts):
            continue
        if len(rows) >= limit:
            raise file_error(
                _("The file has more than %(limit)s rows; split it into smaller files.")
                % {"limit": limit},
                "too_many_rows",
            )
        extra = [t for t in texts[len(header) :] if t]
        if extra:
            shape_errors.append(
                (number, _("This row has values beyond the last column of the header."))
            )
        elif fmt == "csv" and len(texts) < len(header):
            shape_errors.append(
                (
                    number,
                    _("This row has %(found)s values but the header has %(expected)s columns.")
                    % {"found": len(texts), "expected": len(header)},
                )
            )
        texts += [""] * (len(header) - len(texts))
        rows.append(Row(number, dict(zip(header, texts, strict=False))))
    return Table(filename, fmt, sha256, columns, rows, shape_errors)


def _check_header(cells: list[str], columns: tuple[str, ...]) -> list[str]:
    names = [c.strip().lower() for c in cells]
    while names and not names[-1]:
        names.pop()
    problems: list[str] = []
    if any(not name for name in names):
        problems.append(_("A column of the header row has no name."))
    duplicates = sorted({name for name in names if name and names.count(name) > 1})
    if duplicates:
        problems.append(_("Columns named twice: %(names)s.") % {"names": ", ".join(duplicates)})
    missing = [c for c in columns if c not in names]
    unknown = [n for n in names if n and n not in columns]
    if missing:
        problems.append(_("Missing columns: %(names)s.") % {"names": ", ".join(missing)})
    if unknown:
        problems.append(_("Unknown columns: %(names)s.") % {"names": ", ".join(unknown)})
    if problems:
        problems.append(
            _("Row 1 must be the header, with the columns: %(names)s.")
            % {"names": ", ".join(columns)}
        )
        raise ValidationError(
            {"file": [ValidationError(problem, code="header") for problem in problems]}
        )
    return names


# --- What every import shares -----------------------------------------------------------

Action = Literal["create", "update", "unchanged"]


@dataclass(frozen=True)
class RowError:
    row: int  # as in the file (header = 1)
    column: str  # "" when the problem is the row as a whole
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass(frozen=True)
class RowOutcome:
    row: int
    action: Action
    label: str  # what the row is about, e.g. "Bishkek TEC — control list"
    changes: dict[str, list[Any]] = field(default_factory=dict)  # field -> [old, new]

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "action": self.action,
            "label": self.label,
            "changes": {k: [_jsonable(v) for v in pair] for k, pair in self.changes.items()},
        }


@dataclass
class ImportReport:
    """What an import did (``committed``) or would do (preview), row by row.

    ``errors`` non-empty means nothing was written. ``summary`` carries what a particular
    import adds (the candidate import: counts per party list)."""

    kind: str
    filename: str
    sha256: str
    columns: tuple[str, ...]
    rows: list[RowOutcome] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    summary: list[dict[str, Any]] = field(default_factory=list)
    committed: bool = False
    bad_rows: set[int] = field(default_factory=set, repr=False)

    @property
    def is_valid(self) -> bool:
        return not self.errors

    @property
    def counts(self) -> dict[str, int]:
        counts = {"create": 0, "update": 0, "unchanged": 0}
        for outcome in self.rows:
            counts[outcome.action] += 1
        counts["errors"] = len(self.errors)
        return counts

    @property
    def has_changes(self) -> bool:
        return any(outcome.action != "unchanged" for outcome in self.rows)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "filename": self.filename,
            "sha256": self.sha256,
            "committed": self.committed,
            "valid": self.is_valid,
            "counts": self.counts,
            "rows": [outcome.as_dict() for outcome in self.rows],
            "errors": [error.as_dict() for error in self.errors],
            "summary": self.summary,
        }

    def audit_data(self) -> dict[str, Any]:
        """What the import's summary audit entry records: the file, not its rows."""
        return {"filename": self.filename, "sha256": self.sha256, "counts": self.counts}


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def start_report(kind: str, table: Table) -> ImportReport:
    report = ImportReport(kind, table.filename, table.sha256, table.columns)
    for number, message in table.shape_errors:
        report.errors.append(RowError(number, "", message))
        report.bad_rows.add(number)
    return report


class RowCells:
    """Parses the cells of one row, recording a ``RowError`` for each bad cell (so one
    pass reports every problem of the row) and returning ``None`` for it."""

    def __init__(self, row: Row, report: ImportReport) -> None:
        self.row = row
        self._report = report

    @property
    def failed(self) -> bool:
        return self.row.number in self._report.bad_rows

    def error(self, column: str, message: str) -> None:
        self._report.errors.append(RowError(self.row.number, column, str(message)))
        self._report.bad_rows.add(self.row.number)

    def raw(self, column: str) -> str:
        return self.row.values.get(column, "")

    def text(self, column: str, *, required: bool = True, max_length: int | None = None) -> str:
        value = re.sub(r"\s+", " ", self.raw(column)).strip()
        if required and not value:
            self.error(column, _("This value is required."))
        elif max_length is not None and len(value) > max_length:
            self.error(
                column,
                _("At most %(limit)s characters (this has %(length)s).")
                % {"limit": max_length, "length": len(value)},
            )
        return value

    def integer(self, column: str, *, required: bool = True, minimum: int = 0) -> int | None:
        # Thousands may be grouped with spaces, as the seed report prints them (424 847).
        value = re.sub(r"[\s\u00a0\u202f]", "", self.raw(column))
        if not value:
            if required:
                self.error(column, _("This value is required."))
            return None
        if not re.fullmatch(r"[+-]?\d+", value):
            self.error(
                column,
                _("“%(value)s” is not a whole number.") % {"value": self.raw(column)},
            )
            return None
        number = int(value)
        if number < minimum:
            self.error(column, _("Must be %(minimum)s or more.") % {"minimum": minimum})
            return None
        return number

    def date(self, column: str) -> dt.date | None:
        value = self.raw(column)
        if not value:
            self.error(column, _("This value is required."))
            return None
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                raise ValueError
            return dt.date.fromisoformat(value)
        except ValueError:
            self.error(
                column,
                _("“%(value)s” is not a date in the form YYYY-MM-DD.") % {"value": value},
            )
            return None

    def choice(
        self, column: str, choices: Mapping[str, str], *, default: str | None = None
    ) -> str | None:
        """``choices`` maps each accepted spelling (lower case) to its stored code."""
        value = self.raw(column).strip().lower()
        if not value and default is not None:
            return default
        if value in choices:
            return choices[value]
        self.error(
            column,
            _("“%(value)s” is not one of: %(choices)s.")
            % {"value": self.raw(column), "choices": ", ".join(dict.fromkeys(choices.values()))},
        )
        return None

    def model_errors(self, exc: ValidationError, columns: Iterable[str]) -> None:
        """Report a model's ``full_clean`` errors on the columns they concern."""
        known = set(columns)
        if hasattr(exc, "error_dict"):
            items = exc.message_dict.items()
        else:
            items = [(NON_FIELD_ERRORS, exc.messages)]
        for key, messages in items:
            column = key if key in known and key != NON_FIELD_ERRORS else ""
            for message in messages:
                self.error(column, message)


def normalized(name: str) -> str:
    """How names in a file are matched to names in the database."""
    return re.sub(r"\s+", " ", name).strip().casefold()


# --- Letting the database judge a whole file ------------------------------------------
#
# ``full_clean`` checks a model's CHECK constraints with one query per constraint and row
# (Django compiles each into a ``SELECT 1 WHERE ...``): about a millisecond each, so a
# list of a few thousand candidates took many seconds to preview. The imports therefore
# run ``full_clean`` without the constraints, let the database judge every row at once
# with a trial write that is always rolled back, and only when the database refuses
# narrow the batch down by halves to the refused rows, whose errors ``full_clean`` then
# names field by field. The rules are the model's either way; only the cost changes.


def refused_by_database(
    items: Sequence[Any],
    *,
    write: Callable[[Sequence[Any]], None],
    forget: Callable[[Sequence[Any]], None],
) -> list[Any]:
    """The items whose ``write`` the database refuses (``IntegrityError``), in order.

    Must run inside ``transaction.atomic``; every trial write is rolled back, so nothing
    is left written, and ``forget`` is called after each so that instances ``write``
    created look unsaved again."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("refused_by_database() needs an open transaction.")
    refused: list[Any] = []

    def accepted(batch: Sequence[Any]) -> bool:
        try:
            with transaction.atomic():
                write(batch)
                transaction.set_rollback(True)  # a trial: undo it whatever happens
        except IntegrityError:
            return False
        finally:
            forget(batch)
        return True

    def search(batch: Sequence[Any]) -> None:
        if not batch or accepted(batch):
            return
        if len(batch) == 1:
            refused.append(batch[0])
            return
        middle = len(batch) // 2
        search(batch[:middle])
        search(batch[middle:])

    search(list(items))
    return refused


def mark_unsaved(instance: Any) -> None:
    """Make an instance that a rolled-back ``bulk_create`` saved look unsaved again."""
    instance.pk = None
    instance._state.adding = True
    instance._state.db = None


@dataclass
class PlannedRow:
    """A valid row of a file and the instance it would create or update."""

    cells: RowCells
    instance: Any
    outcome: RowOutcome


WRITE_BATCH = 500


def judge_and_write(
    report: ImportReport,
    plan: list[PlannedRow],
    *,
    model: Any,
    update_fields: Sequence[str],
    exclude: Iterable[str],
    commit: bool,
    on_saved: Callable[[list[PlannedRow]], None],
) -> None:
    """Check ``plan`` against the database's constraints and, with ``commit`` and no
    error in the whole report, write it and call ``on_saved`` with the rows written. Refused rows
    get their errors (named by the model's ``validate_constraints``) in ``report``.

    Must run inside the import's transaction; with errors nothing is left written."""

    def created(batch: Sequence[PlannedRow]) -> list[Any]:
        return [item.instance for item in batch if item.outcome.action == "create"]

    def write(batch: Sequence[PlannedRow]) -> None:
        model.objects.bulk_create(created(batch), batch_size=WRITE_BATCH)
        updated = [item.instance for item in batch if item.outcome.action == "update"]
        model.objects.bulk_update(updated, list(update_fields), batch_size=WRITE_BATCH)

    def forget(batch: Sequence[PlannedRow]) -> None:
        for instance in created(batch):
            mark_unsaved(instance)

    if commit and report.is_valid and plan:
        try:
            with transaction.atomic():
                write(plan)
        except IntegrityError:
            forget(plan)
        else:
            on_saved(plan)
            return
    for item in refused_by_database(plan, write=write, forget=forget):
        try:
            item.instance.validate_constraints(exclude=set(exclude))
        except ValidationError as exc:
            item.cells.model_errors(exc, report.columns)
        else:
            item.cells.error(
                "",
                _("The database refused this row: it conflicts with data saved meanwhile."),
            )
    report.rows = [outcome for outcome in report.rows if outcome.row not in report.bad_rows]
    report.errors.sort(key=lambda error: error.row)
    if commit and report.is_valid and plan:
        # Refused as a batch but by no single row: a concurrent change. Try again later.
        raise file_error(
            _("The data changed while the file was being imported; nothing was imported."),
            "conflict",
        )


def run_import(
    *,
    actor: AbstractBaseUser,
    file: IO[bytes] | Any,
    kind: str,
    columns: Sequence[str],
    scope: Any,
    plan: Callable[[Table, ImportReport, bool], list[PlannedRow]],
    model: Any,
    update_fields: Sequence[str],
    exclude: Iterable[str],
    row_action: str,
    file_action: str,
    commit: bool,
) -> ImportReport:
    """The one way every import runs (candidates, PECs, voter-list snapshots).

    Reads ``file`` (``read_table``; a file that cannot be read raises
    ``ValidationError({"file": ...})``), then in one transaction: with ``commit``, locks
    ``scope`` (the election), so that imports into it take turns and the second sees the
    first's rows as unchanged instead of colliding with them; ``plan(table, report,
    lock)`` turns the rows into ``PlannedRow``s (row problems go into the report);
    ``judge_and_write`` checks them against the constraints and writes them all or none;
    each written row gets an audit entry ``<row_action>.create``/``.update`` and a file
    that changed something one ``file_action`` entry on ``scope``. With
    ``commit=False`` nothing is written and the report is the preview. Re-importing a
    file changes nothing and writes no audit entry."""
    from observation.kernel.audit import audit_log

    table = read_table(file, columns=columns)
    with transaction.atomic():
        if commit:
            type(scope).objects.select_for_update().filter(pk=scope.pk).first()
        report = start_report(kind, table)
        planned = plan(table, report, commit)

        def saved(rows: list[PlannedRow]) -> None:
            audit_rows(actor=actor, action=row_action, plan=rows, sha256=table.sha256)

        judge_and_write(
            report,
            planned,
            model=model,
            update_fields=update_fields,
            exclude=exclude,
            commit=commit,
            on_saved=saved,
        )
        if not commit or not report.is_valid:
            return report
        if report.has_changes:
            audit_log(
                actor=actor,
                action=file_action,
                target=scope,
                data=report.audit_data(),
            )
        report.committed = True
    return report


def audit_rows(
    *, actor: AbstractBaseUser, action: str, plan: Sequence[PlannedRow], sha256: str
) -> None:
    """The audit entries of an import's rows: one per record created or updated, as
    ``observation.kernel.audit.audit_log`` writes them, but inserted in batches.

    One insert per row made the audit trail most of the time of a large import (about
    2 ms a row on PostgreSQL: 40 s for 20,000 candidates). Runs in the import's
    transaction, so the entries commit or roll back with the rows."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.serializers.json import DjangoJSONEncoder

    from observation.kernel.models import AuditEntry

    if not plan:
        return
    content_type = ContentType.objects.get_for_model(
        type(plan[0].instance), for_concrete_model=False
    )
    acting = actor if actor is not None and actor.is_authenticated else None
    entries = []
    for item in plan:
        data = {"via": "import", "sha256": sha256, "changes": item.outcome.changes}
        entries.append(
            AuditEntry(
                actor=acting,
                action=f"{action}.{item.outcome.action}",
                content_type=content_type,
                object_id=str(item.instance.pk),
                object_repr=str(item.instance)[:300],
                data=json.loads(json.dumps(data, cls=DjangoJSONEncoder)),
            )
        )
    AuditEntry.objects.bulk_create(entries, batch_size=WRITE_BATCH)


# --- Keeping an upload between preview and commit -------------------------------------
#
# The import pages show a preview first and commit on a second request. Rather than make
# the analyst upload the file twice, the first request keeps it in the private storage
# (never served) and gives the page a signed token naming it; the token is bound to the
# user, the kind of import, the election and the file's SHA-256, and expires. The commit
# then imports exactly the bytes that were previewed.

STASH_DIR = "imports"
STASH_SALT = "baikoo.import-stash"
STASH_MAX_AGE = 60 * 60  # seconds


@dataclass(frozen=True)
class StashedUpload:
    token: str
    name: str  # storage name
    filename: str


def stash_upload(
    *, upload: Any, user_id: int, kind: str, election_id: int, sha256: str
) -> StashedUpload:
    _sweep_stale_stash()
    filename = PurePath(getattr(upload, "name", "") or "upload").name
    suffix = PurePath(filename).suffix.lower()
    upload.seek(0)
    name = default_storage.save(
        f"{STASH_DIR}/{uuid.uuid4().hex}{suffix}", ContentFile(upload.read(max_bytes() + 1))
    )
    token = signing.dumps(
        {
            "name": name,
            "filename": filename,
            "user": user_id,
            "kind": kind,
            "election": election_id,
            "sha256": sha256,
        },
        salt=STASH_SALT,
        compress=True,
    )
    return StashedUpload(token, name, filename)


def open_stashed_upload(
    token: str, *, user_id: int, kind: str, election_id: int
) -> tuple[ContentFile, str]:
    """The stashed file (named as uploaded) and its storage name; ``ValidationError`` on
    the ``file`` field if the token is forged, expired, someone else's or the file is gone."""
    gone = file_error(
        _("The uploaded file has expired or is no longer available; upload it again."),
        "stash_expired",
    )
    try:
        data = signing.loads(token, salt=STASH_SALT, max_age=STASH_MAX_AGE)
    except signing.BadSignature:
        raise gone from None
    if (data.get("user"), data.get("kind"), data.get("election")) != (user_id, kind, election_id):
        raise gone
    try:
        with default_storage.open(data["name"], "rb") as handle:
            content = handle.read()
    except (OSError, KeyError):
        raise gone from None
    if hashlib.sha256(content).hexdigest() != data.get("sha256"):
        raise gone
    return ContentFile(content, name=data["filename"]), data["name"]


def discard_stashed_upload(name: str) -> None:
    with contextlib.suppress(OSError):
        default_storage.delete(name)


def _sweep_stale_stash() -> None:
    # Previews that were never confirmed leave their file behind; remove the old ones
    # whenever a new preview is made (cheap: the folder holds the last hour's uploads).
    cutoff = timezone.now() - dt.timedelta(seconds=STASH_MAX_AGE)
    try:
        _, files = default_storage.listdir(STASH_DIR)
    except (OSError, NotImplementedError):
        return
    for filename in files:
        name = f"{STASH_DIR}/{filename}"
        try:
            if default_storage.get_modified_time(name) < cutoff:
                default_storage.delete(name)
        except (OSError, NotImplementedError):
            continue
