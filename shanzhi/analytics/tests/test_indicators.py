"""Each module's indicators equal direct counts of the facts, and the 民情 figures equal the 民情指数 page's."""

import datetime as dt

import pytest

from shanzhi.cases import insight
from shanzhi.cases.models import Case, CaseRating
from shanzhi.core.indicators import all_indicators, compute
from shanzhi.registry.models import CareTag, Person

pytestmark = pytest.mark.django_db


def _month(facts):
    start = facts["this_month"]
    return start, (start + dt.timedelta(days=32)).replace(day=1)


def test_every_app_registers_its_indicators_with_a_formula():
    keys = {i.key for i in all_indicators()}
    for key in ("registry.persons", "registry.households", "registry.floating", "registry.care_elderly_alone",
                "cases.reported", "cases.open", "cases.overdue", "cases.on_time_rate", "cases.satisfaction_rate",
                "cases.resolution_rate", "cases.index", "consultation.topics", "consultation.stage_proposed",
                "consultation.rules_met", "disclosure.on_time_rate", "volunteering.volunteers", "volunteering.hours",
                "volunteering.points", "party.members", "analytics.facility_area"):
        assert key in keys, key
    mine = {"registry", "cases", "consultation", "disclosure", "volunteering", "party", "analytics"}
    for ind in all_indicators():
        assert str(ind.formula).strip() and str(ind.label).strip() and ind.module
        if ind.kind == "rate" and ind.module in mine:
            assert ind.parts is not None, f"{ind.key}: a rate keeps its numerator and denominator"


def test_population_figures_equal_direct_counts(world, facts):
    start, end = _month(facts)
    codes = [world.community.code, world.grid.code, world.street.code, world.other_street.code]
    got = compute("registry.persons", codes=codes, start=start, end=end)
    for code in codes:
        assert got[code] == Person.objects.filter(region_code__startswith=code, status="living").count()
    assert compute("registry.floating", codes=[world.grid.code], start=start, end=end)[world.grid.code] == 3
    assert compute("registry.care_elderly_alone", codes=[world.street.code], start=start, end=end) == {
        world.street.code: CareTag.objects.filter(tag="elderly_alone").count()}
    share = compute("registry.floating_share", codes=[world.grid.code], start=start, end=end)[world.grid.code]
    assert share == round(100 * 3 / 12, 1)
    bands = [i for i in all_indicators() if "pyramid" in i.tags]
    total = sum(compute(i.key, codes=[world.street.code], start=start, end=end)[world.street.code] for i in bands)
    assert total == Person.objects.filter(region_code__startswith=world.street.code, status="living",
                                          birth_date__isnull=False).count()


def test_case_figures_equal_direct_counts_and_the_index_page(world, facts):
    start, end = _month(facts)
    code = world.street.code
    month_cases = Case.objects.filter(region_code__startswith=code, created_at__date__gte=start,
                                      created_at__date__lt=end)
    assert compute("cases.reported", codes=[code], start=start, end=end)[code] == month_cases.count() == 5
    closed = Case.objects.filter(region_code__startswith=code, completed_at__date__gte=start,
                                 completed_at__date__lt=end)
    on_time = compute("cases.on_time_rate", codes=[code], start=start, end=end)[code]
    assert on_time == round(100 * closed.filter(completed_on_time=True).count() / closed.count(), 1)
    ratings = CaseRating.objects.filter(case__region_code__startswith=code, rated_at__date__gte=start,
                                        rated_at__date__lt=end)
    sat = compute("cases.satisfaction_rate", codes=[code], start=start, end=end)[code]
    assert sat == round(100 * ratings.filter(score__gte=4).count() / ratings.count(), 1)
    # one definition: the same days through the 民情指数 page's daily rollup give the same index
    insight.rollup_build(start=start, end=end - dt.timedelta(days=1))
    population = Person.objects.filter(region_code__startswith=code, status="living").count()
    page = insight.kpis_total(prefix=code, start=start, end=end - dt.timedelta(days=1), population=population)
    assert compute("cases.index", codes=[code], start=start, end=end)[code] == page.index
    assert sat == round(100 * page.satisfaction_rate, 1)
    # open cases at the end of the period: reported before, not closed
    still_open = Case.objects.filter(region_code__startswith=code, created_at__date__lt=end,
                                     state__in=["reported", "accepted", "dispatched", "handling", "completed"])
    assert compute("cases.open", codes=[code], start=start, end=end)[code] == still_open.count()


def test_a_region_without_cases_has_no_rate_and_no_index(world, facts):
    start, end = _month(facts)
    got = compute("cases.on_time_rate", codes=["321002004999"], start=start, end=end)
    assert got == {"321002004999": None}
    assert compute("cases.index", codes=["321002004999"], start=start, end=end) == {"321002004999": None}
