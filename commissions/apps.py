from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommissionsConfig(AppConfig):
    name = "commissions"
    verbose_name = _("Commissions")

    def ready(self) -> None:
        from commissions import home  # noqa: F401  (registers navigation and home panel)
