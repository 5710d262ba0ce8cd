"""Start Django for a benchmark on its own database (never the project's var/ database).

DATABASE_URL picks the database (PostgreSQL: postgres://postgres@127.0.0.1:5432/<name>, created if
missing); without it a temporary SQLite file is used. The schema is migrated on start.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def setup(name: str):
    url = os.environ.get("DATABASE_URL")
    if not url:
        url = f"sqlite:///{Path(tempfile.gettempdir()) / f'shanzhi-{name}.sqlite3'}"
        os.environ["DATABASE_URL"] = url
    elif url.startswith("postgres"):
        _create_pg_database(url)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shanzhi.settings")
    os.environ.setdefault("SHANZHI_KEY_FILE", str(Path(tempfile.gettempdir()) / "shanzhi-bench-keys.json"))
    os.environ.setdefault("SHANZHI_SECRET_KEY", "shanzhi-bench-only")
    import django

    django.setup()
    from django.conf import settings

    from shanzhi.core import pii

    pii.create_key_file(settings.SHANZHI_KEY_FILE)  # settings never write keys; a bench makes its own
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.db import connection

    return connection


def _create_pg_database(url: str) -> None:
    import psycopg

    base, _, dbname = url.rpartition("/")
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [dbname]).fetchone():
            conn.execute(f'CREATE DATABASE "{dbname}"')


def world_and_actor(role: str = "community_secretary", code: str = "321002004001"):
    from shanzhi.accounts.models import RoleGrant, User
    from shanzhi.core.testing import make_world
    from shanzhi.regions.models import Region

    make_world()
    user, _ = User.objects.get_or_create(username=f"bench-{role}")
    RoleGrant.objects.get_or_create(user=user, role=role, region_code=code,
                                    defaults={"region": Region.objects.get(code=code)})
    return user


def copy_columns(model, keys) -> tuple[list[str], list]:
    """Columns of `model` for COPY: `keys` first (the caller writes them), then every other concrete column with
    its default — derived from the model, so a column added later can't break a loader (NOT NULL without a
    default: an empty text, 0, false or now)."""
    import datetime as dt
    import json

    from django.db import models

    keys = list(keys)
    fixed = {}
    for f in model._meta.concrete_fields:
        if f.primary_key or f.attname in keys or f.column in keys:
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            value = dt.datetime.now(dt.UTC)
        else:
            value = f.get_default()
        if isinstance(f, models.JSONField):
            value = json.dumps(value)
        elif value is None and not f.null:
            if isinstance(f, models.BooleanField):
                value = False
            elif isinstance(f, models.IntegerField | models.FloatField | models.DecimalField):
                value = 0
            elif isinstance(f, models.DateTimeField):
                value = dt.datetime.now(dt.UTC)
            else:
                value = ""
        fixed[f.column] = value
    return keys + list(fixed), list(fixed.values())


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    k = (len(values) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)
