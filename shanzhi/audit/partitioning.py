"""Monthly PostgreSQL declarative partitions for the append-only tables that grow without end (issue 20).

`PARTITIONED` names each table and its partition column. A PostgreSQL-only migration in the table's app calls
`convert()`: the existing table is renamed and attached, as it is (no copy of its rows), as the partition of
everything before the next month; a new partitioned parent takes its name with the primary key (id, column) —
PostgreSQL requires the partition key in every unique key —, the same indexes, foreign keys, unique
constraints and triggers; the months ahead get their partitions and a DEFAULT partition catches the rest.
On SQLite nothing happens. Foreign keys from other tables to a partitioned table are dropped in the database
(they would need the partition column too); Django still applies their on_delete rules.

`create_future()` (daily, periodic job "partitions.create") keeps MONTHS_AHEAD months of partitions ready.
`archive_old()` (daily, "partitions.archive") detaches the partitions older than each table's retention,
dumps each with pg_dump into SHANZHI_BACKUP_DIR/partitions/, checks the dump with pg_restore --list, and only
then drops it. The audit log is kept online RETENTION_MONTHS["audit_auditevent"] months (36 by default, never
below the six months 《网络安全法》第二十一条 requires for network logs) and its dumps are kept, not deleted.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import shutil
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection as default_connection
from django.db import migrations, transaction

log = logging.getLogger(__name__)

PARTITIONED = {  # table → partition column
    "audit_auditevent": "at",
    "cases_casehistory": "at",
    "analytics_rollup": "month",
}
MONTHS_AHEAD = 3
LAW_MINIMUM_MONTHS = {"audit_auditevent": 6}  # 《网络安全法》第二十一条：网络日志留存不少于六个月
_TZ = ZoneInfo("Asia/Shanghai")


def retention_months(table: str) -> int | None:
    """Months a table's partitions stay online; None: kept for good."""
    configured = getattr(settings, "SHANZHI_PARTITION_RETENTION", {}).get(table, {
        "audit_auditevent": 36, "cases_casehistory": None, "analytics_rollup": None}.get(table))
    if configured is None:
        return None
    return max(configured, LAW_MINIMUM_MONTHS.get(table, 0))


def month_start(day: dt.date, add: int = 0) -> dt.date:
    n = day.year * 12 + day.month - 1 + add
    return dt.date(n // 12, n % 12 + 1, 1)


def _bound(month: dt.date, column_type: str) -> str:
    if column_type == "date":
        return month.isoformat()
    return dt.datetime(month.year, month.month, 1, tzinfo=_TZ).isoformat()


def partition_name(table: str, month: dt.date) -> str:
    return f"{table}_p{month:%Y%m}"


def is_partitioned(cursor, table: str) -> bool:
    cursor.execute("SELECT c.relkind = 'p' FROM pg_class c WHERE c.oid = to_regclass(%s)", [table])
    row = cursor.fetchone()
    return bool(row and row[0])


def _column_type(cursor, table: str, column: str) -> str:
    cursor.execute("SELECT data_type FROM information_schema.columns WHERE table_name = %s AND column_name = %s",
                   [table, column])
    return cursor.fetchone()[0]


def _today() -> dt.date:
    return dt.datetime.now(_TZ).date()


def _catalogue(cur, table: str) -> dict:
    """What the table has that the partitioned parent must have again."""
    cur.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
                "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype IN ('p', 'u'))",
                [table, table])
    indexes = [r[0] for r in cur.fetchall()]
    cur.execute("SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype IN ('f', 'u')", [table])
    constraints = cur.fetchall()
    cur.execute("SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = %s::regclass "
                "AND NOT tgisinternal", [table])
    triggers = cur.fetchall()
    cur.execute("SELECT conrelid::regclass::text, conname FROM pg_constraint WHERE contype = 'f' "
                "AND confrelid = %s::regclass", [table])
    referencing = cur.fetchall()
    cur.execute(f"SELECT COALESCE(max(id), 0) + 1 FROM {table}")  # noqa: S608 - names from PARTITIONED
    next_id = cur.fetchone()[0]
    return {"indexes": indexes, "constraints": constraints, "triggers": triggers, "referencing": referencing,
            "next_id": next_id}


def _unnamed_index(indexdef: str, legacy: str, table: str) -> str:
    """`CREATE INDEX name ON public.legacy …` → `CREATE INDEX ON public.table …` (PostgreSQL names it)."""
    return re.sub(r"^CREATE (UNIQUE )?INDEX \S+ ON (\S+\.)?\S+ ", lambda m: f"CREATE {m.group(1) or ''}INDEX ON "
                  f"{m.group(2) or ''}{table} ", indexdef)


def convert(connection, table: str) -> bool:
    """Turn `table` into a partitioned table by month (PostgreSQL; idempotent). True if it converted now."""
    if connection.vendor != "postgresql":
        return False
    column = PARTITIONED[table]
    legacy = f"{table}_before"
    with transaction.atomic(using=connection.alias), connection.cursor() as cur:  # all of it, or nothing
        if is_partitioned(cur, table):
            return False
        cur.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
        kind = _column_type(cur, table, column)
        cat = _catalogue(cur, table)
        for rel, name in cat["referencing"]:
            cur.execute(f'ALTER TABLE {rel} DROP CONSTRAINT "{name}"')
        for name, _def in cat["triggers"]:
            cur.execute(f'DROP TRIGGER "{name}" ON {table}')
        cur.execute(f"ALTER TABLE {table} RENAME TO {legacy}")
        # its primary key (id) gives way to the parent's (id, column), built on it when it is attached
        cur.execute(f'ALTER TABLE {legacy} DROP CONSTRAINT "{table}_pkey"')
        for name, contype, _def in cat["constraints"]:
            if contype == "u":
                cur.execute(f'ALTER TABLE {legacy} RENAME CONSTRAINT "{name}" TO "{name[:50]}_before"')
        cur.execute(f"ALTER TABLE {legacy} ALTER COLUMN id DROP IDENTITY IF EXISTS")
        cur.execute(f"CREATE SEQUENCE IF NOT EXISTS {table}_id_seq START WITH {cat['next_id']}")
        cur.execute(f"CREATE TABLE {table} (LIKE {legacy} INCLUDING DEFAULTS INCLUDING CONSTRAINTS "
                    f"INCLUDING STORAGE) PARTITION BY RANGE ({column})")
        cur.execute(f"ALTER TABLE {table} ALTER COLUMN id SET DEFAULT nextval('{table}_id_seq')")
        cur.execute(f"ALTER SEQUENCE {table}_id_seq OWNED BY {table}.id")
        cur.execute(f"ALTER TABLE {table} ADD CONSTRAINT {table}_pkey PRIMARY KEY (id, {column})")
        for name, _type, definition in cat["constraints"]:
            cur.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        for indexdef in cat["indexes"]:
            cur.execute(_unnamed_index(indexdef, legacy, table))
        cutover = month_start(_today(), 1)
        cur.execute(f"ALTER TABLE {table} ATTACH PARTITION {legacy} FOR VALUES FROM (MINVALUE) "
                    f"TO ('{_bound(cutover, kind)}')")
        cur.execute(f"CREATE TABLE {table}_default PARTITION OF {table} DEFAULT")
        for _name, definition in cat["triggers"]:
            cur.execute(definition)  # on the parent: PostgreSQL clones row triggers to every partition
    create_future(connection, tables=[table])
    return True


def revert(connection, table: str) -> None:
    """The way back (migration reversal): the rows into one plain table again."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cur:
        if not is_partitioned(cur, table):
            return
        cur.execute(f"CREATE TABLE {table}_plain (LIKE {table} INCLUDING ALL)")
        cur.execute(f"INSERT INTO {table}_plain SELECT * FROM {table}")  # noqa: S608
        cur.execute(f"DROP TABLE {table} CASCADE")
        cur.execute(f"ALTER TABLE {table}_plain RENAME TO {table}")


def operation(table: str):
    """The migration operation that turns `table` into monthly partitions (and back), for each app's migration."""
    return migrations.RunPython(lambda apps, schema_editor: convert(schema_editor.connection, table),
                                lambda apps, schema_editor: revert(schema_editor.connection, table))


def partitions(cursor, table: str) -> list[tuple[str, str]]:
    """(partition name, bound expression) of a partitioned table."""
    cursor.execute("SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i "
                   "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = %s::regclass ORDER BY 1", [table])
    return cursor.fetchall()


def create_future(connection=None, tables=None, months: int = MONTHS_AHEAD) -> list[str]:
    """Make the partitions of this month and the next `months` where missing; the names made."""
    connection = connection or default_connection
    if connection.vendor != "postgresql":
        return []
    made = []
    with connection.cursor() as cur:
        for table in tables or PARTITIONED:
            if not is_partitioned(cur, table):
                continue
            kind = _column_type(cur, table, PARTITIONED[table])
            have = {name for name, _b in partitions(cur, table)}
            upper = _legacy_upper(cur, table)
            for i in range(0, months + 1):
                month = month_start(_today(), i)
                name = partition_name(table, month)
                if name in have or (upper and month < upper):
                    continue
                cur.execute(f"CREATE TABLE IF NOT EXISTS {name} PARTITION OF {table} FOR VALUES FROM "
                            f"('{_bound(month, kind)}') TO ('{_bound(month_start(month, 1), kind)}')")
                made.append(name)
    return made


def _legacy_upper(cur, table: str) -> dt.date | None:
    for name, bound in partitions(cur, table):
        if name == f"{table}_before":
            m = re.search(r"TO \('(\d{4})-(\d{2})-(\d{2})", bound)
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None
    return None


def _upper(bound: str) -> dt.date | None:
    m = re.search(r"TO \('(\d{4})-(\d{2})-(\d{2})", bound)
    return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None


def _tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise RuntimeError(f"{name} is not installed (apt-get install postgresql-client)")
    return path


def _pg_args(connection) -> tuple[list[str], dict]:
    s = connection.settings_dict
    args = ["-h", s.get("HOST") or "127.0.0.1", "-p", str(s.get("PORT") or 5432), "-U", s.get("USER") or "postgres"]
    env = {**os.environ, **({"PGPASSWORD": s["PASSWORD"]} if s.get("PASSWORD") else {})}
    return args, env


def archive_old(connection=None, *, today: dt.date | None = None, out_dir: Path | None = None) -> list[dict]:
    """Detach, dump (pg_dump -Fc), check (pg_restore --list) and drop the partitions past their retention."""
    connection = connection or default_connection
    if connection.vendor != "postgresql":
        return []
    today = today or _today()
    out_dir = Path(out_dir or Path(settings.SHANZHI_BACKUP_DIR) / "partitions")
    done = []
    with connection.cursor() as cur:
        for table in PARTITIONED:
            keep = retention_months(table)
            if keep is None or not is_partitioned(cur, table):
                continue
            oldest_kept = month_start(today, -keep)
            for name, bound in partitions(cur, table):
                upper = _upper(bound)
                if upper is None or upper > oldest_kept:
                    continue
                done.append(_archive_one(connection, cur, table, name, bound, out_dir))
    return done


def _archive_one(connection, cur, table: str, name: str, bound: str, out_dir: Path) -> dict:
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{name}.dump"
    cur.execute(f"ALTER TABLE {table} DETACH PARTITION {name}")
    args, env = _pg_args(connection)
    db = connection.settings_dict["NAME"]
    subprocess.run([_tool("pg_dump"), *args, "-Fc", "-t", name, "-f", str(target), db],  # noqa: S603 - fixed tool
                   check=True, env=env)
    listing = subprocess.run([_tool("pg_restore"), "--list", str(target)], check=True, env=env,  # noqa: S603
                             capture_output=True, text=True).stdout
    if f"TABLE DATA public {name}" not in listing:
        cur.execute(f"ALTER TABLE {table} ATTACH PARTITION {name} {bound}")  # never drop what was not dumped
        raise RuntimeError(f"the dump of {name} does not hold its rows; partition kept")
    cur.execute(f"DROP TABLE {name}")
    log.warning("partition %s archived to %s", name, target)
    return {"table": table, "partition": name, "dump": str(target), "bytes": target.stat().st_size}
