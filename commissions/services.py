"""Every write to commissions and their activity, with its rules and its audit entry.

Pages, the API, the admin and the demo loader all call these functions; each runs in one
transaction, validates with ``full_clean()`` (so a broken rule is a ``ValidationError``
naming the field and nothing is written) and records who did what.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from commissions.models import (
    Commission,
    CommissionDecision,
    CommissionMeeting,
    CommissionMember,
    Complaint,
)
from observation.kernel.audit import audit_log
from observation.kernel.db import model_save, model_update

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

M = TypeVar("M", bound=models.Model)

# The general rule of Kyrgyz electoral law: a complaint is decided within five days of
# receipt, and before election day; one lodged on election day or the day after is decided
# at once. A legal expert enters the deadline instead wherever another rule applies.
REVIEW_DAYS = 5

# Decided and withdrawn complaints are closed: a correction reopens nothing.
COMPLAINT_TRANSITIONS: dict[str, frozenset[str]] = {
    Complaint.Status.RECEIVED: frozenset(
        {Complaint.Status.UNDER_REVIEW, Complaint.Status.DECIDED, Complaint.Status.WITHDRAWN}
    ),
    Complaint.Status.UNDER_REVIEW: frozenset(
        {Complaint.Status.DECIDED, Complaint.Status.WITHDRAWN}
    ),
    Complaint.Status.DECIDED: frozenset(),
    Complaint.Status.WITHDRAWN: frozenset(),
}


# --- helpers ---------------------------------------------------------------------------


def _value(instance: models.Model, name: str) -> Any:
    field = instance._meta.get_field(name)
    return getattr(instance, field.attname)


def _snapshot(instance: models.Model, names: Iterable[str]) -> dict[str, Any]:
    """Field values as the audit trail stores them: foreign keys by id."""
    return {instance._meta.get_field(n).attname: _value(instance, n) for n in names}


def _edit(
    instance: M, changes: dict[str, Any], *, allowed: Iterable[str], fixed: Iterable[str] = ()
) -> dict[str, list[Any]]:
    """Refuse a field not ``allowed`` or a change to a ``fixed`` one, then apply the rest
    (``observation.kernel.db.model_update``); return ``{attname: [old, new]}``."""
    allowed = set(allowed)
    unknown = set(changes) - allowed - set(fixed)
    if unknown:
        raise TypeError(f"Not editable here: {', '.join(sorted(unknown))}")
    for name in fixed:
        if name in changes and _pk(changes[name]) != _value(instance, name):
            raise ValidationError({name: _("This cannot be changed once recorded.")})
    return model_update(instance, {k: v for k, v in changes.items() if k in allowed})


def _pk(value: Any) -> Any:
    return value.pk if isinstance(value, models.Model) else value


def _lock(instance: M) -> M:
    """Re-read the row under a lock: checks that span rows (one chair at a time, the
    status a complaint is in) then see what concurrent writers committed."""
    return type(instance).objects.select_for_update().get(pk=instance.pk)


# --- Commissions -----------------------------------------------------------------------

COMMISSION_FIELDS = ("name", "parent", "district", "pec_count", "note")


def commission_create(
    *,
    actor: AbstractBaseUser,
    election: Any,
    level: str,
    name: str,
    parent: Commission | None = None,
    district: Any = None,
    pec_count: int | None = None,
    note: str = "",
) -> Commission:
    with transaction.atomic():
        commission = model_save(
            Commission(
                election=election,
                level=level,
                name=name,
                parent=parent,
                district=district,
                pec_count=pec_count,
                note=note,
            )
        )
        audit_log(
            actor=actor,
            action="commission.create",
            target=commission,
            data=_snapshot(commission, ("election", "level", *COMMISSION_FIELDS)),
        )
    return commission


def commission_update(
    *, actor: AbstractBaseUser, commission: Commission, **changes: Any
) -> Commission:
    """Edit a commission. Its election and level are fixed: the tree under it and the
    activity recorded for it depend on them."""
    with transaction.atomic():
        commission = _lock(commission)
        diff = _edit(commission, changes, allowed=COMMISSION_FIELDS, fixed=("election", "level"))
        if diff:
            audit_log(actor=actor, action="commission.update", target=commission, data=diff)
    return commission


# --- Members ---------------------------------------------------------------------------

MEMBER_FIELDS = (
    "full_name",
    "role",
    "nominated_by",
    "party",
    "party_label",
    "term_start",
    "term_end",
    "re_elected",
    "note",
)


def commission_member_add(
    *,
    actor: AbstractBaseUser,
    commission: Commission,
    full_name: str,
    term_start: dt.date | None,
    role: str = CommissionMember.MemberRole.MEMBER,
    nominated_by: str = CommissionMember.NominatedBy.OTHER,
    party: Any = None,
    party_label: str = "",
    term_end: dt.date | None = None,
    re_elected: bool = False,
    note: str = "",
) -> CommissionMember:
    with transaction.atomic():
        commission = _lock(commission)
        member = model_save(
            CommissionMember(
                commission=commission,
                full_name=full_name,
                role=role,
                nominated_by=nominated_by,
                party=party,
                party_label=party_label,
                term_start=term_start,
                term_end=term_end,
                re_elected=re_elected,
                note=note,
            )
        )
        audit_log(
            actor=actor,
            action="commission_member.add",
            target=member,
            data=_snapshot(member, ("commission", *MEMBER_FIELDS)),
        )
    return member


def commission_member_update(
    *, actor: AbstractBaseUser, member: CommissionMember, **changes: Any
) -> CommissionMember:
    """Correct a term. A member moving to another commission or role starts a new term
    (``commission_member_add``) after this one ends, so the record keeps both."""
    with transaction.atomic():
        Commission.objects.select_for_update().get(pk=member.commission_id)
        member = _lock(member)
        diff = _edit(member, changes, allowed=MEMBER_FIELDS, fixed=("commission",))
        if diff:
            audit_log(actor=actor, action="commission_member.update", target=member, data=diff)
    return member


def commission_member_end_term(
    *, actor: AbstractBaseUser, member: CommissionMember, term_end: dt.date, note: str | None = None
) -> CommissionMember:
    """Record the member's last day in office."""
    with transaction.atomic():
        member = _lock(member)
        if member.term_end is not None:
            raise ValidationError(
                {
                    "term_end": _("This term already ended on %(date)s; correct it instead.")
                    % {"date": member.term_end.isoformat()}
                }
            )
        changes: dict[str, Any] = {"term_end": term_end}
        if note is not None:
            changes["note"] = note
        diff = _edit(member, changes, allowed=("term_end", "note"))
        audit_log(actor=actor, action="commission_member.end_term", target=member, data=diff)
    return member


# --- Meetings --------------------------------------------------------------------------

MEETING_FIELDS = (
    "date",
    "mode",
    "quorum",
    "notified",
    "notified_how",
    "sanitary_rules",
    "observer",
    "notes",
)


def commission_meeting_record(
    *,
    actor: AbstractBaseUser,
    commission: Commission,
    date: dt.date,
    mode: str,
    quorum: bool | None = None,
    notified: bool = False,
    notified_how: str = "",
    sanitary_rules: str = "",
    observer: Any = None,
    notes: str = "",
) -> CommissionMeeting:
    with transaction.atomic():
        meeting = model_save(
            CommissionMeeting(
                commission=commission,
                date=date,
                mode=mode,
                quorum=quorum,
                notified=notified,
                notified_how=notified_how,
                sanitary_rules=sanitary_rules,
                observer=observer,
                notes=notes,
            )
        )
        audit_log(
            actor=actor,
            action="commission_meeting.record",
            target=meeting,
            data=_snapshot(meeting, ("commission", *MEETING_FIELDS)),
        )
    return meeting


def commission_meeting_update(
    *, actor: AbstractBaseUser, meeting: CommissionMeeting, **changes: Any
) -> CommissionMeeting:
    with transaction.atomic():
        meeting = _lock(meeting)
        if "date" in changes and meeting.decisions.exclude(date=changes["date"]).exists():
            raise ValidationError(
                {"date": _("Decisions taken at this meeting carry its date; change them first.")}
            )
        diff = _edit(meeting, changes, allowed=MEETING_FIELDS, fixed=("commission",))
        if diff:
            audit_log(actor=actor, action="commission_meeting.update", target=meeting, data=diff)
    return meeting


# --- Decisions -------------------------------------------------------------------------

DECISION_FIELDS = (
    "meeting",
    "complaint",
    "date",
    "kind",
    "party",
    "candidate",
    "candidate_name",
    "legal_basis",
    "summary",
)


def commission_decision_record(
    *,
    actor: AbstractBaseUser,
    commission: Commission,
    date: dt.date,
    kind: str,
    summary: str,
    meeting: CommissionMeeting | None = None,
    complaint: Complaint | None = None,
    party: Any = None,
    candidate: Any = None,
    candidate_name: str = "",
    legal_basis: str = "",
) -> CommissionDecision:
    with transaction.atomic():
        decision = model_save(
            CommissionDecision(
                commission=commission,
                meeting=meeting,
                complaint=complaint,
                date=date,
                kind=kind,
                party=party,
                candidate=candidate,
                candidate_name=candidate_name,
                legal_basis=legal_basis,
                summary=summary,
            )
        )
        audit_log(
            actor=actor,
            action="commission_decision.record",
            target=decision,
            data=_snapshot(decision, ("commission", *DECISION_FIELDS)),
        )
    return decision


def commission_decision_update(
    *, actor: AbstractBaseUser, decision: CommissionDecision, **changes: Any
) -> CommissionDecision:
    with transaction.atomic():
        decision = _lock(decision)
        diff = _edit(decision, changes, allowed=DECISION_FIELDS, fixed=("commission",))
        if diff:
            audit_log(actor=actor, action="commission_decision.update", target=decision, data=diff)
    return decision


# --- Complaints ------------------------------------------------------------------------

COMPLAINT_FIELDS = (
    "filed_on",
    "received_on",
    "complainant",
    "subject",
    "deadline",
    "decided_on",
    "decision",
    "status",
)


def default_deadline(commission: Commission, received_on: dt.date) -> dt.date:
    """The deadline the general rule gives (see ``REVIEW_DAYS``)."""
    election_day = commission.election.election_day
    if received_on >= election_day - dt.timedelta(days=1):
        return received_on
    return min(received_on + dt.timedelta(days=REVIEW_DAYS), election_day - dt.timedelta(days=1))


def complaint_record(
    *,
    actor: AbstractBaseUser,
    commission: Commission,
    filed_on: dt.date,
    received_on: dt.date,
    complainant: str,
    subject: str,
    deadline: dt.date | None = None,
    status: str = Complaint.Status.RECEIVED,
    decided_on: dt.date | None = None,
    decision: str = "",
) -> Complaint:
    """Register a complaint. Without a deadline, the general rule's one is entered; a
    complaint found already decided may be recorded with its decision in one step."""
    if deadline is None and received_on is not None and commission is not None:
        deadline = default_deadline(commission, received_on)
    with transaction.atomic():
        complaint = model_save(
            Complaint(
                commission=commission,
                filed_on=filed_on,
                received_on=received_on,
                complainant=complainant,
                subject=subject,
                deadline=deadline,
                status=status,
                decided_on=decided_on,
                decision=decision,
            )
        )
        audit_log(
            actor=actor,
            action="complaint.record",
            target=complaint,
            data=_snapshot(complaint, ("commission", *COMPLAINT_FIELDS)),
        )
    return complaint


def complaint_update(*, actor: AbstractBaseUser, complaint: Complaint, **changes: Any) -> Complaint:
    """Correct a complaint or move it on: received → under review → decided, or
    withdrawn while open. A closed complaint does not reopen."""
    with transaction.atomic():
        complaint = _lock(complaint)
        new_status = changes.get("status", complaint.status)
        if new_status != complaint.status and new_status not in COMPLAINT_TRANSITIONS.get(
            complaint.status, frozenset()
        ):
            raise ValidationError(
                {
                    "status": _("A complaint that is %(old)s cannot become %(new)s.")
                    % {
                        "old": complaint.get_status_display().lower(),
                        "new": str(Complaint.Status(new_status).label).lower()
                        if new_status in Complaint.Status.values
                        else new_status,
                    }
                }
            )
        if changes.get("deadline", complaint.deadline) is None:
            changes["deadline"] = default_deadline(
                complaint.commission, changes.get("received_on", complaint.received_on)
            )
        diff = _edit(complaint, changes, allowed=COMPLAINT_FIELDS, fixed=("commission",))
        if diff:
            audit_log(actor=actor, action="complaint.update", target=complaint, data=diff)
    return complaint


def complaint_decide(
    *, actor: AbstractBaseUser, complaint: Complaint, decided_on: dt.date, decision: str
) -> Complaint:
    """Record the commission's decision on an open complaint."""
    with transaction.atomic():
        complaint = _lock(complaint)
        if complaint.status not in Complaint.OPEN_STATUSES:
            raise ValidationError(
                {"status": _("Only an open complaint can be decided; this one is closed.")}
            )
        diff = _edit(
            complaint,
            {"status": Complaint.Status.DECIDED, "decided_on": decided_on, "decision": decision},
            allowed=COMPLAINT_FIELDS,
        )
        audit_log(actor=actor, action="complaint.decide", target=complaint, data=diff)
    return complaint
