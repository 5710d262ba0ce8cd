"""Request-rate limits, built on django-ninja's throttling (`ninja.throttling.SimpleRateThrottle`).

Used by the REST API (shanzhi/api/throttling.py, `throttle=` on the NinjaAPI) and by plain views such as
Open311 (`throttle_wait`). What differs from ninja's own classes:

- the rate is read from a setting on every request (`"600/min"`; units s, sec, m, min, h, hour, d, day;
  empty means no limit), so settings overrides and deployments change it without code;
- the client IP is the one audit rows record (`shanzhi.audit.context.client_ip`), never a parse of
  X-Forwarded-For;
- one instance serves every request of a process, so the per-request state ninja keeps on the instance is
  kept per thread;
- `wait()` is always the time until the request that holds the budget full leaves the window (ninja's
  gives none when more requests are on record than the rate allows, e.g. after the rate was lowered).

The counters are the timestamps of recent requests under one key in Django's default cache: per process
with the local-memory cache (development), shared by every gunicorn worker and host with Redis
(`REDIS_URL`). A read-then-write of the list is not atomic, so a burst split over several workers at the
same instant may get a few calls more than the rate before it is cut off.
"""

from __future__ import annotations

import math
import threading
import time

from django.conf import settings
from django.core import checks
from ninja.throttling import SimpleRateThrottle

from shanzhi.audit.context import client_ip


def _per_thread(name: str) -> property:
    def get(self):
        return getattr(self._state, name, None)

    def set_(self, value):
        setattr(self._state, name, value)

    return property(get, set_)


class SettingRateThrottle(SimpleRateThrottle):
    """A ninja throttle whose rate is the setting named by `setting`; subclasses give `scope` and
    `get_cache_key(request)` (None: this throttle does not apply to the request)."""

    setting: str = ""
    scope = "rate"

    @staticmethod
    def timer() -> float:
        return time.time()

    key = _per_thread("key")
    history = _per_thread("history")
    now = _per_thread("now")
    rate = _per_thread("rate")
    num_requests = _per_thread("num_requests")
    duration = _per_thread("duration")

    def __init__(self):  # ninja parses a fixed rate here; ours is read per request
        self._state = threading.local()

    def get_rate(self) -> str | None:
        return (getattr(settings, self.setting, "") or "").strip() or None

    def allow_request(self, request) -> bool:
        self.rate = self.get_rate()
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def get_ident(self, request) -> str:
        return client_ip(request) or "unknown"

    def key_for(self, ident) -> str:
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def wait(self) -> float:
        """Seconds until the oldest request still holding the budget full leaves the window (at least 1)."""
        history = self.history or []
        if len(history) < (self.num_requests or 0) or not self.num_requests:
            return 1.0
        blocking = history[self.num_requests - 1]  # newest first: the num_requests-th newest
        return max(1.0, blocking + self.duration - self.now)


def retry_after(wait: float | None) -> int:
    """Whole seconds for a Retry-After header (RFC 9110 delay-seconds), at least 1."""
    return max(1, math.ceil(wait or 1))


def throttle_wait(request, throttles) -> int | None:
    """For plain views: count the request against every applicable throttle (as ninja does); None when all
    let it through, else the seconds to wait for the strictest one that refused it."""
    waits = [t.wait() for t in throttles if not t.allow_request(request)]
    return retry_after(max(waits)) if waits else None


def check_rates(app_configs=None, **kwargs):
    """A malformed rate would fail every request it applies to: refuse to start instead. Checks every
    setting named SHANZHI_…_RATE_… (registered by CoreConfig.ready)."""
    errors = []
    for name in sorted({n for n in dir(settings) if n.startswith("SHANZHI_") and "_RATE_" in n}):
        value = (getattr(settings, name, "") or "").strip()
        if not value:
            continue
        try:
            count, period = SettingRateThrottle().parse_rate(value)
            ok = count > 0 and period > 0
        except ValueError:
            ok = False
        if not ok:
            errors.append(checks.Error(f"{name}={value!r} is not a rate such as '600/min' (units s, min, hour, day)",
                                       id="shanzhi.E101"))
    return errors
