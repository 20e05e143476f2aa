"""Issue 10 point 11: analysts set up the commission structure (commissions and their
PEC lists, with a CSV/XLSX import), while members, meetings, decisions and complaints stay
with head office and legal (docs/roles.md, docs/commissions.md)."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from commissions.imports import pec_import
from commissions.models import Commission
from observation.kernel.models import AuditEntry
from observation.kernel.roles import Role
from tests.factories import make_user

pytestmark = pytest.mark.django_db
STRUCTURE_EDITORS = {Role.ANALYST, Role.ADMIN}


def csv_file(text: str, name: str = "pecs.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def xlsx_file(rows) -> SimpleUploadedFile:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("pecs.xlsx", out.getvalue())


@pytest.mark.parametrize("role", list(Role))
def test_only_analysts_and_admins_open_the_structure_pages(client, tec, role):
    client.force_login(make_user(role))
    expected = 200 if role in STRUCTURE_EDITORS else 403
    for url in (
        "/commissions/add/",
        f"/commissions/add/?parent={tec.pk}",
        f"/commissions/{tec.pk}/edit/",
        f"/commissions/pecs/import/?election={tec.election_id}",
    ):
        assert client.get(url).status_code == expected, url


def test_an_analyst_adds_a_pec_under_a_tec_and_edits_it(client, tec):
    client.force_login(make_user(Role.ANALYST))
    form = client.get(f"/commissions/add/?parent={tec.pk}").content.decode()
    assert 'value="PEC" selected' in form or 'value="PEC" checked' in form
    response = client.post(
        "/commissions/add/",
        {
            "election": tec.election_id,
            "level": "PEC",
            "name": "PEC No. 1001",
            "parent": tec.pk,
            "district": tec.district_id,
            "note": "",
        },
    )
    pec = Commission.objects.get(name="PEC No. 1001")
    assert response.status_code == 302 and pec.parent == tec and pec.level == "PEC"
    assert AuditEntry.objects.filter(action="commission.create", object_id=str(pec.pk)).exists()
    response = client.post(
        f"/commissions/{pec.pk}/edit/",
        {"name": "PEC No. 1001 (re-formed)", "parent": tec.pk, "district": tec.district_id},
    )
    pec.refresh_from_db()
    assert response.status_code == 302 and pec.name == "PEC No. 1001 (re-formed)"


def test_a_bad_commission_is_refused_on_its_field(client, tec):
    client.force_login(make_user(Role.ANALYST))
    response = client.post(
        "/commissions/add/",
        {"election": tec.election_id, "level": "PEC", "name": "Orphan", "district": ""},
    )
    assert response.status_code == 400
    assert not Commission.objects.filter(name="Orphan").exists()


def test_head_office_keeps_the_activity_but_not_the_structure(client, tec):
    client.force_login(make_user(Role.HEAD_OFFICE))
    html = client.get(f"/commissions/{tec.pk}/").content.decode()
    assert "Add a member" in html and "Edit this commission" not in html
    client.force_login(make_user(Role.ANALYST))
    html = client.get(f"/commissions/{tec.pk}/").content.decode()
    assert "Add a member" not in html and "Edit this commission" in html and "Add a PEC" in html
    assert client.get(f"/commissions/{tec.pk}/members/add/").status_code == 403


def test_the_pec_import_previews_commits_all_or_nothing_and_is_idempotent(tec):
    analyst = make_user(Role.ANALYST)
    code = tec.district.code
    text = f"tec,name,note\n{code},PEC 1,\n{tec.name},PEC 2,Re-formed\n"
    preview = pec_import(actor=analyst, file=csv_file(text), election=tec.election, commit=False)
    assert preview.is_valid and preview.counts["create"] == 2
    assert not Commission.objects.filter(level="PEC").exists()  # a preview writes nothing
    done = pec_import(actor=analyst, file=csv_file(text), election=tec.election, commit=True)
    assert done.committed
    pecs = Commission.objects.filter(level="PEC", parent=tec)
    assert {p.name for p in pecs} == {"PEC 1", "PEC 2"}
    assert all(p.district_id == tec.district_id for p in pecs)
    audit = AuditEntry.objects.count()
    again = pec_import(actor=analyst, file=csv_file(text), election=tec.election, commit=True)
    assert again.counts == {"create": 0, "update": 0, "unchanged": 2} or (
        again.counts["unchanged"] == 2 and again.counts["create"] == 0
    )
    assert AuditEntry.objects.count() == audit
    # an xlsx with one bad row writes nothing at all
    bad = xlsx_file([["tec", "name", "note"], [code, "PEC 3", ""], ["NOPE", "PEC 4", ""]])
    report = pec_import(actor=analyst, file=bad, election=tec.election, commit=True)
    assert not report.committed and report.errors
    assert "NOPE" in str([e.as_dict() for e in report.errors])
    assert not Commission.objects.filter(name__in=["PEC 3", "PEC 4"]).exists()


def test_a_name_used_by_another_tecs_pec_is_an_error(tec):
    from tests.commissions.builders import make_tec

    analyst = make_user(Role.ANALYST)
    other = make_tec(tec.parent)
    pec_import(
        actor=analyst,
        file=csv_file(f"tec,name,note\n{other.name},PEC 9,\n"),
        election=tec.election,
        commit=True,
    )
    report = pec_import(
        actor=analyst,
        file=csv_file(f"tec,name,note\n{tec.name},PEC 9,\n"),
        election=tec.election,
        commit=True,
    )
    assert not report.committed and report.errors
    assert Commission.objects.get(name="PEC 9").parent == other


def test_the_import_page_previews_then_commits(client, tec):
    client.force_login(make_user(Role.ANALYST))
    text = f"tec,name,note\n{tec.district.code},PEC 7,\n"
    response = client.post(
        "/commissions/pecs/import/", {"election": tec.election_id, "file": csv_file(text)}
    )
    html = response.content.decode()
    assert response.status_code == 200 and "PEC 7" in html
    assert not Commission.objects.filter(name="PEC 7").exists()
    token = html.split('name="token" value="')[1].split('"')[0]
    response = client.post(
        "/commissions/pecs/import/", {"election": tec.election_id, "token": token}
    )
    assert response.status_code == 302
    assert Commission.objects.get(name="PEC 7").parent == tec
