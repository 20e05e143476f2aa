"""Who may do what with observation's data (docs/roles.md).

Each app has one ``policies`` module like this one; pages and API ask the same
``Access`` objects, so a rule is never written twice.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from observation.kernel.access import Access, role_of
from observation.kernel.roles import ALL_ROLES, Role

REFERENCE_DATA = Access(read=ALL_ROLES, write=frozenset({Role.ANALYST, Role.ADMIN}))
PARTY_MEETINGS = Access(
    read=ALL_ROLES,
    write=frozenset({Role.LTO, Role.COORDINATOR, Role.HEAD_OFFICE, Role.ANALYST, Role.ADMIN}),
)
USERS = Access(read=frozenset({Role.ADMIN}), write=frozenset({Role.ADMIN}))
OBSERVER_IDENTITY_HIDDEN_FROM = frozenset({Role.ANALYST})
"""Analysts work with the numbers; they do not learn which observer filed, attended or
recorded what (docs/roles.md). Every app asks ``can_identify_observers``."""


def can_identify_observers(user: Any) -> bool:
    role = role_of(user)
    return role is not None and role not in OBSERVER_IDENTITY_HIDDEN_FROM


def visible_districts(user: Any, districts: QuerySet) -> QuerySet:
    """Field roles see their own districts; everyone else sees all."""
    if role_of(user) in (Role.LTO, Role.COORDINATOR):
        return districts.filter(observers__user=user)
    return districts


def party_meeting_editable_by(user: Any, meeting: Any) -> bool:
    """A recorder role (PARTY_MEETINGS), and the meeting's district within the user's
    reach: field roles change only the meetings of the districts they cover."""
    if not PARTY_MEETINGS.can_write(user):
        return False
    from observation.models import District  # keeps this module free of model imports

    return visible_districts(user, District.objects.filter(pk=meeting.district_id)).exists()


# Head office and administrators read the audit trail and unlock accounts locked after
# too many failed sign-ins (docs/roles.md).
AUDIT_TRAIL = Access(read=frozenset({Role.HEAD_OFFICE, Role.ADMIN}), write=frozenset())
ACCOUNT_LOCKS = Access(
    read=frozenset({Role.HEAD_OFFICE, Role.ADMIN}),
    write=frozenset({Role.HEAD_OFFICE, Role.ADMIN}),
)


def requires_second_factor(user: Any) -> bool:
    """Whether ``user``'s role is one of ``TWO_FACTOR_ROLES`` (docs/roles.md#second-factor).
    Asks nothing of the database when the setting is empty."""
    from django.conf import settings

    if not settings.TWO_FACTOR_ROLES or not getattr(user, "is_authenticated", False):
        return False
    role = role_of(user)
    return role is not None and role.value in settings.TWO_FACTOR_ROLES
