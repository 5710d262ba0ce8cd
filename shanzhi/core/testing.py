"""Test helpers shared by every app's tests (kept in the package so app tests can import them).

`make_world()` builds a small region tree with two streets, so that every test has an "in scope"
and an "out of scope" side. `make_user(role, code)` makes a user with one grant.
`verified_login(client, user)` logs in and marks the session as 2FA-verified.
"""

from __future__ import annotations

import hashlib
import importlib
import itertools
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.db import transaction
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from shanzhi.accounts.models import RoleGrant, User
from shanzhi.regions.choices import Level
from shanzhi.regions.models import Region

from .models import TaskProgress
from .progress import OwnTask

_counter = itertools.count(1)
PASSWORD = "Tz-Secr3t-pass"


@dataclass
class World:
    city: object
    district: object
    street: object
    community: object
    grid: object
    grid2: object
    other_street: object
    other_community: object
    other_grid: object


@transaction.atomic
def make_world() -> World:
    def r(code, name, level, parent=None, **kw):
        obj, _ = Region.objects.get_or_create(code=code, defaults={"name": name, "level": level, "parent": parent,
                                                                   **kw})
        return obj

    city = r("3210", "扬州市", Level.CITY)
    district = r("321002", "广陵区", Level.DISTRICT, city)
    street = r("321002004", "曲江街道", Level.STREET, district)
    community = r("321002004001", "玺园社区", Level.COMMUNITY, street, community_kind="urban")
    square = {"type": "Polygon", "coordinates": [[[119.44, 32.36], [119.45, 32.36], [119.45, 32.37], [119.44, 32.37],
                                                  [119.44, 32.36]]]}
    grid = r("321002004001001", "玺园第1网格", Level.GRID, community, boundary=square)
    grid2 = r("321002004001002", "玺园第2网格", Level.GRID, community)
    other_street = r("321002005", "汶河街道", Level.STREET, district)
    other_community = r("321002005001", "琼花社区", Level.COMMUNITY, other_street, community_kind="urban")
    other_grid = r("321002005001001", "琼花第1网格", Level.GRID, other_community)
    return World(city, district, street, community, grid, grid2, other_street, other_community, other_grid)


def make_user(role: str | None = None, code: str | None = None, *, username: str | None = None, password=PASSWORD,
              **fields):
    user = User.objects.create_user(username=username or f"u{next(_counter)}", password=password, **fields)
    if role:
        region = Region.objects.get(code=code)
        RoleGrant.objects.create(user=user, role=role, region=region, region_code=region.code)
    return user


class FastArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2 with the smallest cost, for tests only (shanzhi.settings_test picks it)."""

    time_cost = 1
    memory_cost = 8
    parallelism = 1


def verified_login(client, user) -> None:
    """Log in and, for roles that need it, mark the session as verified by a TOTP device."""
    client.force_login(user)
    device, _ = TOTPDevice.objects.get_or_create(user=user, name="test", defaults={"confirmed": True})
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def _task_in(code: str, owner=None):
    return TaskProgress.objects.create(kind="test", owner=owner or make_user())


def matrix_factories() -> dict:
    """Every app's MATRIX_FACTORIES (from its testing.py), plus core's own."""
    factories = {OwnTask: _task_in}
    for cfg in apps.get_app_configs():
        if cfg.name.startswith("shanzhi."):
            try:
                mod = importlib.import_module(f"{cfg.name}.testing")
            except ModuleNotFoundError:
                continue
            factories.update(getattr(mod, "MATRIX_FACTORIES", {}))
    return factories


def compile_catalogues(locale_dirs, target: Path) -> Path:
    """Compile every django.po under `locale_dirs` into `target` (same <lang>/LC_MESSAGES layout) with msgfmt."""
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        raise RuntimeError("the tests compile the translation catalogues with msgfmt: apt-get install gettext")
    for base in map(Path, locale_dirs):
        for po in sorted(base.glob("*/LC_MESSAGES/*.po")):
            mo = target / po.relative_to(base).with_suffix(".mo")
            mo.parent.mkdir(parents=True, exist_ok=True)
            subprocess.run([msgfmt, "--check-format", "-o", str(mo), str(po)], check=True)  # noqa: S603
    return target



# Tables a refused request may still write to: the audit log (denials are logged) and the session.
CHECKSUM_SKIPS_APPS = {"audit", "sessions", "axes"}


def rows_checksum() -> str:
    """A digest of every row of every table the application owns (besides the audit log and sessions):
    equal before and after a refused request proves it changed nothing."""
    digest = hashlib.sha256()
    for model in sorted(apps.get_models(), key=lambda m: m._meta.db_table):
        if model._meta.app_label in CHECKSUM_SKIPS_APPS or model._meta.proxy or not model._meta.managed:
            continue
        digest.update(model._meta.db_table.encode())
        for row in model._base_manager.order_by("pk").values_list():
            digest.update(repr(row).encode())
    return digest.hexdigest()
