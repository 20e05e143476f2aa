"""Who may triage incidents and escalate them to the RRCG (DESIGN.md §6).

Head office and administrators change the status, assign, set the severity, ask the
observer, escalate and retry; legal experts may comment and recommend; analysts read
(without witness data, see ``incidents.policies``). Pages, API and services ask these
objects, so a rule is written once.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from incidents import policies as filing_policies
from observation.policies import Access, role_of
from observation.roles import Role

STAFF = filing_policies.SEES_ALL
"""Roles that see every incident and so the triage queue and the staff incident page."""

TRIAGERS = frozenset({Role.HEAD_OFFICE, Role.ADMIN})
COMMENTERS = frozenset({Role.HEAD_OFFICE, Role.LEGAL, Role.ADMIN})
ASSIGNABLE = frozenset({Role.HEAD_OFFICE, Role.LEGAL, Role.ADMIN})
"""Whom an incident can be given to: the people who work on incidents."""

TRIAGE = Access(read=STAFF, write=TRIAGERS)
"""The queue, status changes, assignment, severity, questions to the observer."""
COMMENTS = Access(read=STAFF, write=COMMENTERS)
"""Internal notes and recommendations."""
ESCALATIONS = Access(read=STAFF, write=TRIAGERS)
"""Escalations to the RRCG: escalate, retry a failed one; everyone on the staff reads."""
ALERTS = Access(read=TRIAGERS, write=TRIAGERS)
"""Head office's alerts: who sees and dismisses them."""


def can_triage(user: Any) -> bool:
    return TRIAGE.can_write(user)


def can_comment(user: Any) -> bool:
    return COMMENTS.can_write(user)


def can_escalate(user: Any) -> bool:
    return ESCALATIONS.can_write(user)


def can_read_triage(user: Any) -> bool:
    return TRIAGE.can_read(user)


def can_see_witnesses(user: Any, incident: Any) -> bool:
    return filing_policies.can_see_witnesses(user, incident)


def can_see_reporter(user: Any) -> bool:
    return filing_policies.can_see_reporter(user)


def triage_incidents(user: Any, incidents: QuerySet) -> QuerySet:
    """The incidents ``user`` may work on in triage: all of them for the staff, none for
    field roles (their own pages are the observer's, see ``incidents.views``)."""
    if role_of(user) in STAFF:
        return incidents
    return incidents.none()
