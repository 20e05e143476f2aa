"""The shared CSV/XLSX reader and the upload stash of the import pages."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import openpyxl
import pytest
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from observation.kernel.tabular import (
    STASH_SALT,
    cell_text,
    open_stashed_upload,
    read_table,
    stash_upload,
)

COLUMNS = ("name", "count")


def read(data: bytes, name: str = "file.csv"):
    return read_table(SimpleUploadedFile(name, data), columns=COLUMNS)


def refusal(data: bytes, name: str = "file.csv") -> str:
    with pytest.raises(ValidationError) as caught:
        read(data, name)
    assert list(caught.value.message_dict) == ["file"]
    return " ".join(caught.value.message_dict["file"])


def workbook_bytes(*sheets: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for index, rows in enumerate(sheets):
        sheet = workbook.create_sheet(f"Sheet{index + 1}")
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_csv_rows_are_numbered_as_in_the_file():
    table = read(b"name,count\r\nOsh,1\r\n,\r\nTokmok,2\r\n")
    assert [(r.number, r.values) for r in table.rows] == [
        (2, {"name": "Osh", "count": "1"}),
        (4, {"name": "Tokmok", "count": "2"}),
    ]
    assert table.format == "csv" and len(table.sha256) == 64


def test_utf8_bom_is_accepted_and_cyrillic_kept():
    table = read("\ufeffname,count\nБишкек,1\n".encode())
    assert table.rows[0].values["name"] == "Бишкек"


def test_tab_delimited_csv_is_read():
    assert read(b"name\tcount\nOsh\t1\n").rows[0].values == {"name": "Osh", "count": "1"}


def test_quoted_cells_with_delimiters_and_newlines_are_one_cell():
    table = read(b'name,count\n"Osh, city\nnorth",1\n')
    assert table.rows[0].values["name"] == "Osh, city\nnorth"


def test_cp1251_csv_is_refused_not_guessed():
    assert "not UTF-8" in refusal("name,count\nОш,1\n".encode("cp1251"))


def test_utf16_csv_is_refused_with_a_hint():
    assert "UTF-16" in refusal("name,count\nOsh,1\n".encode("utf-16"))


def test_unbalanced_quote_is_refused():
    assert "malformed" in refusal(b'name,count\n"Osh,1\n')


def test_binary_data_in_csv_is_refused():
    assert "binary" in refusal(b"name,count\nOsh\x00,1\n")


def test_workbook_named_csv_is_refused():
    assert "not CSV text" in refusal(workbook_bytes([["name", "count"]]), "file.csv")


def test_other_extensions_are_refused():
    assert "Upload a .csv or .xlsx" in refusal(b"name,count\n", "file.txt")


def test_empty_file_is_refused():
    assert "empty" in refusal(b"  \n")


def test_header_problems_are_listed_together():
    message = refusal(b"Name,name,colour\nOsh,1,red\n")
    assert "Columns named twice: name" in message
    assert "Missing columns: count" in message
    assert "Unknown columns: colour" in message


def test_values_beyond_the_header_are_a_row_error():
    table = read(b"name,count\nOsh,1,surprise\nTokmok,2,\n")
    assert [number for number, _ in table.shape_errors] == [2]


def test_short_csv_row_is_a_row_error():
    table = read(b"name,count\nOsh\n")
    assert table.shape_errors and "1 values" in table.shape_errors[0][1]


def test_xlsx_reads_the_first_sheet_not_the_active_one():
    data = workbook_bytes([["name", "count"], ["Osh", 1]], [["other"], ["x"]])
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    workbook.active = 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    table = read(buffer.getvalue(), "file.xlsx")
    assert table.rows[0].values == {"name": "Osh", "count": "1"}


def test_xlsx_short_rows_are_padded_not_errors():
    table = read(workbook_bytes([["name", "count"], ["Osh"]]), "file.xlsx")
    assert table.rows[0].values == {"name": "Osh", "count": ""}
    assert not table.shape_errors


def test_legacy_xls_is_refused_with_a_hint():
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600
    assert ".xls" in refusal(data, "file.xlsx")


def test_another_zip_named_xlsx_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    assert "not an Excel workbook" in refusal(buffer.getvalue(), "file.xlsx")


def test_corrupted_xlsx_member_is_refused():
    data = bytearray(workbook_bytes([["name", "count"], ["Osh", 1]]))
    middle = len(data) // 3
    data[middle : middle + 40] = b"\x00" * 40
    message = refusal(bytes(data), "file.xlsx")
    assert "damaged" in message or "could not be read" in message


def test_zip_bomb_is_refused_before_unpacking(settings):
    settings.IMPORT_MAX_BYTES = 10_000
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * 2_000_000)
    assert len(buffer.getvalue()) < 10_000
    assert "unpacks to far more" in refusal(buffer.getvalue(), "file.xlsx")


@pytest.mark.parametrize(
    "value, text",
    [
        (None, ""),
        (425107, "425107"),
        (425107.0, "425107"),
        (12.5, "12.5"),
        (dt.datetime(2021, 6, 20), "2021-06-20"),
        (dt.date(2021, 6, 9), "2021-06-09"),
        ("  Osh TEC ", "Osh TEC"),
    ],
)
def test_cell_text(value, text):
    assert cell_text(value) == text


# --- stash --------------------------------------------------------------------------------


def stash(data: bytes = b"name,count\n", user_id: int = 1):
    import hashlib

    return stash_upload(
        upload=SimpleUploadedFile("list.csv", data),
        user_id=user_id,
        kind="voter_snapshots",
        election_id=7,
        sha256=hashlib.sha256(data).hexdigest(),
    )


def test_stashed_upload_round_trips_for_its_owner():
    kept = stash(b"name,count\nOsh,1\n")
    upload, name = open_stashed_upload(kept.token, user_id=1, kind="voter_snapshots", election_id=7)
    assert upload.read() == b"name,count\nOsh,1\n" and upload.name == "list.csv"
    assert name == kept.name and default_storage.exists(name)


@pytest.mark.parametrize(
    "user_id, kind, election_id",
    [(2, "voter_snapshots", 7), (1, "candidates", 7), (1, "voter_snapshots", 8)],
)
def test_stash_is_bound_to_user_kind_and_election(user_id, kind, election_id):
    kept = stash()
    with pytest.raises(ValidationError):
        open_stashed_upload(kept.token, user_id=user_id, kind=kind, election_id=election_id)


def test_forged_token_is_refused():
    forged = signing.dumps({"name": "../../etc/passwd", "user": 1}, salt="something-else")
    with pytest.raises(ValidationError):
        open_stashed_upload(forged, user_id=1, kind="voter_snapshots", election_id=7)


def test_a_stashed_file_changed_on_disk_is_refused():
    kept = stash(b"name,count\nOsh,1\n")
    default_storage.delete(kept.name)
    default_storage.save(kept.name, io.BytesIO(b"name,count\nOsh,999\n"))
    with pytest.raises(ValidationError):
        open_stashed_upload(kept.token, user_id=1, kind="voter_snapshots", election_id=7)


def test_expired_token_is_refused(monkeypatch):
    kept = stash()
    monkeypatch.setattr("observation.kernel.tabular.STASH_MAX_AGE", -1)
    with pytest.raises(ValidationError):
        open_stashed_upload(kept.token, user_id=1, kind="voter_snapshots", election_id=7)


def test_token_names_only_a_signed_storage_path():
    kept = stash()
    data = signing.loads(kept.token, salt=STASH_SALT)
    assert data["name"].startswith("imports/") and data["name"] == kept.name


# --- declared size checked before any cell is read (issue 12, item 11) ---------------------------


def _sheet_with_a_far_cell(rows: int = 740) -> bytes:
    """About 0.55 MB: a header, ``rows`` rows of incompressible text, and one cell at
    XFD1048576, so the sheet declares a range of 1,048,576 rows by 16,384 columns."""
    import random
    import string

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["name", "count"])
    rnd = random.Random(12)
    for number in range(2, rows + 2):
        sheet.cell(number, 1, "".join(rnd.choices(string.ascii_letters, k=1000)))
    sheet.cell(1_048_576, 16_384, "x")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _with_dimension(data: bytes, ref: str) -> bytes:
    """The same workbook with the sheet's declared range replaced (a lying header)."""
    import re

    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for member in source.infolist():
            content = source.read(member.filename)
            if member.filename == "xl/worksheets/sheet1.xml":
                content = re.sub(
                    rb'<dimension ref="[^"]+"', f'<dimension ref="{ref}"'.encode(), content
                )
            archive.writestr(member.filename, content)
    return buffer.getvalue()


def test_a_sheet_declaring_a_huge_range_is_refused_before_its_cells_are_read():
    import time

    data = _sheet_with_a_far_cell()
    assert 450_000 < len(data) < 700_000
    started = time.monotonic()
    message = refusal(data, "huge.xlsx")
    elapsed = time.monotonic() - started
    assert "declares 1048576 rows" in message
    assert elapsed < 1.0, elapsed


def test_too_many_declared_columns_are_refused(settings):
    workbook = openpyxl.Workbook()
    workbook.active.append(["name", "count"])
    workbook.active.cell(2, 500, "x")
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert "declares 500 columns" in refusal(buffer.getvalue(), "wide.xlsx")


def test_a_lying_declared_range_still_reads_only_a_bounded_sheet(settings):
    """The declared range says A1:B741 but a cell sits at XFD1048576: the reading stops at
    the row limit and the widest import, quickly, and keeps the real rows."""
    import time

    data = _with_dimension(_sheet_with_a_far_cell(), "A1:B741")
    started = time.monotonic()
    table = read(data, "lying.xlsx")
    assert time.monotonic() - started < 2.0
    assert len(table.rows) == 740


def test_a_csv_with_far_too_many_lines_is_refused_before_parsing(settings):
    settings.IMPORT_MAX_ROWS = 10
    assert "more than 10 rows" in refusal(b"name,count\n" + b"\n" * 30)
    assert len(read(b"name,count\n" + b"Osh,1\n" * 10).rows) == 10
