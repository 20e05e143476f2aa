"""Issue 10 point 2: "sent to the RRCG" is said only when the RRCG has the case. Every
screen that shows an escalation shows its delivery state; the report's "transferred"
counts only delivered or acknowledged escalations; head office sees the channel's
health (docs/escalation.md "Delivery states")."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from incidents import queries, rrcg
from incidents.models import Escalation, EscalationAttempt, Incident
from incidents.queries import delivery_state, transferred_to_rrcg
from tests.incidents.triage_support import S, incident_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_channel(settings):
    settings.RRCG_WEBHOOK_URL = ""
    settings.RRCG_WEBHOOK_SECRET = ""
    settings.RRCG_EMAIL_TO = []


@pytest.fixture
def webhook(settings):
    settings.RRCG_WEBHOOK_URL = "https://rrcg.example.test/hook"
    settings.RRCG_WEBHOOK_SECRET = "x" * 32
    settings.RRCG_EMAIL_TO = []


def escalated(world) -> Escalation:
    incident = incident_in(world, S.ESCALATED)
    return incident.escalations.get()


def set_row(row: Escalation, **fields) -> Escalation:
    Escalation.objects.filter(pk=row.pk).update(**fields)
    row.refresh_from_db()
    return row


def test_each_state(world, webhook):
    row = escalated(world)
    now = timezone.now()
    assert delivery_state(row).code == "queued"
    later = now + dt.timedelta(minutes=5)
    row = set_row(row, attempt_count=1, next_attempt_at=later)
    state = delivery_state(row, now=now)
    assert (state.code, state.at) == ("retrying", later)
    # a next attempt that is due is "queued", never a time in the past
    row = set_row(row, next_attempt_at=now - dt.timedelta(hours=3))
    assert delivery_state(row, now=now).code == "queued"
    row = set_row(row, status="delivered", delivered_at=now)
    assert (delivery_state(row).code, delivery_state(row).transferred) == ("delivered", True)
    row = set_row(row, status="acknowledged", acknowledged_at=now)
    assert delivery_state(row).code == "acknowledged"
    row = set_row(row, status="failed")
    assert (delivery_state(row).code, delivery_state(row).transferred) == ("failed", False)


def test_without_a_channel_a_pending_row_waits_for_one_with_no_time(world, no_channel):
    row = set_row(escalated(world), next_attempt_at=timezone.now() - dt.timedelta(days=30))
    state = delivery_state(row)
    assert (state.code, state.at, state.transferred) == ("waiting_channel", None, False)


@pytest.mark.parametrize(
    ("status", "counted"),
    [("pending", False), ("failed", False), ("delivered", True), ("acknowledged", True)],
)
def test_transferred_means_the_rrcg_has_it(world, status, counted):
    row = set_row(escalated(world), status=status)
    found = Incident.objects.filter(transferred_to_rrcg()).filter(pk=row.incident_id).exists()
    assert found is counted
    today = timezone.localdate()
    counts = queries.violation_counts(world.election, today - dt.timedelta(days=7), today)
    assert counts["escalated"] == (1 if counted else 0)


def test_channel_health_from_the_attempts(world, webhook):
    assert queries.channel_health().healthy  # configured, nothing failed yet
    row = escalated(world)
    t0 = timezone.now() - dt.timedelta(hours=2)
    EscalationAttempt.objects.create(
        escalation=row, started_at=t0, finished_at=t0, outcome="delivered", response_code=200
    )
    EscalationAttempt.objects.create(
        escalation=row,
        started_at=t0 + dt.timedelta(hours=1),
        finished_at=t0 + dt.timedelta(hours=1),
        outcome="retry",
        response_code=503,
        error="HTTP 503: down for maintenance",
    )
    health = queries.channel_health()
    assert health.configured and not health.healthy
    assert health.last_success == t0 and health.last_failure == t0 + dt.timedelta(hours=1)
    assert "503" in health.last_error and health.waiting == 1


def test_the_message_names_the_settings_not_an_admin_page(settings, no_channel):
    text = rrcg.channel_problem()
    assert "RRCG_WEBHOOK_URL" in text and "RRCG_EMAIL_TO" in text
    assert "docs/configuration.md" in text and "administrator" not in text
    settings.RRCG_WEBHOOK_URL = "https://rrcg.example.test/hook"
    assert "RRCG_WEBHOOK_SECRET" in rrcg.channel_problem()


def test_the_queue_shows_each_rows_delivery_state_and_the_channel(world, client, no_channel):
    row = escalated(world)
    client.force_login(world.user("headoffice"))
    html = client.get("/triage/").content.decode()
    assert 'data-delivery="waiting_channel"' in html and 'data-channel="none"' in html
    set_row(row, status="delivered", delivered_at=timezone.now())
    html = client.get("/triage/").content.decode()
    assert 'data-delivery="delivered"' in html and 'data-delivery="waiting_channel"' not in html


def test_home_counts_what_the_rrcg_has_apart_from_what_waits(world, client, no_channel):
    escalated(world)
    delivered = escalated(world)
    set_row(delivered, status="delivered", delivered_at=timezone.now())
    failed = escalated(world)
    set_row(failed, status="failed")
    counts = queries.triage_summary()
    assert counts["escalated"] == 3
    assert (counts["escalations_transferred"], counts["escalations_pending"]) == (1, 1)
    assert counts["escalations_failed"] == 1
    client.force_login(world.user("headoffice"))
    html = client.get("/").content.decode()
    assert 'data-count="transferred">1<' in html and 'data-count="waiting">1<' in html
    assert "Waiting for a channel to the RRCG" in html and "Sent to the RRCG" not in html


def test_the_observer_sees_the_delivery_state_too(world, client, no_channel):
    row = escalated(world)
    client.force_login(world.user("lto_bishkek"))
    for url in ("/", "/incidents/mine/", f"/incidents/{row.incident_id}/"):
        html = client.get(url).content.decode()
        assert 'data-delivery="waiting_channel"' in html, url
        assert "Sent to the RRCG" not in html, url


def test_escalating_a_new_incident_lists_the_steps_that_remain(world, client):
    incident = incident_in(world, S.SUBMITTED)
    client.force_login(world.user("headoffice"))
    html = client.get(f"/triage/incidents/{incident.pk}/").content.decode()
    assert 'id="escalation-steps"' in html
    steps = html.split('id="escalation-steps"')[1].split("</section>")[0]
    assert steps.index("In review") < steps.index("Verified")
    needs_info = incident_in(world, S.NEEDS_INFO)
    html = client.get(f"/triage/incidents/{needs_info.pk}/").content.decode()
    assert "In review" in html.split('id="escalation-steps"')[1].split("</section>")[0]
    verified = incident_in(world, S.VERIFIED)
    html = client.get(f"/triage/incidents/{verified.pk}/").content.decode()
    assert 'id="escalation-steps"' not in html
    assert f'action="/triage/incidents/{verified.pk}/escalate/"' in html


def test_escalating_with_a_channel_says_queued_not_sent(
    world, client, webhook, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(rrcg, "post_webhook", lambda **kw: rrcg.Answer("retry", 503, "down"))
    incident = incident_in(world, S.VERIFIED)
    client.force_login(world.user("headoffice"))
    response = client.post(
        f"/triage/incidents/{incident.pk}/escalate/",
        {"reason": "Cash for votes.", "version": incident.version},
        follow=True,
    )
    html = response.content.decode()
    assert "queued for sending to the RRCG" in html
    assert "being sent" not in html


def test_the_api_gives_the_delivery_state(world, no_channel):
    from rest_framework.test import APIClient

    row = escalated(world)
    api = APIClient()
    api.force_authenticate(world.user("headoffice"))
    body = api.get(f"/api/v1/escalations/{row.pk}/").json()
    assert (body["status"], body["delivery_state"], body["delivery_at"]) == (
        "pending",
        "waiting_channel",
        None,
    )
