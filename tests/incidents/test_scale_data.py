"""``manage.py generate_scale_data`` (docs/benchmarks.md#scale-data), at a small size."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.utils import timezone

from commissions.models import Commission
from incidents.models import DistrictIncidentCounter, Evidence, Incident, IncidentEvent
from incidents.scale import ELECTION_NAME
from incidents.services import filing
from observation.models import Candidate, District, Election, ObserverProfile

pytestmark = pytest.mark.django_db

SMALL = ["--districts", "4", "--pecs", "40", "--candidates", "200", "--parties", "6"]


def test_it_builds_an_election_with_incidents_and_grows_it(settings):
    call_command("generate_scale_data", "--incidents", "300", *SMALL)
    election = Election.objects.get(name=ELECTION_NAME)
    assert District.objects.filter(election=election).count() == 4
    assert Commission.objects.filter(election=election, level="PEC").count() == 40
    assert Candidate.objects.filter(party_list__district__election=election).count() > 150
    incidents = Incident.objects.filter(election=election)
    assert incidents.count() == 300
    # realistic proportions: every status and kind, evidence and events for them
    assert set(incidents.values_list("status", flat=True)) >= {"submitted", "verified", "closed"}
    assert set(incidents.values_list("kind", flat=True)) == {
        "admin_resource", "vote_buying", "campaign_rules",
    }  # fmt: skip
    assert 150 < Evidence.objects.count() < 600
    assert IncidentEvent.objects.filter(kind="created").count() == 300
    # varied text, Cyrillic and Latin
    descriptions = set(incidents.values_list("description", flat=True))
    assert len(descriptions) > 250
    assert any("а" in d for d in descriptions) and any("the" in d for d in descriptions)
    # refs numbered once per district, and the counters continue from them
    refs = list(incidents.values_list("ref", flat=True))
    assert len(set(refs)) == 300
    for counter in DistrictIncidentCounter.objects.all():
        assert counter.last_number == incidents.filter(district=counter.district).count()

    call_command("generate_scale_data", "--incidents", "500", *SMALL)  # grows to 500
    assert Election.objects.filter(name=ELECTION_NAME).count() == 1
    assert Incident.objects.filter(election=election).count() == 500
    assert len(set(Incident.objects.values_list("ref", flat=True))) == 500


def test_the_demo_sign_ins_work_and_can_file(settings):
    call_command("generate_scale_data", "--incidents", "10", *SMALL)
    for username in ["headoffice", "analyst", "legal", "admin", "lto-bishkek-1"]:
        assert authenticate(username=username, password=settings.DEMO_PASSWORD), username
    lto = ObserverProfile.objects.get(user__username="lto-bishkek-1")
    district = lto.districts.get()
    assert district.code == "BSK"
    before = Incident.objects.filter(district=district).count()

    incident, created = filing.incident_file(
        actor=lto.user, id=uuid.uuid4(), district=district, kind="vote_buying",
        occurred_at=timezone.now() - dt.timedelta(days=1), location="Рынок", description="x",
        source="direct_observation", details={"offered": "money", "offered_by": "candidate"},
    )  # fmt: skip
    assert created
    assert incident.number == before + 1


def test_it_refuses_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        call_command("generate_scale_data", "--incidents", "10", *SMALL)
    assert not Election.objects.filter(name=ELECTION_NAME).exists()


def test_bad_sizes_are_refused():
    with pytest.raises(CommandError):
        call_command("generate_scale_data", "--incidents", "-1", *SMALL)
