"""Who may do what with observation's data (DESIGN.md §6).

Each app has one ``policies`` module like this one; pages and API ask the same
``Access`` objects, so a rule is never written twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from rest_framework.permissions import SAFE_METHODS, BasePermission

from observation.roles import ALL_ROLES, Role


def role_of(user: Any) -> Role | None:
    """The user's role, or None for anonymous users and accounts without a profile.

    A superuser without a profile counts as an administrator, so the account created by
    ``createsuperuser`` can set everything else up."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    profile = getattr(user, "observer_profile", None)
    if profile is not None:
        return Role(profile.role)
    if user.is_superuser:
        return Role.ADMIN
    return None


def has_role(user: Any, roles: Iterable[Role]) -> bool:
    role = role_of(user)
    return role is not None and role in roles


@dataclass(frozen=True)
class Access:
    """Which roles may read and which may write one kind of data."""

    read: frozenset[Role]
    write: frozenset[Role]

    def can_read(self, user: Any) -> bool:
        return has_role(user, self.read)

    def can_write(self, user: Any) -> bool:
        return has_role(user, self.write)

    def api_permission(self) -> type[BasePermission]:
        access = self

        class AccessPermission(BasePermission):
            def has_permission(self, request: Any, view: Any) -> bool:
                if request.method in SAFE_METHODS:
                    return access.can_read(request.user)
                return access.can_write(request.user)

        AccessPermission.__name__ = "AccessPermission"
        return AccessPermission


REFERENCE_DATA = Access(read=ALL_ROLES, write=frozenset({Role.ANALYST, Role.ADMIN}))
PARTY_MEETINGS = Access(
    read=ALL_ROLES,
    write=frozenset({Role.LTO, Role.COORDINATOR, Role.HEAD_OFFICE, Role.ANALYST, Role.ADMIN}),
)
USERS = Access(read=frozenset({Role.ADMIN}), write=frozenset({Role.ADMIN}))


class HasRole(BasePermission):
    """The API's default: signed in, and with a role in the mission."""

    message = "Your account has no role in the mission; ask an administrator."

    def has_permission(self, request: Any, view: Any) -> bool:
        return role_of(request.user) is not None


def require(check: Callable[[Any], bool]) -> Callable:
    """Page decorator: sign-in first, then ``check(user)`` or 403."""

    def decorator(view: Callable) -> Callable:
        @login_required
        @wraps(view)
        def wrapped(request: Any, *args: Any, **kwargs: Any) -> Any:
            if not check(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


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
