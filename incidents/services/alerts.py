"""Alerts for head office (issue 5): incidents marked serious, observers' answers,
escalations that failed, and incidents left untriaged too long.

An alert is raised once per thing: its ``key`` is unique, so a retried task, a second
worker or the periodic check that looks again can never raise it twice. Head office sees
open alerts on its home page and, when ``HEAD_OFFICE_EMAIL`` is set, gets them by e-mail
(sent by a task after the transaction commits; a message that could not be sent is tried
again by the periodic check).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from incidents import policies
from incidents.models import Alert, Comment, Escalation, Incident
from observation.kernel.audit import audit_log
from observation.kernel.tasking import enqueue_on_commit

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser

logger = logging.getLogger(__name__)

CHECK_BATCH = 500
"""At most this many new alerts of one kind per check, so a first run over a large
backlog stays a short task; the next check continues."""
EMAIL_RETRY_WINDOW = dt.timedelta(days=1)
"""Alerts whose e-mail failed are e-mailed again by the check for this long."""
ANSWER_LOOKBACK = dt.timedelta(days=7)
"""How far back the periodic check looks for answers nobody handed over."""
EMAIL_TASK = "incidents.tasks.email_alerts"
QUIET_STATUSES = (Incident.Status.REJECTED, Incident.Status.DUPLICATE, Incident.Status.CLOSED)


def _raise(
    *,
    key: str,
    kind: str,
    incident: Incident,
    escalation: Escalation | None = None,
    detail: str = "",
    email: bool = True,
) -> Alert | None:
    """The new alert, or None when this thing was already alerted. ``email=False``
    leaves the e-mail to the caller (the periodic check sends one message for all)."""
    alert, created = Alert.objects.get_or_create(
        key=key,
        defaults={"kind": kind, "incident": incident, "escalation": escalation, "detail": detail},
    )
    if not created:
        return None
    if email and settings.HEAD_OFFICE_EMAIL:
        enqueue_on_commit(EMAIL_TASK, [alert.pk])
    return alert


def alert_incident_serious(*, incident: Incident) -> Alert | None:
    return _raise(key=f"serious:{incident.pk}", kind=Alert.Kind.SERIOUS, incident=incident)


def alert_answer_received(*, incident: Incident, answer: Comment) -> Alert | None:
    return _raise(
        key=f"answer:{answer.pk}",
        kind=Alert.Kind.ANSWER,
        incident=incident,
        detail=answer.body[:500],
    )


def alert_escalation_failed(*, escalation: Escalation, attempt_id: int | None) -> Alert | None:
    # One alert per failure: after head office retries, a new failure alerts again.
    return _raise(
        key=f"escalation_failed:{escalation.pk}:{attempt_id or 'none'}",
        kind=Alert.Kind.ESCALATION_FAILED,
        incident=escalation.incident,
        escalation=escalation,
        detail=escalation.last_error[:500],
    )


def describe(alert: Alert) -> str:
    """One sentence saying what happened, in the reader's language."""
    ref = alert.incident.ref
    if alert.kind == Alert.Kind.SERIOUS:
        return _("%(ref)s was marked serious.") % {"ref": ref}
    if alert.kind == Alert.Kind.ANSWER:
        return _("The observer answered head office's question on %(ref)s.") % {"ref": ref}
    if alert.kind == Alert.Kind.ESCALATION_FAILED:
        return _("Sending %(ref)s to the RRCG failed: %(error)s") % {
            "ref": ref,
            "error": alert.detail or _("no answer"),
        }
    return _("%(ref)s has waited for triage for more than %(hours)d hours.") % {
        "ref": ref,
        "hours": settings.UNTRIAGED_ALERT_HOURS,
    }


# --- reads ---------------------------------------------------------------------------------


def open_alerts() -> QuerySet[Alert]:
    return Alert.objects.filter(dismissed_at__isnull=True).select_related("incident")


def open_alert_count() -> int:
    return Alert.objects.filter(dismissed_at__isnull=True).count()


# --- writes --------------------------------------------------------------------------------


def alert_dismiss(*, actor: AbstractUser, alert: Alert) -> Alert:
    """Head office has seen it. Dismissing twice changes nothing."""
    if not policies.ALERTS.can_write(actor):
        raise PermissionDenied(_("Only head office dismisses alerts."))
    with transaction.atomic():
        alert = Alert.objects.select_for_update().get(pk=alert.pk)
        if alert.dismissed_at is not None:
            return alert
        alert.dismissed_at = timezone.now()
        alert.dismissed_by = actor
        alert.save(update_fields=["dismissed_at", "dismissed_by"])
        audit_log(actor=actor, action="alert.dismiss", target=alert, data={"key": alert.key})
    return alert


def alerts_check(*, now: dt.datetime | None = None) -> int:
    """The periodic check (``tasks.check_alerts``, which also runs
    ``lifecycle.answers_check`` for answers): raises untriaged alerts and the serious
    alerts a direct call missed; e-mails alerts whose e-mail has not gone out. Returns how
    many alerts it raised."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(hours=settings.UNTRIAGED_ALERT_HOURS)
    waiting = (
        Incident.objects.filter(status=Incident.Status.SUBMITTED, reported_at__lt=cutoff)
        .exclude(alerts__kind=Alert.Kind.UNTRIAGED)
        .order_by("reported_at")[:CHECK_BATCH]
    )
    serious = (
        Incident.objects.filter(severity=Incident.Severity.SERIOUS)
        .exclude(status__in=QUIET_STATUSES)
        .exclude(alerts__kind=Alert.Kind.SERIOUS)
        .order_by("reported_at")[:CHECK_BATCH]
    )
    raised = 0
    with transaction.atomic():
        for kind, incidents in ((Alert.Kind.UNTRIAGED, waiting), (Alert.Kind.SERIOUS, serious)):
            for incident in incidents:
                alert = _raise(
                    key=f"{kind}:{incident.pk}", kind=kind, incident=incident, email=False
                )
                raised += alert is not None

    if settings.HEAD_OFFICE_EMAIL:
        unsent = list(
            Alert.objects.filter(
                emailed_at__isnull=True, created_at__gte=now - EMAIL_RETRY_WINDOW
            ).values_list("pk", flat=True)[:CHECK_BATCH]
        )
        if unsent:
            enqueue_on_commit(EMAIL_TASK, unsent)
    return raised


def alerted_answer_ids(*, since: dt.datetime) -> list[int]:
    """The answers (comment ids) alerted about since the day before ``since``."""
    keys = Alert.objects.filter(
        kind=Alert.Kind.ANSWER, created_at__gte=since - dt.timedelta(days=1)
    ).values_list("key", flat=True)
    return [int(key.split(":", 1)[1]) for key in keys]


def alerts_email(*, alert_ids: list[int]) -> int:
    """E-mail head office the alerts among ``alert_ids`` not e-mailed yet, in one
    message. Returns how many it sent. Rows are claimed with SKIP LOCKED so two workers
    never send the same alert."""
    if not settings.HEAD_OFFICE_EMAIL:
        return 0
    with transaction.atomic():
        alerts = list(
            Alert.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk__in=alert_ids, emailed_at__isnull=True)
            .select_related("incident")
            .order_by("created_at", "pk")
        )
        if not alerts:
            return 0
        lines = [f"- {describe(alert)}" for alert in alerts]
        if len(alerts) == 1:
            subject = _("[Baikoo] %(text)s") % {"text": describe(alerts[0])}
        else:
            subject = _("[Baikoo] %(n)d alerts for head office") % {"n": len(alerts)}
        body = "\n".join(
            [_("Alerts for head office:"), "", *lines, "", _("Open Baikoo to act on them.")]
        )
        send_mail(
            subject[:200],
            body,
            settings.DEFAULT_FROM_EMAIL,
            [settings.HEAD_OFFICE_EMAIL],
            fail_silently=False,
        )
        Alert.objects.filter(pk__in=[a.pk for a in alerts]).update(emailed_at=timezone.now())
    return len(alerts)
