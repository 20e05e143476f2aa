"""Kept counts of incidents (docs/incidents.md#kept-counts): three small tallies and the
triggers that keep them exact on PostgreSQL.

The triggers are statement-level with transition tables: one trigger run per statement on
``incidents_incident`` (a filing's one-statement CTE, a ``bulk_create`` batch of 5,000, a
status change, an admin delete), which sums the statement's rows into one change per tally
key, writes the changes in key order (so two statements never take tally row locks in
opposite orders) with ``INSERT ... ON CONFLICT DO UPDATE``, and deletes the rows it brought
to zero. An UPDATE that changes none of the counted columns (election, district, party,
kind, status, occurred_at) writes nothing. A TRUNCATE empties the tallies too.

An incident's day for ``incidents_daytally`` is ``occurred_at`` in the zone of the one row
of ``incidents_tallyzone``, set here to settings.TIME_ZONE and changed only by
``manage.py rebuild_incident_tallies`` (were the row ever missing, as after a test run's
flush of every table, the triggers take TIME_ZONE as it was at this migration); each day
row records its zone, and the readers count live when it is not the current one. The
tallies are filled from the incidents at the end of this migration.

SQLite and PostgreSQL older than 15 get no tables (``required_db_features``) and no
triggers: the readers count the incidents live there. The functions name the incidents'
columns: a migration that renames one of them must replace the functions too.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


INCIDENTS = "incidents_incident"
ZONE_TABLE = "incidents_tallyzone"
# (table, its key columns, what each is for one incident row); ``tz`` is the zone.
TALLIES = [
    (
        "incidents_districttally",
        ["election_id", "district_id", "kind", "status"],
        ["election_id", "district_id", "kind", "status"],
    ),
    (
        "incidents_partytally",
        ["election_id", "party_id", "kind", "status"],
        ["election_id", "party_id", "kind", "status"],
    ),
    (
        "incidents_daytally",
        ["election_id", "zone", "day", "kind", "status"],
        ["election_id", "tz", "(occurred_at AT TIME ZONE tz)::date", "kind", "status"],
    ),
]
COUNTED = ["election_id", "district_id", "party_id", "kind", "status", "occurred_at"]


def _rows(source: str, sign: str, exprs: list[str], columns: list[str]) -> str:
    picked = ", ".join(f"{e} AS {c}" for e, c in zip(exprs, columns, strict=True))
    return f"SELECT {picked}, {sign} AS d FROM {source}"


def _apply(table: str, columns: list[str], exprs: list[str], sources: list[tuple]) -> str:
    cols = ", ".join(columns)
    rows = " UNION ALL ".join(_rows(src, sign, exprs, columns) for src, sign in sources)
    return f"""
        WITH delta AS (
            SELECT {cols}, sum(d) AS d FROM ({rows}) r
            GROUP BY {cols} HAVING sum(d) <> 0
        ), written AS (
            INSERT INTO {table} AS t ({cols}, n)
            SELECT {cols}, d FROM delta ORDER BY {cols}
            ON CONFLICT ({cols}) DO UPDATE SET n = t.n + EXCLUDED.n
            RETURNING t.id, t.n
        )
        SELECT array_agg(id) FILTER (WHERE n = 0) INTO zeros FROM written;
        IF zeros IS NOT NULL THEN
            DELETE FROM {table} WHERE id = ANY (zeros) AND n = 0;
        END IF;"""


def _function(op: str, sources: list[tuple], fallback: str, guard: str = "") -> str:
    body = "".join(_apply(t, c, e, sources) for t, c, e in TALLIES)
    return f"""
    CREATE OR REPLACE FUNCTION incidents_tally_{op}() RETURNS trigger AS $$
    DECLARE
        tz text;
        zeros bigint[];
    BEGIN{guard}
        SELECT zone INTO tz FROM {ZONE_TABLE} ORDER BY id LIMIT 1;
        tz := coalesce(tz, {fallback});{body}
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql
    """


_CHANGED = " OR ".join(f"o.{c} IS DISTINCT FROM n.{c}" for c in COUNTED)
UPDATE_GUARD = f"""
        IF NOT EXISTS (
            SELECT 1 FROM new_rows n LEFT JOIN old_rows o ON o.id = n.id
            WHERE o.id IS NULL OR {_CHANGED}
        ) THEN
            RETURN NULL;  -- nothing counted changed (assignment, severity, text...)
        END IF;"""

TRUNCATE = """
    CREATE OR REPLACE FUNCTION incidents_tally_truncate() RETURNS trigger AS $$
    BEGIN
        DELETE FROM incidents_districttally;
        DELETE FROM incidents_partytally;
        DELETE FROM incidents_daytally;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql
    """


def _fill(table: str, columns: list[str], exprs: list[str], zone: str) -> str:
    picked = ", ".join(e.replace("tz", zone) for e in exprs)
    grouped = ", ".join(str(i + 1) for i in range(len(exprs)))
    return (
        f"INSERT INTO {table} ({', '.join(columns)}, n) "
        f"SELECT {picked}, count(*) FROM {INCIDENTS} GROUP BY {grouped}"
    )


def _forward_sql() -> list:
    zone = settings.TIME_ZONE
    literal = "'" + zone.replace("'", "''") + "'"
    return [
        (f"INSERT INTO {ZONE_TABLE} (zone) VALUES (%s)", [zone]),
        _function("insert", [("new_rows", "1")], literal),
        _function("delete", [("old_rows", "-1")], literal),
        _function("update", [("new_rows", "1"), ("old_rows", "-1")], literal, UPDATE_GUARD),
        TRUNCATE,
        f"""CREATE TRIGGER incidents_tally_insert AFTER INSERT ON {INCIDENTS}
            REFERENCING NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION incidents_tally_insert()""",
        f"""CREATE TRIGGER incidents_tally_update AFTER UPDATE ON {INCIDENTS}
            REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION incidents_tally_update()""",
        f"""CREATE TRIGGER incidents_tally_delete AFTER DELETE ON {INCIDENTS}
            REFERENCING OLD TABLE AS old_rows
            FOR EACH STATEMENT EXECUTE FUNCTION incidents_tally_delete()""",
        f"""CREATE TRIGGER incidents_tally_truncate AFTER TRUNCATE ON {INCIDENTS}
            FOR EACH STATEMENT EXECUTE FUNCTION incidents_tally_truncate()""",
        *[_fill(t, c, e, literal) for t, c, e in TALLIES],
    ]


REVERSE = [
    *[
        f"DROP TRIGGER IF EXISTS incidents_tally_{op} ON {INCIDENTS}"
        for op in ("insert", "update", "delete", "truncate")
    ],  # fmt: skip
    *[
        f"DROP FUNCTION IF EXISTS incidents_tally_{op}()"
        for op in ("insert", "update", "delete", "truncate")
    ],  # fmt: skip
]


class TallyTriggers(migrations.RunSQL):
    """The triggers, where the tables exist (PostgreSQL 15 or newer)."""

    def __init__(self) -> None:
        super().__init__(migrations.RunSQL.noop, REVERSE, elidable=False)

    def _kept(self, schema_editor) -> bool:
        features = schema_editor.connection.features
        return (
            schema_editor.connection.vendor == "postgresql"
            and features.supports_nulls_distinct_unique_constraints
        )

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if self._kept(schema_editor):
            self._run_sql(schema_editor, _forward_sql())

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if self._kept(schema_editor):
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0004_scale_indexes"),
        ("observation", "0004_calendar_and_concern_themes"),
    ]

    operations = [
        migrations.CreateModel(
            name="TallyZone",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("zone", models.CharField(max_length=64)),
            ],
            options={
                "required_db_features": {"supports_nulls_distinct_unique_constraints"},
            },
        ),
        migrations.CreateModel(
            name="DayTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("zone", models.CharField(max_length=64)),
                ("day", models.DateField()),
                ("kind", models.CharField(max_length=20)),
                ("status", models.CharField(max_length=20)),
                ("n", models.BigIntegerField()),
                (
                    "election",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="observation.election",
                    ),
                ),
            ],
            options={
                "required_db_features": {"supports_nulls_distinct_unique_constraints"},
                "constraints": [
                    models.UniqueConstraint(
                        fields=("election", "zone", "day", "kind", "status"), name="day_tally_key"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="DistrictTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("kind", models.CharField(max_length=20)),
                ("status", models.CharField(max_length=20)),
                ("n", models.BigIntegerField()),
                (
                    "district",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="observation.district",
                    ),
                ),
                (
                    "election",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="observation.election",
                    ),
                ),
            ],
            options={
                "required_db_features": {"supports_nulls_distinct_unique_constraints"},
                "constraints": [
                    models.UniqueConstraint(
                        fields=("election", "district", "kind", "status"), name="district_tally_key"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="PartyTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("kind", models.CharField(max_length=20)),
                ("status", models.CharField(max_length=20)),
                ("n", models.BigIntegerField()),
                (
                    "election",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="observation.election",
                    ),
                ),
                (
                    "party",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="observation.party",
                    ),
                ),
            ],
            options={
                "required_db_features": {"supports_nulls_distinct_unique_constraints"},
                "constraints": [
                    models.UniqueConstraint(
                        fields=("election", "party", "kind", "status"),
                        name="party_tally_key",
                        nulls_distinct=False,
                    )
                ],
            },
        ),
        TallyTriggers(),
    ]
