"""PostgreSQL: refuse TRUNCATE of the audit log (a statement trigger; row triggers do not see TRUNCATE).

The runtime role has no TRUNCATE privilege at all (see `shanzhi dbroles`); this trigger stops the owner
role too. Superusers are let through: they can drop any trigger anyway, and Django's test runner empties
tables between tests with TRUNCATE (the suite's own flush on PostgreSQL is DELETE with the triggers set aside for
its transaction, session_replication_role=replica: tests/conftest.py). SQLite has no TRUNCATE and keeps its triggers from 0002."""

from django.db import migrations

PG_UP = """
CREATE OR REPLACE FUNCTION shanzhi_audit_no_truncate() RETURNS trigger AS $$
BEGIN
  IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN RETURN NULL; END IF;
  RAISE EXCEPTION 'the audit log cannot be truncated';
END; $$ LANGUAGE plpgsql;
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit_auditevent
FOR EACH STATEMENT EXECUTE FUNCTION shanzhi_audit_no_truncate();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS audit_no_truncate ON audit_auditevent;
DROP FUNCTION IF EXISTS shanzhi_audit_no_truncate();
"""


def up(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_UP)


def down(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_DOWN)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_triggers")]
    operations = [migrations.RunPython(up, down)]
