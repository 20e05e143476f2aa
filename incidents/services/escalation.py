"""Escalation of incidents to the RRCG (docs/escalation.md): the transactional outbox, the
delivery with its bounded retry schedule, the sweep, manual retry and acknowledgement.

How an escalation travels:

1. ``incident_escalate`` moves a verified incident to ``escalated`` and writes the
   ``Escalation`` row (payload frozen) in the same transaction; the delivery task is
   published after commit and never holds up or fails the request.
2. ``escalation_deliver`` claims the row (``SELECT … FOR UPDATE SKIP LOCKED``, then
   ``claimed_at``), stores an ``EscalationAttempt``, sends outside any transaction, and
   records the answer. A claim older than the claim window (the request timeout and some
   margin) belongs to a worker that died and may be taken again.
3. A failed attempt that may be retried gets ``next_attempt_at`` from the schedule
   (``ESCALATION_RETRY_DELAYS``, with jitter). Short waits also ride on the broker as a
   countdown; every wait is in the database, where ``escalations_sweep`` (Celery beat)
   finds due rows, so a lost broker message delays a delivery but never loses it.
4. A final refusal (4xx other than 408/429) or the end of the schedule marks the row
   ``failed`` and alerts head office, who may retry it by hand.

A ``delivered`` or ``acknowledged`` row is never sent again; the ``Idempotency-Key`` (the
escalation id) lets the RRCG recognise the rare resend after a worker died between its
request and the answer being recorded.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from incidents import policies, rrcg
from incidents.models import Escalation, EscalationAttempt, Evidence, Incident, IncidentEvent
from incidents.services import alerts
from incidents.services.records import (
    clean_text,
    deny_unless,
    lock_incident,
    record_event,
    save_incident,
)
from observation.kernel.api import Conflict
from observation.kernel.audit import audit_log
from observation.kernel.tasking import enqueue_on_commit, publish_quietly

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser

logger = logging.getLogger(__name__)

JITTER = 0.2
"""Each wait is stretched or shrunk by up to this fraction, so escalations that failed
together (the RRCG was down) do not all come back at the same second."""
CLAIM_MARGIN = dt.timedelta(seconds=5)
SWEEP_BATCH = 200
INTERRUPTED = "The worker stopped before this attempt's answer was recorded."
DELIVERY_TASK = "incidents.tasks.deliver_escalation"


@dataclass(frozen=True)
class Delivery:
    """What one call of ``escalation_deliver`` did. ``retry_in`` (seconds) is set when
    the row waits for a next attempt that the caller may schedule as a countdown."""

    outcome: str  # delivered, retry, failed, waiting, skipped
    retry_in: float | None = None
    detail: str = ""


# --- escalating ------------------------------------------------------------------------------


def _publish_delivery(escalation: Escalation) -> None:
    enqueue_on_commit(DELIVERY_TASK, str(escalation.pk))


def can_be_escalated(incident: Incident) -> bool:
    """Only a verified incident can be escalated (sent to the RRCG). The page offers the
    action only then, and ``incident_escalate`` refuses any other."""
    return incident.status == Incident.Status.VERIFIED


def incident_escalate(
    *,
    actor: AbstractUser,
    incident: Incident,
    reason: str,
    expected_version: int | None = None,
) -> Escalation:
    """Send a verified incident to the RRCG: ``verified → escalated`` and the outbox row,
    in one transaction. The delivery is queued after commit."""
    deny_unless(
        policies.can_escalate(actor),
        _("Only head office can send incidents to the RRCG."),
    )
    reason = clean_text(reason, "reason", required=_("Say why this goes to the RRCG."))
    with transaction.atomic():
        current = lock_incident(incident.pk, expected_version)
        if not can_be_escalated(current):
            raise ValidationError(
                _("Only a verified incident can be sent to the RRCG; %(ref)s is “%(status)s”.")
                % {"ref": current.ref, "status": current.get_status_display()}
            )
        escalation = escalation_create(actor=actor, incident=current, reason=reason)
        _publish_delivery(escalation)
    return escalation


def escalation_create(
    *, actor: AbstractUser, incident: Incident, reason: str, at: dt.datetime | None = None
) -> Escalation:
    """The status change, the outbox row and their event, for a locked, verified
    ``incident``. Publishing is left to the caller (the demo loads delivered rows and
    passes ``at``, the time of its story)."""
    at = at or timezone.now()
    from_status = incident.status
    save_incident(incident, status=Incident.Status.ESCALATED)
    escalation = Escalation(
        id=uuid.uuid4(),
        incident=incident,
        created_by=actor,
        created_at=at,
        reason=reason,
        status=Escalation.Status.PENDING,
        next_attempt_at=at,
    )
    escalation.payload = rrcg.build_payload(escalation=escalation, incident=incident, reason=reason)
    escalation.save(force_insert=True)
    record_event(
        incident,
        at=at,
        actor=actor,
        kind=IncidentEvent.Kind.ESCALATED,
        from_status=from_status,
        to_status=Incident.Status.ESCALATED,
        note=reason,
        data={"escalation_id": str(escalation.pk)},
    )
    audit_log(
        actor=actor,
        action="incident.escalate",
        target=incident,
        data={"from": from_status, "to": Incident.Status.ESCALATED, "escalation_id": escalation.pk},
    )
    escalation.incident = incident
    return escalation


# --- delivering ------------------------------------------------------------------------------


def claim_window() -> dt.timedelta:
    """How long a worker's claim protects a delivery. Longer than one attempt can take
    (the webhook's timeout, the e-mail's), so a live worker is never doubled; once it
    has passed, the worker is taken to have died and the row is claimable again."""
    seconds = settings.RRCG_WEBHOOK_TIMEOUT if rrcg.webhook_configured() else 0
    if rrcg.email_configured():
        seconds += settings.EMAIL_TIMEOUT or 30
    return dt.timedelta(seconds=seconds) + CLAIM_MARGIN


def _evidence_count(incident_id: Any) -> int:
    return Evidence.objects.filter(incident_id=incident_id).count()


def next_delay(attempt_count: int) -> float | None:
    """Seconds to wait after the ``attempt_count``-th failed attempt, or None when the
    schedule is used up."""
    delays = settings.ESCALATION_RETRY_DELAYS
    if attempt_count < 1 or attempt_count > len(delays):
        return None
    base = delays[attempt_count - 1]
    return base * random.uniform(1 - JITTER, 1 + JITTER)


def escalation_deliver(*, escalation_id: Any, now: dt.datetime | None = None) -> Delivery:
    """One delivery attempt of a pending escalation, if it is due and nobody else is
    on it. Safe to call any number of times, from any number of workers."""
    now = now or timezone.now()
    with transaction.atomic():
        escalation = (
            Escalation.objects.select_for_update(skip_locked=True)
            .filter(pk=escalation_id, status=Escalation.Status.PENDING)
            .first()
        )
        if escalation is None:
            # delivered, acknowledged, failed, unknown, or another worker holds the lock
            return Delivery("skipped")
        if escalation.claimed_at and escalation.claimed_at > now - claim_window():
            return Delivery("skipped", detail="claimed by another worker")
        # The countdown may arrive a moment early (clocks of two hosts); that is still due.
        if escalation.next_attempt_at and escalation.next_attempt_at > now + dt.timedelta(
            seconds=1
        ):
            return Delivery(
                "waiting", (escalation.next_attempt_at - now).total_seconds(), "not due yet"
            )
        if not rrcg.channel_configured():
            return Delivery("waiting", detail="no channel configured")
        incident = Incident.objects.get(pk=escalation.incident_id)
        evidence_count = _evidence_count(incident.pk)
        if evidence_count < incident.evidence_expected:
            return Delivery("waiting", detail="evidence uploads not complete")
        if escalation.claimed_at is not None:
            _close_interrupted(escalation, now)
        if escalation.attempt_count == 0 and len(escalation.payload.get("evidence", [])) < (
            evidence_count
        ):
            # Files that were still uploading when head office escalated: the evidence
            # list is completed once, before anything has been sent. The incident's own
            # fields stay as they were frozen.
            escalation.payload["evidence"] = rrcg.evidence_entries(incident)
        escalation.claimed_at = now
        escalation.attempt_count += 1
        escalation.save(update_fields=["claimed_at", "attempt_count", "payload"])
        attempt = EscalationAttempt.objects.create(escalation=escalation, started_at=now)
        claim = escalation.claimed_at

    answer = _send(escalation)

    with transaction.atomic():
        escalation = Escalation.objects.select_for_update().get(pk=escalation.pk)
        finished = timezone.now()
        attempt.finished_at = finished
        attempt.outcome = answer.outcome
        attempt.response_code = answer.response_code
        attempt.error = answer.error[:2000]
        if escalation.status != Escalation.Status.PENDING or escalation.claimed_at != claim:
            # Acknowledged meanwhile, or our claim expired and another worker took over:
            # keep what happened on the wire, leave the row to whoever owns it now.
            attempt.save()
            return Delivery("skipped", detail="the row changed while sending")
        if answer.outcome == "delivered":
            attempt.save()
            return _delivered(escalation, finished)
        delay = next_delay(escalation.attempt_count) if answer.outcome == "retry" else None
        if delay is not None and answer.retry_after:
            delay = max(delay, min(answer.retry_after, 3600))
        if delay is None:
            attempt.outcome = EscalationAttempt.Outcome.FAILED
            attempt.save()
            return _failed(escalation, attempt, answer.error)
        attempt.save()
        escalation.claimed_at = None
        escalation.next_attempt_at = finished + dt.timedelta(seconds=delay)
        escalation.last_error = answer.error[:2000]
        escalation.save(update_fields=["claimed_at", "next_attempt_at", "last_error"])
        return Delivery("retry", delay, answer.error)


def _close_interrupted(escalation: Escalation, now: dt.datetime) -> None:
    escalation.attempts.filter(finished_at__isnull=True).update(
        finished_at=now, outcome=EscalationAttempt.Outcome.RETRY, error=INTERRUPTED
    )


def _send(escalation: Escalation) -> rrcg.Answer:
    """The attempt itself, outside any transaction. The webhook decides when it is
    configured, and the e-mail is then a copy; otherwise the e-mail is the channel."""
    body = rrcg.encode(escalation.payload)
    key = str(escalation.pk)
    try:
        if rrcg.webhook_configured():
            answer = rrcg.post_webhook(escalation_id=key, body=body)
            if answer.outcome == "delivered" and rrcg.email_configured():
                try:
                    rrcg.send_email(escalation_id=key, payload=escalation.payload, body=body)
                except Exception as exc:  # the copy must not undo a delivery
                    logger.warning("E-mail copy of escalation %s failed", key, exc_info=True)
                    return rrcg.Answer(
                        answer.outcome, answer.response_code, f"E-mail copy not sent: {exc}"
                    )
            return answer
        rrcg.send_email(escalation_id=key, payload=escalation.payload, body=body)
        return rrcg.Answer("delivered", None, "")
    except Exception as exc:  # SMTP trouble, the task's soft time limit, anything
        logger.warning("Delivery attempt of escalation %s failed", key, exc_info=True)
        return rrcg.Answer("retry", None, f"{type(exc).__name__}: {exc}")


def _delivered(escalation: Escalation, at: dt.datetime) -> Delivery:
    escalation.status = Escalation.Status.DELIVERED
    escalation.delivered_at = at
    escalation.claimed_at = None
    escalation.next_attempt_at = None
    escalation.last_error = ""
    escalation.save(
        update_fields=["status", "delivered_at", "claimed_at", "next_attempt_at", "last_error"]
    )
    record_event(
        escalation.incident,
        actor=None,
        kind=IncidentEvent.Kind.ESCALATION_DELIVERED,
        data={"escalation_id": str(escalation.pk), "attempts": escalation.attempt_count},
    )
    audit_log(
        actor=None,
        action="escalation.delivered",
        target=escalation,
        data={"attempts": escalation.attempt_count},
    )
    return Delivery("delivered")


def _failed(escalation: Escalation, attempt: EscalationAttempt, error: str) -> Delivery:
    escalation.status = Escalation.Status.FAILED
    escalation.claimed_at = None
    escalation.next_attempt_at = None
    escalation.last_error = error[:2000]
    escalation.save(update_fields=["status", "claimed_at", "next_attempt_at", "last_error"])
    record_event(
        escalation.incident,
        actor=None,
        kind=IncidentEvent.Kind.ESCALATION_FAILED,
        note=error[:2000],
        data={"escalation_id": str(escalation.pk), "attempts": escalation.attempt_count},
    )
    audit_log(
        actor=None,
        action="escalation.failed",
        target=escalation,
        data={"attempts": escalation.attempt_count, "error": error[:500]},
    )
    alerts.alert_escalation_failed(escalation=escalation, attempt_id=attempt.pk)
    return Delivery("failed", detail=error)


# --- the sweep ------------------------------------------------------------------------------


def due_escalations(*, now: dt.datetime | None = None) -> Any:
    """Pending rows whose next attempt is due, not held by a live worker, whose incident
    has all its announced evidence."""
    now = now or timezone.now()
    evidence = (
        Evidence.objects.filter(incident=OuterRef("incident"))
        .order_by()
        .values("incident")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Escalation.objects.filter(status=Escalation.Status.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - claim_window()))
        .filter(
            incident__evidence_expected__lte=Coalesce(
                Subquery(evidence, output_field=IntegerField()), 0
            )
        )
    )


def escalations_sweep(*, now: dt.datetime | None = None, limit: int = SWEEP_BATCH) -> list[str]:
    """Queue a delivery for every due escalation (Celery beat, every
    ``ESCALATION_SWEEP_INTERVAL`` seconds). Returns the ids it queued. Rows locked by a
    worker right now are skipped; a row queued twice is delivered once (the claim)."""
    if not rrcg.channel_configured():
        return []
    with transaction.atomic():
        ids = [
            str(pk)
            for pk in due_escalations(now=now)
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("next_attempt_at", "created_at")
            .values_list("pk", flat=True)[:limit]
        ]
    for pk in ids:
        # A message that waits longer than one sweep interval is superseded by the next
        # sweep's; letting it expire keeps a backlog from piling up while workers are down.
        publish_quietly(DELIVERY_TASK, pk, expires=settings.ESCALATION_SWEEP_INTERVAL * 5)
    return ids


# --- head office's retry, the RRCG's acknowledgement -----------------------------------------


def escalation_retry(*, actor: AbstractUser, escalation: Escalation) -> Escalation:
    """Try a failed escalation again from the start of the schedule (head office)."""
    deny_unless(
        policies.can_escalate(actor),
        _("Only head office can retry sending to the RRCG."),
    )
    with transaction.atomic():
        escalation = Escalation.objects.select_for_update().get(pk=escalation.pk)
        if escalation.status != Escalation.Status.FAILED:
            raise ValidationError(
                _("Only a failed escalation can be retried; this one is “%(status)s”.")
                % {"status": escalation.get_status_display()}
            )
        escalation.status = Escalation.Status.PENDING
        # attempt_count counts the attempts of the current round of the schedule; the
        # attempts themselves stay listed.
        escalation.attempt_count = 0
        escalation.next_attempt_at = timezone.now()
        escalation.claimed_at = None
        escalation.save(update_fields=["status", "attempt_count", "next_attempt_at", "claimed_at"])
        record_event(
            escalation.incident,
            actor=actor,
            kind=IncidentEvent.Kind.ESCALATED,
            note=_("Sending to the RRCG tried again."),
            data={"escalation_id": str(escalation.pk), "retry": True},
        )
        audit_log(actor=actor, action="escalation.retry", target=escalation)
        _publish_delivery(escalation)
    return escalation


class AcknowledgementConflict(Conflict):
    """The escalation was already acknowledged (the argument is the reference it was
    acknowledged with): an acknowledgement is accepted once, so a replayed request is
    refused. The API answers 409."""

    def response_data(self) -> dict[str, Any]:
        return {
            "detail": f"This escalation was already acknowledged, with reference {self}; "
            "an acknowledgement is accepted once."
        }


def escalation_acknowledge(*, escalation_id: Any, reference: str, note: str = "") -> Escalation:
    """The RRCG confirms it has the case, with its own reference and a note. The caller
    has checked the signature and that the signed body names this escalation. An
    acknowledgement is accepted once: any later one (a replay of the same signed body
    included) is refused with ``AcknowledgementConflict`` and changes nothing; a pending
    or failed row is acknowledged too (the RRCG has it, whatever our side recorded)
    (docs/escalation.md#acknowledgement)."""
    reference = clean_text(reference, "reference", required=_("Give the RRCG's reference."))
    if len(reference) > 100:
        raise ValidationError({"reference": _("Keep the reference under 100 characters.")})
    note = clean_text(note, "note")
    with transaction.atomic():
        escalation = Escalation.objects.select_for_update().get(pk=escalation_id)
        if escalation.status == Escalation.Status.ACKNOWLEDGED:
            raise AcknowledgementConflict(escalation.rrcg_reference)
        previous = escalation.status
        now = timezone.now()
        escalation.status = Escalation.Status.ACKNOWLEDGED
        escalation.acknowledged_at = now
        escalation.delivered_at = escalation.delivered_at or now
        escalation.rrcg_reference = reference
        escalation.rrcg_note = note
        escalation.claimed_at = None
        escalation.next_attempt_at = None
        escalation.save()
        record_event(
            escalation.incident,
            actor=None,
            kind=IncidentEvent.Kind.ESCALATION_ACKNOWLEDGED,
            note=note,
            data={"escalation_id": str(escalation.pk), "reference": reference},
        )
        audit_log(
            actor=None,
            action="escalation.acknowledged",
            target=escalation,
            data={"by": "RRCG", "reference": reference, "from": previous},
        )
    return escalation
