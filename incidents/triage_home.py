"""What triage adds to the layout: the queue and alerts in the navigation, and head
office's home panel (registered from ``IncidentsConfig.ready``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from incidents import alerts, triage_policies, triage_queries
from observation.registry import HomePanel, NavEntry, register_home_panel, register_nav

PANEL_ALERTS = 5


def _triage_panel(request: Any) -> dict[str, Any]:
    show_alerts = triage_policies.ALERTS.can_read(request.user)
    latest = list(alerts.open_alerts()[:PANEL_ALERTS]) if show_alerts else []
    return {
        "counts": triage_queries.triage_summary(),
        "show_alerts": show_alerts,
        "alert_count": alerts.open_alert_count() if show_alerts else 0,
        "alerts": [(alert, alerts.describe(alert)) for alert in latest],
    }


register_nav(NavEntry(_("Triage queue"), "incidents:triage-queue", triage_policies.STAFF, 12))
register_nav(NavEntry(_("Alerts"), "incidents:triage-alerts", triage_policies.TRIAGERS, 13))
register_home_panel(
    HomePanel("incidents/triage/panels/triage.html", triage_policies.STAFF, 20, _triage_panel)
)
