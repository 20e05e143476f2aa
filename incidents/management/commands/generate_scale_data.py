"""Build scale data for benchmarks (docs/benchmarks.md#scale-data): the national-scale
election of ``incidents.scale`` and ``--incidents N`` incidents in it (added up to N when
the election exists). Refuses to run with ``PRODUCTION=true``: it creates the demo
sign-ins with the demo password."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from incidents import scale


class Command(BaseCommand):
    help = "Create a national-scale election with N incidents (benchmarks; never production)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--incidents", type=int, required=True, help="incidents wanted")
        defaults = scale.Shape()
        parser.add_argument("--districts", type=int, default=defaults.districts)
        parser.add_argument("--pecs", type=int, default=defaults.pecs)
        parser.add_argument("--candidates", type=int, default=defaults.candidates)
        parser.add_argument("--parties", type=int, default=defaults.parties)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, **options) -> None:
        if settings.PRODUCTION:
            raise CommandError(
                "generate_scale_data creates demo sign-ins and never runs in production."
            )
        if options["incidents"] < 0 or min(options["districts"], options["parties"]) < 1:
            raise CommandError(
                "--incidents must be 0 or more; --districts and --parties 1 or more."
            )
        shape = scale.Shape(
            districts=options["districts"],
            pecs=max(0, options["pecs"]),
            candidates=max(0, options["candidates"]),
            parties=options["parties"],
            lists_per_district=min(scale.Shape.lists_per_district, options["parties"]),
        )
        started = time.perf_counter()
        verbose = options["verbosity"] > 1

        def say(message: str) -> None:
            if verbose or not message.startswith("incidents:"):
                self.stdout.write(message)

        scale.build(incidents=options["incidents"], shape=shape, seed=options["seed"], say=say)
        self.stdout.write(
            self.style.SUCCESS(
                f"Scale data ready: {options['incidents']} incidents in "
                f"{time.perf_counter() - started:.1f} s. Sign in as headoffice, analyst, ... "
                f"with the demo password."
            )
        )
