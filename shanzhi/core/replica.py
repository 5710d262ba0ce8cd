"""Reads on the streaming replica, on purpose only.

Nothing goes to the replica by default. A view (or a block of code) opts in with `@replica_reads` /
`with replica_reads(): …` — the dashboards, exports, rollups, the API's lists and the Open311 GETs do. Inside,
the router sends reads to the `replica` database (settings: SHANZHI_REPLICA_URL) unless

- the user wrote a moment ago (read-your-writes): any POST/PUT/PATCH/DELETE by a signed-in user marks the
  user in the shared cache for SHANZHI_READ_YOUR_WRITES seconds, and their replica reads stay on the primary;
- the replica lags more than SHANZHI_REPLICA_MAX_LAG seconds, or does not answer: reads fall back to the
  primary (the check is one query on the replica, remembered for a second or two per process);
- a transaction is open on the primary, or the query follows an object read from the primary.

Writes always go to the primary; migrations run on the primary only (the replica follows by WAL).
"""

from __future__ import annotations

import contextlib
import functools
import logging
import time
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connections

log = logging.getLogger(__name__)

REPLICA = "replica"
_wanted: ContextVar[bool] = ContextVar("shanzhi_replica_wanted", default=False)
_HEALTH_TTL = 2.0  # seconds a lag check is trusted in this process
_DOWN_TTL = 5.0  # seconds a failed replica is not asked again in this process
_health: dict[str, float] = {"checked": 0.0, "ok": 0.0, "lag": 0.0}


def configured() -> bool:
    return REPLICA in settings.DATABASES


def _write_key(user_id) -> str:
    return f"sz:rw:{user_id}"


def note_write(user) -> None:
    """Pin this user's replica reads to the primary for the read-your-writes window."""
    if configured() and getattr(user, "is_authenticated", False):
        cache.set(_write_key(user.pk), time.time(), timeout=settings.SHANZHI_READ_YOUR_WRITES)


def wrote_recently(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    at = cache.get(_write_key(user.pk))
    return at is not None and time.time() - at < settings.SHANZHI_READ_YOUR_WRITES


LAG_SQL = ("SELECT CASE WHEN NOT pg_is_in_recovery() THEN 0 "
           "WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
           "ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END")


def replica_lag() -> float:
    """Seconds the replica is behind (0 when it has replayed all it received); raises when it is down."""
    with connections[REPLICA].cursor() as cur:
        cur.execute(LAG_SQL)
        return float(cur.fetchone()[0])


def reset_health() -> None:
    _health.update(checked=0.0, ok=0.0, lag=0.0)


def replica_usable() -> bool:
    now = time.monotonic()
    if now - _health["checked"] < (_HEALTH_TTL if _health["ok"] else _DOWN_TTL):
        return bool(_health["ok"])
    try:
        lag = replica_lag()
        ok = lag <= settings.SHANZHI_REPLICA_MAX_LAG
        if not ok:
            log.warning("replica lags %.1fs: reads go to the primary", lag)
    except DatabaseError:
        log.warning("replica does not answer: reads go to the primary")
        connections[REPLICA].close()
        lag, ok = -1.0, False
    _health.update(checked=now, ok=float(ok), lag=lag)
    return ok


@contextlib.contextmanager
def replica_reads(user=None):
    """Reads in this block may go to the replica (not for `user` if they wrote a moment ago)."""
    want = configured() and not wrote_recently(user)
    token = _wanted.set(want)
    try:
        yield
    finally:
        _wanted.reset(token)


def reads_from_replica(view):
    """View decorator: the view's reads may go to the replica (see the module docstring)."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        with replica_reads(getattr(request, "user", None)):
            return view(request, *args, **kwargs)

    return wrapped


def chosen_for_read(hints: dict) -> str | None:
    if not _wanted.get():
        return None
    instance = hints.get("instance")
    if instance is not None and instance._state.db:
        return instance._state.db  # follow the object's own database
    if connections["default"].in_atomic_block:
        return None  # a transaction on the primary reads its own writes
    return REPLICA if replica_usable() else None


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        return chosen_for_read(hints)

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA


class ReadYourWritesMiddleware:
    """After a signed-in user's POST/PUT/PATCH/DELETE, their replica reads stay on the primary a while."""

    UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method in self.UNSAFE and configured():
            note_write(getattr(request, "user", None))
        return response
