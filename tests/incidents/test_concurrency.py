"""Concurrent resends of one report make one incident (docs/api.md,
docs/architecture.md#guarantees). The primary key is the guarantee; these tests need
PostgreSQL's real concurrency."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.db import connection
from rest_framework.test import APIClient

from incidents.models import Incident, IncidentEvent
from incidents.services import filing
from tests.incidents.conftest import api_payload

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_together(count: int, work) -> list:
    results: list = [None] * count

    def target(index: int) -> None:
        try:
            results[index] = work(index)
        except Exception as exc:  # collected and asserted on by the test
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_two_resends_racing_past_the_existence_check_make_one_incident(world, monkeypatch):
    """Both requests see no incident with the id, then both try to insert it: the loser
    hits the primary key, re-reads and returns the winner's incident."""
    barrier = threading.Barrier(2, timeout=10)
    original = filing._next_number

    def next_number_after_both_checked(district):
        barrier.wait()
        return original(district)

    monkeypatch.setattr(filing, "_next_number", next_number_after_both_checked)
    payload = api_payload(world)
    user = world.user("lto_bishkek")

    def post(_):
        client = APIClient()
        client.force_authenticate(user)
        response = client.post("/api/v1/incidents/", payload, format="json")
        return response.status_code, response.json()

    results = run_together(2, post)
    assert sorted(status for status, _ in results) == [200, 201], results
    assert results[0][1]["id"] == results[1][1]["id"] == payload["id"]
    assert results[0][1]["ref"] == results[1][1]["ref"]
    assert Incident.objects.count() == 1
    assert IncidentEvent.objects.count() == 1


def test_many_concurrent_resends_through_the_api(world):
    payload = api_payload(world)
    user = world.user("lto_bishkek")

    def post(_):
        client = APIClient()
        client.force_authenticate(user)
        return client.post("/api/v1/incidents/", payload, format="json").status_code

    statuses = run_together(8, post)
    assert sorted(statuses) == [200] * 7 + [201], statuses
    assert Incident.objects.filter(pk=payload["id"]).count() == 1


def test_concurrent_filings_in_one_district_get_distinct_refs(world):
    user = world.user("lto_bishkek")
    from tests.incidents.conftest import occurred

    def file(_):
        incident, _ = filing.incident_file(
            actor=user,
            id=uuid.uuid4(),
            district=world.bishkek,
            kind="campaign_rules",
            occurred_at=occurred(),
            location="Market",
            description="Posters",
            source="direct_observation",
            details={"type": "placement", "medium": "outdoor"},
        )
        return incident.ref

    refs = run_together(8, file)
    assert sorted(refs) == [f"BSK-{n:04d}" for n in range(1, 9)], refs
