"""The numbers a report takes from incidents (docs/lifecycle.md, docs/api.md)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from incidents.models import Escalation, Incident
from incidents.queries import counted_incidents, violation_counts
from tests.incidents.conftest import file_incident

pytestmark = pytest.mark.django_db


def at(day: int, hour: int = 12) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2021, 6, day, hour))


def test_by_default_only_confirmed_incidents_count(world):
    submitted = file_incident(world, occurred_at=at(22))
    for status in ("verified", "escalated", "closed", "in_review", "needs_info"):
        incident = file_incident(world, occurred_at=at(22))
        Incident.objects.filter(pk=incident.pk).update(status=status)
    counts = violation_counts(world.election)
    assert (counts["total"], counts["confirmed"], counts["under_review"]) == (3, 3, 3)
    assert submitted not in counted_incidents(world.election)
    assert violation_counts(world.election, include_under_review=True)["total"] == 6


# The incidents filed below are still "submitted" (under review): the tests count them as
# an analyst who includes reports under review would.


def test_counts_by_kind_party_and_district(world):
    file_incident(world, occurred_at=at(22), party=world.emgek)
    file_incident(world, occurred_at=at(23))
    file_incident(world, user="lto_osh", occurred_at=at(24), party=world.nur)
    file_incident(
        world, user="lto_osh", occurred_at=at(25), kind="campaign_rules",
        details={"type": "black_pr", "medium": "print"},
    )  # fmt: skip
    counts = violation_counts(world.election, include_under_review=True)
    assert counts["total"] == 4
    assert counts["by_kind"] == {"admin_resource": 0, "vote_buying": 3, "campaign_rules": 1}
    assert counts["by_kind_and_party"]["vote_buying"] == {"Emgek": 1, "Nur": 1, "unknown": 1}
    assert counts["by_kind_and_party"]["admin_resource"] == {"unknown": 0}
    assert counts["by_kind_and_district"]["vote_buying"] == {"Bishkek": 2, "Osh": 1}
    assert counts["by_kind_and_district"]["campaign_rules"] == {"Osh": 1}


def test_rejected_and_duplicates_are_not_counted(world):
    original = file_incident(world, occurred_at=at(22))
    rejected = file_incident(world, occurred_at=at(22))
    duplicate = file_incident(world, occurred_at=at(22))
    Incident.objects.filter(pk=rejected.pk).update(status="rejected")
    Incident.objects.filter(pk=duplicate.pk).update(status="duplicate", duplicate_of=original)
    assert list(counted_incidents(world.election, include_under_review=True)) == [original]
    assert violation_counts(world.election, include_under_review=True)["total"] == 1


def test_period_bounds_are_whole_days_in_the_mission_time_zone(world):
    file_incident(world, occurred_at=at(21, 0))  # first minute of the period
    file_incident(world, occurred_at=timezone.make_aware(dt.datetime(2021, 7, 4, 23, 59)))
    file_incident(world, occurred_at=timezone.make_aware(dt.datetime(2021, 7, 5, 0, 0)))
    file_incident(world, occurred_at=at(20, 23))
    # The world's election runs until today (tests.factories.running_now); this test
    # needs the period of the 2021 report, 21 June to 4 July.
    world.election.observation_end = dt.date(2021, 7, 4)
    world.election.save(update_fields=["observation_end"])
    assert violation_counts(world.election, include_under_review=True)["total"] == 2
    assert (
        violation_counts(
            world.election, dt.date(2021, 6, 20), dt.date(2021, 7, 5), include_under_review=True
        )["total"]
        == 4
    )


def test_other_elections_are_not_counted(world):
    from tests.factories import make_district, make_election, running_now

    other = make_district(make_election(**running_now()))
    file_incident(world, user="headoffice", district=other, occurred_at=at(22))
    assert violation_counts(world.election, include_under_review=True)["total"] == 0


def test_escalated_counts_incidents_with_a_live_escalation(world):
    delivered = file_incident(world, occurred_at=at(22))
    failed = file_incident(world, occurred_at=at(22))
    for incident, status in ((delivered, "delivered"), (delivered, "pending"), (failed, "failed")):
        Escalation.objects.create(
            incident=incident, created_by=world.user("headoffice"), reason="x", status=status
        )
    assert violation_counts(world.election, include_under_review=True)["escalated"] == 1


def test_query_count_is_constant(world, django_assert_num_queries):
    file_incident(world, occurred_at=at(22))
    with django_assert_num_queries(1):
        violation_counts(world.election, include_under_review=True)
    for day in range(22, 30):
        file_incident(world, user="lto_osh", occurred_at=at(day), party=world.nur)
    with django_assert_num_queries(1):
        assert violation_counts(world.election, include_under_review=True)["total"] == 9
