"""Database triggers that refuse changes to transfers and entries, a second line behind the model guards.

PostgreSQL refuses UPDATE and DELETE. SQLite refuses UPDATE; its DELETE stays possible only because
the test runner empties tables with DELETE (PostgreSQL's TRUNCATE does not fire row triggers)."""

from django.db import migrations

TABLES = ("ledger_transfer", "ledger_entry")
PG_UP = ["""CREATE OR REPLACE FUNCTION shanzhi_ledger_immutable() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'ledger rows are append-only'; END; $$ LANGUAGE plpgsql"""] + [
    f"""CREATE TRIGGER {t}_append_only BEFORE UPDATE OR DELETE ON {t}
FOR EACH ROW EXECUTE FUNCTION shanzhi_ledger_immutable()""" for t in TABLES]
PG_DOWN = [f"DROP TRIGGER IF EXISTS {t}_append_only ON {t}" for t in TABLES] + [
    "DROP FUNCTION IF EXISTS shanzhi_ledger_immutable()"]
SQLITE_UP = [f"""CREATE TRIGGER {t}_append_only BEFORE UPDATE ON {t}
BEGIN SELECT RAISE(ABORT, 'ledger rows are append-only'); END""" for t in TABLES]
SQLITE_DOWN = [f"DROP TRIGGER IF EXISTS {t}_append_only" for t in TABLES]


def run(schema_editor, statements_by_vendor):
    for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


def up(apps, schema_editor):
    run(schema_editor, {"postgresql": PG_UP, "sqlite": SQLITE_UP})


def down(apps, schema_editor):
    run(schema_editor, {"postgresql": PG_DOWN, "sqlite": SQLITE_DOWN})


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]
    operations = [migrations.RunPython(up, down)]
