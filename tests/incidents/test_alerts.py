"""Head office's alerts (issue 5): what raises one, that nothing alerts twice, the
periodic check, e-mail, dismissing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from incidents import tasks
from incidents.management.commands.rrcg_receiver import RRCGReceiver
from incidents.models import Alert, Comment, Incident
from incidents.services import alerts, filing, lifecycle
from incidents.services.escalation import escalation_deliver, escalation_retry, incident_escalate
from observation.models import AuditEntry
from tests.incidents.triage_support import SECRET, S, incident_in

pytestmark = pytest.mark.django_db


def aged(incident: Incident, hours: float) -> Incident:
    Incident.objects.filter(pk=incident.pk).update(
        reported_at=timezone.now() - dt.timedelta(hours=hours)
    )
    return Incident.objects.get(pk=incident.pk)


def test_an_incident_left_untriaged_too_long_alerts_once(world, settings):
    settings.UNTRIAGED_ALERT_HOURS = 24
    old = aged(incident_in(world, S.SUBMITTED), 25)
    aged(incident_in(world, S.SUBMITTED), 23)
    aged(incident_in(world, S.IN_REVIEW), 48)
    assert alerts.alerts_check() == 1
    assert alerts.alerts_check() == 0
    (alert,) = Alert.objects.all()
    assert (alert.kind, alert.incident) == (Alert.Kind.UNTRIAGED, old)
    assert "more than 24 hours" in alerts.describe(alert)


def test_the_threshold_is_a_setting(world, settings):
    settings.UNTRIAGED_ALERT_HOURS = 2
    aged(incident_in(world, S.SUBMITTED), 3)
    assert alerts.alerts_check() == 1


def test_the_check_catches_a_serious_incident_nobody_alerted(world):
    incident = incident_in(world, S.SUBMITTED)
    Incident.objects.filter(pk=incident.pk).update(severity="serious")  # e.g. filed serious
    assert alerts.alerts_check() == 1
    assert Alert.objects.get().kind == Alert.Kind.SERIOUS
    assert alerts.alerts_check() == 0


def test_the_check_catches_an_answer_nobody_passed_on(world, monkeypatch):
    incident = incident_in(world, S.NEEDS_INFO)
    question = Comment.objects.get(incident=incident)
    with monkeypatch.context() as patched:  # as if the hand-over had been lost
        patched.setattr(filing.lifecycle, "incident_answer_received", lambda **kwargs: None)
        filing.question_answer(actor=world.user("lto_bishkek"), question=question, body="At 10.")
    assert Incident.objects.get(pk=incident.pk).status == S.NEEDS_INFO
    tasks.check_alerts.apply()
    assert Incident.objects.get(pk=incident.pk).status == S.IN_REVIEW
    assert Alert.objects.filter(kind=Alert.Kind.ANSWER).count() == 1
    tasks.check_alerts.apply()
    assert Alert.objects.filter(kind=Alert.Kind.ANSWER).count() == 1


def test_each_escalation_failure_alerts_once(world, settings, django_capture_on_commit_callbacks):
    stand_in = RRCGReceiver(secret=SECRET, mode="reject").start()
    settings.RRCG_WEBHOOK_URL, settings.RRCG_WEBHOOK_SECRET = stand_in.url, SECRET
    settings.RRCG_EMAIL_TO = []
    try:
        incident = incident_in(world, S.VERIFIED)
        row = incident_escalate(actor=world.user("headoffice"), incident=incident, reason="x")
        escalation_deliver(escalation_id=row.pk)
        escalation_deliver(escalation_id=row.pk)
        assert Alert.objects.filter(kind=Alert.Kind.ESCALATION_FAILED).count() == 1
        with django_capture_on_commit_callbacks(execute=True):  # the retry fails again
            escalation_retry(actor=world.user("headoffice"), escalation=row)
        failures = Alert.objects.filter(kind=Alert.Kind.ESCALATION_FAILED)
        assert failures.count() == 2
        assert "HTTP 400" in alerts.describe(failures.first())
    finally:
        stand_in.stop()


def test_alerts_are_e_mailed_to_head_office_after_commit(
    world, settings, django_capture_on_commit_callbacks
):
    settings.HEAD_OFFICE_EMAIL = "office@example.org"
    incident = incident_in(world, S.SUBMITTED)
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.incident_set_severity(
            actor=world.user("headoffice"), incident=incident, severity="serious"
        )
    (message,) = mail.outbox
    assert message.to == ["office@example.org"]
    assert f"{incident.ref} was marked serious." in message.subject
    assert Alert.objects.get().emailed_at is not None
    assert alerts.alerts_email(alert_ids=[Alert.objects.get().pk]) == 0  # never twice


def test_without_an_address_nothing_is_mailed(world, settings, django_capture_on_commit_callbacks):
    settings.HEAD_OFFICE_EMAIL = ""
    incident = incident_in(world, S.SUBMITTED)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        lifecycle.incident_set_severity(
            actor=world.user("headoffice"), incident=incident, severity="serious"
        )
    assert callbacks == [] and mail.outbox == []


def test_the_check_mails_its_findings_in_one_message(
    world, settings, django_capture_on_commit_callbacks
):
    settings.HEAD_OFFICE_EMAIL = "office@example.org"
    for _ in range(3):
        aged(incident_in(world, S.SUBMITTED), 30)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.check_alerts.apply()
    (message,) = mail.outbox
    assert "3 alerts" in message.subject
    assert message.body.count("waited for triage") == 3


def test_an_alert_whose_mail_failed_is_mailed_by_the_next_check(
    world, settings, django_capture_on_commit_callbacks
):
    settings.HEAD_OFFICE_EMAIL = "office@example.org"
    incident = incident_in(world, S.SUBMITTED)
    with django_capture_on_commit_callbacks(execute=False):  # its e-mail never went out
        lifecycle.incident_set_severity(
            actor=world.user("headoffice"), incident=incident, severity="serious"
        )
    assert Alert.objects.get().emailed_at is None
    with django_capture_on_commit_callbacks(execute=True):
        alerts.alerts_check()
    assert len(mail.outbox) == 1
    assert Alert.objects.get().emailed_at is not None


def test_dismissing(world):
    incident = incident_in(world, S.SUBMITTED)
    alert = alerts.alert_incident_serious(incident=incident)
    with pytest.raises(PermissionDenied):
        alerts.alert_dismiss(actor=world.user("legal"), alert=alert)
    alerts.alert_dismiss(actor=world.user("headoffice"), alert=alert)
    first = Alert.objects.get().dismissed_at
    alerts.alert_dismiss(actor=world.user("admin"), alert=alert)
    assert Alert.objects.get().dismissed_at == first
    assert alerts.open_alert_count() == 0
    assert AuditEntry.objects.filter(action="alert.dismiss").count() == 1
