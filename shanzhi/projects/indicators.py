"""项目化 figures for dashboards, rollups and open data (core.indicators): the seed's headline numbers — how many
惠民项目, how much committed and paid, how many beneficiaries — computed from the rows, never typed."""

from __future__ import annotations

import datetime as dt

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from shanzhi.core.indicators import Indicator, count_by_prefix, register_indicator

from .choices import PaymentState
from .models import Payment, Project
from .selectors import FUNDED

MODULE = "projects"
TZ = dt.timezone(dt.timedelta(hours=8))


def _bounds(start, end):
    return tuple(dt.datetime.combine(d, dt.time(), TZ) for d in (start, end))


def _signed(start, end):
    lo, hi = _bounds(start, end)
    return Project.objects.filter(state__in=FUNDED, signed_at__gte=lo, signed_at__lt=hi)


def _count(codes, start, end):
    return count_by_prefix(_signed(start, end), "region_code", codes)


def _committed(codes, start, end):
    return count_by_prefix(_signed(start, end), "region_code", codes, Sum("amount_fen"))


def _beneficiaries(codes, start, end):
    return count_by_prefix(_signed(start, end), "region_code", codes, Sum("beneficiaries"))


def _paid(codes, start, end):
    lo, hi = _bounds(start, end)
    qs = Payment.objects.filter(state=PaymentState.RELEASED, released_at__gte=lo, released_at__lt=hi)
    return count_by_prefix(qs, "region_code", codes, Sum("amount_fen"))


def register() -> None:
    signed = _("签约且未终止的项目，按签约时间计入期间")
    register_indicator(Indicator("projects.count", _("惠民项目数"), _("个"), signed, _count, module=MODULE,
                                 public=True))
    register_indicator(Indicator("projects.amount_committed", _("项目合同金额"), _("分"), signed, _committed,
                                 module=MODULE, public=True))
    register_indicator(Indicator("projects.beneficiaries", _("项目受益人数"), _("人"), signed, _beneficiaries,
                                 module=MODULE, public=True))
    register_indicator(Indicator("projects.amount_paid", _("项目已拨付金额"), _("分"),
                                 _("已拨付的项目款，按拨付时间计入期间"), _paid, module=MODULE, public=True))
