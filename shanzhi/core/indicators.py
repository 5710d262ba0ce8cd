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

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

Compute = Callable[[list[str], date, date], dict[str, float | int | None]]


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
