"""Indexes for 100,000 incidents (docs/benchmarks.md, docs/incidents.md): the incidents
API's default order, and trigram indexes for text search on PostgreSQL.

The trigram indexes (and the ``pg_trgm`` extension) exist on PostgreSQL only: SQLite has
no GIN index, and there a search scans the table (correct, slower). ``TrigramExtension``
is already a no-op outside PostgreSQL; ``PostgresOnlyAddIndex`` does the same for the
indexes while keeping them in the migration state, so the models and the migrations agree.
"""

import django.contrib.postgres.indexes
import django.db.models.functions.text
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models


class PostgresOnlyAddIndex(migrations.AddIndex):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def _trigram(column: str) -> PostgresOnlyAddIndex:
    return PostgresOnlyAddIndex(
        model_name="incident",
        index=django.contrib.postgres.indexes.GinIndex(
            django.contrib.postgres.indexes.OpClass(
                django.db.models.functions.text.Upper(column), name="gin_trgm_ops"
            ),
            name=f"incident_{column}_trgm",
        ),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0003_incident_complaints"),
    ]

    operations = [
        TrigramExtension(),
        migrations.AddIndex(
            model_name="incident",
            index=models.Index(fields=["-occurred_at", "ref"], name="incident_occurred"),
        ),
        _trigram("ref"),
        _trigram("location"),
        _trigram("description"),
    ]
