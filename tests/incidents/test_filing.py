"""Filing through the service: what is stored, what is refused, and idempotency
(docs/roles.md, docs/api.md)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from incidents.models import Incident, IncidentEvent
from incidents.services import filing
from observation.models import AuditEntry
from tests.factories import (
    make_candidate,
    make_district,
    make_election,
    make_party_list,
    running_now,
)
from tests.incidents.conftest import file_incident, occurred

pytestmark = pytest.mark.django_db


def test_filing_stores_a_submitted_incident_with_a_district_ref(world):
    incident = file_incident(world, party=world.emgek)
    assert incident.status == Incident.Status.SUBMITTED
    assert incident.ref == "BSK-0001"
    assert incident.election == world.election
    assert incident.reported_by == world.user("lto_bishkek")
    assert incident.details == {
        "offered": "money",
        "value": "",
        "offered_by": "party_agent",
        "voters_approached": None,
    }


def test_refs_count_per_district(world):
    refs = [file_incident(world).ref, file_incident(world).ref]
    refs.append(file_incident(world, user="lto_osh").ref)
    assert refs == ["BSK-0001", "BSK-0002", "OSH-0001"]


def test_filing_writes_a_created_event_and_an_audit_entry(world):
    incident = file_incident(world)
    event = IncidentEvent.objects.get(incident=incident)
    assert (event.kind, event.to_status, event.actor) == (
        "created",
        "submitted",
        world.user("lto_bishkek"),
    )
    assert AuditEntry.objects.filter(action="incident.file", object_id=str(incident.pk)).exists()


def test_same_id_and_content_returns_the_stored_incident(world):
    incident_id = uuid.uuid4()
    when = occurred()
    first = file_incident(world, id=incident_id, occurred_at=when)
    again, created = filing.incident_file(
        actor=world.user("lto_bishkek"),
        id=incident_id,
        district=world.bishkek,
        kind="vote_buying",
        occurred_at=when,
        location="  School No. 5 ",  # the same content, sent with other whitespace
        description="Money offered at the entrance.",
        source="direct_observation",
        details={"offered_by": "party_agent", "offered": "money", "value": ""},
    )
    assert (again.pk, created) == (first.pk, False)
    assert Incident.objects.count() == 1
    assert IncidentEvent.objects.count() == 1


def test_same_id_with_other_content_is_a_conflict(world):
    incident_id = uuid.uuid4()
    file_incident(world, id=incident_id)
    with pytest.raises(filing.IncidentConflict):
        file_incident(world, id=incident_id, description="Something else.")
    assert Incident.objects.count() == 1


def test_another_observers_id_is_a_conflict_even_with_the_same_content(world):
    incident_id = uuid.uuid4()
    when = occurred()
    file_incident(world, id=incident_id, occurred_at=when)
    with pytest.raises(filing.IncidentConflict):
        file_incident(world, user="lto_bishkek_2", id=incident_id, occurred_at=when)


def test_district_of_another_election_is_refused(world):
    other = make_district(make_election(**running_now()), code="BSK")
    with pytest.raises(ValidationError) as exc:
        file_incident(world, user="headoffice", district=other, election=world.election)
    assert "district" in exc.value.message_dict


def test_party_without_a_list_in_the_district_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        file_incident(world, party=world.nur)  # Nur stands in Osh only
    assert "party" in exc.value.message_dict
    assert Incident.objects.count() == 0


def test_pec_of_another_district_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        file_incident(world, pec=world.pec_osh)
    assert "pec" in exc.value.message_dict


def test_a_tec_is_not_a_pec(world):
    with pytest.raises(ValidationError) as exc:
        file_incident(world, pec=world.tec_bishkek)
    assert "pec" in exc.value.message_dict


def test_pec_of_another_election_is_refused(world):
    from tests.factories import make_commission

    other_district = make_district(make_election(**running_now()))
    pec = make_commission("PEC", district=other_district)
    with pytest.raises(ValidationError) as exc:
        file_incident(world, pec=pec)
    assert "pec" in exc.value.message_dict


def test_candidate_must_be_on_the_chosen_partys_list(world):
    on_ata_jurt = make_candidate(world.ata_jurt.lists.get(district=world.bishkek), position=1)
    with pytest.raises(ValidationError) as exc:
        file_incident(world, party=world.emgek, candidate=on_ata_jurt)
    assert "candidate" in exc.value.message_dict
    incident = file_incident(world, party=world.ata_jurt, candidate=on_ata_jurt)
    assert incident.candidate == on_ata_jurt


def test_candidate_of_another_district_is_refused(world):
    in_osh = make_candidate(world.ata_jurt.lists.get(district=world.osh), position=1)
    with pytest.raises(ValidationError) as exc:
        file_incident(world, party=world.ata_jurt, candidate=in_osh)
    assert "candidate" in exc.value.message_dict


def test_party_list_of_another_election_does_not_count(world):
    other = make_district(make_election(**running_now()), name="Bishkek")
    make_party_list(world.nur, other)
    with pytest.raises(ValidationError):
        file_incident(world, party=world.nur)


def test_osh_observer_cannot_file_in_bishkek(world):
    with pytest.raises(ValidationError) as exc:
        file_incident(world, user="lto_osh", district=world.bishkek)
    assert "district" in exc.value.message_dict


@pytest.mark.parametrize("role", ["legal", "analyst"])
def test_roles_that_do_not_file_are_refused(world, role):
    with pytest.raises(PermissionDenied):
        file_incident(world, user=role)


@pytest.mark.parametrize("role", ["headoffice", "admin"])
def test_head_office_and_admin_file_anywhere(world, role):
    assert file_incident(world, user=role, district=world.osh).district == world.osh


def test_time_in_the_future_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        file_incident(world, occurred_at=timezone.now() + dt.timedelta(hours=2))
    assert "occurred_at" in exc.value.message_dict


def test_half_a_coordinate_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        file_incident(world, latitude=42.87)
    assert "longitude" in exc.value.message_dict


def test_invalid_details_name_the_field(world):
    with pytest.raises(ValidationError) as exc:
        file_incident(world, details={"offered": "money"})
    assert "details.offered_by" in exc.value.message_dict


def test_required_common_fields(world):
    with pytest.raises(ValidationError) as exc:
        file_incident(world, location=" ", description="")
    assert {"location", "description"} <= set(exc.value.message_dict)


def test_unknown_source_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        file_incident(world, source="rumour")
    assert "source" in exc.value.message_dict


def test_a_refused_filing_does_not_use_up_a_number(world):
    with pytest.raises(ValidationError):
        file_incident(world, party=world.nur)
    assert file_incident(world).ref == "BSK-0001"
