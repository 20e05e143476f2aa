"""The audit trail (issue 12, items 14-15): head office and administrators read and filter
it in the app, at a fixed number of queries; on PostgreSQL the database itself refuses to
change or delete an entry."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.utils import timezone

from observation.kernel.audit import audit_log
from observation.kernel.roles import Role
from observation.models import AuditEntry
from tests.factories import make_district, make_user

pytestmark = pytest.mark.django_db


def _entries(n: int, actor, target) -> None:
    for i in range(n):
        audit_log(actor=actor, action="district.update", target=target, data={"n": i})


@pytest.mark.parametrize("role", [Role.HEAD_OFFICE, Role.ADMIN])
def test_head_office_and_admins_read_the_trail(client, role):
    reader = make_user(role, "reader")
    district = make_district(name="Osh", code="OSH")
    audit_log(actor=reader, action="district.update", target=district, data={"name": ["a", "b"]})
    client.force_login(reader)
    page = client.get("/audit/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "district.update" in text and "reader" in text and "Osh" in text
    assert "Audit trail" in text  # in the navigation too


@pytest.mark.parametrize("role", [Role.LTO, Role.COORDINATOR, Role.LEGAL, Role.ANALYST])
def test_other_roles_may_not(client, role):
    client.force_login(make_user(role))
    assert client.get("/audit/").status_code == 403


def test_filters_by_who_what_which_object_and_when(client):
    boss = make_user(Role.HEAD_OFFICE, "boss")
    other = make_user(Role.ANALYST, "analyst")
    osh, naryn = make_district(name="Osh", code="OSH"), make_district(name="Naryn", code="NRN")
    audit_log(actor=boss, action="district.update", target=osh)
    audit_log(actor=other, action="district.update", target=naryn)
    audit_log(actor=None, action="login.failed", target=other, data={"username": "analyst"})
    audit_log(actor=None, action="login.locked_out", target=other)
    client.force_login(boss)

    def shown(**query) -> list[tuple[str, str]]:
        page = client.get("/audit/", query).context["page"]
        return [(e.action, e.object_repr) for e in page]

    assert shown(actor="analyst") == [("district.update", str(naryn))]
    assert shown(action="login") == [
        ("login.locked_out", str(other)),
        ("login.failed", str(other)),
    ]
    assert shown(target="Osh") == [("district.update", str(osh))]
    assert shown(target=str(naryn.pk), action="district.update") == [
        ("district.update", str(naryn))
    ]
    today = timezone.localdate(AuditEntry.objects.first().at).isoformat()  # the site's day
    assert len(shown(since=today, until=today)) == 4
    assert shown(until="2000-01-01") == []
    bad = client.get("/audit/", {"since": "yesterday"})
    assert bad.status_code == 200 and bad.context["form"].errors


@pytest.mark.parametrize("size", [3, 120])
def test_the_page_costs_the_same_queries_however_long_the_trail(
    client, django_assert_num_queries, size
):
    boss = make_user(Role.HEAD_OFFICE, "boss")
    _entries(size, boss, make_district())
    client.force_login(boss)
    client.get("/audit/")  # warm the content-type cache
    # session, user with profile; the actions for the filter; count; the page of entries
    with django_assert_num_queries(5):
        page = client.get("/audit/?page=2" if size > 50 else "/audit/")
    assert page.status_code == 200
    assert len(page.context["page"].object_list) == min(size, 50)
    if size > 50:
        assert b'rel="prev"' in page.content


def test_on_sqlite_the_trail_has_no_trigger():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only; PostgreSQL is the test below")
    entry = audit_log(actor=None, action="district.update", target=make_district())
    AuditEntry.objects.filter(pk=entry.pk).update(action="changed")  # nothing refuses it
    assert AuditEntry.objects.get(pk=entry.pk).action == "changed"


@pytest.mark.postgres
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE observation_auditentry SET action = 'forged'",
        "DELETE FROM observation_auditentry",
        "TRUNCATE observation_auditentry CASCADE",
    ],
)
def test_postgres_refuses_update_delete_and_truncate_of_the_trail(statement):
    entry = audit_log(actor=None, action="district.update", target=make_district())
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL baikoo.allow_audit_truncate = 'off'")
        # The entry's deferred foreign-key checks would otherwise stop TRUNCATE first.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            cursor.execute(statement)
    entry.refresh_from_db()
    assert entry.action == "district.update"
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(action="forged")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.filter(pk=entry.pk, action="district.update").exists()
