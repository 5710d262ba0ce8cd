"""实有人口 per grid kept by the database (LivingTally): filled from the persons there are, then kept by triggers
on registry_person in the writer's own transaction.

PostgreSQL: statement-level triggers with transition tables, so a COPY of a million rows updates each grid's
tally once, and an edit that leaves status and region alone writes nothing (the net change is filtered out).
TRUNCATE of the person table empties the tallies. SQLite: row triggers, only when the living count changes."""

from django.db import migrations, models

PG_UP = [
    """
CREATE OR REPLACE FUNCTION shanzhi_living_tally() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    DELETE FROM registry_livingtally;
  ELSIF TG_OP = 'INSERT' THEN
    INSERT INTO registry_livingtally AS t (region_code, living)
      SELECT region_code, count(*) FROM new_rows WHERE status = 'living' GROUP BY region_code
      ON CONFLICT (region_code) DO UPDATE SET living = t.living + excluded.living;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO registry_livingtally AS t (region_code, living)
      SELECT region_code, -count(*) FROM old_rows WHERE status = 'living' GROUP BY region_code
      ON CONFLICT (region_code) DO UPDATE SET living = t.living + excluded.living;
  ELSE
    INSERT INTO registry_livingtally AS t (region_code, living)
      SELECT region_code, sum(d) FROM (
        SELECT region_code, 1 AS d FROM new_rows WHERE status = 'living'
        UNION ALL SELECT region_code, -1 FROM old_rows WHERE status = 'living') AS change
      GROUP BY region_code HAVING sum(d) <> 0
      ON CONFLICT (region_code) DO UPDATE SET living = t.living + excluded.living;
  END IF;
  RETURN NULL;
END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER living_tally_insert AFTER INSERT ON registry_person REFERENCING NEW TABLE AS new_rows
       FOR EACH STATEMENT EXECUTE FUNCTION shanzhi_living_tally()""",
    """CREATE TRIGGER living_tally_update AFTER UPDATE ON registry_person
       REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION shanzhi_living_tally()""",
    """CREATE TRIGGER living_tally_delete AFTER DELETE ON registry_person REFERENCING OLD TABLE AS old_rows
       FOR EACH STATEMENT EXECUTE FUNCTION shanzhi_living_tally()""",
    """CREATE TRIGGER living_tally_truncate AFTER TRUNCATE ON registry_person
       FOR EACH STATEMENT EXECUTE FUNCTION shanzhi_living_tally()""",
]
PG_DOWN = [
    "DROP TRIGGER IF EXISTS living_tally_insert ON registry_person",
    "DROP TRIGGER IF EXISTS living_tally_update ON registry_person",
    "DROP TRIGGER IF EXISTS living_tally_delete ON registry_person",
    "DROP TRIGGER IF EXISTS living_tally_truncate ON registry_person",
    "DROP FUNCTION IF EXISTS shanzhi_living_tally()",
]
ADD = """INSERT INTO registry_livingtally (region_code, living) SELECT {code}, 1 WHERE {cond}
         ON CONFLICT (region_code) DO UPDATE SET living = living + 1"""
SUBTRACT = "UPDATE registry_livingtally SET living = living - 1 WHERE region_code = {code} AND {cond}"
SQLITE_UP = [
    f"""CREATE TRIGGER living_tally_insert AFTER INSERT ON registry_person WHEN NEW.status = 'living'
        BEGIN {ADD.format(code="NEW.region_code", cond="1")}; END""",
    f"""CREATE TRIGGER living_tally_delete AFTER DELETE ON registry_person WHEN OLD.status = 'living'
        BEGIN {SUBTRACT.format(code="OLD.region_code", cond="1")}; END""",
    f"""CREATE TRIGGER living_tally_update AFTER UPDATE OF status, region_code ON registry_person
        WHEN (OLD.status = 'living' OR NEW.status = 'living')
         AND (OLD.status IS NOT NEW.status OR OLD.region_code IS NOT NEW.region_code)
        BEGIN
          {SUBTRACT.format(code="OLD.region_code", cond="OLD.status = 'living'")};
          {ADD.format(code="NEW.region_code", cond="NEW.status = 'living'")};
        END""",
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS living_tally_insert", "DROP TRIGGER IF EXISTS living_tally_delete",
               "DROP TRIGGER IF EXISTS living_tally_update"]
FILL = """INSERT INTO registry_livingtally (region_code, living)
          SELECT region_code, count(*) FROM registry_person WHERE status = 'living' GROUP BY region_code"""


def up(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in [FILL, *{"postgresql": PG_UP, "sqlite": SQLITE_UP}.get(vendor, [])]:
        schema_editor.execute(sql)


def down(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"postgresql": PG_DOWN, "sqlite": SQLITE_DOWN}.get(vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("registry", "0006_person_event_indexes")]
    operations = [
        migrations.CreateModel(
            name="LivingTally",
            fields=[
                ("region_code", models.CharField(max_length=20, primary_key=True, serialize=False,
                                                 verbose_name="区划代码")),
                ("living", models.BigIntegerField(default=0)),
            ],
            options={"db_table": "registry_livingtally"},
        ),
        migrations.RunPython(up, down),
    ]
