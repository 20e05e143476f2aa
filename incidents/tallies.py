"""The kept counts of incidents (docs/incidents.md#kept-counts): whether this database keeps
them, what they should hold (counted from the incidents), how far they are from it, and
counting them again.

The triggers of migration 0005 keep ``DistrictTally``, ``PartyTally`` and ``DayTally``
exact on PostgreSQL; nothing in Python writes them except ``rebuild`` (the management
command ``rebuild_incident_tallies``), which an operator runs after changing TIME_ZONE or
if a check ever finds them wrong. The readers are in ``incidents.queries``.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection as default_connection
from django.db import transaction
from django.db.models import Count, QuerySet
from django.db.models.functions import TruncDate

from incidents.models import DayTally, DistrictTally, Incident, PartyTally, TallyZone

KEYS: dict[type, tuple[str, ...]] = {
    DistrictTally: ("election_id", "district_id", "kind", "status"),
    PartyTally: ("election_id", "party_id", "kind", "status"),
    DayTally: ("election_id", "zone", "day", "kind", "status"),
}


def kept(connection: Any = None) -> bool:
    """True where the tallies exist and the triggers keep them: PostgreSQL 15 or newer
    (the models' ``required_db_features``). Elsewhere the readers count live."""
    connection = connection or default_connection
    return DistrictTally._meta.can_migrate(connection) and connection.vendor == "postgresql"


def kept_zone() -> str | None:
    """The time zone the triggers take an incident's day in (None: no tallies)."""
    return TallyZone.objects.order_by("pk").values_list("zone", flat=True).first()


def counted(model: type, zone: str | None = None) -> QuerySet:
    """What ``model`` should hold, counted from the incidents: rows of the key's columns
    and ``n``, one per key with at least one incident (one query)."""
    incidents = Incident.objects.order_by()
    if model is DayTally:
        zone = zone or settings.TIME_ZONE
        incidents = incidents.annotate(day=TruncDate("occurred_at", tzinfo=ZoneInfo(zone)))
        return incidents.values("election_id", "day", "kind", "status").annotate(n=Count("pk"))
    return incidents.values(*KEYS[model]).annotate(n=Count("pk"))


def _as_dict(rows: Any, key: tuple[str, ...]) -> dict[tuple, int]:
    return {tuple(row[k] for k in key): row["n"] for row in rows}


def differences() -> dict[str, int]:
    """For each tally, how many keys it counts differently from the incidents (0: exact).
    Reads every incident: for the command's ``--check`` and the tests, not for pages."""
    zone = kept_zone() or settings.TIME_ZONE
    found = {}
    for model, key in KEYS.items():
        stored = _as_dict(model.objects.values(*key, "n"), key)
        if model is DayTally:
            expected = {
                (row["election_id"], zone, row["day"], row["kind"], row["status"]): row["n"]
                for row in counted(model, zone)
            }
        else:
            expected = _as_dict(counted(model), key)
        found[model.__name__] = sum(
            1 for k in stored.keys() | expected.keys() if stored.get(k) != expected.get(k)
        )
    return found


def rebuild(zone: str | None = None) -> dict[str, int]:
    """Count every tally again from the incidents, the days in ``zone`` (default
    settings.TIME_ZONE), which the triggers use from then on. One transaction; the
    incidents table is locked against writes meanwhile (SHARE: reads go on), so no change
    slips between the count and the triggers. Returns the rows written per tally."""
    zone = zone or settings.TIME_ZONE
    ZoneInfo(zone)  # an unknown zone fails here, before anything changes
    written = {}
    with transaction.atomic():
        with default_connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {Incident._meta.db_table} IN SHARE MODE")
        TallyZone.objects.all().delete()
        TallyZone.objects.create(zone=zone)
        for model in KEYS:
            model.objects.all().delete()
            rows = counted(model, zone)
            if model is DayTally:
                made = [model(zone=zone, **row) for row in rows]
            else:
                made = [model(**row) for row in rows]
            model.objects.bulk_create(made, batch_size=2000)
            written[model.__name__] = len(made)
    return written
