"""Who may do what: a role per user, and ``Access`` objects that pages and the API
ask alike. Every app's ``policies`` module builds its rules from these (see
docs/roles.md)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from observation.kernel.roles import Role

# Who acts in a service: a signed-in user (pages and API), or nobody (the demo loader, a
# task). Services record it in the audit trail.
Actor = AbstractBaseUser | AnonymousUser | None


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


class HasRole(BasePermission):
    """The API's default: signed in, and with a role in the mission."""

    message = "Your account has no role in the mission; ask an administrator."

    def has_permission(self, request: Any, view: Any) -> bool:
        return role_of(request.user) is not None


def role_names(roles: Iterable[Role]) -> str:
    return ", ".join(str(role.label) for role in Role if role in roles)


def explain(message: Callable[[], str]) -> Callable:
    """Give a policy function the sentence a refused person reads (on the 403 page):
    ``@explain(lambda: _("Only … can open the triage queue."))``; called at refusal time,
    so it is translated into the reader's language."""

    def mark(check: Callable) -> Callable:
        check.denied_message = message
        return check

    return mark


def refusal(check: Callable[[Any], bool]) -> str:
    """Why ``check`` refuses: the policy's own sentence, else, for an ``Access`` rule, the
    roles it admits (docs/roles.md)."""
    message = getattr(check, "denied_message", None)
    if message is not None:
        return str(message())
    access = getattr(check, "__self__", None)
    if isinstance(access, Access):
        roles = access.read if check.__name__ == "can_read" else access.write
        return _("This page is for these roles only: %(roles)s.") % {"roles": role_names(roles)}
    return _("Your role in the mission does not give access to this page.")


def require(check: Callable[[Any], bool]) -> Callable:
    """Page decorator: sign-in first, then ``check(user)`` or 403 saying why."""

    def decorator(view: Callable) -> Callable:
        @login_required
        @wraps(view)
        def wrapped(request: Any, *args: Any, **kwargs: Any) -> Any:
            if not check(request.user):
                raise PermissionDenied(refusal(check))
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
