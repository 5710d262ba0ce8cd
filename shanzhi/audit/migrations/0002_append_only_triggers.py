"""Database triggers that refuse changes to audit rows, a second line behind the model's own guards.

PostgreSQL refuses UPDATE and DELETE. SQLite refuses UPDATE; its DELETE stays possible only because
the test runner empties tables with DELETE (PostgreSQL's TRUNCATE does not fire row triggers)."""

from django.db import migrations

PG_UP = """
CREATE OR REPLACE FUNCTION shanzhi_audit_immutable() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'audit rows are append-only'; END; $$ LANGUAGE plpgsql;
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
FOR EACH ROW EXECUTE FUNCTION shanzhi_audit_immutable();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS audit_append_only ON audit_auditevent;
DROP FUNCTION IF EXISTS shanzhi_audit_immutable();
"""
SQLITE_UP = """
CREATE TRIGGER audit_append_only BEFORE UPDATE ON audit_auditevent
BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS audit_append_only;"


def up(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    sql = {"postgresql": PG_UP, "sqlite": SQLITE_UP}.get(vendor)
    if sql:
        schema_editor.execute(sql)


def down(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    sql = {"postgresql": PG_DOWN, "sqlite": SQLITE_DOWN}.get(vendor)
    if sql:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(up, down)]
