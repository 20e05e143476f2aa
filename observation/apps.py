from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ObservationConfig(AppConfig):
    name = "observation"
    verbose_name = _("Observation")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from observation import (  # noqa: F401
            accounts,  # connects the sign-in and password receivers
            home,  # registers panels and navigation
        )
        from observation.kernel.search import register_sqlite_functions
        from observation.kernel.storage import check_on_start_up

        connection_created.connect(register_sqlite_functions, dispatch_uid="baikoo_sqlite_fns")
        check_on_start_up()  # with S3_BUCKET set: refuse to start on a bucket that fails
