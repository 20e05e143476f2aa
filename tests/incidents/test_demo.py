"""The demo incidents are the seed's 64 violations with its exact breakdowns (§8)."""

from __future__ import annotations

import datetime as dt
import io
import uuid

import pytest
from django.utils import timezone

from incidents import demo as incidents_demo
from incidents.models import Incident, IncidentEvent
from incidents.queries import violation_counts
from observation import demo as observation_demo
from observation.models import PartyList

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded():
    observation_demo.load(io.StringIO())
    incidents_demo.load(io.StringIO())
    return observation_demo.demo_election()


def test_the_seeds_numbers(loaded):
    """One load, every number of the seed's section 8 (loading the demo is slow)."""
    counts = violation_counts(loaded)
    assert counts["total"] == 64
    assert counts["by_kind"] == {"admin_resource": 6, "vote_buying": 8, "campaign_rules": 50}
    by_party = counts["by_kind_and_party"]
    assert by_party["admin_resource"] == {"Asyl Muras Zhashtary": 1, "Emgek": 3, "unknown": 2}
    assert by_party["vote_buying"] == {
        "Ata-Jurt Kyrgyzstan": 2,
        "Birge-Vmeste": 2,
        "Bizdin Kyrgyzstan": 1,
        "El Birimdigi": 1,
        "Emgek": 1,
        "Onuguu-Progress": 1,
        "unknown": 0,
    }
    assert sum(by_party["campaign_rules"].values()) == 50
    assert by_party["campaign_rules"]["unknown"] > 0
    assert counts["by_kind_and_district"] == {
        "admin_resource": {"Bishkek": 2, "Osh": 1, "Tokmok": 3},
        "vote_buying": {"Bishkek": 2, "Osh": 3, "Tokmok": 3},
        "campaign_rules": {"Bishkek": 11, "Osh": 38, "Tokmok": 1},
    }

    _each_party_only_where_it_has_a_list()
    _reported_by_an_observer_of_the_city_within_the_period()


def _each_party_only_where_it_has_a_list():
    lists = set(PartyList.objects.values_list("party_id", "district_id"))
    for party_id, district_id in Incident.objects.filter(party__isnull=False).values_list(
        "party_id", "district_id"
    ):
        assert (party_id, district_id) in lists


def _reported_by_an_observer_of_the_city_within_the_period():
    start = timezone.make_aware(dt.datetime(2021, 6, 21))
    end = timezone.make_aware(dt.datetime(2021, 7, 5))
    for incident in Incident.objects.select_related("reported_by__observer_profile", "district"):
        profile = incident.reported_by.observer_profile
        assert profile.role == "lto"
        assert incident.district in profile.districts.all()
        if incident.pk == uuid.uuid5(incidents_demo.TRIAGE_NAMESPACE, incidents_demo.WAITING_KEY):
            # the channel story's report: after the period, before election day, so it
            # never changes the seed's numbers (docs/escalation.md)
            assert end <= incident.occurred_at < timezone.make_aware(dt.datetime(2021, 7, 11))
        else:
            assert start <= incident.occurred_at < end
        assert incident.description.startswith("[Demo data]")
        assert incident.is_demo


def test_loading_twice_changes_nothing(loaded):
    before = list(Incident.objects.order_by("pk").values())
    events = IncidentEvent.objects.count()
    observation_demo.load(io.StringIO())
    incidents_demo.load(io.StringIO())
    assert list(Incident.objects.order_by("pk").values()) == before
    assert IncidentEvent.objects.count() == events
