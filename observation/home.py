"""What observation adds to the layout: its navigation and home-page panels."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from observation.kernel.registry import HomePanel, NavEntry, register_home_panel, register_nav
from observation.kernel.roles import ALL_ROLES, FIELD_ROLES, Role
from observation.policies import ACCOUNT_LOCKS, AUDIT_TRAIL
from observation.queries import districts_for_user, elections_with_counts

STAFF_ROLES = ALL_ROLES - FIELD_ROLES


def _my_districts(request: Any) -> dict[str, Any]:
    return {"districts": list(districts_for_user(request.user))}


def _elections(request: Any) -> dict[str, Any]:
    return {"elections": list(elections_with_counts())}


register_nav(NavEntry(_("Home"), "home", ALL_ROLES, order=0))
register_nav(NavEntry(_("Elections"), "election-list", ALL_ROLES, order=50))
register_nav(NavEntry(_("Calendar"), "calendar", ALL_ROLES, order=51))
register_nav(NavEntry(_("Parties"), "party-index", ALL_ROLES, order=51))
register_nav(NavEntry(_("Party meetings"), "party-meeting-list", ALL_ROLES, order=52))
register_nav(NavEntry(_("API"), "api-docs", STAFF_ROLES, order=900))
register_nav(NavEntry(_("Audit trail"), "audit-trail", AUDIT_TRAIL.read, order=950))
register_nav(NavEntry(_("Locked accounts"), "account-locks", ACCOUNT_LOCKS.read, order=951))
register_nav(NavEntry(_("Administration"), "admin:index", frozenset({Role.ADMIN}), order=990))
register_home_panel(
    HomePanel("observation/panels/my_districts.html", FIELD_ROLES, 10, _my_districts)
)
register_home_panel(HomePanel("observation/panels/elections.html", STAFF_ROLES, 50, _elections))
