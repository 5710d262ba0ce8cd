"""System checks for what a start needs and settings never create: the secret key and the personal-data keys.

They run before every management command (migrate, db_worker, scheduler …) and, in production, when the
WSGI application loads (shanzhi/wsgi.py), so a missing key file stops the start with this message instead
of a fresh key making every stored ID number unreadable."""

from __future__ import annotations

import os

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import connections

from .dbroles import role_problems

TAG = "shanzhi"


@checks.register(TAG)
def check_keys(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    errors = []
    try:
        has_secret = bool(settings.SECRET_KEY)
    except ImproperlyConfigured:  # Django refuses to hand out an empty key
        has_secret = False
    if not has_secret:
        errors.append(checks.Error(
            f"No secret key: {settings.SECRET_KEY_FILE} is missing and SHANZHI_SECRET_KEY is not set.",
            hint="Run `shanzhi init` once (scripts/run does), or set SHANZHI_SECRET_KEY.", id="shanzhi.E001"))
    if settings.PRODUCTION and not os.environ.get("SHANZHI_PII_KEYS") and not settings.SHANZHI_KEY_FILE.exists():
        errors.append(checks.Error(
            f"The personal-data key file {settings.SHANZHI_KEY_FILE} is missing. Without the original keys no "
            "stored ID number or phone can be read, so shanzhi will not start with a new one.",
            hint="Restore it from the key backup (`shanzhi restore --keys FILE`), or point SHANZHI_KEY_FILE at it. "
                 "Only a brand-new installation creates keys: `shanzhi init --new-keys`.",
            id="shanzhi.E002"))
    return errors


def raise_on_errors() -> None:
    """Stop a process that does not run management checks (the WSGI server) when a check fails."""
    errors = [e for e in checks.run_checks(tags=[TAG]) if e.is_serious()]
    if errors:
        raise ImproperlyConfigured("\n".join(f"{e.id}: {e.msg} {e.hint or ''}" for e in errors))


@checks.register(checks.Tags.database)
def check_runtime_role(app_configs=None, databases=None, **kwargs) -> list[checks.CheckMessage]:
    """Production on PostgreSQL: the runtime role must not be a superuser nor own the audit log."""
    if not settings.PRODUCTION or not databases or "default" not in databases:
        return []
    connection = connections["default"]
    if connection.vendor != "postgresql":
        return []

    with connection.cursor() as cursor:
        problems = role_problems(cursor)
    if not problems:
        return []
    return [checks.Warning(f"The database role in DATABASE_URL {' and '.join(problems)}: it could erase the audit "
                           "log.", hint="Run the application as a role that owns nothing (`shanzhi dbroles`) and "
                           "migrations with SHANZHI_MIGRATE_DATABASE_URL; see docs/security.md.", id="shanzhi.W003")]
