"""The registry's figures for dashboards, rollups and open data (core.indicators): counts only, never names.

Population figures are stocks, read from the registry's current state: a person counts in a period if they are
living there now (状态“在住”) and moved in before the period's end (no move-in date: always). Care groups
(关爱对象) are counts of living persons with the tag; special-population records are never counted here.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Q
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
from .models import CareTag, Household, Person

AGE_BANDS = ((0, 18), (18, 35), (35, 60), (60, 80), (80, None))
MODULE = "registry"


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _living(end: date) -> Q:
    return Q(status=c.PersonStatus.LIVING) & (Q(move_in_date__isnull=True) | Q(move_in_date__lt=end))


def _persons(extra: Q | None = None):
    def compute(codes, start, end):
        qs = Person.objects.filter(_living(end))
        if extra is not None:
            qs = qs.filter(extra)
        return count_by_prefix(qs, "region_code", codes)
    return compute


def _band(low: int, high: int | None, sex: str):
    def compute(codes, start, end):
        q = Q(sex=sex, birth_date__lte=_years_before(end, low))
        if high is not None:
            q &= Q(birth_date__gt=_years_before(end, high))
        return _persons(q)(codes, start, end)
    return compute


def _households(codes, start, end):
    qs = Household.objects.filter(dissolved=False, living_here=True)
    return count_by_prefix(qs, "region_code", codes)


def _care(tag: str):
    def compute(codes, start, end):
        qs = CareTag.objects.filter(tag=tag, person__status=c.PersonStatus.LIVING)
        return count_by_prefix(qs, "region_code", codes, Count("person", distinct=True))
    return compute


def _floating_share(codes, start, end):
    qs = Person.objects.filter(_living(end))
    rows = by_prefix(qs, "region_code", codes, n=Count("id"),
                     f=Count("id", filter=Q(residence_type=c.ResidenceType.FLOATING)))
    return {k: (v["f"], v["n"]) for k, v in rows.items()}


def _elderly_share(codes, start, end):
    qs = Person.objects.filter(_living(end))
    rows = by_prefix(qs, "region_code", codes, n=Count("id"),
                     old=Count("id", filter=Q(birth_date__lte=_years_before(end, 60))))
    return {k: (v["old"], v["n"]) for k, v in rows.items()}


def band_key(low: int, high: int | None, sex: str) -> str:
    return f"registry.age_{low}_{high or 'plus'}_{sex}"


def register() -> None:
    common = {"module": MODULE, "stock": True}
    register_indicator(Indicator(
        "registry.persons", _("实有人口"), _("人"), _("状态为“在住”、迁入日期早于期末的登记人员数"),
        _persons(), public=True, tags=frozenset({"population"}), **common))
    register_indicator(Indicator(
        "registry.households", _("在住户数"), _("户"), _("未注销且在本地居住的户数"),
        _households, public=True, tags=frozenset({"population"}), **common))
    register_indicator(Indicator(
        "registry.floating", _("流动人口"), _("人"), _("实有人口中人口类型为“流动人口”的人数"),
        _persons(Q(residence_type=c.ResidenceType.FLOATING)), public=True, tags=frozenset({"population"}),
        **common))
    register_indicator(Indicator(
        "registry.floating_share", _("流动人口占比"), "%", _("流动人口 ÷ 实有人口 × 100"),
        from_parts(_floating_share, scale=100, digits=1), kind="rate", parts=_floating_share, public=True, **common))
    register_indicator(Indicator(
        "registry.elderly_share", _("60岁以上人口占比"), "%", _("期末年满60周岁的实有人口 ÷ 实有人口 × 100"),
        from_parts(_elderly_share, scale=100, digits=1), kind="rate", parts=_elderly_share, public=True, higher_is_better=False,
        **common))
    for low, high in AGE_BANDS:
        for sex, label in ((c.Sex.MALE, _("男")), (c.Sex.FEMALE, _("女"))):
            band = f"{low}–{high - 1}" if high else f"{low}+"
            register_indicator(Indicator(
                band_key(low, high, sex), lazy_format(_("%(band)s岁%(sex)s性"), band=band, sex=label), _("人"),
                lazy_format(_("实有人口中期末年龄在 %(band)s 岁、性别为%(sex)s的人数"), band=band, sex=label),
                _band(low, high, sex), tags=frozenset({"pyramid"}), **common))
    for tag, label in c.CareTagKind.choices:
        register_indicator(Indicator(
            f"registry.care_{tag}", label, _("人"),
            lazy_format(_("带“%(tag)s”关爱标签的在住人员数(只计人数，不显示姓名)"), tag=label),
            _care(tag), tags=frozenset({"care"}), **common))
