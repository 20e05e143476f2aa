"""Count the kept counts of incidents again from the incidents (docs/operations.md
"Kept counts"): after changing TIME_ZONE, or whenever ``--check`` finds a difference."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from incidents import tallies


class Command(BaseCommand):
    help = (
        "Count the incident tallies (dashboard, home and triage counts) again from the "
        "incidents, the days in TIME_ZONE. With --check, only say whether they are exact."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--check",
            action="store_true",
            help="Change nothing; exit with an error if a tally differs from the incidents "
            "or counts days in another zone than TIME_ZONE.",
        )

    def handle(self, *args: Any, check: bool = False, **options: Any) -> None:
        if not tallies.kept():
            self.stdout.write(
                "This database keeps no tallies (PostgreSQL 15 or newer does): "
                "the counts are read live from the incidents."
            )
            return
        zone = tallies.kept_zone()
        found = tallies.differences()
        wrong = {name: n for name, n in found.items() if n}
        if check:
            problems = [f"{name}: {n} key(s) differ" for name, n in wrong.items()]
            if zone != settings.TIME_ZONE:
                problems.append(f"days are counted in {zone}, TIME_ZONE is {settings.TIME_ZONE}")
            if problems:
                raise CommandError(
                    "; ".join(problems) + ". Run manage.py rebuild_incident_tallies."
                )
            self.stdout.write(f"The tallies are exact (days in {zone}).")
            return
        written = tallies.rebuild(settings.TIME_ZONE)
        self.stdout.write(
            "Tallies counted again from the incidents, days in "
            f"{settings.TIME_ZONE}: "
            + ", ".join(f"{name} {n} rows" for name, n in written.items())
            + (
                ". Corrected: " + ", ".join(f"{name} {n} key(s)" for name, n in wrong.items())
                if wrong
                else ". They were exact."
            )
        )
