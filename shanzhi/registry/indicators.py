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
    shared,
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


def _band_q(low: int, high: int | None, sex: str, end: date) -> Q:
    q = Q(sex=sex, birth_date__lte=_years_before(end, low))
    if high is not None:
        q &= Q(birth_date__gt=_years_before(end, high))
    return q


@shared
def person_counts(codes, start, end) -> dict[str, dict]:
    """Every person figure of the registry for each code, in one grouped query over the living persons."""
    counts = {"n": Count("id"), "floating": Count("id", filter=Q(residence_type=c.ResidenceType.FLOATING)),
              "old": Count("id", filter=Q(birth_date__lte=_years_before(end, 60)))}
    for low, high in AGE_BANDS:
        for sex in (c.Sex.MALE, c.Sex.FEMALE):
            counts[band_key(low, high, sex)] = Count("id", filter=_band_q(low, high, sex, end))
    rows = by_prefix(Person.objects.filter(_living(end)), "region_code", codes, **counts)
    empty = dict.fromkeys(counts, 0)
    return {code: rows.get(code, empty) for code in codes}


def _persons(name: str = "n"):
    def compute(codes, start, end):
        return {code: row[name] for code, row in person_counts(codes, start, end).items()}
    return compute


def _households(codes, start, end):
    qs = Household.objects.filter(dissolved=False, living_here=True)
    return count_by_prefix(qs, "region_code", codes)


def _care(tag: str):
    def compute(codes, start, end):
        qs = CareTag.objects.filter(tag=tag, person__status=c.PersonStatus.LIVING)
        return count_by_prefix(qs, "region_code", codes)  # one tag per person and kind
    return compute


def _share(name: str):
    def parts(codes, start, end):
        return {code: (row[name], row["n"]) for code, row in person_counts(codes, start, end).items()}
    return parts


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
        _persons("floating"), public=True, tags=frozenset({"population"}),
        **common))
    register_indicator(Indicator(
        "registry.floating_share", _("流动人口占比"), "%", _("流动人口 ÷ 实有人口 × 100"),
        from_parts(_share("floating"), scale=100, digits=1), kind="rate", parts=_share("floating"), public=True, **common))
    register_indicator(Indicator(
        "registry.elderly_share", _("60岁以上人口占比"), "%", _("期末年满60周岁的实有人口 ÷ 实有人口 × 100"),
        from_parts(_share("old"), scale=100, digits=1), kind="rate", parts=_share("old"), public=True, higher_is_better=False,
        **common))
    for low, high in AGE_BANDS:
        for sex, label in ((c.Sex.MALE, _("男")), (c.Sex.FEMALE, _("女"))):
            band = f"{low}–{high - 1}" if high else f"{low}+"
            register_indicator(Indicator(
                band_key(low, high, sex), lazy_format(_("%(band)s岁%(sex)s性"), band=band, sex=label), _("人"),
                lazy_format(_("实有人口中期末年龄在 %(band)s 岁、性别为%(sex)s的人数"), band=band, sex=label),
                _persons(band_key(low, high, sex)), tags=frozenset({"pyramid"}), **common))
    for tag, label in c.CareTagKind.choices:
        register_indicator(Indicator(
            f"registry.care_{tag}", label, _("人"),
            lazy_format(_("带“%(tag)s”关爱标签的在住人员数(只计人数，不显示姓名)"), tag=label),
            _care(tag), tags=frozenset({"care"}), **common))
