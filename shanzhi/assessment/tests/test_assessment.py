"""考核 through the services: schemes and the 50% rule, computed/survey/third-party/manual/merit inputs, results with
evidence, determinism, sampling, appeals with recomputation and history, publication and scope."""

from datetime import date
from decimal import Decimal

import pytest

from shanzhi.assessment import selectors, services
from shanzhi.assessment.choices import RoundState
from shanzhi.assessment.models import Answer, Result, Target
from shanzhi.core.errors import ServiceError
from shanzhi.core.indicators import INDICATORS, Indicator, register_indicator
from shanzhi.core.roles import Role
from shanzhi.registry.models import Person

pytestmark = pytest.mark.django_db
START, END = date(2026, 1, 1), date(2027, 1, 1)
FIGURES = {}


def _on_time(codes, start, end):
    return {c: FIGURES.get(c) for c in codes}


if "test.on_time_rate" not in INDICATORS:
    register_indicator(Indicator("test.on_time_rate", "按时办结率", "%", "按时办结 ÷ 办结", _on_time, kind="rate",
                                 module="test"))

COMMUNITY_SCHEME = [
    {"name": "居民满意度", "weight": "50", "source": "survey"},
    {"name": "按时办结率", "weight": "20", "source": "computed", "indicator_key": "test.on_time_rate",
     "best": "100", "worst": "60"},
    {"name": "第三方评估", "weight": "20", "source": "third_party"},
    {"name": "台账规范", "weight": "10", "source": "manual"},
]


@pytest.fixture
def s(world, make_user):
    manager = make_user(Role.DISTRICT_MANAGER, world.district.code)
    FIGURES.clear()
    FIGURES.update({world.community.code: 90, world.other_community.code: 70})
    scheme = services.scheme_save(actor=manager, district_code=world.district.code, name="2026年度社区考核",
                                  object_kind="community", year=2026, indicators=COMMUNITY_SCHEME)
    rnd = services.round_create(actor=manager, scheme=scheme, name="2026年度", period_start=START, period_end=END)
    targets = {t.region_code: t for t in rnd.targets.all()}
    return {"manager": manager, "scheme": scheme, "round": rnd, "targets": targets,
            "ind": {i.name: i for i in scheme.indicators.all()},
            "staff": make_user(Role.COMMUNITY_STAFF, world.community.code)}


def test_a_scheme_where_residents_weigh_less_than_half_is_refused(world, make_user):
    manager = make_user(Role.DISTRICT_MANAGER, world.district.code)
    rows = [dict(r) for r in COMMUNITY_SCHEME]
    rows[0]["weight"] = "40"
    with pytest.raises(ServiceError, match="居民评价的权重只占总权重的 44.4%，按规定群众评价不得低于 50%"):
        services.scheme_save(actor=manager, district_code=world.district.code, name="x", object_kind="community",
                             year=2026, indicators=rows)
    with pytest.raises(ServiceError, match="社区评价的权重"):
        services.scheme_save(actor=manager, district_code=world.district.code, name="双向", object_kind="street",
                             direction="bottom_up", year=2026, indicators=[
                                 {"name": "社区评价", "weight": "40", "source": "community_rating"},
                                 {"name": "清单外事项", "weight": "60", "source": "computed",
                                  "indicator_key": "test.on_time_rate", "best": "0", "worst": "10"}])


def test_scheme_rows_are_checked_by_row(world, make_user):
    manager = make_user(Role.DISTRICT_MANAGER, world.district.code)
    with pytest.raises(ServiceError, match="第 2 个指标“按时办结率”：请选择一个平台指标"):
        services.scheme_save(actor=manager, district_code=world.district.code, name="x", object_kind="community",
                             year=2026, indicators=[COMMUNITY_SCHEME[0], {**COMMUNITY_SCHEME[1], "indicator_key": "x"}])
    with pytest.raises(ServiceError, match="加减分只能用于社区工作者"):
        services.scheme_save(actor=manager, district_code=world.district.code, name="x", object_kind="community",
                             year=2026, indicators=[COMMUNITY_SCHEME[0], {"name": "加减分", "weight": 1,
                                                                           "source": "merit"}])
    street = make_user(Role.STREET_MANAGER, world.street.code)
    with pytest.raises(ServiceError, match="区级管理员"):
        services.scheme_save(actor=street, district_code=world.district.code, name="x", object_kind="community",
                             year=2026, indicators=COMMUNITY_SCHEME)


def _persons(grid_code, n, born=date(1970, 1, 1)):
    return [Person.objects.create(name=f"居民{grid_code[-2:]}{i}", region_code=grid_code, birth_date=born)
            for i in range(n)]


def test_sampling_is_stratified_by_grid_adults_only_and_reproducible(s, world):
    _persons(world.grid.code, 12)
    _persons(world.grid2.code, 5)
    _persons(world.grid.code, 4, born=date(2015, 1, 1))  # children are never drawn
    ids_a, population = services.draw_sample(community_code=world.community.code, seed=42, per_grid=6, on=END)
    ids_b, _ = services.draw_sample(community_code=world.community.code, seed=42, per_grid=6, on=END)
    assert ids_a == ids_b and population == 17 and len(ids_a) == 11
    grids = [Person.objects.get(pk=i).region_code for i in ids_a]
    assert grids.count(world.grid.code) == 6 and grids.count(world.grid2.code) == 5
    assert services.draw_sample(community_code=world.community.code, seed=43, per_grid=6, on=END)[0] != ids_a
    survey = services.survey_draw(actor=s["staff"], round_=s["round"], community_code=world.community.code,
                                  per_grid=6, seed=42)
    assert sorted(survey.members.values_list("person_id", flat=True)) == sorted(ids_a)
    with pytest.raises(ServiceError, match="不能重抽"):
        services.survey_draw(actor=s["staff"], round_=s["round"], community_code=world.community.code, per_grid=6)


def test_one_answer_per_sampled_person(s, world):
    _persons(world.grid.code, 3)
    survey = services.survey_draw(actor=s["staff"], round_=s["round"], community_code=world.community.code,
                                  per_grid=3, seed=1)
    member = survey.members.first()
    services.answer_enter(actor=s["staff"], member=member, satisfaction=5, channel="phone")
    with pytest.raises(ServiceError, match="每人只能答复一次"):
        services.answer_enter(actor=s["staff"], member=member, satisfaction=1, channel="door")
    assert Answer.objects.count() == 1


def _fill(s, world, make_user):
    _persons(world.grid.code, 4)
    survey = services.survey_draw(actor=s["staff"], round_=s["round"], community_code=world.community.code,
                                  per_grid=4, seed=7)
    for member, v in zip(survey.members.all(), [5, 4, 4], strict=False):  # 3 of 4 answer
        services.answer_enter(actor=s["staff"], member=member, satisfaction=v, channel="door")
    assessor = make_user(Role.THIRD_PARTY_ASSESSOR, world.district.code)
    target = s["targets"][world.community.code]
    services.assessor_assign(actor=s["manager"], round_=s["round"], assessor=assessor, targets=[target])
    services.score_enter(actor=assessor, target=target, indicator=s["ind"]["第三方评估"], value="88",
                         evidence="评估报告第3页")
    services.score_enter(actor=s["manager"], target=target, indicator=s["ind"]["台账规范"], value="70",
                         evidence="台账抽查记录")
    return assessor, target


def test_results_combine_every_source_with_evidence(s, world, make_user):
    _fill(s, world, make_user)
    services.round_compute(actor=s["manager"], round_=s["round"])
    result = Result.objects.get(target=s["targets"][world.community.code], current=True)
    rows = {r["name"]: r for r in result.detail}
    # survey mean 13/3 = 4.3333 → (4.3333-1)/4 = 83.33; on time 90 → 75; third party 88; manual 70
    assert rows["居民满意度"]["points"] == "83.33" and "应答率 75.0%" in rows["居民满意度"]["evidence"]
    assert rows["按时办结率"]["points"] == "75.00" and "按时办结率" in rows["按时办结率"]["evidence"]
    assert rows["第三方评估"]["evidence"] == "评估报告第3页" and rows["台账规范"]["points"] == "70.00"
    assert result.total == Decimal("41.67") + Decimal("15.00") + Decimal("17.60") + Decimal("7.00")
    other = Result.objects.get(target=s["targets"][world.other_community.code])
    assert other.total == Decimal("5.00")  # only its on-time rate 70 → 25 points × 20%
    assert [r.target.region_code for r in selectors.ranking(actor=s["manager"], round_=s["round"])] == [
        world.community.code, world.other_community.code]


def test_the_same_inputs_always_give_the_same_scores(s, world, make_user):
    _fill(s, world, make_user)
    services.round_compute(actor=s["manager"], round_=s["round"])
    first = {r.target_id: (r.total, r.detail) for r in Result.objects.filter(current=True)}
    services.round_compute(actor=s["manager"], round_=s["round"])
    second = {r.target_id: (r.total, r.detail) for r in Result.objects.filter(current=True)}
    assert first == second and Result.objects.count() == 2 * len(first)


def test_third_party_scores_only_their_assigned_objects(s, world, make_user):
    assessor, target = _fill(s, world, make_user)
    other = s["targets"][world.other_community.code]
    with pytest.raises(ServiceError, match="分配给您"):
        services.score_enter(actor=assessor, target=other, indicator=s["ind"]["第三方评估"], value="90")
    with pytest.raises(ServiceError, match="区级管理员"):
        services.score_enter(actor=assessor, target=target, indicator=s["ind"]["台账规范"], value="90",
                             evidence="x")
    assert list(Target.objects.restrict(assessor, "view")) == [target]
    with pytest.raises(ServiceError, match="佐证"):
        services.score_enter(actor=s["manager"], target=other, indicator=s["ind"]["台账规范"], value="90")
    with pytest.raises(ServiceError, match="0 到 100"):
        services.score_enter(actor=assessor, target=target, indicator=s["ind"]["第三方评估"], value="120")


def test_an_upheld_appeal_recomputes_and_keeps_the_old_result(s, world, make_user):
    _fill(s, world, make_user)
    services.round_compute(actor=s["manager"], round_=s["round"])
    services.round_publish(actor=s["manager"], round_=s["round"])
    result = Result.objects.get(target=s["targets"][world.community.code], current=True)
    outsider = make_user(Role.COMMUNITY_STAFF, world.other_community.code)
    with pytest.raises(ServiceError, match="被考核社区"):
        services.appeal_submit(actor=outsider, result=result, indicator=s["ind"]["按时办结率"], reason="x")
    appeal = services.appeal_submit(actor=s["staff"], result=result, indicator=s["ind"]["按时办结率"],
                                    reason="3件超期系承办单位原因", claimed_value="96")
    with pytest.raises(ServiceError, match="改正后数值"):
        services.appeal_decide(actor=s["manager"], appeal=appeal, action="uphold", decision="属实")
    services.appeal_decide(actor=s["manager"], appeal=appeal, action="uphold", decision="核实属实", corrected_value="96")
    history = list(selectors.result_history(actor=s["manager"], result=result))
    assert [r.number for r in history] == [2, 1] and history[0].current and not history[1].current
    new = {r["name"]: r for r in history[0].detail}["按时办结率"]
    assert new["points"] == "90.00" and new["appealed"] and "原值 90" in new["evidence"]
    assert history[0].total == result.total + Decimal("3.00")
    assert history[1].total == result.total  # the old result is kept as it was
    assert s["round"].__class__.objects.get(pk=s["round"].pk).state == RoundState.PUBLISHED


def test_merits_feed_the_staff_scheme_once_approved(world, make_user):
    manager = make_user(Role.DISTRICT_MANAGER, world.district.code)
    street = make_user(Role.STREET_MANAGER, world.street.code)
    staff = make_user(Role.COMMUNITY_STAFF, world.community.code, first_name="小张")
    secretary = make_user(Role.COMMUNITY_SECRETARY, world.community.code)
    scheme = services.scheme_save(actor=manager, district_code=world.district.code, name="社工考核",
                                  object_kind="staff", year=2026, indicators=[
                                      {"name": "居民评价", "weight": "60", "source": "survey"},
                                      {"name": "做事加分、错误减分", "weight": "40", "source": "merit"}])
    m1 = services.merit_submit(actor=secretary, staff=staff, kind="plus", points=10, reason="连夜排查燃气隐患",
                               occurred_on=date(2026, 3, 1))
    m2 = services.merit_submit(actor=secretary, staff=staff, kind="minus", points=5, reason="台账漏报",
                               occurred_on=date(2026, 4, 1))
    own = services.merit_submit(actor=street, staff=staff, kind="plus", points=20, reason="未审核",
                                occurred_on=date(2026, 5, 1))
    with pytest.raises(ServiceError, match="不能认定自己"):
        services.merit_decide(actor=street, merit=own, action="approve")
    with pytest.raises(ServiceError, match="街道或区级管理员"):
        services.merit_decide(actor=staff, merit=m1, action="approve")
    services.merit_decide(actor=street, merit=m1, action="approve")
    services.merit_decide(actor=street, merit=m2, action="approve")
    rnd = services.round_create(actor=manager, scheme=scheme, name="社工2026", period_start=START, period_end=END)
    services.round_compute(actor=manager, round_=rnd)
    result = Result.objects.get(target__staff=staff)
    merit = {r["name"]: r for r in result.detail}["做事加分、错误减分"]
    assert merit["value"] == "5" and merit["points"] == "85.00"  # net +5 on the -80…20 range
    assert rnd.targets.count() == 2


def test_communities_rate_their_street_bottom_up(world, make_user):
    manager = make_user(Role.DISTRICT_MANAGER, world.district.code)
    scheme = services.scheme_save(actor=manager, district_code=world.district.code, name="社区评街道",
                                  object_kind="street", direction="bottom_up", year=2026, indicators=[
                                      {"name": "对社区诉求的响应", "weight": "60", "source": "community_rating"},
                                      {"name": "按时办结率", "weight": "40", "source": "computed",
                                       "indicator_key": "test.on_time_rate", "best": "100", "worst": "60"}])
    rnd = services.round_create(actor=manager, scheme=scheme, name="双向考核", period_start=START, period_end=END)
    street = rnd.targets.get(region_code=world.street.code)
    other = rnd.targets.get(region_code=world.other_street.code)
    staff = make_user(Role.COMMUNITY_SECRETARY, world.community.code)
    rating = scheme.indicators.get(source="community_rating")
    assert set(selectors.ratable_targets(actor=staff)) == {street}
    services.score_enter(actor=staff, target=street, indicator=rating, value="60", evidence="响应慢")
    with pytest.raises(ServiceError, match="辖区内社区"):
        services.score_enter(actor=staff, target=other, indicator=rating, value="90")
    services.round_compute(actor=manager, round_=rnd)
    assert Result.objects.get(target=street).total == Decimal("36.00")
