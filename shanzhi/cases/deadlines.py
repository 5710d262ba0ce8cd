"""Working-day deadlines with China's public holidays and make-up workdays (chinese_calendar).

Working time runs only on working days, a whole calendar day (00:00–24:00 Beijing time) each, so
"2 working days" from Thursday 15:00 before a weekend ends Monday 15:00. For years chinese_calendar
doesn't know, weekends are the only days off and the result is marked `estimated`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

import chinese_calendar

from shanzhi.core.memo import Memo

from . import choices as c
from .models import DeadlineRule, HolidayOverride

TZ = ZoneInfo("Asia/Shanghai")
DAY = dt.timedelta(days=1)
YELLOW_SHARE = Decimal("0.8")
DEFAULT_DAYS = {c.Step.ACCEPT: Decimal(1), c.Step.HANDLE: Decimal(5), c.Step.VERIFY: Decimal(2)}


# HolidayOverride rows (a local holiday, a make-up day the table lacks): set a few times a year
HOLIDAYS = Memo("cases.holiday_overrides")


def _overrides() -> dict:
    return HOLIDAYS.get("all", lambda: dict(HolidayOverride.objects.values_list("day", "is_workday")))


def workday(day: dt.date) -> tuple[bool, bool]:
    """(is a working day, known from the holiday table or a local override)."""
    override = _overrides().get(day)
    if override is not None:
        return override, True
    return _calendar_workday(day)


@lru_cache(maxsize=4096)
def _calendar_workday(day: dt.date) -> tuple[bool, bool]:
    try:
        return chinese_calendar.is_workday(day), True
    except NotImplementedError:
        return day.weekday() < 5, False


@dataclass(frozen=True)
class Deadline:
    start: dt.datetime
    yellow_at: dt.datetime
    due_at: dt.datetime
    estimated: bool


def add_working_time(start: dt.datetime, days: Decimal | float) -> tuple[dt.datetime, bool]:
    """The moment `days` working days after `start`, and whether a weekend-only estimate was used."""
    t = start.astimezone(TZ)
    remaining = dt.timedelta(days=float(days))
    estimated = False
    while True:
        day_start = dt.datetime.combine(t.date(), dt.time(), TZ)
        is_work, known = workday(t.date())
        estimated |= not known
        next_day = day_start + DAY
        if is_work:
            available = next_day - t
            if remaining <= available:
                return t + remaining, estimated
            remaining -= available
        t = next_day


def working_time_between(start: dt.datetime, end: dt.datetime) -> dt.timedelta:
    """Working time elapsed from start to end (0 if end is before start)."""
    t, total = start.astimezone(TZ), dt.timedelta()
    end = end.astimezone(TZ)
    while t < end:
        next_day = dt.datetime.combine(t.date(), dt.time(), TZ) + DAY
        if workday(t.date())[0]:
            total += min(next_day, end) - t
        t = next_day
    return total


# DeadlineRule rows: every case step needs them and they change a few times a year
RULES = Memo("cases.deadline_rules")


def _deadline_rules() -> dict:
    return RULES.get("all", lambda: {
        (r.category_id, r.handler_type, r.step): r.days
        for r in DeadlineRule.objects.only("category_id", "handler_type", "step", "days")})


def step_days(category, step: str, handler_type: str = "") -> Decimal:
    """Days for a step. The most specific DeadlineRule wins: (category, handler type), (category, any),
    (any category, handler type); then the category's own field; then the built-in default."""
    cat_id = category.pk if category is not None else None
    rules = _deadline_rules()
    keys = [(cat_id, handler_type), (cat_id, "")] if handler_type else [(cat_id, "")]
    keys += [(None, handler_type)] if handler_type else []
    for cat, handler in keys:
        if (cat, handler, step) in rules:
            return rules[(cat, handler, step)]
    if category is not None:
        return Decimal(getattr(category, f"{step}_days"))
    return DEFAULT_DAYS[step]


def deadline_for(start: dt.datetime, days: Decimal) -> Deadline:
    due, est1 = add_working_time(start, days)
    yellow, est2 = add_working_time(start, Decimal(days) * YELLOW_SHARE)
    return Deadline(start, yellow, due, est1 or est2)
