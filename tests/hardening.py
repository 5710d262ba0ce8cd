"""Shared pieces of the hardening suite (issue 12): a scratch database for child processes (a real worker or a
real gunicorn) on the backend the suite runs on, and the figures each hardening test writes for CI's log.

Figures go to test-artifacts/hardening-<suite>-<backend>.json, tagged with the run they belong to; the root
conftest prints every file of the current run in one "hardening figures" block at the end of the session."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
RUN_ENV = "SHANZHI_HARDENING_RUN"  # set once by the controller (conftest.py); xdist workers inherit it


def backend() -> str:
    """"sqlite" or "postgresql": the backend this test run uses."""
    return "sqlite" if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3") else "postgresql"


def current_run() -> str:
    return os.environ.get(RUN_ENV, "")


def record(suite: str, key: str, figures: dict) -> None:
    """Store one test's figures under `key` in this run's file for `suite` (a lock guards xdist workers)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"hardening-{suite}-{backend()}.json"
    with open(ARTIFACTS / ".hardening.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        data = json.loads(path.read_text()) if path.exists() else {}
        if data.get("run") != current_run():  # figures of an earlier run are replaced, never mixed in
            data = {"run": current_run(), "backend": backend(), "figures": {}}
        data["figures"][key] = figures
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1))


def figures_of_run(run: str) -> list[tuple[str, dict]]:
    """(file name, figures by key) for every hardening file written during `run`."""
    found = []
    for path in sorted(ARTIFACTS.glob("hardening-*.json")):
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and data.get("run") == run:
            found.append((path.name, data.get("figures", {})))
    return found


class ScratchDatabase:
    """A copy of the migrated, empty test database that child processes reach through `url`: a SQLite file in
    tmp_path, or a PostgreSQL database made from the test database as its template, named after it and the
    xdist worker (so parallel workers and checkouts never share one) and dropped afterwards. `query(sql)`
    reads one row from it without Django, for a test that watches the children.

    Needs the test database (pytest-django's django_db_setup) and no open transaction on it."""

    def __init__(self, tmp_path: Path):
        from django.db import connection

        self.source = connection.settings_dict["NAME"]
        self.sqlite = connection.vendor == "sqlite"
        if self.sqlite:
            self.path = tmp_path / "scratch.sqlite3"
            self.url = f"sqlite:///{self.path}"
            return
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        name = f"{self.source}_scratch_{worker}"
        if len(name) > 63:  # PostgreSQL's identifier limit: keep it unique by a hash of the whole name
            name = f"{name[:50]}_{hashlib.sha1(name.encode()).hexdigest()[:12]}"
        self.name = name
        db = connection.settings_dict
        self.admin = dict(host=db.get("HOST") or "127.0.0.1", port=db.get("PORT") or 5432,
                          user=db.get("USER") or "postgres", password=db.get("PASSWORD") or None)
        auth = self.admin["user"] + (f":{self.admin['password']}" if self.admin["password"] else "")
        self.url = f"postgres://{auth}@{self.admin['host']}:{self.admin['port']}/{name}"

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(**self.admin, dbname="postgres", autocommit=True) as conn:
            conn.execute(sql)

    def create(self) -> None:
        """Copy the test database: migrations and their triggers included, no rows of any test."""
        if self.sqlite:
            with closing(sqlite3.connect(self.source, uri=self.source.startswith("file:"))) as source, \
                    closing(sqlite3.connect(self.path)) as copy:
                source.backup(copy)
            return
        from django.db import connections

        connections.close_all()  # a template database must have no other sessions
        self.drop()
        self._admin(f'CREATE DATABASE "{self.name}" TEMPLATE "{self.source}"')

    def drop(self) -> None:
        if not self.sqlite:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def query(self, sql: str):
        if self.sqlite:
            with closing(sqlite3.connect(self.path, timeout=30)) as con:
                return con.execute(sql).fetchone()
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            return conn.execute(sql).fetchone()

    def env(self, base: dict) -> dict:
        """`base` with the children pointed at this database, the fixed test keys and a secret key."""
        env = {k: v for k, v in base.items() if k != "SHANZHI_MIGRATE_DATABASE_URL"}
        return env | {"DATABASE_URL": self.url, "SHANZHI_KEY_FILE": str(ROOT / "tests" / "keys.json"),
                      "SHANZHI_SECRET_KEY": "hardening-child-secret-key-" + "x" * 40, "PYTHONPATH": str(ROOT)}


def manage(env: dict, *args: str, code: str | None = None) -> str:
    """`shanzhi <args>` (with `-c code` for shell) in a child process; its stdout, or a failure with its stderr."""
    cmd = [sys.executable, "-m", "shanzhi", *args] + (["-c", code] if code else [])
    done = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"shanzhi {' '.join(args)}: {done.stderr[-3000:]}"
    return done.stdout


def new_run_id() -> str:
    return f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}"
