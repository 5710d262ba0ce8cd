"""Scoring: the inputs of a round gathered per target and indicator, mapped to points by each indicator's rule.

Pure functions over plain values, so the same inputs always give the same scores: Decimal arithmetic rounded half
up to 0.01, targets and indicators in a fixed order. Computed indicators are read through core.indicators only.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case, Count, IntegerField, Sum, When
from django.utils.translation import gettext as _

from shanzhi.core.indicators import batch, compute, get_indicator

from .choices import MeritKind, MeritState, Source
from .models import Answer, Merit, SampleMember, Score

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def points(value: Decimal | None, *, best: Decimal, worst: Decimal) -> Decimal:
    """The linear rule: `worst` → 0, `best` → 100, clamped to 0–100; no value scores 0."""
    if value is None or best == worst:
        return Decimal(0).quantize(CENT)
    raw = (Decimal(value) - worst) / (best - worst) * HUNDRED
    return min(HUNDRED, max(Decimal(0), raw)).quantize(CENT, ROUND_HALF_UP)


def shown(v: Decimal | None) -> str | None:
    """A value as text without trailing zeros (92.0000 → 92)."""
    return None if v is None else format(Decimal(v).normalize(), "f")


def _dec(v) -> Decimal | None:
    return None if v is None else Decimal(str(v))


def _sum_by_prefix(rows: dict[str, tuple[int, int]], code: str) -> tuple[int, int]:
    n = s = 0
    for c, (cn, cs) in rows.items():
        if c.startswith(code):
            n, s = n + cn, s + cs
    return n, s


def survey_inputs(round_, targets) -> dict[int, tuple[Decimal | None, str]]:
    by_code: dict[str, tuple[int, int]] = {}
    for row in Answer.objects.filter(survey__round=round_).values("survey__region_code").annotate(
            n=Count("pk"), s=Sum("satisfaction")):
        by_code[row["survey__region_code"]] = (row["n"], row["s"])
    sampled: dict[str, tuple[int, int]] = {
        row["survey__region_code"]: (row["n"], 0)
        for row in SampleMember.objects.filter(survey__round=round_).values("survey__region_code").annotate(
            n=Count("pk"))}
    out = {}
    for t in targets:
        n, s = _sum_by_prefix(by_code, t.region_code)
        m, _unused = _sum_by_prefix(sampled, t.region_code)
        mean = (Decimal(s) / Decimal(n)).quantize(Decimal("0.0001"), ROUND_HALF_UP) if n else None
        rate = f"{Decimal(n) * 100 / Decimal(m):.1f}%" if m else "—"
        out[t.pk] = (mean, _("抽样 %(m)d 人，答复 %(n)d 人（应答率 %(r)s），平均满意度 %(v)s") % {
            "m": m, "n": n, "r": rate, "v": shown(mean) or "—"})
    return out


def computed_inputs(round_, targets, key: str) -> dict[int, tuple[Decimal | None, str]]:
    indicator = get_indicator(key)
    values = compute(key, codes=[t.region_code for t in targets], start=round_.period_start, end=round_.period_end)
    out = {}
    for t in targets:
        v = values.get(t.region_code)
        out[t.pk] = (_dec(v), _("平台数据“%(l)s”= %(v)s %(u)s（%(s)s 至 %(e)s；%(f)s）") % {
            "l": indicator.label, "v": "—" if v is None else v, "u": indicator.unit, "s": round_.period_start,
            "e": round_.period_end, "f": indicator.formula})
    return out


def entered_inputs(round_, indicator) -> dict[int, tuple[Decimal | None, str]]:
    """Entered scores (third party, manual, community ratings: the mean over raters)."""
    rows = defaultdict(list)
    for s in Score.objects.filter(target__round=round_, indicator=indicator, appeal__isnull=True).order_by("pk"):
        rows[s.target_id].append(s)
    out = {}
    for target_id, scores in rows.items():
        mean = (sum(s.value for s in scores) / len(scores)).quantize(Decimal("0.0001"), ROUND_HALF_UP)
        evidence = "；".join(s.evidence for s in scores if s.evidence)
        label = _("%(n)d 个社区评价") % {"n": len(scores)} if indicator.source == Source.COMMUNITY_RATING else ""
        out[target_id] = (mean, "；".join(x for x in (label, evidence) if x))
    return out


def merit_inputs(round_, targets) -> dict[int, tuple[Decimal | None, str]]:
    staff = {t.staff_id: t.pk for t in targets if t.staff_id}
    rows = (Merit.objects.filter(staff_id__in=list(staff), state=MeritState.APPROVED,
                                 occurred_on__gte=round_.period_start, occurred_on__lt=round_.period_end)
            .values("staff_id").annotate(
                plus=Sum(Case(When(kind=MeritKind.PLUS, then="points"), default=0, output_field=IntegerField())),
                minus=Sum(Case(When(kind=MeritKind.MINUS, then="points"), default=0, output_field=IntegerField())),
                n=Count("pk")))
    out = {pk: (Decimal(0), _("无加减分记录")) for pk in staff.values()}
    for r in rows:
        out[staff[r["staff_id"]]] = (Decimal(r["plus"] - r["minus"]), _("已认定 %(n)d 条：加 %(p)d 分，减 %(m)d 分") % {
            "n": r["n"], "p": r["plus"], "m": r["minus"]})
    return out


def appeal_overrides(round_) -> dict[tuple[int, int], Score]:
    out = {}
    for s in Score.objects.filter(target__round=round_, appeal__isnull=False).order_by("pk"):
        out[(s.target_id, s.indicator_id)] = s
    return out


def inputs_for(round_, indicator, targets) -> dict[int, tuple[Decimal | None, str]]:
    if indicator.source == Source.COMPUTED:
        return computed_inputs(round_, targets, indicator.indicator_key)
    if indicator.source == Source.SURVEY:
        return survey_inputs(round_, targets)
    if indicator.source == Source.MERIT:
        return merit_inputs(round_, targets)
    return entered_inputs(round_, indicator)


def score_targets(round_, indicators, targets) -> dict[int, tuple[Decimal, list[dict]]]:
    """{target pk: (total, detail rows)} for the given targets."""
    total_weight = sum((i.weight for i in indicators), Decimal(0)) or Decimal(1)
    overrides = appeal_overrides(round_)
    with batch():  # figures sharing their grouped counts (cases' KPIs) are computed once
        gathered = {i.pk: inputs_for(round_, i, targets) for i in indicators}
    out = {}
    for t in targets:
        total = Decimal(0)
        rows = []
        for i in indicators:
            value, evidence = gathered[i.pk].get(t.pk, (None, _("无数据")))
            override = overrides.get((t.pk, i.pk))
            if override is not None:
                evidence = _("申诉改正：原值 %(o)s，改为 %(v)s（%(e)s）") % {
                    "o": shown(value) or "—", "v": shown(override.value), "e": override.evidence}
                value = override.value
            p = points(value, best=i.best, worst=i.worst)
            weighted = (p * i.weight / total_weight).quantize(CENT, ROUND_HALF_UP)
            total += weighted
            rows.append({"indicator": i.pk, "name": i.name, "source": i.source, "weight": str(i.weight),
                         "value": shown(value), "points": str(p),
                         "weighted": str(weighted), "evidence": evidence or "", "rule": i.rule,
                         "best": shown(i.best), "worst": shown(i.worst), "appealed": override is not None})
        out[t.pk] = (total.quantize(CENT, ROUND_HALF_UP), rows)
    return out
