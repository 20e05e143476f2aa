"""Who may file, see and add to incidents, triage them and escalate them to the RRCG
(docs/roles.md). Pages, API and services ask these functions; no view or serializer
decides on its own."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext as _

from incidents.models import Evidence
from observation.kernel.access import Access, explain, role_names, role_of
from observation.kernel.roles import ALL_ROLES, FIELD_ROLES, Role
from observation.models import District
from observation.policies import OBSERVER_IDENTITY_HIDDEN_FROM, can_identify_observers

FILERS = frozenset({Role.LTO, Role.COORDINATOR, Role.HEAD_OFFICE, Role.ADMIN})
"""Roles that may file incidents (field roles only in their own districts)."""

SEES_ALL = frozenset({Role.HEAD_OFFICE, Role.LEGAL, Role.ANALYST, Role.ADMIN})
WITNESSES_OF_ALL = frozenset({Role.HEAD_OFFICE, Role.LEGAL, Role.ADMIN})
ORIGINAL_EVIDENCE = frozenset({Role.HEAD_OFFICE, Role.ADMIN})
"""Who gets evidence files as uploaded, location metadata included."""
REPORTER_HIDDEN_FROM = OBSERVER_IDENTITY_HIDDEN_FROM
"""Analysts work with the numbers; they do not learn which observer filed what."""

INCIDENTS = Access(read=ALL_ROLES, write=FILERS)
"""The API's coarse gate; the object-level checks below narrow it."""


@explain(lambda: _("Only these roles file incidents: %(roles)s.") % {"roles": role_names(FILERS)})
def can_file(user: Any) -> bool:
    return role_of(user) in FILERS


def filing_districts(user: Any, districts: QuerySet[District] | None = None) -> QuerySet[District]:
    """The districts ``user`` may file in: field roles their own, head office and admin
    every one, the other roles none."""
    districts = District.objects.all() if districts is None else districts
    role = role_of(user)
    if role in (Role.LTO, Role.COORDINATOR):
        return districts.filter(observers__user=user)
    if role in (Role.HEAD_OFFICE, Role.ADMIN):
        return districts
    return districts.none()


def visible_incidents(user: Any, incidents: QuerySet) -> QuerySet:
    """LTOs see what they filed; coordinators their districts; the staff all."""
    role = role_of(user)
    if role == Role.LTO:
        return incidents.filter(reported_by=user)
    if role == Role.COORDINATOR:
        return incidents.filter(
            district__in=District.objects.filter(observers__user=user).values("pk")
        )
    if role in SEES_ALL:
        return incidents
    return incidents.none()


def can_see_incident(user: Any, incident: Any) -> bool:
    role = role_of(user)
    if role == Role.LTO:
        return incident.reported_by_id == user.pk
    if role == Role.COORDINATOR:
        return District.objects.filter(pk=incident.district_id, observers__user=user).exists()
    return role in SEES_ALL


def can_see_witnesses(user: Any, incident: Any) -> bool:
    role = role_of(user)
    if role in WITNESSES_OF_ALL:
        return True
    return role == Role.LTO and incident.reported_by_id == user.pk


def can_see_all_witnesses(user: Any) -> bool:
    """Whether ``user`` sees the witnesses of every incident they can see (an export
    carries the column only then)."""
    return role_of(user) in WITNESSES_OF_ALL


def can_see_reporter(user: Any) -> bool:
    return can_identify_observers(user)


def hides_identity(person: Any, *, reveal_observers: bool) -> bool:
    """The one rule: an observer (a field role) stays anonymous to a reader who may not
    learn who filed what (``reveal_observers`` is ``can_see_reporter(reader)``)."""
    return not reveal_observers and role_of(person) in FIELD_ROLES


def shown_name(person: Any, *, reveal_observers: bool) -> str:
    """``person``'s name for a page, ``"An observer"`` when ``hides_identity``."""
    if hides_identity(person, reveal_observers=reveal_observers):
        return _("An observer")
    return person.get_full_name() or person.get_username()


def shown_username(person: Any, *, reveal_observers: bool) -> str | None:
    """``person``'s username for the API, None when ``hides_identity`` (or no person)."""
    if person is None or hides_identity(person, reveal_observers=reveal_observers):
        return None
    return person.get_username()


def can_add_evidence(user: Any, incident: Any) -> bool:
    """The observer who filed it, head office and admin, and a coordinator of the district."""
    role = role_of(user)
    if role in (Role.HEAD_OFFICE, Role.ADMIN):
        return True
    if role == Role.LTO:
        return incident.reported_by_id == user.pk
    if role == Role.COORDINATOR:
        return can_see_incident(user, incident)
    return False


def sees_original_evidence(user: Any) -> bool:
    return role_of(user) in ORIGINAL_EVIDENCE


def evidence_file_for(user: Any, evidence: Evidence) -> FieldFile | None:
    """Which stored copy of ``evidence`` ``user`` gets: head office and admin the
    original as uploaded, everyone else the copy without location data (the file itself
    when it had none). None when there is no copy this user may have (the location could
    not be removed)."""
    if sees_original_evidence(user):
        return evidence.file
    if evidence.location_data == Evidence.LocationData.STRIPPED:
        # a row recorded as stripped without its copy (before docs/incidents.md#evidence
        # refused such files) has nothing this user may have
        return evidence.stripped_file or None
    if evidence.location_data == Evidence.LocationData.NONE:
        return evidence.file
    return None


def can_answer_question(user: Any, incident: Any) -> bool:
    """Head office's questions go to the observer who filed the incident."""
    return role_of(user) is not None and incident.reported_by_id == user.pk


# --- triage and escalation ---------------------------------------------------------------------
#
# Head office and administrators change the status, assign, set the severity, ask the
# observer, escalate and retry; legal experts may comment and recommend; analysts read
# (without witness data, see ``can_see_witnesses``).

STAFF = SEES_ALL
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


COMPLAINT_LINKERS = frozenset({Role.HEAD_OFFICE, Role.LEGAL, Role.ADMIN})
"""Who links an incident to the complaints to commissions that concern it: the roles that
record complaints (commissions/policies.py)."""


def can_link_complaints(user: Any) -> bool:
    return role_of(user) in COMPLAINT_LINKERS


def can_triage(user: Any) -> bool:
    return TRIAGE.can_write(user)


def can_comment(user: Any) -> bool:
    return COMMENTS.can_write(user)


def can_escalate(user: Any) -> bool:
    return ESCALATIONS.can_write(user)


@explain(
    lambda: (
        _("Only these roles can open the triage queue: %(roles)s.")
        % {"roles": role_names(TRIAGE.read)}
    )
)
def can_read_triage(user: Any) -> bool:
    return TRIAGE.can_read(user)


# --- watching districts (coordinators) -----------------------------------------------------
#
# A regional coordinator follows the incidents, observers and quiet places of the
# districts they cover, read-only; head office and administrators see the same pages
# for every district (docs/guides/coordinator.md).

WATCHERS = frozenset({Role.COORDINATOR, Role.HEAD_OFFICE, Role.ADMIN})
DISTRICT_WATCH = Access(read=WATCHERS, write=frozenset())
"""The coordinator's pages: their districts' incident list, observers' activity and the
places with no report lately. Read-only for everyone."""


def watched_districts(user: Any, districts: QuerySet[District] | None = None) -> QuerySet[District]:
    """The districts ``user`` watches: a coordinator their own, head office and
    administrators every one, anyone else none."""
    districts = District.objects.all() if districts is None else districts
    role = role_of(user)
    if role == Role.COORDINATOR:
        return districts.filter(observers__user=user)
    if role in (Role.HEAD_OFFICE, Role.ADMIN):
        return districts
    return districts.none()


def queue_incidents(user: Any, incidents: QuerySet) -> QuerySet:
    """The incidents a filtered list (the triage queue, the coordinator's list) may show
    ``user``: every one for the staff, a coordinator's districts for a coordinator."""
    if role_of(user) == Role.COORDINATOR:
        return incidents.filter(district__in=watched_districts(user).values("pk"))
    return triage_incidents(user, incidents)


def queue_limited_to_districts(user: Any) -> bool:
    """Whether ``queue_incidents`` narrows ``user``'s list to districts (a coordinator):
    a kept count not keyed by district cannot answer for them."""
    return role_of(user) == Role.COORDINATOR


def triage_incidents(user: Any, incidents: QuerySet) -> QuerySet:
    """The incidents ``user`` may work on in triage: all of them for the staff, none for
    field roles (their own pages are the observer's, see ``incidents.views.filing``)."""
    if role_of(user) in STAFF:
        return incidents
    return incidents.none()
