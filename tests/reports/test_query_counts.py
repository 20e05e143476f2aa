"""Building a report costs the same number of queries however big the election is."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commissions.models import Commission, CommissionMember
from observation.kernel.roles import Role
from reports import compute, queries
from tests.factories import make_user
from tests.reports.factories import build_world, make_report

pytestmark = pytest.mark.django_db


def _count(func) -> int:
    with CaptureQueriesContext(connection) as context:
        func()
    return len(context)


@pytest.mark.parametrize(
    "small, large",
    [
        ({"districts": 1, "parties": 1, "incidents_per_district": 1},
         {"districts": 4, "parties": 5, "incidents_per_district": 6}),
    ],
)  # fmt: skip
def test_report_data_query_count_does_not_grow(small, large):
    counts = []
    for size in (small, large):
        report = make_report(build_world(**size).election)
        counts.append(_count(lambda r=report: compute.report_data(r)))
    assert counts[0] == counts[1]


def test_report_data_query_count_is_fixed(django_assert_num_queries):
    report = make_report(build_world(districts=2, parties=2).election)
    report = queries.report_with_parts().get(pk=report.pk)
    with django_assert_num_queries(18):
        compute.report_data(report)


def test_renewed_compositions_cost_no_query(django_assert_num_queries):
    """The outgoing composition beside the new one comes from the same one query of terms
    (``compositions_over``): renewing every commission, with outgoing terms of unknown
    start, leaves the count where it was."""
    world = build_world(districts=3, parties=2)
    report = queries.report_with_parts().get(pk=make_report(world.election).pk)
    day = report.period_start + dt.timedelta(days=3)
    for commission in Commission.objects.filter(election=world.election):
        for n in range(3):
            CommissionMember.objects.create(
                commission=commission,
                full_name=f"M{n}",
                term_start=None,
                term_end=day - dt.timedelta(days=1),
            )
            CommissionMember.objects.create(commission=commission, full_name=f"M{n}",
                                            term_start=day, re_elected=n < 2)  # fmt: skip
    with django_assert_num_queries(18):
        data = compute.report_data(report)
    renewals = [c["renewal"] for c in [*data["commissions"]["cec"], *data["commissions"]["tecs"]]]
    assert len(renewals) == 4
    assert all({m["full_name"] for m in r["outgoing"]} >= {"M0", "M1", "M2"} for r in renewals)


def test_data_endpoint_and_pages_do_not_grow(client):
    analyst = make_user(Role.ANALYST)
    client.force_login(analyst)
    counts = {}
    for size in (1, 4):
        report = make_report(build_world(districts=size, parties=size,
                                         incidents_per_district=size).election)  # fmt: skip
        counts[size] = [
            _count(lambda r=report: client.get(f"/api/v1/reports/{r.pk}/data/")),
            _count(lambda r=report: client.get(f"/reports/{r.pk}/")),
            _count(lambda r=report: client.get(f"/reports/{r.pk}/preview/")),
            _count(lambda r=report: client.get(f"/reports/{r.pk}/sections/violations/")),
            _count(lambda: client.get("/dashboard/")),
        ]
    assert counts[1] == counts[4]


def test_report_list_does_not_grow(client):
    client.force_login(make_user(Role.HEAD_OFFICE))
    world = build_world(districts=1)
    make_report(world.election)
    one = _count(lambda: client.get("/reports/"))
    for _ in range(5):
        make_report(world.election)
    assert _count(lambda: client.get("/reports/")) == one
    api_one = _count(lambda: client.get("/api/v1/reports/"))
    make_report(world.election)
    assert _count(lambda: client.get("/api/v1/reports/")) == api_one
