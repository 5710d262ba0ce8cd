"""Rollup refreshes: every registered indicator computed through core.indicators for each month, region and
indicator, stored with a rate's numerator and denominator; only changed cells are written (incremental)."""

from __future__ import annotations

import datetime as dt
import statistics
import time
from collections.abc import Iterable
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from shanzhi.core.indicators import all_indicators, batch, compute
from shanzhi.regions.choices import Level
from shanzhi.regions.models import Region

from .models import Rollup, RollupRun, TypeMedian
from .periods import current_month, next_month
from .staleness import forget_oldest, module_of, refresh_stale
from .typology import type_resolver

ROLLUP_LEVELS = (Level.CITY, Level.DISTRICT, Level.STREET, Level.COMMUNITY, Level.GRID)


def _num(v):
    if v is None:
        return None
    return float(v) if isinstance(v, int | float | Decimal) else v


def _cells(ind, codes: list[str], start: dt.date, end: dt.date) -> dict[str, tuple]:
    values = compute(ind.key, codes=codes, start=start, end=end)
    parts = ind.parts(codes, start, end) if ind.parts else None
    out = {}
    for code in codes:
        if parts is None:
            out[code] = (_num(values.get(code)), None, None)
        else:
            num, den = parts.get(code, (0, 0))
            out[code] = (_num(values.get(code)), _num(num), _num(den))
    return out


def _refresh_month(month: dt.date, indicators, codes: list[str], now) -> tuple[int, int]:
    keys = [i.key for i in indicators]
    existing = {(code, key): (v, n, d) for code, key, v, n, d in Rollup.objects.filter(
        month=month, indicator__in=keys).values_list("region_code", "indicator", "value", "numerator", "denominator")}
    changed: list[Rollup] = []
    cells = 0
    for ind in indicators:
        for code, cell in _cells(ind, codes, month, next_month(month)).items():
            cells += 1
            if existing.get((code, ind.key)) != cell:
                changed.append(Rollup(region_code=code, month=month, indicator=ind.key, value=cell[0],
                                      numerator=cell[1], denominator=cell[2], refreshed_at=now))
    if existing:
        Rollup.objects.bulk_create(changed, batch_size=2000, update_conflicts=True,
                                   unique_fields=["region_code", "month", "indicator"],
                                   update_fields=["value", "numerator", "denominator", "refreshed_at"])
    else:  # a month's first build: plain inserts
        Rollup.objects.bulk_create(changed, batch_size=5000)
    return cells, len(changed)


def _refresh_medians(month: dt.date, keys: list[str]) -> None:
    """Per district and community type: the median of each indicator over the type's communities."""
    resolve = type_resolver()
    groups: dict[tuple[str, str], list[str]] = {}
    for code, rtype, form in Region.objects.filter(level=Level.COMMUNITY).values_list(
            "code", "community_type", "housing_form"):
        t = resolve(rtype, form)
        if t is not None:
            groups.setdefault((code[:6], t.key), []).append(code)
    if not groups:
        return
    values: dict[tuple[str, str], float] = {
        (c, k): v for c, k, v in Rollup.objects.filter(
            month=month, indicator__in=keys, region_code__in=[c for cs in groups.values() for c in cs],
            value__isnull=False).values_list("region_code", "indicator", "value")}
    rows = []
    for (district, type_key), members in groups.items():
        for key in keys:
            found = [values[(c, key)] for c in members if (c, key) in values]
            rows.append(TypeMedian(district_code=district, type_key=type_key, month=month, indicator=key,
                                   median=statistics.median(found) if found else None, communities=len(found)))
    TypeMedian.objects.filter(month=month, indicator__in=keys).delete()
    TypeMedian.objects.bulk_create(rows, batch_size=2000)


def rollup_refresh(*, months: Iterable[dt.date], modules: Iterable[str] | None = None, actor=None) -> RollupRun:
    """Recompute the given months for the indicators of the given modules (all when None) at every level from
    grid to city, writing only the cells whose value changed. Idempotent; the scheduler runs it for the current
    month, a manager on demand for any month."""
    t0 = time.monotonic()
    months = sorted(set(months))
    modules = set(modules) if modules else None
    indicators = [i for i in all_indicators() if modules is None or module_of(i) in modules]
    codes = list(Region.objects.filter(level__in=ROLLUP_LEVELS).values_list("code", flat=True))
    now = timezone.now()
    cells = changed = 0
    with batch():
        for month in months:
            with transaction.atomic():
                c, ch = _refresh_month(month, indicators, codes, now)
                _refresh_medians(month, [i.key for i in indicators])
            cells, changed = cells + c, changed + ch
    forget_oldest()
    if connection.vendor == "postgresql" and changed > 20000:  # fresh statistics for the dashboards' plans
        with connection.cursor() as cur:
            cur.execute(f"ANALYZE {Rollup._meta.db_table}")
    return RollupRun.objects.create(
        months=",".join(m.strftime("%Y-%m") for m in months)[:200],
        modules=",".join(sorted(modules or []))[:300], cells=cells, changed=changed,
        seconds=round(time.monotonic() - t0, 3), actor=actor if getattr(actor, "pk", None) else None)


def rollup_refresh_current(*, actor=None) -> RollupRun:
    """The scheduled refresh: this month, and last month during the first three days of a month (late entries);
    then every past month a back-dated write marked stale (analytics.staleness), for its module only."""
    month = current_month()
    months = [month]
    if timezone.localdate().day <= 3:
        months.append((month - dt.timedelta(days=1)).replace(day=1))
    run = rollup_refresh(months=months, actor=actor)
    refresh_stale(refresh=rollup_refresh, actor=actor)
    return run
