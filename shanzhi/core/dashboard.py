"""Workbench home counters. Apps register a counter with the roles that see it; each counter is a
selector taking the actor, so counts are scoped like everything else."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from shanzhi.core.scope import user_roles


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
