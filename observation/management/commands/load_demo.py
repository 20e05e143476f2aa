"""Load the demo data of the seed report (docs/configuration.md), idempotently.

Each app that has demo data provides ``<app>.demo.load(stdout)``; they run in the order
of INSTALLED_APPS (observation first, reports last), all in one transaction, so a failed
run leaves nothing half-loaded. Running it again changes nothing.
"""

from __future__ import annotations

import importlib

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = "Load the demo election (Bishkek, Osh, Tokmok 2021) and demo sign-ins."

    def handle(self, *args, **options) -> None:
        if settings.PRODUCTION:
            self.stderr.write("load_demo creates demo sign-ins and never runs in production.")
            raise SystemExit(2)
        with transaction.atomic():
            for config in apps.get_app_configs():
                try:
                    module = importlib.import_module(f"{config.name}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{config.name}.demo":
                        raise
                    continue
                module.load(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
