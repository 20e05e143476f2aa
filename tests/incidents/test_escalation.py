"""Escalation to the RRCG in one process (docs/escalation.md): the outbox, the delivery and its
schedule, claims, the sweep, retries and the channels. The stand-in receiver runs in a
thread; the real-worker cases are in ``test_escalation_worker.py``."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.utils import timezone

from incidents import rrcg, tasks
from incidents.management.commands.rrcg_receiver import RRCGReceiver
from incidents.models import Alert, Escalation, EscalationAttempt, Incident, IncidentEvent
from incidents.services import escalation, filing
from incidents.services.escalation import escalation_deliver, escalations_sweep, incident_escalate
from observation.models import AuditEntry
from tests.incidents.conftest import png_bytes
from tests.incidents.triage_support import SECRET, S, incident_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver(settings):
    stand_in = RRCGReceiver(secret=SECRET, delay=5).start()
    settings.RRCG_WEBHOOK_URL = stand_in.url
    settings.RRCG_WEBHOOK_SECRET = SECRET
    settings.RRCG_WEBHOOK_TIMEOUT = 2
    settings.RRCG_EMAIL_TO = []
    settings.ESCALATION_RETRY_DELAYS = [10, 60]
    yield stand_in
    stand_in.stop()


@pytest.fixture
def no_channel(settings):
    settings.RRCG_WEBHOOK_URL = ""
    settings.RRCG_WEBHOOK_SECRET = ""
    settings.RRCG_EMAIL_TO = []


def escalated(world, **overrides) -> Escalation:
    """Escalate a verified incident without running the delivery (no commit here)."""
    incident = incident_in(world, S.VERIFIED, **overrides)
    return incident_escalate(actor=world.user("headoffice"), incident=incident, reason="Urgent")


def later(seconds: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(seconds=seconds)


# --- the outbox -----------------------------------------------------------------------------


def test_escalating_writes_status_row_event_and_audit_together(world, no_channel):
    row = escalated(world)
    incident = Incident.objects.get(pk=row.incident_id)
    assert incident.status == S.ESCALATED
    assert row.status == Escalation.Status.PENDING and row.attempt_count == 0
    event = incident.events.get(kind=IncidentEvent.Kind.ESCALATED)
    assert (event.from_status, event.to_status, event.note) == (S.VERIFIED, S.ESCALATED, "Urgent")
    assert AuditEntry.objects.filter(
        action="incident.escalate", object_id=str(incident.pk)
    ).exists()


def test_only_a_verified_incident_is_escalated(world, no_channel):
    incident = incident_in(world, S.IN_REVIEW)
    with pytest.raises(ValidationError, match="verified"):
        incident_escalate(actor=world.user("headoffice"), incident=incident, reason="x")
    assert not Escalation.objects.exists()


def test_a_reason_is_required(world, no_channel):
    incident = incident_in(world, S.VERIFIED)
    with pytest.raises(ValidationError) as refused:
        incident_escalate(actor=world.user("headoffice"), incident=incident, reason=" ")
    assert "reason" in refused.value.message_dict


def test_the_delivery_is_queued_only_after_commit(
    world, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        row = escalated(world)
    assert len(callbacks) == 1
    assert receiver.records == []
    callbacks[0]()
    row.refresh_from_db()
    assert row.status == Escalation.Status.DELIVERED
    assert receiver.accepted_count(str(row.pk)) == 1


def test_a_rolled_back_escalation_leaves_nothing_and_sends_nothing(
    world, receiver, django_capture_on_commit_callbacks
):
    incident = incident_in(world, S.VERIFIED)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        incident_escalate(actor=world.user("headoffice"), incident=incident, reason="x")
        raise RuntimeError("the request failed after escalating")
    assert callbacks == []
    assert not Escalation.objects.exists()
    assert Incident.objects.get(pk=incident.pk).status == S.VERIFIED
    assert receiver.records == []


def test_a_broker_that_is_down_does_not_fail_the_escalation(
    world, monkeypatch, no_channel, django_capture_on_commit_callbacks
):
    def broker_down(*args, **kwargs):
        raise OSError("Connection refused")

    monkeypatch.setattr(tasks.deliver_escalation, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        row = escalated(world)
    assert len(callbacks) == 1
    # on_commit ran the publish; it failed quietly and the row waits for the sweep
    assert Escalation.objects.get(pk=row.pk).status == Escalation.Status.PENDING


# --- payload ----------------------------------------------------------------------------------


def test_the_payload_is_frozen_and_keeps_witnesses_and_observer_out(world, receiver):
    row = escalated(
        world,
        party=world.emgek,
        witnesses="Aigul, +996 555 123 456",
        description="Money offered at the entrance.",
    )
    Incident.objects.filter(pk=row.incident_id).update(description="Edited later.")
    escalation_deliver(escalation_id=row.pk)
    sent = receiver.requests_for(str(row.pk))[0]["body"]
    assert sent == Escalation.objects.get(pk=row.pk).payload
    assert sent["incident"]["description"] == "Money offered at the entrance."
    assert sent["incident"]["party"] == "Emgek" and sent["incident"]["ref"] == row.incident.ref
    assert sent["escalation_id"] == str(row.pk) and sent["reason"] == "Urgent"
    text = rrcg.encode(sent).decode()
    assert "Aigul" not in text and "555 123" not in text
    assert "lto-bishkek" not in text and "headoffice" not in text


def test_the_webhook_is_signed_and_carries_the_idempotency_key(world, receiver):
    row = escalated(world)
    escalation_deliver(escalation_id=row.pk)
    (record,) = receiver.requests_for(str(row.pk))
    assert record["signature_valid"] is True
    assert record["outcome"] == "accepted"


# --- outcomes ---------------------------------------------------------------------------------


def test_a_2xx_delivers_with_the_attempt_recorded(world, receiver):
    row = escalated(world)
    assert escalation_deliver(escalation_id=row.pk).outcome == "delivered"
    row.refresh_from_db()
    assert row.status == Escalation.Status.DELIVERED and row.delivered_at is not None
    (attempt,) = row.attempts.all()
    assert (attempt.outcome, attempt.response_code) == ("delivered", 200)
    assert attempt.finished_at >= attempt.started_at
    assert row.incident.events.filter(kind=IncidentEvent.Kind.ESCALATION_DELIVERED).count() == 1


def test_5xx_then_2xx_delivers_on_the_schedule_with_every_attempt(world, receiver):
    receiver.set_mode("ok", fail_first=2)
    row = escalated(world)
    first = escalation_deliver(escalation_id=row.pk)
    assert first.outcome == "retry" and 8 <= first.retry_in <= 12  # 10 s ± 20 %
    # not due yet: nothing is sent
    assert escalation_deliver(escalation_id=row.pk).outcome == "waiting"
    second = escalation_deliver(escalation_id=row.pk, now=later(13))
    assert second.outcome == "retry" and 48 <= second.retry_in <= 72
    assert escalation_deliver(escalation_id=row.pk, now=later(13 + 73)).outcome == "delivered"
    codes = list(row.attempts.values_list("response_code", "outcome"))
    assert codes == [(503, "retry"), (503, "retry"), (200, "delivered")]
    assert Escalation.objects.get(pk=row.pk).last_error == ""


def test_a_timeout_is_retried(world, receiver, settings):
    settings.RRCG_WEBHOOK_TIMEOUT = 1
    receiver.set_mode("timeout")
    row = escalated(world)
    result = escalation_deliver(escalation_id=row.pk)
    assert result.outcome == "retry"
    attempt = row.attempts.get()
    assert attempt.response_code is None and "No answer" in attempt.error


def test_an_unreachable_endpoint_is_retried(world, receiver, settings):
    receiver.stop()
    row = escalated(world)
    assert escalation_deliver(escalation_id=row.pk).outcome == "retry"
    assert "connect" in row.attempts.get().error.lower()


def test_a_4xx_fails_at_once_alerts_and_is_never_retried(world, receiver):
    receiver.set_mode("reject")
    row = escalated(world)
    assert escalation_deliver(escalation_id=row.pk).outcome == "failed"
    row.refresh_from_db()
    assert row.status == Escalation.Status.FAILED and "HTTP 400" in row.last_error
    assert list(row.attempts.values_list("response_code", "outcome")) == [(400, "failed")]
    assert Alert.objects.filter(kind=Alert.Kind.ESCALATION_FAILED, escalation=row).count() == 1
    assert row.incident.events.filter(kind=IncidentEvent.Kind.ESCALATION_FAILED).exists()
    receiver.set_mode("ok")
    assert escalation_deliver(escalation_id=row.pk, now=later(3600)).outcome == "skipped"
    assert escalations_sweep(now=later(3600)) == []
    assert len(receiver.requests_for(str(row.pk))) == 1


def test_a_wrong_secret_is_refused_by_the_rrcg_and_fails(world, receiver, settings):
    settings.RRCG_WEBHOOK_SECRET = "not-the-shared-one"
    row = escalated(world)
    assert escalation_deliver(escalation_id=row.pk).outcome == "failed"
    assert receiver.requests_for(str(row.pk))[0]["status"] == 401


def test_the_schedule_is_bounded(world, receiver, settings):
    settings.ESCALATION_RETRY_DELAYS = [1, 1]
    receiver.set_mode("fail")
    row = escalated(world)
    outcomes = [
        escalation_deliver(escalation_id=row.pk, now=later(5 * i)).outcome for i in range(4)
    ]
    assert outcomes == ["retry", "retry", "failed", "skipped"]
    row.refresh_from_db()
    assert row.status == Escalation.Status.FAILED and row.attempt_count == 3
    assert Alert.objects.filter(kind=Alert.Kind.ESCALATION_FAILED).count() == 1


def test_a_delivered_escalation_is_never_sent_again(world, receiver):
    row = escalated(world)
    escalation_deliver(escalation_id=row.pk)
    assert escalation_deliver(escalation_id=row.pk, now=later(3600)).outcome == "skipped"
    tasks.deliver_escalation.apply(args=[str(row.pk)])
    assert len(receiver.requests_for(str(row.pk))) == 1


def test_the_same_task_run_twice_delivers_once(world, receiver):
    row = escalated(world)
    tasks.deliver_escalation.apply(args=[str(row.pk)])
    tasks.deliver_escalation.apply(args=[str(row.pk)])
    assert len(receiver.requests_for(str(row.pk))) == 1
    assert Escalation.objects.get(pk=row.pk).attempts.count() == 1


def test_a_retry_in_a_task_is_queued_as_a_countdown(world, receiver, monkeypatch):
    receiver.set_mode("fail")
    queued = []
    monkeypatch.setattr(
        tasks, "publish_quietly", lambda task, *args, **options: queued.append(options)
    )
    row = escalated(world)
    assert tasks.deliver_escalation.apply(args=[str(row.pk)]).get() == "retry"
    assert len(queued) == 1 and 8 <= queued[0]["countdown"] <= 12


def test_a_retry_does_not_chain_messages_even_when_run_eagerly(world, receiver, monkeypatch):
    receiver.set_mode("fail")
    calls = []
    deliver = escalation.escalation_deliver
    monkeypatch.setattr(
        escalation, "escalation_deliver", lambda **kw: calls.append(kw) or deliver(**kw)
    )
    row = escalated(world)
    assert tasks.deliver_escalation.apply(args=[str(row.pk)]).get() == "retry"
    assert len(calls) == 2
    # the countdown message ran at once (eager) and found the attempt not due yet
    assert len(receiver.requests_for(str(row.pk))) == 1
    assert Escalation.objects.get(pk=row.pk).attempt_count == 1


def test_a_long_wait_is_left_to_the_sweep(world, receiver, monkeypatch, settings):
    settings.ESCALATION_RETRY_DELAYS = [3600]
    receiver.set_mode("fail")
    queued = []
    monkeypatch.setattr(
        tasks, "publish_quietly", lambda task, *args, **options: queued.append(options)
    )
    row = escalated(world)
    tasks.deliver_escalation.apply(args=[str(row.pk)])
    assert queued == []
    assert Escalation.objects.get(pk=row.pk).next_attempt_at > later(2800)


# --- claims -----------------------------------------------------------------------------------


def test_a_live_claim_is_respected(world, receiver):
    row = escalated(world)
    Escalation.objects.filter(pk=row.pk).update(claimed_at=timezone.now())
    assert escalation_deliver(escalation_id=row.pk).outcome == "skipped"
    assert receiver.records == []


def test_a_claim_older_than_the_window_is_taken_over(world, receiver):
    row = escalated(world)
    stale = timezone.now() - escalation.claim_window() - dt.timedelta(seconds=1)
    Escalation.objects.filter(pk=row.pk).update(claimed_at=stale, attempt_count=1)
    EscalationAttempt.objects.create(escalation=row, started_at=stale)
    assert escalation_deliver(escalation_id=row.pk).outcome == "delivered"
    first, second = row.attempts.order_by("started_at")
    assert first.outcome == "retry" and first.error == escalation.INTERRUPTED
    assert second.outcome == "delivered"


def test_the_claim_window_is_longer_than_a_request(settings, receiver):
    settings.RRCG_WEBHOOK_TIMEOUT = 7
    assert escalation.claim_window() > dt.timedelta(seconds=7)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_once(world, receiver, monkeypatch):
    receiver.set_mode("slow")
    receiver.delay = 1
    # committed for real here: keep the after-commit publish from delivering it first
    monkeypatch.setattr(tasks.deliver_escalation, "apply_async", lambda *a, **k: None)
    row = escalated(world)
    barrier = threading.Barrier(2)
    outcomes = []

    def work():
        barrier.wait()
        try:
            outcomes.append(escalation_deliver(escalation_id=row.pk).outcome)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["delivered", "skipped"]
    assert len(receiver.requests_for(str(row.pk))) == 1


# --- waiting: no channel, evidence on its way ---------------------------------------------------


def test_without_a_channel_the_escalation_waits(world, no_channel):
    row = escalated(world)
    assert escalation_deliver(escalation_id=row.pk).outcome == "waiting"
    assert escalations_sweep() == []
    row.refresh_from_db()
    assert row.status == Escalation.Status.PENDING and row.attempt_count == 0
    assert "No channel" in rrcg.channel_problem()


def test_a_webhook_without_a_secret_is_no_channel(settings):
    settings.RRCG_WEBHOOK_URL = "https://rrcg.example/hook"
    settings.RRCG_WEBHOOK_SECRET = ""
    settings.RRCG_EMAIL_TO = []
    assert not rrcg.channel_configured()
    assert "RRCG_WEBHOOK_SECRET" in rrcg.channel_problem()


def test_once_a_channel_is_configured_the_sweep_sends_it(world, no_channel, settings):
    row = escalated(world)
    stand_in = RRCGReceiver(secret=SECRET).start()
    try:
        settings.RRCG_WEBHOOK_URL = stand_in.url
        settings.RRCG_WEBHOOK_SECRET = SECRET
        assert escalations_sweep() == [str(row.pk)]  # eager: the task ran
        assert Escalation.objects.get(pk=row.pk).status == Escalation.Status.DELIVERED
    finally:
        stand_in.stop()


def test_delivery_waits_for_the_announced_evidence(world, receiver):
    row = escalated(world, evidence_expected=1)
    assert escalation_deliver(escalation_id=row.pk).outcome == "waiting"
    assert escalations_sweep() == []
    assert receiver.records == []
    evidence, _ = filing.evidence_add(
        actor=world.user("lto_bishkek"),
        incident=row.incident,
        file=SimpleUploadedFile("photo.png", png_bytes(), content_type="image/png"),
    )
    assert escalations_sweep() == [str(row.pk)]
    body = receiver.requests_for(str(row.pk))[0]["body"]
    assert [e["sha256"] for e in body["evidence"]] == [evidence.sha256]


def test_the_sweep_queues_only_due_rows(world, receiver):
    due, not_due = escalated(world), escalated(world)
    Escalation.objects.filter(pk=not_due.pk).update(next_attempt_at=later(600))
    assert escalations_sweep() == [str(due.pk)]
    assert Escalation.objects.get(pk=not_due.pk).status == Escalation.Status.PENDING


# --- head office's retry ---------------------------------------------------------------------


def test_head_office_retries_a_failed_escalation(
    world, receiver, django_capture_on_commit_callbacks
):
    receiver.set_mode("reject")
    row = escalated(world)
    escalation_deliver(escalation_id=row.pk)
    receiver.set_mode("ok")
    with django_capture_on_commit_callbacks(execute=True):
        escalation.escalation_retry(actor=world.user("headoffice"), escalation=row)
    row.refresh_from_db()
    assert row.status == Escalation.Status.DELIVERED
    assert list(row.attempts.values_list("outcome", flat=True)) == ["failed", "delivered"]


def test_only_a_failed_escalation_is_retried(world, receiver):
    row = escalated(world)
    with pytest.raises(ValidationError):
        escalation.escalation_retry(actor=world.user("headoffice"), escalation=row)


@pytest.mark.parametrize("user", ["lto_bishkek", "coordinator_bishkek", "legal", "analyst"])
def test_only_head_office_retries(world, receiver, user):
    receiver.set_mode("reject")
    row = escalated(world)
    escalation_deliver(escalation_id=row.pk)
    with pytest.raises(PermissionDenied):
        escalation.escalation_retry(actor=world.user(user), escalation=row)


# --- e-mail -------------------------------------------------------------------------------------


class BrokenMail:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP is down")


def test_e_mail_alone_is_a_channel(world, no_channel, settings):
    settings.RRCG_EMAIL_TO = ["rrcg@example.org"]
    row = escalated(world)
    assert escalation_deliver(escalation_id=row.pk).outcome == "delivered"
    (message,) = mail.outbox
    assert message.to == ["rrcg@example.org"] and row.incident.ref in message.subject
    name, content, mimetype = message.attachments[0]
    assert mimetype == "application/json" and str(row.pk).encode() in content
    assert message.extra_headers["Idempotency-Key"] == str(row.pk)


def test_smtp_trouble_is_retried(world, no_channel, settings):
    settings.RRCG_EMAIL_TO = ["rrcg@example.org"]
    settings.EMAIL_BACKEND = "tests.incidents.test_escalation.BrokenMail"
    row = escalated(world)
    assert escalation_deliver(escalation_id=row.pk).outcome == "retry"
    assert "SMTP is down" in row.attempts.get().error


def test_with_both_channels_the_e_mail_is_a_copy(world, receiver, settings):
    settings.RRCG_EMAIL_TO = ["rrcg@example.org"]
    settings.EMAIL_BACKEND = "tests.incidents.test_escalation.BrokenMail"
    row = escalated(world)
    assert escalation_deliver(escalation_id=row.pk).outcome == "delivered"
    assert "E-mail copy not sent" in row.attempts.get().error


# --- acknowledgement ---------------------------------------------------------------------------


def test_acknowledging_records_the_rrcg_reference(world, receiver):
    row = escalated(world)
    escalation_deliver(escalation_id=row.pk)
    acked = escalation.escalation_acknowledge(
        escalation_id=row.pk, reference="RRCG-7", note="Taken up."
    )
    assert acked.status == Escalation.Status.ACKNOWLEDGED
    assert (acked.rrcg_reference, acked.rrcg_note) == ("RRCG-7", "Taken up.")
    assert row.incident.events.filter(kind=IncidentEvent.Kind.ESCALATION_ACKNOWLEDGED).exists()
    # accepted once: the same acknowledgement again, or another one, is refused
    for reference in ("RRCG-7", "RRCG-8"):
        with pytest.raises(escalation.AcknowledgementConflict):
            escalation.escalation_acknowledge(escalation_id=row.pk, reference=reference)
    row.refresh_from_db()
    assert (row.rrcg_reference, row.acknowledged_at) == ("RRCG-7", acked.acknowledged_at)
    assert row.incident.events.filter(kind=IncidentEvent.Kind.ESCALATION_ACKNOWLEDGED).count() == 1


def test_an_acknowledgement_before_our_record_of_delivery_counts(world, no_channel):
    row = escalated(world)
    acked = escalation.escalation_acknowledge(escalation_id=row.pk, reference="RRCG-1")
    assert acked.status == Escalation.Status.ACKNOWLEDGED and acked.delivered_at is not None
    assert escalations_sweep() == []
