"""Issue 10 point 10: head office works in bulk (assign, move to review, mark duplicates;
one service call per incident, each reported, version conflicts per incident) and exports
the filtered queue as CSV and XLSX without what the reader may not see."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from incidents.models import Incident
from incidents.services import lifecycle
from tests.incidents.conftest import file_incident
from tests.incidents.triage_support import S, incident_in

pytestmark = pytest.mark.django_db


def bulk(client, world, user, incidents, **data):
    client.force_login(world.user(user))
    payload = {"incident": [str(i.pk) for i in incidents], "back": "/triage/?status=submitted"}
    for i in incidents:
        payload[f"version-{i.pk}"] = str(i.version)
    payload.update(data)
    return client.post("/triage/bulk/", payload, follow=True)


def test_assign_many_at_once(world, client):
    a, b = incident_in(world, S.SUBMITTED), incident_in(world, S.SUBMITTED)
    legal = world.user("legal")
    response = bulk(client, world, "headoffice", [a, b], action="assign", assignee=legal.pk)
    assert response.redirect_chain[-1][0] == "/triage/?status=submitted"
    assert {i.assignee_id for i in Incident.objects.filter(pk__in=[a.pk, b.pk])} == {legal.pk}
    assert "Done for 2 incident(s)" in response.content.decode()


def test_move_to_review_reports_each_refusal_and_conflict(world, client):
    fresh = incident_in(world, S.SUBMITTED)
    stale = incident_in(world, S.SUBMITTED)
    verified = incident_in(world, S.VERIFIED)
    seen_version = stale.version
    lifecycle.incident_set_severity(
        actor=world.user("headoffice"), incident=stale, severity="serious"
    )  # someone else changed it after the page was loaded
    stale.version = seen_version
    response = bulk(client, world, "headoffice", [fresh, stale, verified], action="in_review")
    html = response.content.decode()
    assert Incident.objects.get(pk=fresh.pk).status == S.IN_REVIEW
    assert Incident.objects.get(pk=stale.pk).status == S.SUBMITTED
    assert Incident.objects.get(pk=verified.pk).status == S.VERIFIED
    assert f"{stale.ref}: Someone else changed" in html
    assert f"{verified.ref}: " in html and "Done for 1 incident(s)" in html


def test_mark_duplicates_of_one(world, client):
    original = incident_in(world, S.VERIFIED)
    a, b = incident_in(world, S.SUBMITTED), incident_in(world, S.SUBMITTED)
    bulk(client, world, "headoffice", [a, b], action="duplicate", original=original.ref)
    for i in (a, b):
        i.refresh_from_db()
        assert (i.status, i.duplicate_of_id) == (S.DUPLICATE, original.pk)
    response = bulk(client, world, "headoffice", [original], action="duplicate", original="")
    assert "Give the incident they repeat" in response.content.decode()


@pytest.mark.parametrize("user", ["legal", "analyst", "coordinator_bishkek", "lto_bishkek"])
def test_only_head_office_works_in_bulk(world, client, user):
    a = incident_in(world, S.SUBMITTED)
    client.force_login(world.user(user))
    response = client.post(
        "/triage/bulk/", {"incident": [str(a.pk)], "action": "in_review", "version-x": "1"}
    )
    assert response.status_code == 403
    assert Incident.objects.get(pk=a.pk).status == S.SUBMITTED


def rows_of_csv(response):
    text = b"".join(response.streaming_content if response.streaming else [response.content])
    return list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))


def rows_of_xlsx(response):
    book = load_workbook(io.BytesIO(response.content))
    return [[c.value or "" for c in row] for row in book.active.iter_rows()]


@pytest.fixture
def exported(world):
    inc = file_incident(
        world, witnesses="Aigul, +996 555 000 000", location='=HYPERLINK("http://x")'
    )
    other = file_incident(world, user="lto_osh")
    return inc, other


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_head_office_export_has_witnesses_and_observers(world, client, exported, fmt):
    inc, other = exported
    client.force_login(world.user("headoffice"))
    response = client.get(f"/triage/export.{fmt}", {"district": world.bishkek.pk})
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    rows = rows_of_csv(response) if fmt == "csv" else rows_of_xlsx(response)
    header, body = rows[0], rows[1:]
    assert "Witnesses" in header and "Reported by" in header
    assert [r[0] for r in body] == [inc.ref]  # the filter applies; Osh's is not there
    assert "Aigul, +996 555 000 000" in body[0]
    where = body[0][header.index("Where")]
    assert where.lstrip("'").startswith("=HYPERLINK")
    if fmt == "xlsx":
        book = load_workbook(io.BytesIO(response.content))
        cell = book.active.cell(row=2, column=header.index("Where") + 1)
        assert cell.data_type == "s"  # text, never a formula
    else:
        assert where.startswith("'=")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_analysts_export_has_neither_witnesses_nor_observers(world, client, exported, fmt):
    client.force_login(world.user("analyst"))
    response = client.get(f"/triage/export.{fmt}")
    rows = rows_of_csv(response) if fmt == "csv" else rows_of_xlsx(response)
    assert "Witnesses" not in rows[0] and "Reported by" not in rows[0]
    flat = str(rows)
    assert "Aigul" not in flat and "lto-bishkek" not in flat and len(rows) == 3


def test_a_coordinators_export_is_their_districts_without_witnesses(world, client, exported):
    inc, other = exported
    client.force_login(world.user("coordinator_bishkek"))
    assert client.get("/triage/export.csv").status_code == 403
    response = client.get("/districts/incidents/export.csv")
    rows = rows_of_csv(response)
    assert [r[0] for r in rows[1:]] == [inc.ref]
    assert "Witnesses" not in rows[0] and "Aigul" not in str(rows)


def test_the_queue_offers_bulk_and_export(world, client, exported):
    client.force_login(world.user("headoffice"))
    html = client.get("/triage/", {"kind": "vote_buying"}).content.decode()
    assert 'id="bulk-form"' in html and 'form="bulk-form"' in html
    assert 'href="/triage/export.csv?kind=vote_buying"' in html
    client.force_login(world.user("legal"))
    html = client.get("/triage/").content.decode()
    assert 'id="bulk-form"' not in html and "/triage/export.xlsx" in html
