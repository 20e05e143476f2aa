"""The incident lifecycle of docs/lifecycle.md, and the other triage writes: assign, severity,
comments and questions to the observer, and the observer's answer coming back.

``submitted → in_review → verified → escalated → closed``, with the side exits
``in_review → needs_info → in_review`` (a question to the observer), ``in_review →
rejected`` (with a reason) and ``* → duplicate`` (of another incident of the same
election). ``incident_transition`` is the only way the status changes; pages, API,
tasks and the demo all call it. The move to ``escalated`` is handed to
``escalation.incident_escalate``, which writes the outbox row in the same transaction.

Every write locks the incident, checks the version the user saw and records an event
through ``records``; each change also writes an audit entry.

Imports inside ``incidents.services`` go one way: ``filing → lifecycle → escalation →
records → alerts`` (a module imports only modules after it), so no circle can form.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commissions.models import Complaint
from incidents import policies
from incidents.models import Comment, Incident, IncidentEvent
from incidents.services import alerts
from incidents.services.escalation import can_be_escalated, incident_escalate
from incidents.services.records import (
    IncidentVersionConflict,
    clean_text,
    deny_unless,
    lock_incident,
    record_event,
    save_incident,
)
from observation.kernel.access import role_of
from observation.kernel.audit import audit_log

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser

Status = Incident.Status

TRANSITIONS: dict[str, frozenset[str]] = {
    Status.SUBMITTED: frozenset({Status.IN_REVIEW, Status.DUPLICATE}),
    Status.IN_REVIEW: frozenset(
        {Status.VERIFIED, Status.NEEDS_INFO, Status.REJECTED, Status.DUPLICATE}
    ),
    Status.NEEDS_INFO: frozenset({Status.IN_REVIEW, Status.DUPLICATE}),
    Status.VERIFIED: frozenset({Status.ESCALATED, Status.DUPLICATE}),
    Status.ESCALATED: frozenset({Status.CLOSED, Status.DUPLICATE}),
    Status.CLOSED: frozenset({Status.DUPLICATE}),
    Status.REJECTED: frozenset({Status.DUPLICATE}),
    Status.DUPLICATE: frozenset(),
}
"""Where each status may go. ``escalated`` is reached only through
``escalation.incident_escalate`` (it needs the outbox row)."""

QUESTION_STATUSES = frozenset({Status.IN_REVIEW, Status.NEEDS_INFO})
"""A question to the observer can be asked while the incident is being reviewed."""

RECOMMENDATIONS = {
    Status.VERIFIED: gettext_lazy("verify it"),
    Status.NEEDS_INFO: gettext_lazy("ask the observer"),
    Status.REJECTED: gettext_lazy("reject it"),
    Status.DUPLICATE: gettext_lazy("mark it as a duplicate"),
    Status.ESCALATED: gettext_lazy("send it to the RRCG"),
    Status.CLOSED: gettext_lazy("close it"),
}
"""What a legal expert (or anyone who comments) may recommend head office do."""


def _label(status: str) -> str:
    return str(Status(status).label)


# --- reads used by pages and API ------------------------------------------------------------


def allowed_transitions(incident: Incident) -> list[str]:
    """The statuses ``incident`` may move to, in lifecycle order."""
    targets = TRANSITIONS.get(incident.status, frozenset())
    return [s for s in Status.values if s in targets]


def steps_before_escalation(incident: Incident) -> list[str]:
    """The statuses ``incident`` still has to pass through before it can be sent to the
    RRCG, in order, ending with ``verified`` (the shortest way through the lifecycle,
    docs/lifecycle.md); empty when it can be sent now or never can be."""
    if can_be_escalated(incident):
        return []
    paths: dict[str, list[str]] = {incident.status: []}
    frontier = [incident.status]
    while frontier:
        following = []
        for status in frontier:
            for target in Incident.Status.values:
                if target in TRANSITIONS.get(status, ()) and target not in paths:
                    if target in (Incident.Status.DUPLICATE, Incident.Status.REJECTED):
                        continue
                    paths[target] = [*paths[status], target]
                    following.append(target)
        frontier = following
    return paths.get(Incident.Status.VERIFIED, [])


def can_ask_observer(incident: Incident) -> bool:
    return incident.status in QUESTION_STATUSES


# --- transitions --------------------------------------------------------------------------


def _check_move(incident: Incident, to: str) -> None:
    if to == incident.status:
        raise ValidationError(
            {"to": _("%(ref)s is already %(status)s.")
             % {"ref": incident.ref, "status": _label(to)}}
        )  # fmt: skip
    if to not in TRANSITIONS[incident.status]:
        allowed = ", ".join(_label(s) for s in allowed_transitions(incident)) or _("none")
        raise ValidationError(
            {
                "to": _(
                    "An incident that is “%(from)s” cannot become “%(to)s”. "
                    "From “%(from)s” it can become: %(allowed)s."
                )
                % {"from": _label(incident.status), "to": _label(to), "allowed": allowed}
            }
        )


def _resolve_original(duplicate_of: Any) -> Incident:
    if duplicate_of is None or duplicate_of == "":
        raise ValidationError({"duplicate_of": _("Name the incident this one duplicates.")})
    if isinstance(duplicate_of, Incident):
        return duplicate_of
    try:
        pk = duplicate_of if isinstance(duplicate_of, uuid.UUID) else uuid.UUID(str(duplicate_of))
    except ValueError:
        raise ValidationError({"duplicate_of": _("This is not an incident id.")}) from None
    original = Incident.objects.filter(pk=pk).first()
    if original is None:
        raise ValidationError({"duplicate_of": _("There is no incident with this id.")})
    return original


def _lock_pair(incident: Incident, original: Incident, expected_version: int | None):
    """Lock both rows in one order (by id) so that marking A a duplicate of B while
    someone marks B a duplicate of A cannot deadlock or make a cycle: the second one
    waits, then sees the first one's result and is refused."""
    rows = Incident.objects.select_for_update().filter(pk__in=[incident.pk, original.pk])
    locked = {row.pk: row for row in rows.order_by("pk")}
    current = locked[incident.pk]
    if expected_version is not None and current.version != expected_version:
        raise IncidentVersionConflict(current)
    return current, locked[original.pk]


def _check_original(incident: Incident, original: Incident) -> None:
    if original.pk == incident.pk:
        raise ValidationError({"duplicate_of": _("An incident cannot duplicate itself.")})
    if original.election_id != incident.election_id:
        raise ValidationError(
            {"duplicate_of": _("%(ref)s belongs to another election.") % {"ref": original.ref}}
        )
    if original.status == Status.DUPLICATE:
        raise ValidationError(
            {
                "duplicate_of": _(
                    "%(ref)s is itself a duplicate of %(original)s: mark this one as a "
                    "duplicate of %(original)s."
                )
                % {"ref": original.ref, "original": original.duplicate_of.ref}
            }
        )
    if original.status == Status.REJECTED:
        raise ValidationError(
            {
                "duplicate_of": _(
                    "%(ref)s was rejected, so it is not counted: reject this report too "
                    "instead of marking it a duplicate."
                )
                % {"ref": original.ref}
            }
        )


def _repoint_duplicates(*, actor: AbstractUser, incident: Incident, original: Incident) -> None:
    """Incidents already marked duplicates of ``incident`` now point at ``original``, so
    a duplicate always names an incident that counts (no chains)."""
    for dup in Incident.objects.select_for_update().filter(duplicate_of=incident).order_by("pk"):
        save_incident(dup, duplicate_of=original)
        record_event(
            dup,
            actor=actor,
            kind=IncidentEvent.Kind.EDITED,
            note=_("Now a duplicate of %(original)s, because %(ref)s was marked its duplicate.")
            % {"original": original.ref, "ref": incident.ref},
            data={"duplicate_of": [str(incident.pk), str(original.pk)]},
        )
        audit_log(
            actor=actor,
            action="incident.duplicate_repointed",
            target=dup,
            data={"from": str(incident.pk), "to": str(original.pk)},
        )


def incident_transition(
    *,
    actor: AbstractUser,
    incident: Incident,
    to: str,
    note: str = "",
    duplicate_of: Incident | uuid.UUID | str | None = None,
    expected_version: int | None = None,
) -> Incident:
    """Move ``incident`` to status ``to``; returns the incident as saved.

    Needs a ``note`` to reject (the reason) or to ask the observer (the question, which
    becomes a ``question_to_lto`` comment on the observer's page), and ``duplicate_of``
    to mark a duplicate. ``to="escalated"`` escalates with ``note`` as the reason."""
    if to == Status.ESCALATED:
        escalation = incident_escalate(
            actor=actor, incident=incident, reason=note, expected_version=expected_version
        )
        return escalation.incident
    deny_unless(
        policies.can_triage(actor),
        _("Only head office can change the status of an incident."),
    )
    if to not in Status.values:
        raise ValidationError({"to": _("“%(value)s” is not a status.") % {"value": to}})
    required = {
        Status.REJECTED: _("Give the reason for rejecting this report."),
        Status.NEEDS_INFO: _("Write the question for the observer."),
    }.get(to)
    note = clean_text(note, "note", required=required)
    if to != Status.DUPLICATE and duplicate_of not in (None, ""):
        raise ValidationError(
            {"duplicate_of": _("Name an original only when marking a duplicate.")}
        )

    with transaction.atomic():
        original = None
        if to == Status.DUPLICATE:
            original = _resolve_original(duplicate_of)
            current, original = _lock_pair(incident, original, expected_version)
        else:
            current = lock_incident(incident.pk, expected_version)
        _check_move(current, to)
        changes: dict[str, Any] = {"status": to}
        data: dict[str, Any] = {}
        if original is not None:
            _check_original(current, original)
            changes["duplicate_of"] = original
            data["duplicate_of"] = str(original.pk)
            data["duplicate_of_ref"] = original.ref
        from_status = current.status
        save_incident(current, **changes)
        if to == Status.NEEDS_INFO:
            question = Comment.objects.create(
                incident=current,
                author=actor,
                body=note,
                visibility=Comment.Visibility.QUESTION_TO_LTO,
            )
            data["comment_id"] = question.pk
        record_event(
            current,
            actor=actor,
            kind=IncidentEvent.Kind.TRANSITION,
            from_status=from_status,
            to_status=to,
            note=note,
            data=data,
        )
        audit_log(
            actor=actor,
            action="incident.transition",
            target=current,
            data={"from": from_status, "to": to, "note": note, **data},
        )
        if original is not None:
            _repoint_duplicates(actor=actor, incident=current, original=original)
    return current


def incident_answer_received(*, incident: Incident, comment: Comment) -> Incident:
    """The observer answered head office's question (``comment`` is the
    ``answer_from_lto``). Called by ``incidents.services.question_answer`` inside its
    transaction, and by the periodic alert check for any answer it missed.

    While the incident waits for the observer (``needs_info``) and no question is left
    open, it goes back to ``in_review``; either way head office is alerted once per
    answer. The observer is recorded as the actor: the move is the consequence of their
    answer, which their own service has already authorised."""
    if comment.visibility != Comment.Visibility.ANSWER_FROM_LTO:
        raise ValueError("incident_answer_received takes an answer from the observer")
    with transaction.atomic():
        current = lock_incident(incident.pk, None)
        still_open = current.comments.filter(
            visibility=Comment.Visibility.QUESTION_TO_LTO, answered_at__isnull=True
        ).exists()
        if current.status == Status.NEEDS_INFO and not still_open:
            save_incident(current, status=Status.IN_REVIEW)
            note = _("The observer answered; back in review.")
            record_event(
                current,
                actor=comment.author,
                kind=IncidentEvent.Kind.TRANSITION,
                from_status=Status.NEEDS_INFO,
                to_status=Status.IN_REVIEW,
                note=note,
                data={"answer_id": comment.pk, "automatic": True},
            )
            audit_log(
                actor=comment.author,
                action="incident.transition",
                target=current,
                data={"from": Status.NEEDS_INFO, "to": Status.IN_REVIEW, "answer_id": comment.pk},
            )
        alerts.alert_answer_received(incident=current, answer=comment)
    return current


def answers_check(*, now: dt.datetime | None = None) -> int:
    """Part of the periodic check (``tasks.check_alerts``): answers whose service did not
    hand them over (or whose call was rolled back) are handed over now. Returns how many
    it handed over."""
    now = now or timezone.now()
    since = now - alerts.ANSWER_LOOKBACK
    answers = (
        Comment.objects.filter(visibility=Comment.Visibility.ANSWER_FROM_LTO, created_at__gte=since)
        .exclude(pk__in=alerts.alerted_answer_ids(since=since))
        .select_related("incident", "author")
        .order_by("created_at")[: alerts.CHECK_BATCH]
    )
    handed_over = 0
    for answer in answers:
        incident_answer_received(incident=answer.incident, comment=answer)
        handed_over += 1
    return handed_over


# --- assignment, severity, comments ---------------------------------------------------------


def incident_assign(
    *,
    actor: AbstractUser,
    incident: Incident,
    assignee: AbstractUser | None,
    expected_version: int | None = None,
) -> Incident:
    """Give ``incident`` to a member of head office or a legal expert (None: nobody)."""
    deny_unless(policies.can_triage(actor), _("Only head office can assign incidents."))
    if assignee is not None and (
        not assignee.is_active or role_of(assignee) not in policies.ASSIGNABLE
    ):
        raise ValidationError(
            {"assignee": _("Incidents are assigned to head office or legal experts.")}
        )
    with transaction.atomic():
        current = lock_incident(incident.pk, expected_version)
        before = current.assignee_id
        after = assignee.pk if assignee is not None else None
        if before == after:
            return current
        save_incident(current, assignee=assignee)
        name = assignee.get_full_name() or assignee.get_username() if assignee else ""
        record_event(
            current,
            actor=actor,
            kind=IncidentEvent.Kind.ASSIGNED,
            note=name,
            data={"assignee_id": after, "previous_assignee_id": before},
        )
        audit_log(
            actor=actor,
            action="incident.assign",
            target=current,
            data={"assignee_id": [before, after]},
        )
    return current


def incident_set_severity(
    *, actor: AbstractUser, incident: Incident, severity: str, expected_version: int | None = None
) -> Incident:
    """Mark ``incident`` serious (head office is alerted) or normal."""
    deny_unless(policies.can_triage(actor), _("Only head office can set the severity."))
    if severity not in Incident.Severity.values:
        raise ValidationError(
            {"severity": _("“%(value)s” is not a severity.") % {"value": severity}}
        )
    with transaction.atomic():
        current = lock_incident(incident.pk, expected_version)
        before = current.severity
        if before == severity:
            return current
        save_incident(current, severity=severity)
        record_event(
            current,
            actor=actor,
            kind=IncidentEvent.Kind.EDITED,
            note=_("Severity: %(before)s → %(after)s")
            % {
                "before": Incident.Severity(before).label,
                "after": Incident.Severity(severity).label,
            },
            data={"severity": [before, severity]},
        )
        audit_log(
            actor=actor,
            action="incident.severity",
            target=current,
            data={"severity": [before, severity]},
        )
        if severity == Incident.Severity.SERIOUS:
            alerts.alert_incident_serious(incident=current)
    return current


def incident_link_complaints(
    *, actor: AbstractUser, incident: Incident, complaints: Iterable[Complaint]
) -> Incident:
    """Set the complaints to commissions that concern ``incident`` (all of them: the
    ones not given are unlinked). A complaint must be to a commission of the incident's
    election. Head office, legal and admin."""
    deny_unless(
        policies.can_link_complaints(actor),
        _("Only head office and legal experts link complaints to incidents."),
    )
    chosen = {c.pk: c for c in complaints}
    wrong = sorted(
        str(c)
        for c in Complaint.objects.filter(pk__in=list(chosen)).select_related("commission")
        if c.commission.election_id != incident.election_id
    )
    if wrong:
        raise ValidationError(
            {
                "complaints": _(
                    "A complaint to a commission of another election cannot concern this "
                    "incident: %(names)s."
                )
                % {"names": "; ".join(wrong)}
            }
        )
    with transaction.atomic():
        current = lock_incident(incident.pk, None)
        before = set(current.complaints.values_list("pk", flat=True))
        after = set(chosen)
        if before == after:
            return current
        current.complaints.set(sorted(after))
        data = {"complaints": [sorted(before), sorted(after)]}
        record_event(
            current,
            actor=actor,
            kind=IncidentEvent.Kind.EDITED,
            note=_("Complaints concerning it: %(n)d") % {"n": len(after)},
            data=data,
        )
        audit_log(actor=actor, action="incident.complaints", target=current, data=data)
    return current


def incident_comment(
    *,
    actor: AbstractUser,
    incident: Incident,
    body: str,
    visibility: str = Comment.Visibility.INTERNAL,
    recommendation: str = "",
) -> Comment:
    """Write an internal note (head office, legal experts, admin), optionally
    recommending a next step, or ask the observer a question (head office): the first
    question moves the incident to ``needs_info``, a follow-up keeps it there.

    Who may act is checked before what they sent: a role that may not comment gets a
    refusal (403), never a complaint about its input (docs/lifecycle.md)."""
    if visibility == Comment.Visibility.QUESTION_TO_LTO:
        deny_unless(policies.can_triage(actor), _("Only head office asks the observer questions."))
    else:
        deny_unless(
            policies.can_comment(actor),
            _("Only head office and legal experts comment on incidents."),
        )
    body = clean_text(body, "body", required=_("Write something first."))
    if visibility == Comment.Visibility.QUESTION_TO_LTO:
        return _ask_observer(actor=actor, incident=incident, question=body)
    if visibility != Comment.Visibility.INTERNAL:
        raise ValidationError(
            {"visibility": _("Comments are internal notes or questions to the observer.")}
        )
    if recommendation and recommendation not in RECOMMENDATIONS:
        raise ValidationError(
            {"recommendation": _("“%(value)s” is not a next step.") % {"value": recommendation}}
        )
    with transaction.atomic():
        comment = Comment.objects.create(
            incident=incident, author=actor, body=body, visibility=Comment.Visibility.INTERNAL
        )
        record_event(
            incident,
            actor=actor,
            kind=IncidentEvent.Kind.COMMENT,
            note=body,
            data={"comment_id": comment.pk, "recommendation": recommendation},
        )
        audit_log(
            actor=actor,
            action="incident.comment",
            target=incident,
            data={"comment_id": comment.pk, "recommendation": recommendation},
        )
    return comment


def _ask_observer(*, actor: AbstractUser, incident: Incident, question: str) -> Comment:
    deny_unless(
        policies.can_triage(actor),
        _("Only head office asks the observer questions."),
    )
    with transaction.atomic():
        current = lock_incident(incident.pk, None)
        if current.status == Status.IN_REVIEW:
            incident_transition(actor=actor, incident=current, to=Status.NEEDS_INFO, note=question)
            return current.comments.filter(visibility=Comment.Visibility.QUESTION_TO_LTO).latest(
                "created_at", "id"
            )
        if current.status != Status.NEEDS_INFO:
            raise ValidationError(
                {
                    "visibility": _(
                        "Questions to the observer are asked while the incident is in review; "
                        "this one is “%(status)s”."
                    )
                    % {"status": _label(current.status)}
                }
            )
        comment = Comment.objects.create(
            incident=current,
            author=actor,
            body=question,
            visibility=Comment.Visibility.QUESTION_TO_LTO,
        )
        record_event(
            current,
            actor=actor,
            kind=IncidentEvent.Kind.QUESTION,
            note=question,
            data={"comment_id": comment.pk},
        )
        audit_log(
            actor=actor,
            action="incident.question",
            target=current,
            data={"comment_id": comment.pk},
        )
    return comment


# --- many incidents at once (head office's queue) ---------------------------------------------

BULK_ASSIGN = "assign"
BULK_REVIEW = "in_review"
BULK_DUPLICATE = "duplicate"
BULK_ACTIONS = (BULK_ASSIGN, BULK_REVIEW, BULK_DUPLICATE)


@dataclass(frozen=True)
class BulkOutcome:
    """What happened to one incident of a bulk action: done, or why not."""

    incident: Incident
    done: bool
    message: str = ""


def incidents_bulk(
    *,
    actor: AbstractUser,
    action: str,
    items: Sequence[tuple[Incident, int | None]],
    assignee: AbstractUser | None = None,
    original: Incident | None = None,
    note: str = "",
) -> list[BulkOutcome]:
    """Apply one action to many incidents, each ``(incident, version seen)``: assign
    them, move them to review, or mark them duplicates of ``original``. Each incident goes
    through the same service as on its page, in its own transaction, and is reported on
    its own: one refused or changed meanwhile (a version conflict) does not hold up the
    others."""
    deny_unless(policies.can_triage(actor), _("Only head office can triage incidents."))
    if action not in BULK_ACTIONS:
        raise ValidationError({"action": _("Choose what to do with the chosen incidents.")})
    if action == BULK_DUPLICATE and original is None:
        raise ValidationError({"original": _("Give the incident they repeat.")})
    if not items:
        raise ValidationError({"incidents": _("Choose at least one incident.")})
    outcomes = []
    for incident, version in items:
        try:
            if action == BULK_ASSIGN:
                incident_assign(
                    actor=actor, incident=incident, assignee=assignee, expected_version=version
                )
            elif action == BULK_REVIEW:
                incident_transition(
                    actor=actor,
                    incident=incident,
                    to=Status.IN_REVIEW,
                    note=note,
                    expected_version=version,
                )
            else:
                incident_transition(
                    actor=actor,
                    incident=incident,
                    to=Status.DUPLICATE,
                    duplicate_of=original,
                    note=note,
                    expected_version=version,
                )
        except IncidentVersionConflict as exc:
            outcomes.append(BulkOutcome(incident, False, str(exc)))
        except ValidationError as exc:
            outcomes.append(BulkOutcome(incident, False, " ".join(exc.messages)))
        else:
            outcomes.append(BulkOutcome(incident, True))
    return outcomes
