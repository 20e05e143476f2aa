from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from observation.kernel.registry import NavEntry, register_nav
        from reports.policies import DASHBOARD, REPORTS

        register_nav(NavEntry(_("Dashboard"), "reports:dashboard", DASHBOARD.read, order=14))
        register_nav(NavEntry(_("Reports"), "reports:list", REPORTS.read, order=15))
