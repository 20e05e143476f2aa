"""Who may file, see and add to incidents (DESIGN.md §6). Pages and API ask these
functions; no view or serializer decides on its own."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from observation.models import District
from observation.policies import Access, role_of
from observation.roles import ALL_ROLES, Role

FILERS = frozenset({Role.LTO, Role.COORDINATOR, Role.HEAD_OFFICE, Role.ADMIN})
"""Roles that may file incidents (field roles only in their own districts)."""

SEES_ALL = frozenset({Role.HEAD_OFFICE, Role.LEGAL, Role.ANALYST, Role.ADMIN})
WITNESSES_OF_ALL = frozenset({Role.HEAD_OFFICE, Role.LEGAL, Role.ADMIN})
ORIGINAL_EVIDENCE = frozenset({Role.HEAD_OFFICE, Role.ADMIN})
"""Who gets evidence files as uploaded, location metadata included."""
REPORTER_HIDDEN_FROM = frozenset({Role.ANALYST})
"""Analysts work with the numbers; they do not learn which observer filed what."""

INCIDENTS = Access(read=ALL_ROLES, write=FILERS)
"""The API's coarse gate; the object-level checks below narrow it."""


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


def can_file_in(user: Any, district: District) -> bool:
    role = role_of(user)
    if role in (Role.HEAD_OFFICE, Role.ADMIN):
        return True
    if role in (Role.LTO, Role.COORDINATOR):
        return filing_districts(user).filter(pk=district.pk).exists()
    return False


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


def can_see_reporter(user: Any) -> bool:
    role = role_of(user)
    return role is not None and role not in REPORTER_HIDDEN_FROM


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


def can_answer_question(user: Any, incident: Any) -> bool:
    """Head office's questions go to the observer who filed the incident."""
    return role_of(user) is not None and incident.reported_by_id == user.pk
