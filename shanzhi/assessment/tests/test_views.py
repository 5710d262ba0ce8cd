"""考核 pages: the scheme form's 50% rule, the round page, drill-down, appeal, third-party scope, exports, public."""


import pytest

from shanzhi.assessment import services
from shanzhi.assessment.models import Appeal, Result, Scheme
from shanzhi.assessment.tests.test_assessment import COMMUNITY_SCHEME, END, FIGURES, START, _fill, _persons
from shanzhi.core.roles import Role
from shanzhi.core.testing import verified_login

pytestmark = pytest.mark.django_db


def _rows(rows):
    data = {"ind-TOTAL_FORMS": str(len(rows)), "ind-INITIAL_FORMS": "0", "ind-MIN_NUM_FORMS": "0",
            "ind-MAX_NUM_FORMS": "20"}
    for n, r in enumerate(rows):
        for k, v in r.items():
            data[f"ind-{n}-{k}"] = v
    return data


def test_the_scheme_form_refuses_less_than_half_for_residents(client, world, make_user):
    manager = make_user(Role.DISTRICT_MANAGER, world.district.code)
    verified_login(client, manager)
    rows = [dict(r) for r in COMMUNITY_SCHEME]
    rows[0]["weight"] = "30"
    base = {"name": "考核", "object_kind": "community", "direction": "top_down", "year": "2026",
            "district": world.district.code}
    resp = client.post("/assessment/schemes/new/", {**base, **_rows(rows)})
    assert resp.status_code == 200 and "居民评价的权重只占总权重的 37.5%" in resp.content.decode()
    assert not Scheme.objects.exists()
    resp = client.post("/assessment/schemes/new/", {**base, **_rows(COMMUNITY_SCHEME)})
    scheme = Scheme.objects.get()
    assert resp.status_code == 302 and scheme.indicators.count() == 4


@pytest.fixture
def computed(world, make_user):
    manager = make_user(Role.DISTRICT_MANAGER, world.district.code)
    FIGURES.update({world.community.code: 90})
    scheme = services.scheme_save(actor=manager, district_code=world.district.code, name="年度社区考核",
                                  object_kind="community", year=2026, indicators=COMMUNITY_SCHEME)
    rnd = services.round_create(actor=manager, scheme=scheme, name="2026年度", period_start=START, period_end=END)
    s = {"manager": manager, "scheme": scheme, "round": rnd, "targets": {t.region_code: t for t in rnd.targets.all()},
         "ind": {i.name: i for i in scheme.indicators.all()},
         "staff": make_user(Role.COMMUNITY_STAFF, world.community.code)}
    assessor, target = _fill(s, world, make_user)
    services.round_compute(actor=manager, round_=rnd)
    s["assessor"] = assessor
    return s


def test_round_result_appeal_and_publication_pages(client, world, computed, make_user):
    s = computed
    verified_login(client, s["manager"])
    body = client.get(f"/assessment/rounds/{s['round'].pk}/").content.decode()
    assert "玺园社区" in body and "琼花社区" in body
    resp = client.get(f"/assessment/rounds/{s['round'].pk}/results.xlsx")
    assert resp.status_code == 200 and resp["Content-Type"].startswith("application/vnd.openxmlformats")
    result = Result.objects.get(target=s["targets"][world.community.code])
    client.force_login(s["staff"])
    body = client.get(f"/assessment/results/{result.pk}/").content.decode()
    assert "评估报告第3页" in body and "应答率 75.0%" in body and "提交申诉" in body
    client.post(f"/assessment/results/{result.pk}/appeal/", {"indicator": s["ind"]["台账规范"].pk,
                                                             "reason": "台账已补齐", "claimed_value": "90"})
    appeal = Appeal.objects.get()
    other = make_user(Role.COMMUNITY_STAFF, world.other_community.code)
    client.force_login(other)
    assert client.get(f"/assessment/results/{result.pk}/").status_code == 404
    verified_login(client, s["manager"])
    client.post(f"/assessment/appeals/{appeal.pk}/decide/", {"action": "uphold", "decision": "核实", "corrected_value": "90"})
    current = Result.objects.get(target=result.target, current=True)
    assert current.number == 2 and current.total > result.total
    body = client.get(f"/assessment/results/{current.pk}/").content.decode()
    assert "结果历史" in body and "申诉改正" in body
    assert client.get(f"/assessment/results/{current.pk}/pdf/")["Content-Type"] == "application/pdf"
    client.post(f"/assessment/rounds/{s['round'].pk}/publish/")
    client.logout()
    public = client.get("/assessment/public/").content.decode()
    assert "2026年度" in public and str(current.total) in public


def test_a_third_party_assessor_reaches_only_assigned_objects(client, world, computed):
    s = computed
    client.force_login(s["assessor"])
    mine, other = s["targets"][world.community.code], s["targets"][world.other_community.code]
    assert "第三方评估" in client.get(f"/assessment/targets/{mine.pk}/").content.decode()
    assert client.get(f"/assessment/targets/{other.pk}/").status_code == 404
    client.post(f"/assessment/targets/{mine.pk}/", {"indicator": s["ind"]["第三方评估"].pk, "value": "91",
                                                    "evidence": "复评"})
    assert mine.scores.get(indicator=s["ind"]["第三方评估"]).value == 91


def test_the_survey_page_shows_who_was_sampled_never_what_they_answered(client, world, computed):
    s = computed
    survey = s["round"].surveys.get()
    client.force_login(s["staff"])
    body = client.get(f"/assessment/surveys/{survey.pk}/").content.decode()
    assert "应答率 75.0%" in body and "抽样种子 7" in body
    assert "非常满意" in body  # the entry form's choices for the one person who has not answered
    assert body.count("已答复（") == 3


def test_a_community_draws_its_sample_from_the_district_round_page(client, world, make_user):
    manager = make_user(Role.DISTRICT_MANAGER, world.district.code)
    scheme = services.scheme_save(actor=manager, district_code=world.district.code, name="年度社区考核",
                                  object_kind="community", year=2026, indicators=COMMUNITY_SCHEME)
    rnd = services.round_create(actor=manager, scheme=scheme, name="2026年度", period_start=START, period_end=END)
    _persons(world.grid.code, 5)
    staff = make_user(Role.COMMUNITY_STAFF, world.community.code)
    client.force_login(staff)
    assert "分网格随机抽样" in client.get(f"/assessment/rounds/{rnd.pk}/").content.decode()
    resp = client.post(f"/assessment/rounds/{rnd.pk}/surveys/", {"community": world.community.code, "per_grid": 3,
                                                                  "seed": 5})
    survey = rnd.surveys.get()
    assert resp.status_code == 302 and survey.members.count() == 3 and survey.seed == 5
    other = make_user(Role.COMMUNITY_STAFF, world.other_community.code)
    client.force_login(other)
    client.post(f"/assessment/rounds/{rnd.pk}/surveys/", {"community": world.community.code, "per_grid": 3})
    assert rnd.surveys.count() == 1


def test_a_sampled_resident_answers_online_once(client, world, make_user):
    manager = make_user(Role.DISTRICT_MANAGER, world.district.code)
    scheme = services.scheme_save(actor=manager, district_code=world.district.code, name="年度社区考核",
                                  object_kind="community", year=2026, indicators=COMMUNITY_SCHEME)
    rnd = services.round_create(actor=manager, scheme=scheme, name="2026年度", period_start=START, period_end=END)
    resident = make_user(Role.RESIDENT, world.grid.code)
    person = _persons(world.grid.code, 1)[0]
    person.user = resident
    person.save(update_fields=["user"])
    staff = make_user(Role.COMMUNITY_STAFF, world.community.code)
    survey = services.survey_draw(actor=staff, round_=rnd, community_code=world.community.code, per_grid=1, seed=1)
    member = survey.members.get()
    client.force_login(resident)
    assert "您对本社区工作的总体满意度" in client.get("/assessment/my/").content.decode()
    client.post(f"/assessment/samples/{member.pk}/answer/online/", {"satisfaction": "5", "channel": "online"})
    assert member.answer.channel == "online" and member.answer.satisfaction == 5
    assert "目前没有需要您答复的测评" in client.get("/assessment/my/").content.decode()
    other = make_user(Role.RESIDENT, world.grid.code)
    client.force_login(other)
    assert client.post(f"/assessment/samples/{member.pk}/answer/online/", {"satisfaction": "1"}).status_code == 404
