"""The demo's triage (issue 5): the seed's 64 incidents triaged, its two RRCG transfers
delivered, two extra reports showing the side exits, and a second load changing
nothing."""

from __future__ import annotations

import io

import pytest

from incidents import demo as incidents_demo
from incidents.models import Alert, Comment, Escalation, EscalationAttempt, Incident, IncidentEvent
from incidents.queries import violation_counts
from observation import demo as observation_demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded():
    observation_demo.load(io.StringIO())
    incidents_demo.load(io.StringIO())
    return observation_demo.demo_election()


def test_the_report_still_counts_64_and_2_escalated(loaded):
    counts = violation_counts(loaded)
    assert counts["total"] == 64
    assert counts["by_kind"] == {"admin_resource": 6, "vote_buying": 8, "campaign_rules": 50}
    assert counts["escalated"] == 2


def test_the_two_vote_buying_transfers_are_delivered_escalations(loaded):
    rows = list(Escalation.objects.select_related("incident"))
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
        "in_review": 2,
        "needs_info": 2,
        "verified": 57,
        "escalated": 2,
        "closed": 0,
        "rejected": 1,
        "duplicate": 1,
    }
    for incident in demo.filter(status="needs_info"):
        assert incident.comments.filter(
            visibility="question_to_lto", answered_at__isnull=True
        ).exists()


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
