"""The demo's triage (issue 5): the seed's 64 incidents triaged, its two RRCG transfers
delivered, two extra reports showing the side exits, and a second load changing
nothing."""

from __future__ import annotations

import io

import pytest

from incidents import demo as incidents_demo
from incidents import rrcg
from incidents.models import Alert, Comment, Escalation, EscalationAttempt, Incident, IncidentEvent
from incidents.queries import delivery_state, transferred_to_rrcg, violation_counts
from incidents.services import escalation as escalation_service
from incidents.services.escalation import escalation_deliver, escalations_sweep
from observation import demo as observation_demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded():
    observation_demo.load(io.StringIO())
    incidents_demo.load(io.StringIO())
    return observation_demo.demo_election()


def test_the_report_still_counts_64_and_2_escalated(loaded):
    counts = violation_counts(loaded)
    assert counts["total"] == counts["confirmed"] == 64
    assert counts["under_review"] == 3  # the reports still in triage change nothing
    assert counts["by_kind"] == {"admin_resource": 6, "vote_buying": 8, "campaign_rules": 50}
    assert counts["escalated"] == 2


def test_the_two_vote_buying_transfers_are_delivered_escalations(loaded):
    rows = list(Escalation.objects.select_related("incident").exclude(status="pending"))
    assert len(rows) == 2
    for row in rows:
        assert row.incident.kind == "vote_buying" and row.incident.status == "escalated"
        assert row.status == "delivered" and row.delivered_at is not None
        (attempt,) = row.attempts.all()
        assert (attempt.outcome, attempt.response_code) == ("delivered", 200)
        assert row.payload["incident"]["ref"] == row.incident.ref
        assert row.payload["escalation_id"] == str(row.pk)
        assert "witnesses" not in row.payload["incident"]
        if row.incident.witnesses:
            assert row.incident.witnesses not in str(row.payload)


def test_the_incidents_are_triaged(loaded):
    demo = Incident.objects.filter(election=loaded, is_demo=True)
    statuses = {s: demo.filter(status=s).count() for s in Incident.Status.values}
    assert statuses == {
        "submitted": 1,
        "in_review": 1,
        "needs_info": 1,
        "verified": 62,
        "escalated": 3,  # the two of 2021 and the one waiting for a channel
        "closed": 0,
        "rejected": 1,
        "duplicate": 1,
    }
    for incident in demo.filter(status="needs_info"):
        assert incident.comments.filter(
            visibility="question_to_lto", answered_at__isnull=True
        ).exists()


def test_including_the_reports_under_review_is_the_analysts_choice(loaded):
    counts = violation_counts(loaded, include_under_review=True)
    assert (counts["total"], counts["confirmed"], counts["under_review"]) == (67, 64, 3)
    assert counts["by_kind"]["campaign_rules"] == 53
    assert counts["includes_under_review"] is True


def test_no_campaign_rules_case_names_a_party(loaded):
    campaign = Incident.objects.filter(election=loaded, kind="campaign_rules")
    assert campaign.count() == 50 + 1 + 3  # the 50, the rejected one, the three in triage
    assert not campaign.filter(party__isnull=False).exists()


def test_the_extra_reports_are_a_duplicate_and_a_rejection(loaded):
    duplicate = Incident.objects.get(status="duplicate")
    assert duplicate.duplicate_of.status == "verified"
    assert duplicate.duplicate_of.election == loaded
    rejected = Incident.objects.get(status="rejected")
    assert rejected.events.filter(to_status="rejected").get().note


def test_the_timeline_is_dated_in_2021(loaded):
    assert not IncidentEvent.objects.filter(at__year__gt=2021).exists()
    assert not Comment.objects.filter(created_at__year__gt=2021).exists()


def test_loading_again_changes_nothing(loaded):
    def snapshot():
        return (
            list(Incident.objects.order_by("pk").values()),
            IncidentEvent.objects.count(),
            Comment.objects.count(),
            list(Escalation.objects.order_by("pk").values()),
            EscalationAttempt.objects.count(),
            Alert.objects.count(),
        )

    before = snapshot()
    observation_demo.load(io.StringIO())
    incidents_demo.load(io.StringIO())
    assert snapshot() == before


# --- the two RRCG channel stories (docs/escalation.md) ------------------------------------------


def _waiting():
    return Escalation.objects.select_related("incident").get(status="pending")


def test_without_a_channel_the_third_escalation_waits_and_is_not_counted(loaded, settings):
    settings.RRCG_WEBHOOK_URL = ""
    settings.RRCG_EMAIL_TO = []
    row = _waiting()
    assert row.incident.ref.startswith("BSK-") and row.incident.occurred_at.date().isoformat() == (
        "2021-07-09"
    )
    state = delivery_state(row)
    assert (state.code, state.at) == ("waiting_channel", None)  # no time in the past promised
    assert escalations_sweep() == []
    assert escalation_deliver(escalation_id=row.pk).outcome == "waiting"
    assert not row.attempts.exists()
    # transferred = delivered or acknowledged: the election's escalated incidents are 3,
    # what the RRCG has is 2
    election_wide = Incident.objects.filter(election=loaded, status="escalated")
    assert election_wide.count() == 3
    assert election_wide.filter(transferred_to_rrcg()).count() == 2
    assert violation_counts(loaded)["escalated"] == 2


def test_with_a_channel_the_sweep_delivers_it_and_the_seed_numbers_hold(
    loaded, settings, monkeypatch
):
    settings.RRCG_WEBHOOK_URL = "https://rrcg.example.test/hook"
    settings.RRCG_WEBHOOK_SECRET = "s" * 32
    settings.RRCG_EMAIL_TO = []
    sent = []

    def post_webhook(*, escalation_id, body):
        sent.append(escalation_id)
        return rrcg.Answer("delivered", 200, "")

    monkeypatch.setattr(rrcg, "post_webhook", post_webhook)
    monkeypatch.setattr(escalation_service, "publish_quietly", lambda *a, **k: None)
    row = _waiting()
    assert delivery_state(row).code == "queued"
    assert escalations_sweep() == [str(row.pk)]
    assert escalation_deliver(escalation_id=row.pk).outcome == "delivered"
    row.refresh_from_db()
    assert sent == [str(row.pk)] and delivery_state(row).code == "delivered"
    # delivered after the report's period: the seed's 64 and 2 do not move
    counts = violation_counts(loaded)
    assert (counts["total"], counts["escalated"]) == (64, 2)
