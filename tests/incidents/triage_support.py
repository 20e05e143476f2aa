"""Builders shared by the triage and escalation tests (issue 5). They drive incidents
through the real services, so what a test starts from is a state the app can reach."""

from __future__ import annotations

import json
from typing import Any

from incidents.models import Incident
from incidents.rrcg import sign
from incidents.services import escalation, lifecycle
from tests.incidents.conftest import World, file_incident

SECRET = "test-rrcg-secret"
S = Incident.Status

PATHS: dict[str, list[str]] = {
    S.SUBMITTED: [],
    S.IN_REVIEW: [S.IN_REVIEW],
    S.NEEDS_INFO: [S.IN_REVIEW, S.NEEDS_INFO],
    S.VERIFIED: [S.IN_REVIEW, S.VERIFIED],
    S.ESCALATED: [S.IN_REVIEW, S.VERIFIED, S.ESCALATED],
    S.CLOSED: [S.IN_REVIEW, S.VERIFIED, S.ESCALATED, S.CLOSED],
    S.REJECTED: [S.IN_REVIEW, S.REJECTED],
}
NOTES = {
    S.NEEDS_INFO: "Which school exactly?",
    S.REJECTED: "Not a violation.",
    S.ESCALATED: "Vote buying with witnesses.",
}


def incident_in(world: World, status: str, **overrides: Any) -> Incident:
    """A fresh incident brought to ``status`` by head office (``duplicate`` names a
    fresh original)."""
    incident = file_incident(world, **overrides)
    head_office = world.user("headoffice")
    if status == S.DUPLICATE:
        original = file_incident(world)
        return lifecycle.incident_transition(
            actor=head_office, incident=incident, to=S.DUPLICATE, duplicate_of=original
        )
    for step in PATHS[status]:
        if step == S.ESCALATED:
            escalation.incident_escalate(actor=head_office, incident=incident, reason=NOTES[step])
            incident = Incident.objects.get(pk=incident.pk)
        else:
            incident = lifecycle.incident_transition(
                actor=head_office, incident=incident, to=step, note=NOTES.get(step, "")
            )
    return incident


def signed(payload: dict[str, Any], secret: str = SECRET) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(payload).encode()
    return body, {"HTTP_X_BAIKOO_SIGNATURE": sign(body, secret)}
