"""System checks of the incidents app (run by ``migrate`` and ``check --database``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register
from django.db import DatabaseError, connections


@register(Tags.database)
def tally_zone(app_configs: Any = None, databases: Any = None, **kwargs: Any) -> list[Warning]:
    """The per-day tally counts days in the zone it was built in; after TIME_ZONE changes
    the dashboard counts its chart live (correct, slower) until the tallies are rebuilt
    (docs/operations.md "Kept counts")."""
    from incidents import tallies

    warnings = []
    for alias in databases or []:
        connection = connections[alias]
        if not tallies.kept(connection):
            continue
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT zone FROM incidents_tallyzone ORDER BY id LIMIT 1")
                row = cursor.fetchone()
        except DatabaseError:  # before migration 0005
            continue
        if row is not None and row[0] != settings.TIME_ZONE:
            warnings.append(
                Warning(
                    f"The incident tallies count days in {row[0]}, but TIME_ZONE is "
                    f"{settings.TIME_ZONE}: the dashboard counts its per-day chart live "
                    "(slower) until they are counted again.",
                    hint="Run: python manage.py rebuild_incident_tallies",
                    id="incidents.W001",
                )
            )
    return warnings
