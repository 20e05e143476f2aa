"""What incident filing adds to the layout: navigation and the observer's home panel."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from incidents import queries
from incidents.offline import offline_config
from incidents.policies import FILERS
from observation.registry import HomePanel, NavEntry, register_home_panel, register_nav
from observation.roles import FIELD_ROLES

RECENT = 5


def _my_incidents(request: Any) -> dict[str, Any]:
    return {
        "recent": list(queries.my_reports(request.user)[:RECENT]),
        "questions": list(queries.my_open_questions(request.user)[:RECENT]),
        "offline": offline_config(request.user),
    }


register_nav(NavEntry(_("Report an incident"), "incidents:choose", FILERS, order=10))
register_nav(NavEntry(_("My reports"), "incidents:mine", FILERS, order=11))
register_home_panel(HomePanel("incidents/panels/my_incidents.html", FIELD_ROLES, 5, _my_incidents))
