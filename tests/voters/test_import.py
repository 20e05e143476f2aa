"""voter_snapshot_import: good files, bad rows, bad files, preview, re-import."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from observation.models import AuditEntry
from tests.voters.conftest import csv_bytes, seed_rows, seed_xlsx_rows, upload, xlsx_bytes
from voters.models import VoterListSnapshot
from voters.queries import registration_table
from voters.services import IMPORT_COLUMNS, voter_snapshot_import


def run(election, data: bytes, name: str = "voters.csv", commit: bool = True, actor=None):
    return voter_snapshot_import(
        actor=actor, file=upload(data, name), election=election, commit=commit
    )


def stored() -> list[tuple]:
    return list(
        VoterListSnapshot.objects.order_by("pk").values_list(
            "commission__name", "stage", "as_of", "total", "male", "female", "age_70_plus"
        )
    )


@pytest.mark.django_db
def test_good_csv_creates_every_snapshot_and_audits(tecs, analyst):
    election = tecs["Osh TEC"].election
    report = run(election, csv_bytes(seed_rows()), actor=analyst)
    assert report.committed and report.is_valid
    assert report.counts == {"create": 6, "update": 0, "unchanged": 0, "errors": 0}
    assert VoterListSnapshot.objects.count() == 6
    assert [r.change for r in registration_table(election).rows] == [260, 80, -30]
    assert AuditEntry.objects.filter(action="voter_snapshot.create", actor=analyst).count() == 6
    summary = AuditEntry.objects.get(action="voter_snapshot.import")
    assert summary.data["counts"]["create"] == 6 and summary.data["sha256"] == report.sha256


@pytest.mark.django_db
def test_good_xlsx_with_typed_cells_imports_the_same(tecs):
    election = tecs["Osh TEC"].election
    report = run(election, xlsx_bytes(seed_xlsx_rows()), name="voters.xlsx")
    assert report.committed, report.errors
    assert report.counts["create"] == 6
    bishkek = VoterListSnapshot.objects.get(commission=tecs["Bishkek TEC"], stage="control")
    assert (bishkek.total, bishkek.male, bishkek.age_70_plus) == (425_107, 179_270, 30_061)
    assert str(bishkek.as_of) == "2021-06-20"


@pytest.mark.django_db
def test_csv_and_xlsx_of_the_same_rows_give_the_same_data(tecs):
    election = tecs["Osh TEC"].election
    run(election, csv_bytes(seed_rows()))
    from_csv = stored()
    report = run(election, xlsx_bytes(seed_xlsx_rows()), name="voters.xlsx")
    assert report.counts["unchanged"] == 6
    assert stored() == from_csv


@pytest.mark.django_db
def test_preview_reports_what_would_happen_and_writes_nothing(tecs):
    report = run(tecs["Osh TEC"].election, csv_bytes(seed_rows()), commit=False)
    assert not report.committed and report.counts["create"] == 6
    assert report.rows[0].row == 2 and report.rows[0].label == "Bishkek TEC — Preliminary list"
    assert not VoterListSnapshot.objects.exists() and not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_reimporting_the_same_file_changes_nothing(tecs):
    election = tecs["Osh TEC"].election
    data = csv_bytes(seed_rows())
    run(election, data)
    before, audit_before = stored(), AuditEntry.objects.count()
    report = run(election, data)
    assert report.committed
    assert report.counts == {"create": 0, "update": 0, "unchanged": 6, "errors": 0}
    assert stored() == before and AuditEntry.objects.count() == audit_before


@pytest.mark.django_db
def test_a_changed_row_is_an_update_with_old_and_new_values(tecs):
    election = tecs["Osh TEC"].election
    run(election, csv_bytes(seed_rows()))
    rows = seed_rows()
    rows[0][3] = "424848"  # Bishkek preliminary
    report = run(election, csv_bytes(rows), commit=False)
    assert report.counts == {"create": 0, "update": 1, "unchanged": 5, "errors": 0}
    assert report.rows[0].changes == {"total": [424_847, 424_848]}
    run(election, csv_bytes(rows))
    assert (
        VoterListSnapshot.objects.get(commission=tecs["Bishkek TEC"], stage="preliminary").total
        == 424_848
    )
    entry = AuditEntry.objects.get(action="voter_snapshot.update")
    assert entry.data["changes"] == {"total": [424_847, 424_848]}


@pytest.mark.django_db
def test_empty_breakdown_cells_replace_a_stored_breakdown(tecs):
    election = tecs["Osh TEC"].election
    run(election, csv_bytes(seed_rows()))
    rows = seed_rows()
    rows[1][4:] = [""] * 8  # Bishkek control: total only
    report = run(election, csv_bytes(rows))
    assert report.counts["update"] == 1
    bishkek = VoterListSnapshot.objects.get(commission=tecs["Bishkek TEC"], stage="control")
    assert bishkek.male is None and bishkek.age_18_29 is None


BAD_ROWS = [
    ["Bishkek TEC", "control", "2021-06-20", "425107", "179270", "245836", "", "", "", "", "", ""],
    ["Nowhere TEC", "control", "2021-06-20", "10", "", "", "", "", "", "", "", ""],
    ["Osh TEC", "draft", "20.06.2021", "ten", "", "", "", "", "", "", "", ""],
    ["CEC 0", "control", "2021-06-20", "10", "", "", "", "", "", "", "", ""],
    ["Osh TEC", "control", "2021-06-20", "10", "4", "", "1", "1", "1", "1", "1", ""],
    ["Tokmok TEC", "preliminary", "2021-06-09", "37164", "", "", "", "", "", "", "", ""],
    ["tokmok tec", "Preliminary", "2021-06-09", "37164", "", "", "", "", "", "", "", ""],
]


@pytest.mark.django_db
def test_row_errors_are_reported_by_row_and_column_and_nothing_is_written(tecs, cec):
    rows = [list(r) for r in BAD_ROWS]
    rows[3][0] = cec.name
    report = run(tecs["Osh TEC"].election, csv_bytes(rows), commit=True)
    assert not report.committed and not report.is_valid
    found = {(e.row, e.column) for e in report.errors}
    assert found == {
        (2, "total"),  # 179270 + 245836 ≠ 425107
        (3, "commission"),  # unknown
        (4, "stage"),
        (4, "as_of"),
        (4, "total"),
        (5, "commission"),  # the CEC
        (6, "female"),  # male without female
        (6, "age_70_plus"),  # five brackets of six
        (8, "stage"),  # same commission and stage as row 7, spelt differently
    }
    messages = {(e.row, e.column): e.message for e in report.errors}
    assert "not a whole number" in messages[(4, "total")]
    assert "Row 7" in messages[(8, "stage")]
    assert not VoterListSnapshot.objects.exists() and not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_one_bad_row_among_good_ones_blocks_the_whole_import(tecs):
    rows = seed_rows()
    rows[5][3] = "-5"
    report = run(tecs["Osh TEC"].election, csv_bytes(rows))
    assert [(e.row, e.column) for e in report.errors] == [(7, "total")]
    assert not VoterListSnapshot.objects.exists()


@pytest.mark.django_db
def test_row_numbers_follow_the_file_across_blank_lines(tecs):
    data = csv_bytes([seed_rows()[0], [""] * 12, ["Osh TEC", "control", "x"] + [""] * 9])
    report = run(tecs["Osh TEC"].election, data, commit=False)
    assert {(e.row, e.column) for e in report.errors} == {(4, "as_of"), (4, "total")}


@pytest.mark.django_db
def test_a_file_cut_in_the_middle_of_a_row_changes_nothing(tecs):
    data = csv_bytes(seed_rows())
    cut = data[: data.index(b"Tokmok TEC,control") + 30]
    report = run(tecs["Osh TEC"].election, cut)
    assert [(e.row, e.column) for e in report.errors] == [(7, "")]
    assert "header has 12 columns" in report.errors[0].message
    assert not VoterListSnapshot.objects.exists()


def file_error(election, data: bytes, name: str = "voters.csv") -> str:
    with pytest.raises(ValidationError) as caught:
        run(election, data, name)
    assert list(caught.value.message_dict) == ["file"]
    return " ".join(caught.value.message_dict["file"])


@pytest.mark.django_db
def test_wrong_encoding_is_refused_with_a_hint(tecs):
    data = csv_bytes([["Бишкек ТИК", "control", "2021-06-20", "1"] + [""] * 8])
    message = file_error(tecs["Osh TEC"].election, data.decode().encode("cp1251"))
    assert "UTF-8" in message and "line 2" in message
    assert not VoterListSnapshot.objects.exists()


@pytest.mark.django_db
def test_truncated_xlsx_is_refused(tecs):
    data = xlsx_bytes(seed_xlsx_rows())
    message = file_error(tecs["Osh TEC"].election, data[: len(data) // 2], "voters.xlsx")
    assert "damaged or incomplete" in message


@pytest.mark.django_db
def test_a_non_spreadsheet_renamed_xlsx_is_refused(tecs):
    message = file_error(tecs["Osh TEC"].election, b"%PDF-1.7\n...", "voters.xlsx")
    assert "not an Excel workbook" in message


@pytest.mark.django_db
def test_missing_header_is_refused_listing_the_columns(tecs):
    data = csv_bytes(seed_rows())
    headless = data.split(b"\r\n", 1)[1]
    message = file_error(tecs["Osh TEC"].election, headless)
    assert "Missing columns: commission, stage" in message
    assert "Row 1 must be the header" in message


@pytest.mark.django_db
def test_oversize_file_is_refused(tecs, settings):
    settings.IMPORT_MAX_BYTES = 200
    message = file_error(tecs["Osh TEC"].election, csv_bytes(seed_rows()))
    assert "larger than" in message


@pytest.mark.django_db
def test_too_many_rows_are_refused(tecs, settings):
    settings.IMPORT_MAX_ROWS = 5
    message = file_error(tecs["Osh TEC"].election, csv_bytes(seed_rows()))
    assert "more than 5 rows" in message


@pytest.mark.django_db
def test_excel_style_csv_with_bom_and_semicolons_is_read(tecs):
    text = csv_bytes(seed_rows()).decode().replace(",", ";")
    report = run(tecs["Osh TEC"].election, "\ufeff".encode() + text.encode())
    assert report.committed and report.counts["create"] == 6


@pytest.mark.django_db
def test_header_is_matched_regardless_of_case_and_order(tecs):
    header = [c.upper() for c in reversed(IMPORT_COLUMNS)]
    rows = [list(reversed(r)) for r in seed_rows()]
    report = run(tecs["Osh TEC"].election, csv_bytes(rows, header=header))
    assert report.committed and report.counts["create"] == 6


@pytest.mark.django_db
def test_commissions_of_another_election_are_not_found(tecs):
    from tests.factories import make_election

    report = run(make_election(), csv_bytes(seed_rows()))
    assert {e.column for e in report.errors} == {"commission"}
    assert len(report.errors) == 6
