"""民情指数 (sentiment index), KPIs and the daily rollup they are read from.

The rollup (`DailyRollup`, one row per region — each grid and each of its ancestors — and day) is rebuilt by `rollup_build` — run by the
`shanzhi cases rollup` command and the `rollup_task` background task — so dashboards never scan cases.

KPIs over a window (default the last 30 days), for any region, read from that region's own rows:
- 响应率 response_rate = cases accepted or declined / cases reported
- 按时办结率 on_time_rate = cases completed within the handling deadline / cases completed
- 解决率 resolution_rate = cases completed as “fixed” / cases completed
- 满意率 satisfaction_rate = ratings of 4–5 / ratings
- 重复投诉率 repeat_share = reports repeating a complaint of the previous 30 days / reports
- 每千人案件数 case_rate = reports × 1000 / residents

民情指数 (0–100, higher is better):
    100 × (0.15·响应率 + 0.20·按时办结率 + 0.20·解决率 + 0.25·满意率
           + 0.10·(1 − 重复投诉率) + 0.10·max(0, 1 − 每千人案件数 / 20))
A ratio without any case behind it counts as 1 (nothing went wrong) and is shown as “—”. A region with no
case reported, closed or rated in the window has no index at all (`None`, shown as “—”): an empty grid is not
a perfect one.

The satisfaction line of the trend is a rolling rate over the last `TREND_WINDOW_DAYS` days, shown only where
that window holds at least `TREND_MIN_RATINGS` ratings, so one rating a day does not swing it between 0 and 100.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from .deadlines import TZ
from .models import Case, CaseRating, DailyRollup

WEIGHTS = {"response_rate": 0.15, "on_time_rate": 0.20, "resolution_rate": 0.20, "satisfaction_rate": 0.25,
           "no_repeat": 0.10, "low_case_rate": 0.10}
CASE_RATE_CEILING = 20.0
TREND_WINDOW_DAYS = 7
TREND_MIN_RATINGS = 5
ANCESTOR_LENGTHS = (4, 6, 9, 12)  # city, district, street, community codes
FIELDS = ["reported", "responded", "responded_on_time", "closed", "closed_on_time", "fixed", "rated", "satisfied",
          "score_sum", "repeat"]


def _day_counts(qs, field: str, **counts) -> dict:
    rows = (qs.annotate(d=TruncDate(field, tzinfo=TZ)).values("region_code", "d").annotate(**counts)
            .order_by())
    return {(r["region_code"], r["d"]): r for r in rows}


@transaction.atomic
def rollup_build(*, start: dt.date, end: dt.date) -> int:
    """Rebuild the rollup rows for days start..end (inclusive, Beijing time). Returns rows written."""
    lo = dt.datetime.combine(start, dt.time(), TZ)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), TZ)
    acc: dict[tuple, dict] = {}

    def add(found: dict, mapping: dict):
        for key, row in found.items():
            slot = acc.setdefault(key, dict.fromkeys(FIELDS, 0))
            for out, src in mapping.items():
                slot[out] += row[src] or 0

    add(_day_counts(Case.objects.filter(created_at__gte=lo, created_at__lt=hi), "created_at", n=Count("id"),
                    rep=Count("id", filter=Q(is_repeat=True))), {"reported": "n", "repeat": "rep"})
    add(_day_counts(Case.objects.filter(accepted_at__gte=lo, accepted_at__lt=hi), "accepted_at", n=Count("id"),
                    ok=Count("id", filter=Q(accepted_on_time=True))), {"responded": "n", "responded_on_time": "ok"})
    add(_day_counts(Case.objects.filter(completed_at__gte=lo, completed_at__lt=hi), "completed_at", n=Count("id"),
                    ok=Count("id", filter=Q(completed_on_time=True)), fixed=Count("id", filter=Q(outcome="fixed"))),
        {"closed": "n", "closed_on_time": "ok", "fixed": "fixed"})
    ratings = (CaseRating.objects.filter(rated_at__gte=lo, rated_at__lt=hi)
               .annotate(d=TruncDate("rated_at", tzinfo=TZ)).values("case__region_code", "d")
               .annotate(n=Count("id"), ok=Count("id", filter=Q(score__gte=4)), s=Sum("score")).order_by())
    add({(r["case__region_code"], r["d"]): r for r in ratings}, {"rated": "n", "satisfied": "ok", "score_sum": "s"})
    for (code, day), vals in list(acc.items()):  # roll grids up to community, street, district and city
        for n in ANCESTOR_LENGTHS:
            if n < len(code):
                slot = acc.setdefault((code[:n], day), dict.fromkeys(FIELDS, 0))
                for f in FIELDS:
                    slot[f] += vals[f]
    DailyRollup.objects.filter(day__gte=start, day__lte=end).delete()
    DailyRollup.objects.bulk_create([DailyRollup(region_code=code, day=day, **vals)
                                     for (code, day), vals in acc.items()], batch_size=2000)
    return len(acc)


@dataclass
class Kpis:
    reported: int = 0
    responded: int = 0
    closed: int = 0
    closed_on_time: int = 0
    fixed: int = 0
    rated: int = 0
    satisfied: int = 0
    repeat: int = 0
    population: int = 0

    @staticmethod
    def _ratio(a, b):
        return None if not b else min(1.0, a / b)

    @property
    def response_rate(self):
        return self._ratio(self.responded, self.reported)

    @property
    def on_time_rate(self):
        return self._ratio(self.closed_on_time, self.closed)

    @property
    def resolution_rate(self):
        return self._ratio(self.fixed, self.closed)

    @property
    def satisfaction_rate(self):
        return self._ratio(self.satisfied, self.rated)

    @property
    def repeat_share(self):
        return self._ratio(self.repeat, self.reported)

    @property
    def case_rate(self):
        return None if not self.population else self.reported * 1000 / self.population

    @property
    def has_activity(self) -> bool:
        return bool(self.reported or self.closed or self.rated)

    @property
    def index(self) -> float | None:
        if not self.has_activity:
            return None

        def v(x):
            return 1.0 if x is None else x

        parts = {
            "response_rate": v(self.response_rate), "on_time_rate": v(self.on_time_rate),
            "resolution_rate": v(self.resolution_rate), "satisfaction_rate": v(self.satisfaction_rate),
            "no_repeat": 1 - (self.repeat_share or 0),
            "low_case_rate": max(0.0, 1 - (self.case_rate or 0) / CASE_RATE_CEILING),
        }
        return round(100 * sum(WEIGHTS[k] * parts[k] for k in WEIGHTS), 1)


def window(days: int = 30, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    today = today or timezone.localdate()
    return today - dt.timedelta(days=days - 1), today


def _kpis(row: dict, population: int = 0) -> Kpis:
    k = Kpis(**{f: row.get(f) or 0 for f in Kpis.__dataclass_fields__ if f != "population"})
    k.population = population
    return k


def kpis_by_child(*, codes: list[str], start: dt.date, end: dt.date,
                  populations: dict[str, int] | None = None) -> dict[str, Kpis]:
    """KPIs of each of the given regions (usually the children of the one shown), in one grouped query."""
    rows = (DailyRollup.objects.filter(region_code__in=codes, day__gte=start, day__lte=end).values("region_code")
            .annotate(**{f: Sum(f) for f in FIELDS}).order_by())
    return {r["region_code"]: _kpis(r, (populations or {}).get(r["region_code"], 0)) for r in rows}


def kpis_total(*, prefix: str, start: dt.date, end: dt.date, population: int = 0) -> Kpis:
    r = DailyRollup.objects.filter(region_code=prefix, day__gte=start, day__lte=end).aggregate(
        **{f: Sum(f) for f in FIELDS})
    return _kpis(r, population)


def trend(*, prefix: str, start: dt.date, end: dt.date) -> list[dict]:
    """Daily reported and closed counts of start..end, and the rolling satisfaction rate (see the module note)."""
    lead = start - dt.timedelta(days=TREND_WINDOW_DAYS - 1)
    rows = {r["day"]: r for r in DailyRollup.objects.filter(region_code=prefix, day__gte=lead, day__lte=end)
            .values("day").annotate(reported=Sum("reported"), closed=Sum("closed"), rated=Sum("rated"),
                                    satisfied=Sum("satisfied")).order_by("day")}
    out = []
    day = start
    while day <= end:
        window_rows = [rows[d] for d in (day - dt.timedelta(days=i) for i in range(TREND_WINDOW_DAYS)) if d in rows]
        rated = sum(r["rated"] for r in window_rows)
        satisfied = sum(r["satisfied"] for r in window_rows)
        today_row = rows.get(day)
        if today_row is not None:
            out.append({"day": day.isoformat(), "reported": today_row["reported"], "closed": today_row["closed"],
                        "satisfaction": round(100 * satisfied / rated, 1) if rated >= TREND_MIN_RATINGS else None})
        day += dt.timedelta(days=1)
    return out


INDEX_COLOURS = {"green": "#1b7a33", "yellow": "#f0b429", "red": "#b42318", "none": "#c5cbd3"}  # app.css .sz-index-*


def index_band(value: float | None) -> str:
    if value is None:
        return "none"
    return "green" if value >= 85 else "yellow" if value >= 70 else "red"


def index_colour(value: float | None) -> str:
    return INDEX_COLOURS[index_band(value)]
