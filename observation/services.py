"""Every write to observation's reference data (docs/architecture.md).

Pages, the API and imports call these functions and nothing else, so each rule is checked
once: the role (``observation.policies``), then ``full_clean()`` (field validators, the
model's ``clean()`` and the database constraints, reported on the field they are about),
then the row is written together with its audit entry in one transaction. A refused
write raises ``django.core.exceptions.ValidationError`` (or ``PermissionDenied``) and
changes nothing.

Update functions take only the fields to change; ``None`` means "leave as it is".
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext_lazy as _

from observation.kernel.audit import audit_log
from observation.kernel.db import model_save, model_update
from observation.models import (
    CalendarEntry,
    Candidate,
    District,
    Election,
    Party,
    PartyList,
    PartyMeeting,
)
from observation.policies import (
    PARTY_MEETINGS,
    REFERENCE_DATA,
    party_meeting_editable_by,
    visible_districts,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

M = TypeVar("M", bound=models.Model)
UNCHANGED = object()
"""For a field whose ``None`` is a value (a calendar date's time): leave it as it is."""


def _require_reference_writer(actor: AbstractBaseUser) -> None:
    if not REFERENCE_DATA.can_write(actor):
        raise PermissionDenied(_("Only analysts and administrators edit reference data."))


def _given(**fields: Any) -> dict[str, Any]:
    return {name: value for name, value in fields.items() if value is not None}


def _refuse_move(instance: models.Model, field: str, value: Any, message: Any) -> None:
    """Some references are fixed once made: moving a candidate to another list or a
    district to another election would silently carry counts and incident references
    across elections. Passing the same value (e.g. a full PUT) is fine."""
    if value is not None and getattr(instance, f"{field}_id") != getattr(value, "pk", value):
        raise ValidationError({field: message})


def _create_audited(instance: M, *, actor: AbstractBaseUser, action: str) -> M:
    # A position, code or name taken meanwhile by another request is a field error
    # (observation.kernel.db).
    model_save(instance, force_insert=True)
    audit_log(
        actor=actor,
        action=action,
        target=instance,
        data={
            f.attname: getattr(instance, f.attname)
            for f in instance._meta.concrete_fields
            if not f.primary_key
        },
    )
    return instance


def _update_audited(
    instance: M, *, actor: AbstractBaseUser, action: str, fields: dict[str, Any]
) -> M:
    """Apply ``fields`` to the locked row ``instance``, validate, save, audit."""
    changes = model_update(instance, fields)
    if changes:
        # The entry names the field ("party"), not its column ("party_id").
        data = {instance._meta.get_field(column).name: pair for column, pair in changes.items()}
        audit_log(actor=actor, action=action, target=instance, data=data)
    return instance


def _delete(instance: models.Model, *, actor: AbstractBaseUser, action: str) -> None:
    audit_log(actor=actor, action=action, target=instance, data={"repr": str(instance)})
    instance.delete()


def _locked(model: type[M], pk: Any) -> M:
    # Re-read under a row lock: the caller's copy may be stale, or already changed in
    # memory by a ModelForm, and the audit entry must show what really changed.
    return model.objects.select_for_update().get(pk=pk)


# --- Elections ----------------------------------------------------------------------------


@transaction.atomic
def election_create(
    *,
    actor: AbstractBaseUser,
    name: str,
    kind: str,
    election_day: dt.date,
    observation_start: dt.date,
    observation_end: dt.date,
) -> Election:
    _require_reference_writer(actor)
    election = Election(
        name=name,
        kind=kind,
        election_day=election_day,
        observation_start=observation_start,
        observation_end=observation_end,
    )
    return _create_audited(election, actor=actor, action="election.create")


@transaction.atomic
def election_update(
    *,
    actor: AbstractBaseUser,
    election: Election,
    name: str | None = None,
    kind: str | None = None,
    election_day: dt.date | None = None,
    observation_start: dt.date | None = None,
    observation_end: dt.date | None = None,
) -> Election:
    _require_reference_writer(actor)
    election = _locked(Election, election.pk)
    fields = _given(
        name=name,
        kind=kind,
        election_day=election_day,
        observation_start=observation_start,
        observation_end=observation_end,
    )
    return _update_audited(election, actor=actor, action="election.update", fields=fields)


@transaction.atomic
def election_delete(*, actor: AbstractBaseUser, election: Election) -> None:
    """Refused with ``ProtectedError`` while the election has districts."""
    _require_reference_writer(actor)
    _delete(_locked(Election, election.pk), actor=actor, action="election.delete")


# --- Districts ----------------------------------------------------------------------------


@transaction.atomic
def district_create(
    *,
    actor: AbstractBaseUser,
    election: Election,
    name: str,
    code: str,
    mandates: int,
    threshold_percent: Decimal,
) -> District:
    _require_reference_writer(actor)
    district = District(
        election=election,
        name=name,
        code=code,
        mandates=mandates,
        threshold_percent=threshold_percent,
    )
    return _create_audited(district, actor=actor, action="district.create")


@transaction.atomic
def district_update(
    *,
    actor: AbstractBaseUser,
    district: District,
    election: Election | None = None,
    name: str | None = None,
    code: str | None = None,
    mandates: int | None = None,
    threshold_percent: Decimal | None = None,
) -> District:
    _require_reference_writer(actor)
    district = _locked(District, district.pk)
    _refuse_move(
        district,
        "election",
        election,
        _("A district stays in its election; create the district in the other election."),
    )
    fields = _given(name=name, code=code, mandates=mandates, threshold_percent=threshold_percent)
    return _update_audited(district, actor=actor, action="district.update", fields=fields)


@transaction.atomic
def district_delete(*, actor: AbstractBaseUser, district: District) -> None:
    """Refused with ``ProtectedError`` while party lists or other records use it."""
    _require_reference_writer(actor)
    _delete(_locked(District, district.pk), actor=actor, action="district.delete")


# --- Parties ------------------------------------------------------------------------------


@transaction.atomic
def party_create(*, actor: AbstractBaseUser, name: str, short_name: str = "") -> Party:
    _require_reference_writer(actor)
    return _create_audited(
        Party(name=name, short_name=short_name), actor=actor, action="party.create"
    )


@transaction.atomic
def party_update(
    *, actor: AbstractBaseUser, party: Party, name: str | None = None, short_name: str | None = None
) -> Party:
    _require_reference_writer(actor)
    party = _locked(Party, party.pk)
    fields = _given(name=name, short_name=short_name)
    return _update_audited(party, actor=actor, action="party.update", fields=fields)


@transaction.atomic
def party_delete(*, actor: AbstractBaseUser, party: Party) -> None:
    """Refused with ``ProtectedError`` while the party has lists or meetings."""
    _require_reference_writer(actor)
    _delete(_locked(Party, party.pk), actor=actor, action="party.delete")


# --- Party lists --------------------------------------------------------------------------


@transaction.atomic
def party_list_create(
    *, actor: AbstractBaseUser, party: Party, district: District, nominated_count: int = 0
) -> PartyList:
    _require_reference_writer(actor)
    party_list = PartyList(party=party, district=district, nominated_count=nominated_count)
    return _create_audited(party_list, actor=actor, action="party_list.create")


@transaction.atomic
def party_list_update(
    *,
    actor: AbstractBaseUser,
    party_list: PartyList,
    party: Party | None = None,
    district: District | None = None,
    nominated_count: int | None = None,
) -> PartyList:
    _require_reference_writer(actor)
    party_list = _locked(PartyList, party_list.pk)
    _refuse_move(party_list, "party", party, _("A list stays with its party."))
    _refuse_move(party_list, "district", district, _("A list stays in its district."))
    fields = _given(nominated_count=nominated_count)
    return _update_audited(party_list, actor=actor, action="party_list.update", fields=fields)


@transaction.atomic
def party_list_delete(*, actor: AbstractBaseUser, party_list: PartyList) -> None:
    """Only an empty list can go: deleting would otherwise take its candidates along."""
    _require_reference_writer(actor)
    party_list = _locked(PartyList, party_list.pk)
    candidates = party_list.candidates.all()
    if candidates.exists():
        raise ProtectedError(
            _("Remove the list's candidates before deleting the list."), set(candidates[:10])
        )
    _delete(party_list, actor=actor, action="party_list.delete")


# --- Candidates ---------------------------------------------------------------------------


@transaction.atomic
def candidate_create(
    *,
    actor: AbstractBaseUser,
    party_list: PartyList,
    full_name: str,
    gender: str,
    position: int,
    status: str = Candidate.Status.REGISTERED,
    denial_reason: str = "",
    is_demo: bool = False,
) -> Candidate:
    _require_reference_writer(actor)
    candidate = Candidate(
        party_list=party_list,
        full_name=full_name,
        gender=gender,
        position=position,
        status=status,
        denial_reason=denial_reason,
        is_demo=is_demo,
    )
    return _create_audited(candidate, actor=actor, action="candidate.create")


@transaction.atomic
def candidate_update(
    *,
    actor: AbstractBaseUser,
    candidate: Candidate,
    party_list: PartyList | None = None,
    full_name: str | None = None,
    gender: str | None = None,
    position: int | None = None,
    status: str | None = None,
    denial_reason: str | None = None,
) -> Candidate:
    """Edit a candidate. A change of status goes through the same rules as
    :func:`candidate_set_status` (a denial needs a reason; only a denial has one)."""
    _require_reference_writer(actor)
    candidate = _locked(Candidate, candidate.pk)
    _refuse_move(
        candidate,
        "party_list",
        party_list,
        _("A candidate stays on their list; withdraw them and add them to the other list."),
    )
    fields = _given(full_name=full_name, gender=gender, position=position)
    fields.update(_status_fields(candidate, status, denial_reason))
    return _update_audited(candidate, actor=actor, action="candidate.update", fields=fields)


@transaction.atomic
def candidate_set_status(
    *, actor: AbstractBaseUser, candidate: Candidate, status: str, denial_reason: str = ""
) -> Candidate:
    """Register, deny (with the reason) or withdraw a candidate."""
    _require_reference_writer(actor)
    candidate = _locked(Candidate, candidate.pk)
    fields = _status_fields(candidate, status, denial_reason or "")
    return _update_audited(candidate, actor=actor, action="candidate.set_status", fields=fields)


def _status_fields(
    candidate: Candidate, status: str | None, denial_reason: str | None
) -> dict[str, Any]:
    # Leaving the denied status clears the old reason, unless the caller sent one, which
    # full_clean() then refuses: a reason on a registered candidate reads as a denial.
    fields = _given(status=status, denial_reason=denial_reason)
    new_status = fields.get("status", candidate.status)
    if new_status != Candidate.Status.DENIED and "denial_reason" not in fields:
        fields["denial_reason"] = ""
    return fields


@transaction.atomic
def candidate_delete(*, actor: AbstractBaseUser, candidate: Candidate) -> None:
    _require_reference_writer(actor)
    _delete(_locked(Candidate, candidate.pk), actor=actor, action="candidate.delete")


# --- Party meetings -----------------------------------------------------------------------


def _require_meeting_recorder(actor: AbstractBaseUser, district: District | None) -> None:
    """Observers record meetings in the districts they cover; head office and analysts
    anywhere. A district outside the actor's reach is bad input (400), not a 403, so the
    form and the API can say which field is wrong."""
    if not PARTY_MEETINGS.can_write(actor):
        raise PermissionDenied(_("Your role does not record party meetings."))
    if (
        district is not None
        and not visible_districts(actor, District.objects.filter(pk=district.pk)).exists()
    ):
        raise ValidationError({"district": _("You do not cover this district.")})


@transaction.atomic
def party_meeting_create(
    *,
    actor: AbstractBaseUser,
    party: Party,
    district: District,
    date: dt.date,
    concerns: str,
    attendees: str = "",
    themes: list[str] | None = None,
) -> PartyMeeting:
    _require_meeting_recorder(actor, district)
    meeting = PartyMeeting(
        party=party,
        district=district,
        date=date,
        attendees=attendees,
        concerns=concerns,
        themes=list(themes or []),
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    return _create_audited(meeting, actor=actor, action="party_meeting.create")


@transaction.atomic
def party_meeting_update(
    *,
    actor: AbstractBaseUser,
    meeting: PartyMeeting,
    party: Party | None = None,
    district: District | None = None,
    date: dt.date | None = None,
    attendees: str | None = None,
    concerns: str | None = None,
    themes: list[str] | None = None,
) -> PartyMeeting:
    meeting = _locked(PartyMeeting, meeting.pk)
    if not party_meeting_editable_by(actor, meeting):
        raise PermissionDenied(_("You do not cover the district of this meeting."))
    _require_meeting_recorder(actor, district)
    fields = _given(
        party=party,
        district=district,
        date=date,
        attendees=attendees,
        concerns=concerns,
        themes=themes,
    )
    return _update_audited(meeting, actor=actor, action="party_meeting.update", fields=fields)


@transaction.atomic
def party_meeting_delete(*, actor: AbstractBaseUser, meeting: PartyMeeting) -> None:
    meeting = _locked(PartyMeeting, meeting.pk)
    if not party_meeting_editable_by(actor, meeting):
        raise PermissionDenied(_("You do not cover the district of this meeting."))
    _delete(meeting, actor=actor, action="party_meeting.delete")


# --- The election calendar ----------------------------------------------------------------


@transaction.atomic
def calendar_entry_create(
    *,
    actor: AbstractBaseUser,
    election: Election,
    date: dt.date,
    kind: str,
    label: str = "",
    reference: str = "",
    time: dt.time | None = None,
) -> CalendarEntry:
    """Add a date to an election's calendar (analysts and administrators)."""
    _require_reference_writer(actor)
    entry = CalendarEntry(
        election=election, date=date, time=time, kind=kind, label=label, reference=reference
    )
    return _create_audited(entry, actor=actor, action="calendar_entry.create")


@transaction.atomic
def calendar_entry_update(
    *,
    actor: AbstractBaseUser,
    entry: CalendarEntry,
    election: Election | None = None,
    date: dt.date | None = None,
    kind: str | None = None,
    label: str | None = None,
    reference: str | None = None,
    time: dt.time | None | object = UNCHANGED,
) -> CalendarEntry:
    """Change a date of the calendar. ``time=None`` removes the time (a date may have
    none); leaving ``time`` out keeps it."""
    _require_reference_writer(actor)
    entry = _locked(CalendarEntry, entry.pk)
    _refuse_move(entry, "election", election, _("A date stays in its election's calendar."))
    fields = _given(date=date, kind=kind, label=label, reference=reference)
    if time is not UNCHANGED:
        fields["time"] = time
    return _update_audited(entry, actor=actor, action="calendar_entry.update", fields=fields)


@transaction.atomic
def calendar_entry_delete(*, actor: AbstractBaseUser, entry: CalendarEntry) -> None:
    _require_reference_writer(actor)
    _delete(_locked(CalendarEntry, entry.pk), actor=actor, action="calendar_entry.delete")
