"""Rollups: equal to core.indicators.compute for every cell, incremental (only changed cells written), rates keep
their parts so they add up over regions and months, and the type medians."""

import datetime as dt

import pytest

from shanzhi.analytics.models import Rollup, StaleMonth, TypeMedian
from shanzhi.analytics.rollups import rollup_refresh, rollup_refresh_current
from shanzhi.analytics.selectors import Cell, aggregate
from shanzhi.analytics.staleness import mark_stale
from shanzhi.analytics.testing import at
from shanzhi.cases.models import Case
from shanzhi.cases.testing import make_case
from shanzhi.core.indicators import INDICATORS, all_indicators, compute
from shanzhi.regions.models import Region

pytestmark = pytest.mark.django_db


def _next(month):
    return (month + dt.timedelta(days=32)).replace(day=1)


def test_every_rollup_cell_equals_compute(world, facts):
    month = facts["this_month"]
    run = rollup_refresh(months=[month])
    codes = list(Region.objects.values_list("code", flat=True))
    assert run.cells == len(all_indicators()) * len(codes)
    stored = {(r.region_code, r.indicator): r for r in Rollup.objects.filter(month=month)}
    for ind in all_indicators():
        expected = compute(ind.key, codes=codes, start=month, end=_next(month))
        for code in codes:
            value = stored[(code, ind.key)].value
            assert value == (None if expected[code] is None else pytest.approx(float(expected[code]))), \
                (ind.key, code)


def test_refresh_is_incremental(world, facts):
    month = facts["this_month"]
    rollup_refresh(months=[month, facts["last_month"]])
    untouched = Rollup.objects.get(region_code=world.street.code, month=facts["last_month"],
                                   indicator="cases.reported")
    again = rollup_refresh(months=[month])
    assert again.changed == 0  # nothing new, nothing written
    make_case(world.grid.code)
    run = rollup_refresh(months=[month], modules=["cases"])
    assert 0 < run.changed < run.cells
    assert run.cells == len([i for i in all_indicators() if i.module == "cases"]) * Region.objects.count()
    street = Rollup.objects.get(region_code=world.street.code, month=month, indicator="cases.reported")
    assert street.value == compute("cases.reported", codes=[world.street.code], start=month,
                                   end=_next(month))[world.street.code]
    assert Rollup.objects.get(pk=untouched.pk).refreshed_at == untouched.refreshed_at


def test_rates_keep_their_parts_and_add_up_over_months_and_regions(world, facts):
    months = [facts["last_month"], facts["this_month"]]
    rollup_refresh(months=months)
    ind = INDICATORS["cases.satisfaction_rate"]
    rows = list(Rollup.objects.filter(region_code=world.street.code, indicator=ind.key, month__in=months)
                .order_by("month"))
    assert all(r.denominator is not None for r in rows)
    both = aggregate(ind, [Cell(r.value, r.numerator, r.denominator) for r in rows])
    direct = compute(ind.key, codes=[world.street.code], start=months[0], end=_next(months[1]))[world.street.code]
    assert both == pytest.approx(direct, abs=0.05)
    # a district's rate is the sum of its streets' parts, not an average of their rates
    kids = Rollup.objects.filter(region_code__in=[world.street.code, world.other_street.code], indicator=ind.key,
                                 month=months[1])
    district = Rollup.objects.get(region_code=world.district.code, indicator=ind.key, month=months[1])
    assert district.numerator == sum(k.numerator for k in kids)
    assert district.denominator == sum(k.denominator for k in kids)


def test_type_medians_are_kept_per_district_and_type(world, facts, typology):
    Region.objects.filter(level="community").update(housing_form="commercial")
    rollup_refresh(months=[facts["this_month"]])
    median = TypeMedian.objects.get(district_code=world.district.code, type_key="commercial",
                                    month=facts["this_month"], indicator="registry.persons")
    assert median.communities == 2
    values = sorted(Rollup.objects.filter(region_code__in=[world.community.code, world.other_community.code],
                                          month=facts["this_month"], indicator="registry.persons")
                    .values_list("value", flat=True))
    assert median.median == sum(values) / 2


def test_a_back_dated_change_refreshes_its_month_without_being_asked(world, facts, django_capture_on_commit_callbacks):
    """A case of last month completed today changes last month's figures; the hourly refresh catches up."""
    last = facts["last_month"]
    rollup_refresh(months=[last, facts["this_month"]])
    before = Rollup.objects.get(region_code=world.street.code, month=last, indicator="cases.reported").value
    case = make_case(world.grid2.code)
    Case.objects.filter(pk=case.pk).update(created_at=at(last + dt.timedelta(days=5)))
    case.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        case.title = "井盖破损（补录）"
        case.save(update_fields=["title"])
    assert StaleMonth.objects.filter(month=last, module="cases").exists()
    assert not StaleMonth.objects.filter(month=facts["this_month"]).exists()  # refreshed hourly anyway
    rollup_refresh_current()
    after = Rollup.objects.get(region_code=world.street.code, month=last, indicator="cases.reported").value
    assert after == before + 1 == compute("cases.reported", codes=[world.street.code], start=last,
                                          end=_next(last))[world.street.code]
    assert not StaleMonth.objects.exists()


def test_months_before_the_oldest_rollup_are_not_marked(world, facts):
    rollup_refresh(months=[facts["this_month"]])
    assert mark_stale([dt.date(1990, 1, 5), facts["this_month"]], "cases") == 0
    assert mark_stale([facts["last_month"]], "cases") == 0  # older than any rollup: nothing to correct
