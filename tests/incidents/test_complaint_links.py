"""Issue 10 point 11: a complaint to a commission is linked to the incidents it concerns,
through a service in incidents (commissions never imports incidents)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from commissions.models import Complaint
from incidents.services import lifecycle
from observation.kernel.models import AuditEntry
from tests.factories import make_commission, make_district, make_election
from tests.incidents.triage_support import S, incident_in

pytestmark = pytest.mark.django_db


def complaint_to(commission, who="Kongantiev K.K.") -> Complaint:
    return Complaint.objects.create(
        commission=commission,
        filed_on=dt.date(2021, 6, 25),
        received_on=dt.date(2021, 6, 25),
        complainant=who,
        subject="Vote buying near School No. 5",
        deadline=dt.date(2021, 6, 30),
    )


@pytest.fixture
def complaint(world):
    return complaint_to(world.tec_bishkek)


def test_head_office_links_and_unlinks(world, complaint):
    incident = incident_in(world, S.IN_REVIEW)
    lifecycle.incident_link_complaints(
        actor=world.user("legal"), incident=incident, complaints=[complaint]
    )
    assert list(incident.complaints.all()) == [complaint]
    assert list(complaint.incidents.all()) == [incident]  # the reverse side, no import
    assert AuditEntry.objects.filter(action="incident.complaints").count() == 1
    # the same set again writes nothing; an empty set unlinks
    lifecycle.incident_link_complaints(
        actor=world.user("headoffice"), incident=incident, complaints=[complaint]
    )
    assert AuditEntry.objects.filter(action="incident.complaints").count() == 1
    lifecycle.incident_link_complaints(
        actor=world.user("headoffice"), incident=incident, complaints=[]
    )
    assert not incident.complaints.exists()


@pytest.mark.parametrize("user", ["lto_bishkek", "coordinator_bishkek", "analyst"])
def test_other_roles_may_not_link(world, complaint, user):
    incident = incident_in(world, S.IN_REVIEW)
    with pytest.raises(PermissionDenied):
        lifecycle.incident_link_complaints(
            actor=world.user(user), incident=incident, complaints=[complaint]
        )
    assert not incident.complaints.exists()


def test_a_complaint_of_another_election_is_refused(world, complaint):
    other = make_election(name="Other")
    tec = make_commission("TEC", election=other, district=make_district(other, code="XYZ"))
    stray = complaint_to(tec, who="Someone else")
    incident = incident_in(world, S.IN_REVIEW)
    with pytest.raises(ValidationError) as caught:
        lifecycle.incident_link_complaints(
            actor=world.user("headoffice"), incident=incident, complaints=[complaint, stray]
        )
    assert "complaints" in caught.value.message_dict
    assert not incident.complaints.exists()


def test_linked_from_the_incident_page(world, client, complaint):
    incident = incident_in(world, S.IN_REVIEW)
    client.force_login(world.user("legal"))
    url = f"/triage/incidents/{incident.pk}/"
    html = client.get(url).content.decode()
    assert 'name="complaints"' in html and "Kongantiev K.K." in html
    response = client.post(f"{url}complaints/", {"complaints": [complaint.pk]})
    assert response.status_code == 302
    assert list(incident.complaints.all()) == [complaint]
    html = client.get(url).content.decode()
    assert f'data-complaint="{complaint.pk}"' in html
    client.force_login(world.user("analyst"))
    html = client.get(url).content.decode()
    assert f'data-complaint="{complaint.pk}"' in html and 'name="complaints"' not in html
    assert client.post(f"{url}complaints/", {"complaints": []}).status_code in (302, 400, 403)
    assert list(incident.complaints.all()) == [complaint]
