"""The audit trail is append-only in the database itself (docs/architecture.md#guarantees):
on PostgreSQL a trigger refuses every UPDATE and DELETE of its rows and a TRUNCATE of its
table, whoever connects. SQLite (the development default) is left as it is.

One way round is left on purpose, for emptying a whole test database (Django's ``flush``
truncates every table): a session that sets ``baikoo.allow_audit_truncate`` to ``on`` may
TRUNCATE. The application never sets it; the test suite does (tests/conftest.py)."""

from django.db import migrations

TABLE = "observation_auditentry"

FORWARD = [
    """
    CREATE OR REPLACE FUNCTION baikoo_audit_append_only() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'TRUNCATE'
           AND current_setting('baikoo.allow_audit_truncate', true) = 'on' THEN
            RETURN NULL;
        END IF;
        RAISE EXCEPTION 'the audit trail is append-only: % on % refused', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END;
    $$ LANGUAGE plpgsql
    """,
    f"""
    CREATE TRIGGER baikoo_audit_no_update_delete
        BEFORE UPDATE OR DELETE ON {TABLE}
        FOR EACH ROW EXECUTE FUNCTION baikoo_audit_append_only()
    """,
    f"""
    CREATE TRIGGER baikoo_audit_no_truncate
        BEFORE TRUNCATE ON {TABLE}
        FOR EACH STATEMENT EXECUTE FUNCTION baikoo_audit_append_only()
    """,
]

REVERSE = [
    f"DROP TRIGGER IF EXISTS baikoo_audit_no_truncate ON {TABLE}",
    f"DROP TRIGGER IF EXISTS baikoo_audit_no_update_delete ON {TABLE}",
    "DROP FUNCTION IF EXISTS baikoo_audit_append_only()",
]


class PostgresRunSQL(migrations.RunSQL):
    """RunSQL on PostgreSQL only; other databases get nothing."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [("observation", "0002_reference_data_rules")]

    operations = [PostgresRunSQL(FORWARD, REVERSE, elidable=False)]
