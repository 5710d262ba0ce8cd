"""Every analytics read. Dashboards, the pivot page, reports and open data read `Rollup` rows only (a few
grouped queries whatever the data size); the 大屏 adds live counts of open cases. Each staff read takes the
actor: regions outside their grants are 404, rollup rows come through `Rollup.objects.restrict()`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db.models import Count, Q
from django.db.models.functions import Length
from django.http import Http404
from django.utils import timezone

from shanzhi.cases.choices import OPEN_STATES
from shanzhi.cases.deadlines import TZ
from shanzhi.cases.models import Case
from shanzhi.core.indicators import INDICATORS, Indicator, all_indicators
from shanzhi.core.scope import prefixes_for_roles
from shanzhi.core.scoping import code_in_scope, minimal_prefixes, prefix_q
from shanzhi.regions.choices import CODE_LENGTH, Level
from shanzhi.regions.models import Region
from shanzhi.services.models import Venue

from .models import (
    VIEW_ROLES,
    BalanceStandard,
    CommunityResource,
    Facility,
    MonthlyReport,
    Rollup,
    RollupRun,
    TypeMedian,
)
from .periods import add_months, months_between
from .typology import type_resolver

LEVELS = (Level.CITY, Level.DISTRICT, Level.STREET, Level.COMMUNITY, Level.GRID)
DASHBOARD_LEVELS = (Level.CITY, Level.DISTRICT, Level.STREET, Level.COMMUNITY)
K_ANONYMITY = 10
SPECIAL_TAGS = ("pyramid", "care", "stage")
SYSTEM = object()  # the actor of scheduled jobs (monthly reports)
HEADLINE = ("cases.index", "registry.persons", "cases.reported", "cases.on_time_rate", "cases.satisfaction_rate",
            "volunteering.hours")


class Cell(NamedTuple):
    """One rollup cell. A tuple, not an object: a pivot reads twelve thousand of them, and tuples of plain values
    leave the cyclic garbage collector's view (objects would pile up in its oldest generation and trigger a full
    collection of the whole process every few requests: the page's slow tail)."""

    value: float | None = None
    numerator: float | None = None
    denominator: float | None = None


@dataclass
class Figure:
    indicator: Indicator
    value: float | None
    previous: float | None = None
    target: float | None = None
    median: float | None = None
    meets_target: bool | None = None
    children: list = field(default_factory=list)

    @property
    def delta(self):
        if self.value is None or self.previous is None:
            return None
        return round(self.value - self.previous, 2)


def visible_prefixes(actor) -> list[str]:
    return minimal_prefixes(prefixes_for_roles(actor, VIEW_ROLES))


def region_get(*, actor, code: str, levels=LEVELS) -> Region:
    """A region the actor may look at (inside one of their grants), else 404."""
    if not code or not code_in_scope(code, visible_prefixes(actor)):
        raise Http404
    region = Region.objects.filter(code=code, level__in=levels).select_related("parent").first()
    if region is None:
        raise Http404
    return region


def home_region(*, actor) -> Region | None:
    prefixes = visible_prefixes(actor)
    if not prefixes:
        return None
    return (Region.objects.filter(code__in=prefixes, level__in=LEVELS).order_by(Length("code"), "code").first()
            or Region.objects.filter(prefix_q("code", prefixes), level__in=DASHBOARD_LEVELS)
            .order_by(Length("code"), "code").first())


def breadcrumbs(*, actor, region: Region) -> list[Region]:
    prefixes = visible_prefixes(actor)
    codes = [region.code[:n] for n in sorted(set(CODE_LENGTH.values())) if n < len(region.code)]
    return [r for r in Region.objects.filter(code__in=codes).order_by(Length("code"))
            if code_in_scope(r.code, prefixes)]


def children_of(region: Region) -> list[Region]:
    return list(Region.objects.filter(parent=region, level__in=LEVELS).order_by("code"))


def cells(*, actor, codes, months, keys=None) -> dict[tuple[str, dt.date, str], Cell]:
    """Rollup cells {(code, month, key): Cell} in one query, through the actor's scope (`SYSTEM`: the monthly
    report job, which renders a region's own report for its managers)."""
    base = Rollup.objects.all() if actor is SYSTEM else Rollup.objects.restrict(actor, "view")
    codes, months = list(codes), sorted(set(months))
    if keys is None or len(codes) * len(months) <= 50:  # a few regions: all their cells by the unique index
        qs = base.filter(region_code__in=codes, month__in=months)
        querysets = [qs if keys is None else qs.filter(indicator__in=list(keys))]
    else:  # many regions: one indicator at a time, by the (indicator, region, month) index
        querysets = [base.filter(indicator=key, region_code__in=codes, month__gte=months[0], month__lte=months[-1])
                     for key in keys]
    wanted = set(months)
    return {(c, m, k): Cell(v, n, d) for qs in querysets for c, m, k, v, n, d in qs.values_list(
        "region_code", "month", "indicator", "value", "numerator", "denominator") if m in wanted}


def _summed_rate(found: list[Cell]) -> float | None:
    num = sum(c.numerator or 0 for c in found)
    den = sum(c.denominator or 0 for c in found)
    last = found[-1]
    scale = last.value * last.denominator / last.numerator if last.numerator and last.value is not None else 100
    return round(scale * num / den, 2) if den else None


def aggregate(indicator: Indicator, found: list[Cell]) -> float | None:
    """Several months (or regions) of one indicator: rates from summed parts, stocks the last, flows the sum."""
    found = [c for c in found if c is not None]
    if not found:
        return None
    if indicator.parts is not None:
        return _summed_rate(found)
    if indicator.stock or indicator.kind != "count":
        return found[-1].value
    return sum(c.value or 0 for c in found)


def community_type(region: Region):
    if region.level != Level.COMMUNITY:
        return None
    return type_resolver()(region.community_type, region.housing_form)


def _type_context(region: Region, month: dt.date):
    ctype = community_type(region)
    if ctype is None:
        return None, {}, {}
    targets = {t.indicator: t.target for t in ctype.targets.all()}
    medians = {m.indicator: m.median for m in TypeMedian.objects.filter(
        district_code=region.code[:6], type_key=ctype.key, month=month, communities__gte=3)}
    return ctype, targets, medians


def meets(indicator: Indicator, value, target) -> bool | None:
    if value is None or target is None:
        return None
    return value >= target if indicator.higher_is_better else value <= target


def _figures(found, region: Region, month: dt.date, prev: dt.date, targets: dict, medians: dict):
    modules: dict[str, list[Figure]] = {}
    special: dict[str, list[Figure]] = {t: [] for t in SPECIAL_TAGS}
    for ind in all_indicators():
        cell = found.get((region.code, month, ind.key))
        before = found.get((region.code, prev, ind.key))
        fig = Figure(ind, cell.value if cell else None, before.value if before else None,
                     targets.get(ind.key), medians.get(ind.key))
        fig.meets_target = meets(ind, fig.value, fig.target)
        tag = next((t for t in SPECIAL_TAGS if t in ind.tags), None)
        (special[tag] if tag else modules.setdefault(ind.module, [])).append(fig)
    order = {key: n for n, key in enumerate(INDICATORS)}  # age bands, care kinds and stages as registered
    for figs in special.values():
        figs.sort(key=lambda f: order[f.indicator.key])
    return modules, special


def _trend(actor, region: Region, month: dt.date) -> dict:
    months = [add_months(month, -n) for n in range(11, -1, -1)]
    keys = [k for k in ("cases.index", "cases.reported", "cases.closed", "volunteering.hours") if k in INDICATORS]
    found = cells(actor=actor, codes=[region.code], months=months, keys=keys)
    return {"months": [m.strftime("%Y-%m") for m in months],
            "series": [{"key": k, "name": str(INDICATORS[k].label),
                        "data": [getattr(found.get((region.code, m, k)), "value", None) for m in months]}
                       for k in keys]}


def dashboard(*, actor, region: Region, month: dt.date) -> dict:
    """Everything a level's dashboard shows, from rollups: the region's figures (by module, with last month,
    the type's target and median), its children's headline figures, the 12-month trend, gaps to standards."""
    kids = children_of(region)
    prev = add_months(month, -1)
    found = cells(actor=actor, codes=[region.code] + [k.code for k in kids], months=[month, prev])
    ctype, targets, medians = _type_context(region, month)
    modules, special = _figures(found, region, month, prev, targets, medians)
    headline = [INDICATORS[k] for k in HEADLINE if k in INDICATORS]
    rows = [{"region": k, "cells": [(i.label, getattr(found.get((k.code, month, i.key)), "value", None))
                                    for i in headline]} for k in kids]
    figures = {f.indicator.key: f for figs in modules.values() for f in figs}
    return {"modules": modules, "special": special, "headline": headline, "rows": rows,
            "trend": _trend(actor, region, month), "community_type": ctype, "children": kids,
            "kpis": [figures[i.key] for i in headline if i.key in figures],
            "stages": {"labels": [str(f.indicator.label) for f in special["stage"]],
                       "values": [f.value or 0 for f in special["stage"]]},
            "gaps": balance_gaps(found=found, regions=[region] + kids, month=month),
            "pyramid": pyramid(special["pyramid"])}


def pyramid(figures: list[Figure]) -> dict:
    bands: dict[str, dict] = {}
    for f in figures:
        _prefix, low, high, sex = f.indicator.key.split("_", 3)
        label = f"{low}+" if high == "plus" else f"{low}–{int(high) - 1}"
        bands.setdefault(label, {"band": label, "male": 0, "female": 0})[sex] = f.value or 0
    return {"bands": list(bands), "male": [-(b["male"]) for b in bands.values()],
            "female": [b["female"] for b in bands.values()], "rows": list(bands.values())}


def balance_gaps(*, found, regions: list[Region], month: dt.date) -> list[dict]:
    """Communities below a resource standard (e.g. 每百户服务用房面积): how far, and what would close the gap."""
    out = []
    standards = list(BalanceStandard.objects.all())
    for region in regions:
        if region.level != Level.COMMUNITY:
            continue
        for s in standards:
            num = getattr(found.get((region.code, month, s.numerator)), "value", None)
            den = getattr(found.get((region.code, month, s.denominator)), "value", None)
            if num is None or not den:
                continue
            value = num * s.per / den
            if value < s.minimum:
                out.append({"region": region, "standard": s, "value": round(value, 2),
                            "shortfall": round(s.minimum * den / s.per - num, 1)})
    return out


def compare(*, actor, a: Region, b: Region, month: dt.date) -> list[dict]:
    found = cells(actor=actor, codes=[a.code, b.code], months=[month])
    return [{"indicator": i, "a": getattr(found.get((a.code, month, i.key)), "value", None),
             "b": getattr(found.get((b.code, month, i.key)), "value", None)} for i in all_indicators()]


def pivot_regions(*, actor, root: Region, level: str) -> list[Region]:
    if level == root.level:
        return [root]
    length = CODE_LENGTH.get(level, 0)
    if length <= len(root.code):
        return [root]
    return list(Region.objects.filter(prefix_q("code", [root.code]), level=level).order_by("code")[:500])


def pivot(*, actor, regions: list[Region], keys: list[str], first: dt.date, last: dt.date) -> dict:
    """indicators × regions × months from rollups: rows (indicator, region) and one column per month."""
    months = months_between(first, last)
    inds = [INDICATORS[k] for k in keys if k in INDICATORS]
    found = cells(actor=actor, codes=[r.code for r in regions], months=months, keys=[i.key for i in inds])
    rows = []
    for ind in inds:
        for r in regions:
            series = [found.get((r.code, m, ind.key)) for m in months]
            rows.append({"indicator": ind, "region": r, "values": [c.value if c else None for c in series],
                         "total": aggregate(ind, series)})
    return {"months": months, "rows": rows, "indicators": inds}


def rollup_runs(*, actor, limit: int = 5):
    return list(RollupRun.objects.order_by("-started_at")[:limit])


def reports(*, actor, limit: int = 50):
    return list(MonthlyReport.objects.restrict(actor, "view").defer("pdf").order_by("-month", "region_code")[:limit])


def report_get(*, actor, pk: int) -> MonthlyReport:
    found = MonthlyReport.objects.restrict(actor, "view").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


# --- 大屏 --------------------------------------------------------------------------------------------------

def screen(*, actor, region: Region, month: dt.date) -> dict:
    """The street command view: grids coloured by 民情指数 (rollups), live open/overdue counts and today's cases."""
    now = timezone.now()
    grids = list(Region.objects.filter(prefix_q("code", [region.code]), level=Level.GRID).order_by("code"))
    kids = children_of(region)
    keys = ["cases.index", "cases.reported", "cases.closed", "cases.satisfaction_rate", "cases.on_time_rate",
            "registry.persons", "volunteering.hours", "consultation.topics"]
    trend_months = [add_months(month, -n) for n in range(11, -1, -1)]
    found = cells(actor=actor, codes=[region.code] + [g.code for g in grids] + [k.code for k in kids],
                  months=[month], keys=keys)
    found.update(cells(actor=actor, codes=[region.code], months=trend_months, keys=["cases.index", "cases.reported"]))
    val = lambda code, key, m=month: getattr(found.get((code, m, key)), "value", None)  # noqa: E731
    cases = Case.objects.restrict(actor, "view").filter(prefix_q("region_code", [region.code]))
    today = dt.datetime.combine(timezone.localdate(), dt.time(), TZ)
    live = cases.aggregate(open=Count("id", filter=Q(state__in=OPEN_STATES)),
                           overdue=Count("id", filter=Q(state__in=OPEN_STATES, due_at__lt=now)),
                           today=Count("id", filter=Q(created_at__gte=today)))
    events = [{"at": timezone.localtime(c["created_at"]).strftime("%H:%M"), "category": c["category__name"] or "",
               "state": c["state"], "grid": c["region_code"]}
              for c in cases.filter(created_at__gte=today).order_by("-created_at")
              .values("created_at", "category__name", "state", "region_code")[:12]]
    names = {g.code: g.name for g in grids}
    for e in events:
        e["grid"] = names.get(e["grid"], "")
    return {
        "name": region.name, "month": month.strftime("%Y-%m"), "updated": timezone.localtime(now).strftime("%H:%M:%S"),
        "live": live,
        "kpis": {k: val(region.code, k) for k in keys},
        "grids": {"type": "FeatureCollection", "features": [
            {"type": "Feature", "geometry": g.boundary,
             "properties": {"name": g.name, "code": g.code, "index": val(g.code, "cases.index")}}
            for g in grids if g.boundary]},
        "communities": [{"name": k.name, "index": val(k.code, "cases.index"),
                         "reported": val(k.code, "cases.reported")} for k in kids],
        "trend": {"months": [m.strftime("%Y-%m") for m in trend_months],
                  "index": [val(region.code, "cases.index", m) for m in trend_months],
                  "reported": [val(region.code, "cases.reported", m) for m in trend_months]},
        "events": events,
    }


# --- open data (public, aggregated, k-anonymous) -----------------------------------------------------------

def public_street(*, code: str) -> Region:
    region = Region.objects.filter(code=code, level=Level.STREET).first()
    if region is None:
        raise Http404
    return region


def suppressed(indicator: Indicator, cell: Cell | None, activity: Cell | None = None) -> bool:
    """k-anonymity: a count below K, a rate over fewer than K cases or people, or an index of a region with fewer
    than K reports (`activity`: the module's `<module>.reported` cell) is not published."""
    if cell is None or cell.value is None or "nonpersonal" in indicator.tags:
        return False
    if indicator.parts is not None:
        return (cell.denominator or 0) < K_ANONYMITY
    if indicator.kind == "count":
        return 0 < cell.value < K_ANONYMITY
    return activity is None or (activity.value or 0) < K_ANONYMITY


def public_open_data(*, street: Region, month: dt.date) -> dict:
    """The public indicators of a street and its communities for one month, with small cells suppressed. Reads
    rollups without an actor: only aggregates of indicators declared public leave this function."""
    inds = all_indicators(public_only=True)
    kids = [k for k in children_of(street) if k.level == Level.COMMUNITY]
    regions = [street] + kids
    keys = [i.key for i in inds] + [f"{i.module}.reported" for i in inds if i.kind == "index"]
    qs = Rollup.objects.filter(region_code__in=[r.code for r in regions], month=month, indicator__in=keys)
    found = {(c, k): Cell(v, n, d) for c, k, v, n, d in qs.values_list(
        "region_code", "indicator", "value", "numerator", "denominator")}
    table = []
    for ind in inds:
        row = []
        for r in regions:
            cell = found.get((r.code, ind.key))
            hidden = suppressed(ind, cell, found.get((r.code, f"{ind.module}.reported")))
            row.append({"value": None if hidden or cell is None else cell.value, "suppressed": hidden})
        table.append({"indicator": ind, "cells": row})
    return {"regions": regions, "rows": table, "k": K_ANONYMITY}


def facilities(*, actor, region: Region):
    return list(Facility.objects.restrict(actor, "view").filter(prefix_q("region_code", [region.code]))
                .order_by("region_code", "kind", "name")[:500])


def venues_outside_inventory(*, actor, region: Region) -> list:
    """The community's bookable venues not yet counted in its facility inventory (services' venues are the same
    places as the inventory's rooms: link them, don't register them twice)."""
    if region.level != Level.COMMUNITY:
        return []
    return list(Venue.objects.restrict(actor, "view").filter(prefix_q("region_code", [region.code]), active=True,
                                                              facility__isnull=True).order_by("name")[:100])


def resource(*, actor, region: Region):
    return CommunityResource.objects.restrict(actor, "view").filter(region_code=region.code).first()


def standards():
    return list(BalanceStandard.objects.all())


def public_streets():
    return list(Region.objects.filter(level=Level.STREET).order_by("code")[:500])
