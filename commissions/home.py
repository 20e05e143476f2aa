"""What commissions adds to the layout: a navigation entry for everyone and, for those
who follow complaint deadlines, the overdue complaints on their home page."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from commissions.policies import COMMISSIONS, OVERDUE_WATCHERS
from commissions.queries import overdue_complaints
from observation.kernel.registry import HomePanel, NavEntry, register_home_panel, register_nav

PANEL_ROWS = 5


def _overdue(request: Any) -> dict[str, Any]:
    rows = overdue_complaints()
    return {"complaints": list(rows[:PANEL_ROWS]), "count": rows.count()}


register_nav(NavEntry(_("Commissions"), "commissions:list", COMMISSIONS.read, order=53))
register_home_panel(
    HomePanel("commissions/panels/overdue_complaints.html", OVERDUE_WATCHERS, 20, _overdue)
)
