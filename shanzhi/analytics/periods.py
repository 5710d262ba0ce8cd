"""Months as periods: the first day of a month stands for [that day, the first day of the next month)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def add_months(month: dt.date, n: int) -> dt.date:
    idx = month.year * 12 + month.month - 1 + n
    return dt.date(idx // 12, idx % 12 + 1, 1)


def current_month() -> dt.date:
    return month_start(timezone.localdate())


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    out, m = [], month_start(first)
    while m <= last and len(out) < 120:
        out.append(m)
        m = next_month(m)
    return out


def parse_month(text: str | None, default: dt.date | None = None) -> dt.date:
    """'2026-11' → date(2026, 11, 1); anything else → the default (the current month)."""
    try:
        year, month = (int(p) for p in (text or "").split("-")[:2])
        return dt.date(year, month, 1)
    except (ValueError, TypeError):
        return default or current_month()
