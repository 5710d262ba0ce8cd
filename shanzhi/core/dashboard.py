"""Workbench home counters. Apps register a counter with the roles that see it; each counter is a
selector taking the actor, so counts are scoped like everything else."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language

from shanzhi.core.replica import write_mark
from shanzhi.core.scope import grants_of, user_roles


@dataclass(frozen=True)
class Counter:
    key: str
    label: str
    func: Callable[..., int]
    roles: frozenset[str]
    url_name: str = ""
    query: str = ""  # the list page's filters that give the same figure ("light=overdue")


COUNTERS: list[Counter] = []


def register_counter(key: str, label, func, roles, url_name: str = "", *, query: str = "") -> None:
    """`url_name` (+ `query`) is the list page showing the rows counted: the home's tile links there."""
    if any(c.key == key for c in COUNTERS):
        return
    COUNTERS.append(Counter(key, label, func, frozenset(roles), url_name, query))


def counters_for(actor) -> list[dict]:
    roles = user_roles(actor)
    out = []
    for c in COUNTERS:
        if roles & c.roles:
            try:
                url = reverse(c.url_name) if c.url_name else ""
                url = f"{url}?{c.query}" if url and c.query else url
            except NoReverseMatch:
                url = ""
            out.append({"key": c.key, "label": c.label, "value": c.func(actor=actor), "url": url})
    return out


def home_cached(actor, name: str, compute: Callable[[], object]):
    """`compute()` (the home's to-dos or counters) kept SHANZHI_HOME_CACHE_SECONDS in the shared cache.

    The key holds the user, their grants and the language, so one user's scoped figures are never served to
    another, nor after a grant changes; and the user's last write (core.replica's read-your-writes mark), so
    what the user just did shows at once. Others' changes show within the TTL, which is kept within the
    read-your-writes window (an entry made before a write must expire before the write's mark does).
    """
    ttl = min(settings.SHANZHI_HOME_CACHE_SECONDS, settings.SHANZHI_READ_YOUR_WRITES)
    if ttl <= 0 or not getattr(actor, "is_authenticated", False):
        return compute()
    grants = ";".join(sorted(f"{role}@{code}" for role, code in grants_of(actor)))
    scope = hashlib.sha256(f"{grants}|{get_language()}|{write_mark(actor)}".encode()).hexdigest()[:24]
    key = f"sz:home:{name}:{actor.pk}:{scope}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, ttl)
    return value
