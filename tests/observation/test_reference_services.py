"""The services that write observation's reference data: audit, roles, fixed references."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import ProtectedError

from observation import services
from observation.kernel.roles import Role
from observation.models import AuditEntry, Candidate, District, PartyMeeting
from tests.factories import (
    make_candidate,
    make_district,
    make_election,
    make_party,
    make_party_list,
    make_party_meeting,
    make_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst():
    return make_user(Role.ANALYST)


def test_creating_a_district_writes_an_audit_entry_naming_the_actor(analyst):
    election = make_election()
    district = services.district_create(
        actor=analyst,
        election=election,
        name="Osh",
        code="OSH",
        mandates=45,
        threshold_percent=Decimal("7.00"),
    )
    entry = AuditEntry.objects.get(object_id=str(district.pk), action="district.create")
    assert entry.actor == analyst
    assert entry.data["code"] == "OSH"
    assert entry.data["election_id"] == election.pk


def test_update_audits_only_what_changed(analyst):
    district = make_district(mandates=45)
    services.district_update(actor=analyst, district=district, mandates=31, name=district.name)
    entry = AuditEntry.objects.get(action="district.update")
    assert entry.data == {"mandates": [45, 31]}


def test_update_that_changes_nothing_writes_no_audit_entry(analyst):
    district = make_district()
    services.district_update(actor=analyst, district=district, mandates=district.mandates)
    assert not AuditEntry.objects.filter(action="district.update").exists()


def test_update_sees_the_stored_row_not_a_copy_changed_in_memory(analyst):
    # A ModelForm changes its instance while validating; the audit must still show the
    # stored value as "before".
    party = make_party(name="Stolitsa")
    party.name = "Capital"
    services.party_update(actor=analyst, party=party, name="Capital")
    assert AuditEntry.objects.get(action="party.update").data == {"name": ["Stolitsa", "Capital"]}


def test_refused_write_leaves_neither_row_nor_audit_entry(analyst):
    party_list = make_party_list()
    with pytest.raises(ValidationError) as refused:
        services.candidate_create(
            actor=analyst,
            party_list=party_list,
            full_name="A",
            gender="F",
            position=1,
            status="denied",
        )
    assert "denial_reason" in refused.value.message_dict
    assert not Candidate.objects.exists()
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("role", [Role.LTO, Role.COORDINATOR, Role.HEAD_OFFICE, Role.LEGAL, None])
def test_only_analysts_and_admins_write_reference_data(role):
    with pytest.raises(PermissionDenied):
        services.party_create(actor=make_user(role), name="Nur")


@pytest.mark.parametrize("role", [Role.ANALYST, Role.ADMIN])
def test_analysts_and_admins_write_reference_data(role):
    assert services.party_create(actor=make_user(role), name="Nur").pk


def test_denying_a_candidate_needs_a_reason(analyst):
    candidate = make_candidate()
    with pytest.raises(ValidationError) as refused:
        services.candidate_set_status(actor=analyst, candidate=candidate, status="denied")
    assert list(refused.value.message_dict) == ["denial_reason"]
    candidate.refresh_from_db()
    assert candidate.status == "registered"


def test_denying_a_candidate_with_a_reason_is_audited(analyst):
    candidate = make_candidate()
    services.candidate_set_status(
        actor=analyst, candidate=candidate, status="denied", denial_reason="Court ruling"
    )
    candidate.refresh_from_db()
    assert (candidate.status, candidate.denial_reason) == ("denied", "Court ruling")
    entry = AuditEntry.objects.get(action="candidate.set_status")
    assert entry.data["status"] == ["registered", "denied"]


def test_registering_a_denied_candidate_clears_the_old_reason(analyst):
    candidate = make_candidate(status="denied", denial_reason="Late papers")
    services.candidate_set_status(actor=analyst, candidate=candidate, status="registered")
    candidate.refresh_from_db()
    assert (candidate.status, candidate.denial_reason) == ("registered", "")


def test_a_district_stays_in_its_election(analyst):
    district = make_district()
    with pytest.raises(ValidationError) as refused:
        services.district_update(actor=analyst, district=district, election=make_election())
    assert "election" in refused.value.message_dict


def test_a_list_stays_with_its_party_and_district(analyst):
    party_list = make_party_list()
    with pytest.raises(ValidationError) as refused:
        services.party_list_update(actor=analyst, party_list=party_list, district=make_district())
    assert "district" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.party_list_update(actor=analyst, party_list=party_list, party=make_party())
    assert "party" in refused.value.message_dict


def test_a_candidate_cannot_move_to_a_list_of_another_election(analyst):
    candidate = make_candidate()
    elsewhere = make_party_list(district=make_district(make_election()))
    with pytest.raises(ValidationError) as refused:
        services.candidate_update(actor=analyst, candidate=candidate, party_list=elsewhere)
    assert "party_list" in refused.value.message_dict
    candidate.refresh_from_db()
    assert candidate.party_list_id != elsewhere.pk


def test_sending_the_same_reference_back_is_not_a_move(analyst):
    candidate = make_candidate(position=3)
    services.candidate_update(
        actor=analyst, candidate=candidate, party_list=candidate.party_list, position=4
    )
    candidate.refresh_from_db()
    assert candidate.position == 4


def test_a_list_with_candidates_cannot_be_deleted(analyst):
    candidate = make_candidate()
    with pytest.raises(ProtectedError):
        services.party_list_delete(actor=analyst, party_list=candidate.party_list)
    assert Candidate.objects.filter(pk=candidate.pk).exists()


def test_a_district_with_lists_cannot_be_deleted(analyst):
    party_list = make_party_list()
    with pytest.raises(ProtectedError):
        services.district_delete(actor=analyst, district=party_list.district)
    assert District.objects.filter(pk=party_list.district_id).exists()


def test_deleting_a_candidate_is_audited(analyst):
    candidate = make_candidate()
    services.candidate_delete(actor=analyst, candidate=candidate)
    assert not Candidate.objects.exists()
    assert AuditEntry.objects.get(action="candidate.delete").object_id == str(candidate.pk)


# --- Party meetings -----------------------------------------------------------------------


def _meeting(actor, district, **fields):
    return services.party_meeting_create(
        actor=actor,
        party=fields.pop("party", None) or make_party(),
        district=district,
        date=dt.date(2021, 6, 2),
        concerns="Low awareness.",
        **fields,
    )


def test_observer_records_a_meeting_in_their_district():
    bishkek = make_district()
    lto = make_user(Role.LTO, districts=[bishkek])
    meeting = _meeting(lto, bishkek)
    assert meeting.recorded_by == lto
    assert AuditEntry.objects.get(action="party_meeting.create").actor == lto


def test_observer_cannot_record_a_meeting_in_another_district():
    bishkek, osh = make_district(), make_district()
    lto = make_user(Role.LTO, districts=[bishkek])
    with pytest.raises(ValidationError) as refused:
        _meeting(lto, osh)
    assert list(refused.value.message_dict) == ["district"]
    assert not PartyMeeting.objects.exists()


def test_observer_cannot_edit_a_meeting_of_another_district():
    osh = make_district()
    meeting = make_party_meeting(district=osh)
    lto = make_user(Role.LTO, districts=[make_district()])
    with pytest.raises(PermissionDenied):
        services.party_meeting_update(actor=lto, meeting=meeting, concerns="Changed")


def test_observer_cannot_move_their_meeting_to_another_district():
    bishkek, osh = make_district(), make_district()
    meeting = make_party_meeting(district=bishkek)
    lto = make_user(Role.LTO, districts=[bishkek])
    with pytest.raises(ValidationError) as refused:
        services.party_meeting_update(actor=lto, meeting=meeting, district=osh)
    assert "district" in refused.value.message_dict


def test_head_office_records_meetings_anywhere():
    meeting = _meeting(make_user(Role.HEAD_OFFICE), make_district())
    assert meeting.pk


def test_legal_experts_do_not_record_meetings():
    with pytest.raises(PermissionDenied):
        _meeting(make_user(Role.LEGAL), make_district())


def test_a_position_taken_by_a_concurrent_request_is_a_field_error(analyst, monkeypatch):
    """Two requests both pass validation, then the second insert hits the constraint: the
    service reports the field instead of failing with an IntegrityError (a 500)."""
    first = make_candidate(position=7)
    real_full_clean = Candidate.full_clean
    calls = []

    def validation_that_misses_the_first_time(self, *args, **kwargs):
        calls.append(1)
        if len(calls) > 1:
            real_full_clean(self, *args, **kwargs)

    monkeypatch.setattr(Candidate, "full_clean", validation_that_misses_the_first_time)
    with pytest.raises(ValidationError) as refused:
        services.candidate_create(
            actor=analyst, party_list=first.party_list, full_name="B", gender="M", position=7
        )
    assert list(refused.value.message_dict) == ["position"]
    assert Candidate.objects.count() == 1
    assert not AuditEntry.objects.exists()
