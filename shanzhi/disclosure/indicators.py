"""Disclosure figures for dashboards, rollups and open data (core.indicators)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q
from django.utils.translation import gettext_lazy as _

from shanzhi.core.indicators import Indicator, by_prefix, count_by_prefix, from_parts, register_indicator

from .models import DisclosureEntry, EntryState

MODULE = "disclosure"
TZ = dt.timezone(dt.timedelta(hours=8))
ON_TIME_DAYS = 15


def _published(start, end):
    lo, hi = (dt.datetime.combine(d, dt.time(), TZ) for d in (start, end))
    return DisclosureEntry.objects.filter(state=EntryState.PUBLISHED, published_at__gte=lo, published_at__lt=hi)


def _count(codes, start, end):
    return count_by_prefix(_published(start, end), "region_code", codes)


def _on_time(codes, start, end):
    qs = _published(start, end).annotate(
        lag=ExpressionWrapper(F("published_at") - F("created_at"), output_field=DurationField()))
    rows = by_prefix(qs, "region_code", codes, n=Count("id"),
                     ok=Count("id", filter=Q(lag__lte=dt.timedelta(days=ON_TIME_DAYS))))
    return {k: (v["ok"], v["n"]) for k, v in rows.items()}


def register() -> None:
    register_indicator(Indicator(
        "disclosure.published", _("公开事项"), _("项"), _("期内公开的事项数(按公开时间计)"), _count,
        module=MODULE, public=True))
    register_indicator(Indicator(
        "disclosure.on_time_rate", _("按时公开率"), "%",
        _("期内公开的事项中，自登记起 15 日内公开的事项数 ÷ 期内公开事项数 × 100"),
        from_parts(_on_time, scale=100, digits=1), kind="rate", parts=_on_time, module=MODULE, public=True))
