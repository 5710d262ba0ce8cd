"""Volunteering figures for dashboards, rollups and open data (core.indicators)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from shanzhi.core.indicators import Indicator, count_by_prefix, register_indicator
from shanzhi.ledger.choices import Ledger, TransferKind
from shanzhi.ledger.models import Entry

from .models import SignUp, Volunteer

MODULE = "volunteering"
TZ = dt.timezone(dt.timedelta(hours=8))


def _bounds(start, end):
    return dt.datetime.combine(start, dt.time(), TZ), dt.datetime.combine(end, dt.time(), TZ)


def _volunteers(codes, start, end):
    qs = Volunteer.objects.filter(registered_at__lt=_bounds(start, end)[1])
    return count_by_prefix(qs, "region_code", codes)


def _hours(codes, start, end):
    lo, hi = _bounds(start, end)
    qs = SignUp.objects.filter(checked_out_at__gte=lo, checked_out_at__lt=hi)
    return {k: float(v) for k, v in count_by_prefix(qs, "region_code", codes, Sum("hours")).items()}


def ledger_awards(ledger: str):
    """Points awarded on one ledger in the period: the receiving entries of award transfers."""
    def compute(codes, start, end):
        lo, hi = _bounds(start, end)
        qs = Entry.objects.filter(ledger=ledger, kind=TransferKind.AWARD, amount__gt=0, created_at__gte=lo,
                                  created_at__lt=hi)
        return count_by_prefix(qs, "region_code", codes, Sum("amount"))
    return compute


def register() -> None:
    register_indicator(Indicator(
        "volunteering.volunteers", _("注册志愿者"), _("人"), _("期末前注册的志愿者人数"), _volunteers,
        module=MODULE, stock=True, public=True))
    register_indicator(Indicator(
        "volunteering.hours", _("志愿服务时长"), _("小时"), _("期内签退的报名记录的服务时长之和"), _hours,
        module=MODULE, public=True))
    register_indicator(Indicator(
        "volunteering.points", _("发放志愿积分"), _("分"), _("期内志愿积分账本“获得积分”流水记入个人账户的积分之和"),
        ledger_awards(Ledger.VOLUNTEER), module=MODULE))
