from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VotersConfig(AppConfig):
    name = "voters"
    verbose_name = _("Voters")

    def ready(self) -> None:
        from observation.kernel.registry import NavEntry, register_nav
        from observation.kernel.roles import ALL_ROLES

        register_nav(NavEntry(_("Voter lists"), "voters:registration", ALL_ROLES, order=54))
