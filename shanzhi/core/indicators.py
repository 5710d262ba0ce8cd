"""Indicators: one definition per figure, computed in one place (house standard "figures agree").

Core sits below every app, so it holds only the registry. An app that owns a figure registers an `Indicator`
from its AppConfig.ready(): a key (`cases.on_time_rate`), a Chinese label, a unit, the formula in words (shown
on every page that shows the figure) and a `compute` function. Dashboards, rollups, the pivot page, open data
and assessment schemes all read figures through `compute()` here, never with a query of their own, so two pages
showing the same figure show the same number.

`compute(codes, start, end)` takes region codes and a half-open period [start, end) and returns
`{code: value}` for every code asked (None where the figure is undefined, e.g. a rate with no cases). Values are
aggregates over the rows whose region code starts with the given code; they are never personal data. The caller
decides who may see which region: it passes only codes inside the actor's scope (`core.scope`).
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count
from django.db.models.functions import Substr
from django.utils.functional import lazy

from .scoping import prefix_q

Compute = Callable[[list[str], date, date], dict[str, float | int | None]]
# numerator and denominator of a rate per region code: rollups store both so rates add up correctly over
# regions and months (sum of numerators / sum of denominators, never an average of rates)
Parts = Callable[[list[str], date, date], dict[str, tuple[float, float]]]


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str
    unit: str
    formula: str
    compute: Compute
    # "count" (adds up over regions and periods), "rate" or "index" (does not)
    kind: str = "count"
    higher_is_better: bool = True
    # may appear on public pages as an aggregate (cells below the k-anonymity threshold are suppressed there)
    public: bool = False
    module: str = ""
    tags: frozenset[str] = field(default_factory=frozenset)
    # a rate's numerator and denominator (see `Parts`); `compute` is then `from_parts(parts)` or agrees with it
    parts: Parts | None = None
    # "flow" figures add up over months (cases reported); "stock" figures are a state at the period's end
    # (persons living there), so a longer period shows its last month's value
    stock: bool = False


INDICATORS: dict[str, Indicator] = {}


def register_indicator(indicator: Indicator) -> None:
    """Apps call this from AppConfig.ready(); registering the same key twice is a programming error."""
    existing = INDICATORS.get(indicator.key)
    if existing is not None and existing is not indicator:
        if existing.compute is indicator.compute:
            return
        raise ValueError(f"indicator {indicator.key} is registered twice")
    INDICATORS[indicator.key] = indicator


def get_indicator(key: str) -> Indicator:
    try:
        return INDICATORS[key]
    except KeyError:
        raise LookupError(f"unknown indicator {key}") from None


def all_indicators(*, public_only: bool = False) -> list[Indicator]:
    items = sorted(INDICATORS.values(), key=lambda i: (i.module, i.key))
    return [i for i in items if i.public] if public_only else items


def compute(key: str, *, codes: Iterable[str], start: date, end: date) -> dict[str, float | int | None]:
    """The value of one indicator for each region code over [start, end)."""
    codes = list(dict.fromkeys(codes))
    if not codes:
        return {}
    if start >= end:
        raise ValueError("the period is empty")
    values = get_indicator(key).compute(codes, start, end)
    return {code: values.get(code) for code in codes}


def from_parts(parts: Parts, *, scale: float = 1.0, digits: int = 4) -> Compute:
    """A rate's compute from its parts: scale × numerator / denominator, None where the denominator is 0."""

    def compute_rate(codes: list[str], start: date, end: date) -> dict[str, float | None]:
        out: dict[str, float | None] = {}
        for code, (num, den) in parts(codes, start, end).items():
            out[code] = round(scale * num / den, digits) if den else None
        return out

    return compute_rate


def by_prefix(queryset, field: str, codes: Iterable[str], **aggregates) -> dict[str, dict]:
    """Aggregates of `queryset` per region code prefix: {code: {name: value}} for the rows whose `field` starts
    with each code. One GROUP BY query per distinct code length (an index range filter, no joins); codes
    without rows are missing from the answer."""
    by_len: dict[int, list[str]] = {}
    for code in dict.fromkeys(codes):
        by_len.setdefault(len(code), []).append(code)
    out: dict[str, dict] = {}
    for length, group in by_len.items():
        rows = _grouped(queryset, field, group, length).values("_prefix").annotate(**aggregates).order_by()
        for row in rows:
            out[row.pop("_prefix")] = row
    return out


# Beyond this many codes of one length, an OR of one index range per code costs more than it saves (PostgreSQL
# tests every range on every row): the rows are then taken by the range of the codes' common prefix (a district)
# and kept by their prefix (`IN`), e.g. 200 communities of a district in one range scan.
MANY_CODES = 8


def _grouped(queryset, field: str, group: list[str], length: int):
    common = os.path.commonprefix(group)
    if len(group) <= MANY_CODES or not common:
        return queryset.filter(prefix_q(field, group)).annotate(_prefix=Substr(field, 1, length))
    return (queryset.filter(prefix_q(field, [common])).annotate(_prefix=Substr(field, 1, length))
            .filter(_prefix__in=group))


def _format(message, values) -> str:
    return str(message) % {k: str(v) for k, v in values.items()}


_lazy_format = lazy(_format, str)


def lazy_format(message, **values):
    """A translated label with placeholders, formatted when shown (so it follows the request's language)."""
    return _lazy_format(message, values)


def count_by_prefix(queryset, field: str, codes: Iterable[str], aggregate=None) -> dict[str, int | float]:
    """One aggregate (default: the number of rows) per region code prefix, 0 where there are none."""
    rows = by_prefix(queryset, field, codes, v=aggregate if aggregate is not None else Count("id"))
    return {code: rows[code]["v"] or 0 if code in rows else 0 for code in codes}


_batch: contextvars.ContextVar[dict | None] = contextvars.ContextVar("indicator_batch", default=None)


@contextlib.contextmanager
def batch():
    """Within this block, functions decorated with `shared` answer repeated calls with the same arguments from
    memory: a rollup computes several figures from one set of grouped counts (cases' KPIs) only once."""
    token = _batch.set({})
    try:
        yield
    finally:
        _batch.reset(token)


def shared(fn):
    @functools.wraps(fn)
    def wrapper(codes, start, end, **kw):
        memo = _batch.get()
        if memo is None:
            return fn(codes, start, end, **kw)
        key = (fn.__module__, fn.__qualname__, tuple(codes), start, end, tuple(sorted(kw.items())))
        if key not in memo:
            memo[key] = fn(codes, start, end, **kw)
        return memo[key]
    return wrapper
