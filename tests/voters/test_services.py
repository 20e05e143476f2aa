"""voter_snapshot_save / voter_snapshot_delete: rules, audit, idempotence."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from observation.models import AuditEntry
from tests.voters.conftest import make_snapshot
from voters.models import VoterListSnapshot
from voters.services import voter_snapshot_delete, voter_snapshot_save

CONTROL = {
    "stage": "control",
    "as_of": dt.date(2021, 6, 20),
    "total": 37_134,
    "male": 16_365,
    "female": 20_769,
    "age_18_29": 9_999,
    "age_30_39": 8_420,
    "age_40_49": 6_357,
    "age_50_59": 5_890,
    "age_60_69": 4_410,
    "age_70_plus": 2_058,
}


@pytest.mark.django_db
def test_save_creates_a_snapshot_and_audits_it(tecs, analyst):
    snapshot = voter_snapshot_save(actor=analyst, commission=tecs["Tokmok TEC"], **CONTROL)
    assert snapshot.pk and snapshot.female == 20_769
    entry = AuditEntry.objects.get(action="voter_snapshot.create")
    assert entry.actor == analyst and entry.object_id == str(snapshot.pk)
    assert entry.data["changes"]["total"] == [None, 37_134]


@pytest.mark.django_db
def test_save_updates_and_audits_only_the_changes(tecs, analyst):
    snapshot = voter_snapshot_save(actor=analyst, commission=tecs["Tokmok TEC"], **CONTROL)
    voter_snapshot_save(
        actor=analyst,
        snapshot=snapshot,
        commission=tecs["Tokmok TEC"],
        **{**CONTROL, "as_of": dt.date(2021, 6, 21)},
    )
    entry = AuditEntry.objects.get(action="voter_snapshot.update")
    assert entry.data["changes"] == {"as_of": ["2021-06-20", "2021-06-21"]}


@pytest.mark.django_db
def test_saving_unchanged_values_writes_nothing(tecs, analyst):
    snapshot = voter_snapshot_save(actor=analyst, commission=tecs["Tokmok TEC"], **CONTROL)
    before = AuditEntry.objects.count()
    voter_snapshot_save(actor=analyst, snapshot=snapshot, commission=tecs["Tokmok TEC"], **CONTROL)
    assert AuditEntry.objects.count() == before


@pytest.mark.django_db
def test_save_refuses_a_breakdown_that_does_not_add_up_and_writes_nothing(tecs, analyst):
    with pytest.raises(ValidationError) as caught:
        voter_snapshot_save(
            actor=analyst, commission=tecs["Tokmok TEC"], **{**CONTROL, "female": 20_768}
        )
    assert list(caught.value.message_dict) == ["total"]
    assert not VoterListSnapshot.objects.exists() and not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_save_refuses_the_cec(cec, analyst):
    with pytest.raises(ValidationError) as caught:
        voter_snapshot_save(actor=analyst, commission=cec, **CONTROL)
    assert "commission" in caught.value.message_dict


@pytest.mark.django_db
def test_save_refuses_a_second_snapshot_of_the_stage_naming_the_commission(tecs, analyst):
    make_snapshot(tecs["Tokmok TEC"], "control")
    with pytest.raises(ValidationError) as caught:
        voter_snapshot_save(actor=analyst, commission=tecs["Tokmok TEC"], **CONTROL)
    assert caught.value.message_dict["stage"] == [
        "Tokmok TEC already has a snapshot of the control list."
    ]


@pytest.mark.django_db
def test_moving_a_snapshot_onto_a_taken_stage_is_refused(tecs, analyst):
    make_snapshot(tecs["Osh TEC"], "control")
    preliminary = make_snapshot(tecs["Osh TEC"], "preliminary")
    with pytest.raises(ValidationError) as caught:
        voter_snapshot_save(
            actor=analyst,
            snapshot=preliminary,
            commission=tecs["Osh TEC"],
            stage="control",
            as_of=dt.date(2021, 6, 9),
            total=100,
        )
    assert "stage" in caught.value.message_dict
    preliminary.refresh_from_db()
    assert preliminary.stage == "preliminary"


@pytest.mark.django_db
def test_delete_removes_the_snapshot_and_audits_its_values(tecs, analyst):
    snapshot = make_snapshot(tecs["Osh TEC"], "control", total=148_224)
    voter_snapshot_delete(actor=analyst, snapshot=snapshot)
    assert not VoterListSnapshot.objects.exists()
    entry = AuditEntry.objects.get(action="voter_snapshot.delete")
    assert entry.data["total"] == 148_224 and entry.data["stage"] == "control"
