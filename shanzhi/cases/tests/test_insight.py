"""The 民情指数 and its trend: an empty region has no index, and the satisfaction line is a rolling rate."""

import datetime as dt

import pytest

from shanzhi.cases import insight
from shanzhi.cases.models import DailyRollup

pytestmark = pytest.mark.django_db

CODE = "321002004001003"


def _day(day, **counts):
    DailyRollup.objects.create(region_code=CODE, day=day, **counts)


def test_region_without_cases_has_no_index():
    assert insight.Kpis(population=500).index is None
    assert insight.Kpis(reported=1, responded=1).index is not None


def test_one_rating_a_day_does_not_swing_the_satisfaction_line():
    start = dt.date(2026, 11, 1)
    # one rating a day, alternating satisfied and dissatisfied: a daily rate would read 100, 0, 100, 0 …
    for i in range(14):
        _day(start + dt.timedelta(days=i), reported=1, rated=1, satisfied=i % 2)
    series = insight.trend(prefix=CODE, start=start, end=start + dt.timedelta(days=13))
    values = [s["satisfaction"] for s in series]
    assert len(values) == 14
    # too few ratings in the rolling window at first: no value rather than a guess
    assert values[: insight.TREND_MIN_RATINGS - 1] == [None] * (insight.TREND_MIN_RATINGS - 1)
    shown = [v for v in values if v is not None]
    assert shown and all(0 < v < 100 for v in shown)
    assert max(shown) - min(shown) <= 100 / insight.TREND_MIN_RATINGS  # a daily rate would swing by 100


def test_trend_reads_the_days_before_the_start_for_its_window():
    start = dt.date(2026, 11, 10)
    for i in range(1, 7):
        _day(start - dt.timedelta(days=i), rated=1, satisfied=1)
    _day(start, reported=2, closed=1, rated=1, satisfied=0)
    (first,) = insight.trend(prefix=CODE, start=start, end=start)
    assert first == {"day": "2026-11-10", "reported": 2, "closed": 1, "satisfaction": round(100 * 6 / 7, 1)}
