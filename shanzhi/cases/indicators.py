"""民情 figures for dashboards, rollups and open data (core.indicators), with the formulas of cases.insight.

The rates and the 民情指数 are the `insight.Kpis` formulas over the same counts the daily rollup keeps
(reported by 上报时间, responded by 受理时间, closed/on time/fixed by 办结时间, ratings by 评价时间), so a
figure here equals the 民情指数 page's for the same region and days. Open and overdue cases are stocks at the
period's end.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shanzhi.core.indicators import (
    Indicator,
    by_prefix,
    from_parts,
    register_indicator,
    shared,
)
from shanzhi.registry.choices import PersonStatus
from shanzhi.registry.models import Person

from . import choices as c
from .deadlines import TZ
from .insight import CASE_RATE_CEILING, WEIGHTS, Kpis
from .models import Case, CaseHistory, CaseRating

MODULE = "cases"


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return dt.datetime.combine(start, dt.time(), TZ), dt.datetime.combine(end, dt.time(), TZ)


@shared
def kpis_by_prefix(codes: list[str], start: dt.date, end: dt.date, *, population: bool = False) -> dict[str, Kpis]:
    """The KPIs of each region code over [start, end), counted from the cases themselves as the rollup counts."""
    lo, hi = _bounds(start, end)
    out = {code: Kpis() for code in codes}

    def put(rows, **mapping):
        for code, row in rows.items():
            for attr, src in mapping.items():
                setattr(out[code], attr, row[src] or 0)

    put(by_prefix(Case.objects.filter(created_at__gte=lo, created_at__lt=hi), "region_code", codes,
                  n=Count("id"), rep=Count("id", filter=Q(is_repeat=True))), reported="n", repeat="rep")
    put(by_prefix(Case.objects.filter(accepted_at__gte=lo, accepted_at__lt=hi), "region_code", codes,
                  n=Count("id")), responded="n")
    put(by_prefix(Case.objects.filter(completed_at__gte=lo, completed_at__lt=hi), "region_code", codes,
                  n=Count("id"), ok=Count("id", filter=Q(completed_on_time=True)),
                  fixed=Count("id", filter=Q(outcome="fixed"))), closed="n", closed_on_time="ok", fixed="fixed")
    put(by_prefix(CaseRating.objects.filter(rated_at__gte=lo, rated_at__lt=hi), "case__region_code", codes,
                  n=Count("id"), ok=Count("id", filter=Q(score__gte=4))), rated="n", satisfied="ok")
    if population:
        put(by_prefix(Person.objects.filter(status=PersonStatus.LIVING), "region_code", codes, n=Count("id")),
            population="n")
    return out


def _count(attr: str):
    def compute(codes, start, end):
        return {code: getattr(k, attr) for code, k in kpis_by_prefix(codes, start, end).items()}
    return compute


def _parts(num: str, den: str):
    def parts(codes, start, end):
        return {code: (getattr(k, num), getattr(k, den)) for code, k in kpis_by_prefix(codes, start, end).items()}
    return parts


def _index(codes, start, end):
    return {code: k.index for code, k in kpis_by_prefix(codes, start, end, population=True).items()}


@shared
def open_counts(codes, start, end) -> dict[str, dict]:
    """Cases open at the period's end (reported before it, still open or completed after it) and, of those, the
    ones past their step deadline: one scan for both figures."""
    _lo, hi = _bounds(end, end)
    still_open = Q(state__in=c.OPEN_STATES) | Q(completed_at__gte=hi)
    qs = Case.objects.filter(still_open, created_at__lt=hi)
    rows = by_prefix(qs, "region_code", codes, open=Count("id"),
                     overdue=Count("id", filter=Q(due_at__lt=min(hi, timezone.now()))))
    empty = {"open": 0, "overdue": 0}
    return {code: rows.get(code, empty) for code in codes}


def _open(codes, start, end):
    return {code: row["open"] for code, row in open_counts(codes, start, end).items()}


def _overdue(codes, start, end):
    return {code: row["overdue"] for code, row in open_counts(codes, start, end).items()}


# a case back in handling after it was closed: a dissatisfied rating (reopen) or the problem back (recur)
REOPEN_ACTIONS = ("reopen", "recur")


def _reopen_parts(codes, start, end):
    """Reopens in the period and closures (办结) in it, both counted from the case histories by when they
    happened: a reopened case clears its 办结时间, so its first closure is still counted here."""
    lo, hi = _bounds(start, end)
    events = CaseHistory.objects.filter(action__in=(*REOPEN_ACTIONS, "complete"), at__gte=lo, at__lt=hi)
    rows = by_prefix(events, "case__region_code", codes, reopened=Count("id", filter=Q(action__in=REOPEN_ACTIONS)),
                     closed=Count("id", filter=Q(action="complete")))
    return {code: ((rows.get(code) or {}).get("reopened") or 0, (rows.get(code) or {}).get("closed") or 0)
            for code in codes}


RATES = (
    ("cases.response_rate", _("响应率"), _("受理或不予受理的案件数 ÷ 上报案件数 × 100"), "responded", "reported", True),
    ("cases.on_time_rate", _("按时办结率"), _("在办理时限内办结的案件数 ÷ 办结案件数 × 100(按办结时间计)"),
     "closed_on_time", "closed", True),
    ("cases.resolution_rate", _("解决率"), _("办结结果为“已解决”的案件数 ÷ 办结案件数 × 100"), "fixed", "closed", True),
    ("cases.satisfaction_rate", _("满意率"), _("4–5 分的评价数 ÷ 评价数 × 100(按评价时间计)"), "satisfied", "rated",
     True),
    ("cases.repeat_share", _("重复投诉率"), _("30 日内重复投诉的上报数 ÷ 上报案件数 × 100"), "repeat", "reported", False),
)


def register() -> None:
    register_indicator(Indicator(
        "cases.reported", _("上报民情"), _("件"), _("期内上报的案件数(按上报时间计)"), _count("reported"),
        public=True, module=MODULE))
    register_indicator(Indicator(
        "cases.closed", _("办结民情"), _("件"), _("期内办结的案件数(按办结时间计)"), _count("closed"),
        public=True, module=MODULE))
    register_indicator(Indicator(
        "cases.open", _("在办民情"), _("件"), _("期末尚未办结的案件数:期末前上报、期末仍在办或期末后才办结"),
        _open, module=MODULE, stock=True, higher_is_better=False))
    register_indicator(Indicator(
        "cases.overdue", _("超时民情"), _("件"), _("期末在办且环节时限已过的案件数"), _overdue,
        module=MODULE, stock=True, higher_is_better=False))
    for key, label, formula, num, den, better in RATES:
        parts = _parts(num, den)
        register_indicator(Indicator(key, label, "%", formula, from_parts(parts, scale=100, digits=1), kind="rate",
                                     parts=parts, module=MODULE, higher_is_better=better, public=True))
    register_indicator(Indicator(
        "cases.reopen_rate", _("重办率"), "%",
        _("期内重新办理的次数(居民不满意重办、问题复发重办) ÷ 期内办结次数 × 100(均按发生时间计)"),
        from_parts(_reopen_parts, scale=100, digits=1), kind="rate", parts=_reopen_parts, module=MODULE,
        higher_is_better=False, public=True))
    weights = "、".join(f"{k} {v:.2f}" for k, v in WEIGHTS.items())
    register_indicator(Indicator(
        "cases.index", _("民情指数"), _("分"),
        _("100 × (0.15·响应率 + 0.20·按时办结率 + 0.20·解决率 + 0.25·满意率 + 0.10·(1 − 重复投诉率) "
          "+ 0.10·max(0, 1 − 每千人案件数 ÷ 20)); 无案件依据的比率按 1 计; 期内无上报、办结、评价的地区无指数"),
        _index, kind="index", module=MODULE, public=True,
        tags=frozenset({"headline", f"weights:{weights}", f"ceiling:{CASE_RATE_CEILING:g}"})))
