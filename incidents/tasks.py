"""Celery tasks of the incidents app: thin wrappers that take ids and call a service.
Services publish them by name (``observation.kernel.tasking``) and never import this module.

``acks_late``: a message is acknowledged only after the task ran, so a worker killed
mid-task leaves it to be delivered again (and the database sweep re-queues the row in any
case). Every task is idempotent: running one twice, or two at once, has the effect of
running it once.
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from incidents.services import alerts, escalation, lifecycle
from observation.kernel.tasking import publish_quietly

# Room for one attempt (webhook timeout, then the e-mail copy) and the bookkeeping.
DELIVERY_SOFT_LIMIT = settings.RRCG_WEBHOOK_TIMEOUT + settings.EMAIL_TIMEOUT + 30
DELIVERY_TIME_LIMIT = DELIVERY_SOFT_LIMIT + 30


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    soft_time_limit=DELIVERY_SOFT_LIMIT,
    time_limit=DELIVERY_TIME_LIMIT,
)
def deliver_escalation(escalation_id: str) -> str:
    """One delivery attempt; a short wait before the next one rides on the broker as a
    countdown (longer ones are the sweep's)."""
    result = escalation.escalation_deliver(escalation_id=escalation_id)
    # Only after a failed attempt: a message that came early or twice is left to the
    # sweep, so no chain of messages can form.
    if (
        result.outcome == "retry"
        and result.retry_in is not None
        and result.retry_in <= settings.ESCALATION_COUNTDOWN_MAX
    ):
        publish_quietly(deliver_escalation, escalation_id, countdown=result.retry_in)
    return result.outcome


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=60, time_limit=90)
def sweep_escalations() -> int:
    """Celery beat: queue every escalation that is due (see ``escalations_sweep``)."""
    return len(escalation.escalations_sweep())


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=120, time_limit=180)
def check_alerts() -> int:
    """Celery beat: answers nobody handed over, untriaged incidents, missed alerts,
    unsent alert e-mails. Returns how many answers and alerts it caught."""
    return lifecycle.answers_check() + alerts.alerts_check()


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=60, time_limit=90)
def email_alerts(alert_ids: list[int]) -> int:
    return alerts.alerts_email(alert_ids=alert_ids)
