"""The admin saves through the services: rules hold and the audit trail records it."""

from __future__ import annotations

import pytest

from commissions.models import Commission
from observation.kernel.roles import Role
from observation.models import AuditEntry
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(make_user(Role.ADMIN, is_staff=True, is_superuser=True))
    return client


def test_admin_adds_a_commission_through_the_service(admin_client, cec, bishkek):
    response = admin_client.post(
        "/admin/commissions/commission/add/",
        {
            "election": cec.election_id,
            "level": "TEC",
            "name": "Bishkek TEC",
            "parent": cec.pk,
            "district": bishkek.pk,
            "pec_count": 228,
            "note": "",
            "members-TOTAL_FORMS": 0,
            "members-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    tec = Commission.objects.get(name="Bishkek TEC")
    assert AuditEntry.objects.get(action="commission.create").object_id == str(tec.pk)


def test_admin_refuses_a_tec_without_parent(admin_client, election, bishkek):
    response = admin_client.post(
        "/admin/commissions/commission/add/",
        {
            "election": election.pk,
            "level": "TEC",
            "name": "Bishkek TEC",
            "district": bishkek.pk,
            "members-TOTAL_FORMS": 0,
            "members-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200
    assert "The CEC has no parent commission; a TEC or PEC needs one." in response.content.decode()
    assert not Commission.objects.exists()


def test_admin_change_is_audited_and_level_is_fixed(admin_client, tec):
    page = admin_client.get(f"/admin/commissions/commission/{tec.pk}/change/").content.decode()
    assert 'name="level"' not in page  # shown read-only
    response = admin_client.post(
        f"/admin/commissions/commission/{tec.pk}/change/",
        {
            "name": "Bishkek TEC",
            "parent": tec.parent_id,
            "district": tec.district_id,
            "pec_count": 230,
            "note": "",
            "members-TOTAL_FORMS": 0,
            "members-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302
    assert AuditEntry.objects.get(action="commission.update").data == {"pec_count": [228, 230]}


def test_admin_cannot_delete_commission_records(admin_client, tec):
    response = admin_client.get(f"/admin/commissions/commission/{tec.pk}/delete/")
    assert response.status_code == 403
