"""What building and emptying a test database costs, as the test suite does it (shanzhi.settings_test): every
migration's time while pytest-django would build a worker's database (the slowest printed), and on PostgreSQL the
flush between transactional tests done by Django's TRUNCATE of every table against the suite's DELETE under
session_replication_role=replica (tests/conftest.py), as a ratio. JSON on stdout.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<name> .venv/bin/python bench/testdb_costs.py [--top 15]
    .venv/bin/python bench/testdb_costs.py          # SQLite in memory, as the tests use it
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shanzhi.settings_test")

import django  # noqa: E402

django.setup()

from django.core.management.color import no_style  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.backends.postgresql.operations import DatabaseOperations as PostgresOperations  # noqa: E402
from django.db.migrations.executor import MigrationExecutor  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402

from tests.conftest import _sql_flush_by_delete  # noqa: E402


def _timed_migrations() -> tuple[dict, dict]:
    times: dict[str, dict] = {}
    apply = MigrationExecutor.apply_migration

    def timed(self, state, migration, fake=False, fake_initial=False):
        wall, cpu = time.perf_counter(), time.process_time()
        state = apply(self, state, migration, fake=fake, fake_initial=fake_initial)
        times[f"{migration.app_label}.{migration.name}"] = {"wall_s": round(time.perf_counter() - wall, 3),
                                                            "cpu_s": round(time.process_time() - cpu, 3)}
        return state

    MigrationExecutor.apply_migration = timed
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        old = setup_databases(verbosity=0, interactive=False)
    finally:
        MigrationExecutor.apply_migration = apply
    total = {"wall_s": round(time.perf_counter() - wall, 2), "cpu_s": round(time.process_time() - cpu, 2),
             "migrations": len(times)}
    return {"total": total, "migrations": times}, old


def _flush_seconds(sql_flush, runs: int) -> float:
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    best = float("inf")
    for _ in range(runs):
        sql = sql_flush(connection.ops, no_style(), tables)
        start = time.perf_counter()
        connection.ops.execute_sql_flush(sql)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    figures, old = _timed_migrations()
    slowest = sorted(figures["migrations"].items(), key=lambda kv: -kv[1]["wall_s"])[: args.top]
    out = {"database": connection.vendor, "load_average": os.getloadavg(), "setup": figures["total"],
           "slowest_migrations": dict(slowest)}
    try:
        if connection.vendor == "postgresql":
            truncate = _flush_seconds(PostgresOperations.sql_flush, args.runs)
            delete = _flush_seconds(_sql_flush_by_delete, args.runs)
            out["flush"] = {"tables": len(connection.introspection.django_table_names(only_existing=True)),
                            "truncate_s": round(truncate, 3), "delete_s": round(delete, 3),
                            "truncate_over_delete": round(truncate / delete, 1)}
    finally:
        teardown_databases(old, verbosity=0)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
