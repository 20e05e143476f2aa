"""What incidents add to the layout (registered from ``IncidentsConfig.ready``): filing
in the navigation and the observer's home panel; the triage queue and alerts in the
navigation and head office's home panel."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from incidents import policies, queries
from incidents.offline import offline_config
from incidents.services import alerts
from observation.kernel.registry import HomePanel, NavEntry, register_home_panel, register_nav
from observation.kernel.roles import FIELD_ROLES, Role

RECENT = 5
PANEL_ALERTS = 5


def _my_incidents(request: Any) -> dict[str, Any]:
    return {
        "recent": queries.attach_delivery(list(queries.my_reports(request.user)[:RECENT])),
        "questions": list(queries.my_open_questions(request.user)[:RECENT]),
        "offline": offline_config(request.user),
    }


def _triage_panel(request: Any) -> dict[str, Any]:
    show_alerts = policies.ALERTS.can_read(request.user)
    latest = list(alerts.open_alerts()[:PANEL_ALERTS]) if show_alerts else []
    return {
        "counts": queries.triage_summary(),
        "show_alerts": show_alerts,
        "alert_count": alerts.open_alert_count() if show_alerts else 0,
        "alerts": [(alert, alerts.describe(alert)) for alert in latest],
    }


def _districts_panel(request: Any) -> dict[str, Any]:
    activity = queries.observer_activity(request.user)
    return {
        "observers": len(activity),
        "open_questions": sum(row.open_questions for row in activity),
        "quiet": len(queries.quiet_places(request.user)),
        "quiet_days": queries.QUIET_DAYS,
    }


register_nav(NavEntry(_("Report an incident"), "incidents:choose", policies.FILERS, order=10))
register_nav(NavEntry(_("My reports"), "incidents:mine", policies.FILERS, order=11))
register_home_panel(HomePanel("incidents/panels/my_incidents.html", FIELD_ROLES, 5, _my_incidents))
register_nav(NavEntry(_("Triage queue"), "incidents:triage-queue", policies.STAFF, 12))
register_nav(
    NavEntry(
        _("My districts"),
        "incidents:districts-incidents",
        frozenset({Role.COORDINATOR}),
        order=12,
    )
)
register_nav(NavEntry(_("Alerts"), "incidents:triage-alerts", policies.TRIAGERS, 13))
register_home_panel(
    HomePanel("incidents/triage/panels/triage.html", policies.STAFF, 20, _triage_panel)
)
register_home_panel(
    HomePanel(
        "incidents/coordination/panel.html",
        frozenset({Role.COORDINATOR}),
        3,
        _districts_panel,
    )
)
