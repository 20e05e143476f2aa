"""Statements the ORM builds once per process and PostgreSQL plans once per connection
(observation.kernel.statements; docs/benchmarks.md, filing): the answers are the ORM's,
and a shape is kept only when nothing but its slots changes its SQL."""

from __future__ import annotations

import itertools

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from observation.kernel.statements import NotCacheable, Slots, Statement, Template
from observation.models import District
from tests.factories import make_district, make_election

pytestmark = pytest.mark.django_db
_unique = itertools.count()


@pytest.fixture
def districts():
    election = make_election(name="Parliament 2021")
    return [make_district(election, name=name, code=code) for name, code in
            [("Bishkek", "BSK"), ("Osh", "OSH"), ("Naryn", "NRN")]]  # fmt: skip


def _by_code(slots: Slots):
    return (
        District.objects.filter(code=slots.text("code"), election__pk__gte=slots.int("floor"))
        .values("pk", "name", "election__name")
        .order_by()[:1]
    )


def test_a_values_template_answers_what_the_orm_answers(districts):
    template = Template.build(_by_code)
    for district in districts:
        values = {"code": district.code, "floor": 0}
        orm = District.objects.filter(code=district.code, election__pk__gte=0)
        assert template.first(values) == orm.values("pk", "name", "election__name").first()
    assert template.first({"code": "NONE", "floor": 0}) is None


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite converts dates: such shapes are not kept"
)
def test_a_model_template_reads_instances_with_their_related_objects(districts):
    template = Template.build(
        lambda slots: District.objects.select_related("election").filter(pk=slots.int("pk"))[:1]
    )
    for district in districts:
        found = template.first({"pk": district.pk})
        assert found == district and found.name == district.name
        assert found._state.fields_cache["election"].name == "Parliament 2021"
        assert not found._state.adding


def test_a_value_that_is_no_slot_cannot_change_the_sql(districts):
    counter = itertools.count()
    with pytest.raises(NotCacheable):
        Template.build(lambda slots: District.objects.filter(pk=next(counter)).values("pk"))


def test_a_slot_left_out_of_the_sql_is_refused(districts):
    # as when Django drops a filter whose value is out of the column's range
    def make(slots: Slots):
        slots.int("x")
        return District.objects.filter(pk=1).values("pk")

    with pytest.raises(NotCacheable):
        Template.build(make)


def test_a_guarded_value_reaching_the_sql_is_refused(districts):
    with pytest.raises(NotCacheable):
        Template.build(lambda slots: District.objects.filter(pk=slots.guard()).values("pk"))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements")
def test_a_statement_is_prepared_once_per_connection_then_executed():
    statement = Statement(f"SELECT %s::int + {next(_unique)}, '100%%'")
    with CaptureQueriesContext(connection) as queries:
        assert statement.execute([1])[1] == "100%"
        assert statement.execute([2])[0] == 2 + int(statement.sql.split("+ ")[1].split(",")[0])
    first, second = (query["sql"] for query in queries.captured_queries)
    assert first.startswith("PREPARE ") and "; EXECUTE " in first
    assert second.startswith("EXECUTE ")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements")
def test_after_a_failed_first_run_the_statement_is_prepared_again():
    statement = Statement(f"SELECT 1 / %s::int + {next(_unique)}")
    with pytest.raises(DatabaseError), transaction.atomic():
        statement.execute([0])  # prepared, then failed: not counted as prepared
    with CaptureQueriesContext(connection) as queries:
        assert statement.execute([1]) is not None
    assert queries.captured_queries[0]["sql"].startswith("PREPARE ")
