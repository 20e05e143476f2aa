"""candidate_import and its API and page: upsert by (party list, position)."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from observation.imports import IMPORT_COLUMNS, candidate_import
from observation.kernel.roles import Role
from observation.models import AuditEntry, Candidate
from tests.factories import (
    make_candidate,
    make_district,
    make_election,
    make_party,
    make_party_list,
    make_user,
)


@pytest.fixture
def election():
    return make_election()


@pytest.fixture
def lists(election):
    bishkek = make_district(election, name="Bishkek", code="BSK")
    osh = make_district(election, name="Osh", code="OSH")
    emgek = make_party(name="Emgek")
    yntymak = make_party(name="Yntymak")
    make_party(name="Nur")  # registered, but with no list anywhere
    return {
        ("BSK", "Emgek"): make_party_list(emgek, bishkek, nominated_count=70),
        ("BSK", "Yntymak"): make_party_list(yntymak, bishkek, nominated_count=50),
        ("OSH", "Yntymak"): make_party_list(yntymak, osh, nominated_count=45),
    }


GOOD = [
    ["BSK", "Emgek", "1", "Aida Asanova", "F", "registered", ""],
    ["BSK", "Emgek", "2", "Bakyt Bekov", "M", "denied", "Incomplete documents"],
    ["Bishkek", "Yntymak", "1", "Cholpon Dzhaparova", "F", "", ""],
    ["osh", "yntymak", "1", "Daniyar Erkinov", "m", "withdrawn", ""],
]


def csv_file(rows, header=IMPORT_COLUMNS, name="candidates.csv") -> SimpleUploadedFile:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode())


def xlsx_file(rows, header=IMPORT_COLUMNS) -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    workbook.active.append(list(header))
    for row in rows:
        workbook.active.append([int(c) if c.isdigit() else (c or None) for c in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("candidates.xlsx", buffer.getvalue())


def stored():
    return list(
        Candidate.objects.order_by("party_list_id", "position").values_list(
            "party_list__party__name", "party_list__district__code", "position", "full_name",
            "gender", "status", "denial_reason",
        )
    )  # fmt: skip


@pytest.mark.django_db
def test_good_csv_creates_the_candidates_and_audits(election, lists):
    actor = make_user(Role.ANALYST)
    report = candidate_import(actor=actor, file=csv_file(GOOD), election=election, commit=True)
    assert report.committed, report.errors
    assert report.counts == {"create": 4, "update": 0, "unchanged": 0, "errors": 0}
    assert stored() == [
        ("Emgek", "BSK", 1, "Aida Asanova", "F", "registered", ""),
        ("Emgek", "BSK", 2, "Bakyt Bekov", "M", "denied", "Incomplete documents"),
        ("Yntymak", "BSK", 1, "Cholpon Dzhaparova", "F", "registered", ""),
        ("Yntymak", "OSH", 1, "Daniyar Erkinov", "M", "withdrawn", ""),
    ]
    assert AuditEntry.objects.filter(action="candidate.create", actor=actor).count() == 4
    assert AuditEntry.objects.filter(action="candidate.import").count() == 1


@pytest.mark.django_db
def test_good_xlsx_creates_the_same(election, lists):
    report = candidate_import(actor=None, file=xlsx_file(GOOD), election=election, commit=True)
    assert report.committed, report.errors
    assert len(stored()) == 4 and stored()[0][2] == 1


@pytest.mark.django_db
def test_report_counts_per_list_and_leaves_nominated_count_alone(election, lists):
    report = candidate_import(actor=None, file=csv_file(GOOD), election=election, commit=True)
    emgek = next(item for item in report.summary if item["party"] == "Emgek")
    assert emgek == {
        "party_list": lists[("BSK", "Emgek")].pk,
        "district": "Bishkek",
        "party": "Emgek",
        "nominated_count": 70,
        "rows": 2,
        "registered": 1,
        "denied": 1,
        "withdrawn": 0,
        "male": 1,
        "female": 1,
    }
    lists[("BSK", "Emgek")].refresh_from_db()
    assert lists[("BSK", "Emgek")].nominated_count == 70


@pytest.mark.django_db
def test_party_without_a_list_in_the_district_is_a_row_error(election, lists):
    rows = [*GOOD, ["OSH", "Emgek", "1", "Elmira Fedorova", "F", "registered", ""]]
    report = candidate_import(actor=None, file=csv_file(rows), election=election, commit=True)
    assert [(e.row, e.column) for e in report.errors] == [(6, "party")]
    assert "Emgek has no list in Osh" in report.errors[0].message
    assert not Candidate.objects.exists() and not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_each_bad_cell_is_reported_on_its_column(election, lists):
    rows = [
        ["XXX", "Emgek", "1", "A", "F", "registered", ""],
        ["BSK", "Unknown party", "1", "B", "F", "registered", ""],
        ["BSK", "Emgek", "0", "C", "X", "elected", ""],
        ["BSK", "Emgek", "3", "", "F", "registered", ""],
        ["BSK", "Emgek", "4", "D", "F", "registered", "a reason"],
        ["BSK", "Emgek", "5", "E", "F", "registered", ""],
        ["BSK", "Emgek", "5", "F", "F", "registered", ""],
        ["BSK", "Emgek", "6", "G", "F", "denied", ""],
    ]
    report = candidate_import(actor=None, file=csv_file(rows), election=election, commit=False)
    assert {(e.row, e.column) for e in report.errors} == {
        (2, "district"),
        (3, "party"),
        (4, "position"),
        (4, "gender"),
        (4, "status"),
        (5, "full_name"),
        (6, "denial_reason"),  # a reason without a denial
        (8, "position"),  # position 5 twice
        (9, "denial_reason"),  # denied without a reason
    }


@pytest.mark.django_db
def test_reimport_changes_nothing(election, lists):
    candidate_import(actor=None, file=csv_file(GOOD), election=election, commit=True)
    before, audit_before = stored(), AuditEntry.objects.count()
    report = candidate_import(actor=None, file=csv_file(GOOD), election=election, commit=True)
    assert report.counts == {"create": 0, "update": 0, "unchanged": 4, "errors": 0}
    assert stored() == before and AuditEntry.objects.count() == audit_before


@pytest.mark.django_db
def test_a_changed_row_updates_the_candidate_at_that_position(election, lists):
    candidate_import(actor=None, file=csv_file(GOOD), election=election, commit=True)
    rows = [list(r) for r in GOOD]
    rows[0][5:] = ["denied", "Forged signatures"]
    report = candidate_import(actor=None, file=csv_file(rows), election=election, commit=True)
    assert report.counts["update"] == 1
    assert report.rows[0].changes == {
        "status": ["registered", "denied"],
        "denial_reason": ["", "Forged signatures"],
    }
    assert Candidate.objects.get(full_name="Aida Asanova").status == "denied"


@pytest.mark.django_db
def test_candidates_missing_from_the_file_are_kept(election, lists):
    kept = make_candidate(lists[("BSK", "Emgek")], position=9, full_name="Kept Candidate")
    candidate_import(actor=None, file=csv_file(GOOD), election=election, commit=True)
    assert Candidate.objects.filter(pk=kept.pk).exists()


@pytest.mark.django_db
def test_a_demo_candidate_replaced_by_a_file_row_is_no_longer_demo(election, lists):
    make_candidate(lists[("BSK", "Emgek")], position=1, full_name="Demo Name", is_demo=True)
    candidate_import(actor=None, file=csv_file(GOOD), election=election, commit=True)
    candidate = Candidate.objects.get(party_list=lists[("BSK", "Emgek")], position=1)
    assert candidate.full_name == "Aida Asanova" and not candidate.is_demo


@pytest.mark.django_db
def test_lists_of_another_election_are_not_used(election, lists):
    report = candidate_import(
        actor=None, file=csv_file(GOOD), election=make_election(), commit=True
    )
    assert {e.column for e in report.errors} == {"district"}


@pytest.mark.django_db
def test_unreadable_file_is_refused_on_the_file_field(election, lists):
    bad = SimpleUploadedFile("candidates.csv", "district,party\nБишкек,x\n".encode("cp1251"))
    with pytest.raises(ValidationError) as caught:
        candidate_import(actor=None, file=bad, election=election, commit=True)
    assert "file" in caught.value.message_dict


# --- API -----------------------------------------------------------------------------------


def post(user, election, file, commit):
    client = APIClient()
    client.force_authenticate(user)
    return client.post(
        "/api/v1/candidates/import/",
        {"file": file, "election": election.pk, "commit": "true" if commit else "false"},
        format="multipart",
    )


@pytest.mark.django_db
def test_api_preview_writes_nothing_then_commit_imports(election, lists):
    analyst = make_user(Role.ANALYST)
    preview = post(analyst, election, csv_file(GOOD), commit=False)
    assert preview.status_code == 200
    assert preview.json()["committed"] is False and preview.json()["counts"]["create"] == 4
    assert not Candidate.objects.exists()
    done = post(analyst, election, csv_file(GOOD), commit=True)
    assert done.status_code == 200 and done.json()["committed"] is True
    assert Candidate.objects.count() == 4


@pytest.mark.django_db
def test_api_answers_400_with_the_row_errors(election, lists):
    rows = [*GOOD, ["OSH", "Emgek", "1", "X", "F", "registered", ""]]
    response = post(make_user(Role.ADMIN), election, csv_file(rows), commit=True)
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"row": 6, "column": "party", "message": "Emgek has no list in Osh; add the list "
         "before its candidates."}
    ]  # fmt: skip
    assert not Candidate.objects.exists()


@pytest.mark.django_db
def test_api_answers_400_for_an_unreadable_file(election, lists):
    response = post(make_user(Role.ANALYST), election, SimpleUploadedFile("c.xlsx", b"no"), True)
    assert response.status_code == 400 and "file" in response.json()


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.LTO, Role.COORDINATOR, Role.HEAD_OFFICE, Role.LEGAL])
def test_api_import_is_refused_to_roles_that_only_read(election, lists, role):
    response = post(make_user(role), election, csv_file(GOOD), commit=True)
    assert response.status_code == 403
    assert not Candidate.objects.exists()


# --- page ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_page_previews_then_imports_the_kept_file(client, election, lists):
    client.force_login(make_user(Role.ANALYST))
    preview = client.post("/candidates/import/", {"election": election.pk, "file": csv_file(GOOD)})
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "Import these rows" in html and "Nominated (entered)" in html
    assert not Candidate.objects.exists()
    token = preview.context["confirm"].initial["token"]
    done = client.post("/candidates/import/", {"election": election.pk, "token": token})
    assert done.status_code == 302
    assert Candidate.objects.count() == 4


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.LTO, Role.COORDINATOR, Role.HEAD_OFFICE, Role.LEGAL])
def test_page_is_refused_to_roles_that_only_read(client, role):
    client.force_login(make_user(role))
    assert client.get("/candidates/import/").status_code == 403


@pytest.mark.django_db
def test_rows_the_database_refuses_block_the_commit_and_are_named(election, lists):
    rows = [*GOOD, ["BSK", "Yntymak", "2", "Gulnara Isaeva", "F", "denied", ""]]
    report = candidate_import(actor=None, file=csv_file(rows), election=election, commit=True)
    assert not report.committed
    assert [(e.row, e.column) for e in report.errors] == [(6, "denial_reason")]
    assert [outcome.row for outcome in report.rows] == [2, 3, 4, 5]
    assert not Candidate.objects.exists() and not AuditEntry.objects.exists()
