"""Consultation figures for dashboards, rollups and open data (core.indicators)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, F, Q
from django.utils.translation import gettext_lazy as _

from shanzhi.core.indicators import (
    Indicator,
    by_prefix,
    count_by_prefix,
    from_parts,
    lazy_format,
    register_indicator,
)

from . import choices as c
from .models import Topic

MODULE = "consultation"
TZ = dt.timezone(dt.timedelta(hours=8))


def _end(end: dt.date) -> dt.datetime:
    return dt.datetime.combine(end, dt.time(), TZ)


def _topics(codes, start, end):
    qs = Topic.objects.filter(created_at__gte=dt.datetime.combine(start, dt.time(), TZ), created_at__lt=_end(end))
    return count_by_prefix(qs, "region_code", codes)


def _stage(stage: str):
    def compute(codes, start, end):
        qs = Topic.objects.filter(created_at__lt=_end(end), state=stage, merged_into__isnull=True)
        return count_by_prefix(qs, "region_code", codes)
    return compute


def _rules_met(codes, start, end):
    qs = (Topic.objects.filter(created_at__gte=dt.datetime.combine(start, dt.time(), TZ), created_at__lt=_end(end),
                               merged_into__isnull=True)
          .exclude(state__in=[c.Stage.PROPOSED, c.Stage.REJECTED]))
    rows = by_prefix(qs, "region_code", codes, n=Count("id"),
                     ok=Count("id", filter=Q(support_count__gte=F("supporters_needed"))))
    return {k: (v["ok"], v["n"]) for k, v in rows.items()}


def register() -> None:
    register_indicator(Indicator(
        "consultation.topics", _("新提议题"), _("个"), _("期内提出的议题数(按提出时间计)"), _topics,
        module=MODULE, public=True))
    for stage, label in c.Stage.choices:
        register_indicator(Indicator(
            f"consultation.stage_{stage}", lazy_format(_("%(stage)s阶段议题"), stage=label), _("个"),
            lazy_format(_("期末前提出、当前处于“%(stage)s”阶段的议题数(并入其他议题的不计)"), stage=label),
            _stage(stage), module=MODULE, stock=True, tags=frozenset({"stage"})))
    register_indicator(Indicator(
        "consultation.rules_met", _("议事规则达标率"), "%",
        _("期内提出并进入合议及以后阶段的议题中，附议人数达到议事规则所需人数的比例 × 100"),
        from_parts(_rules_met, scale=100, digits=1), kind="rate", parts=_rules_met, module=MODULE, public=True))
