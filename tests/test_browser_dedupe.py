"""Browser stories at phone width for the duplicate engine: a resident about to report sees the existing case in
full and follows it instead of filing (no new case; they are a follower); a resident about to propose sees the
existing topic; the governance committee merges two topics and the supporters move, each person once."""

import os
import re

import pytest

from shanzhi.cases.models import Case, CaseFollower
from shanzhi.cases.testing import make_case, make_category
from shanzhi.consultation import services as s
from shanzhi.consultation.models import Support, Topic
from shanzhi.consultation.tests.conftest import Env
from shanzhi.core.roles import Role
from shanzhi.core.testing import PASSWORD, make_user
from tests import a11y

SHOTS = os.path.join(os.path.dirname(os.path.dirname(__file__)), "var", "screenshots", "dedupe")


def _go(page, url):
    page.goto(url)
    page.wait_for_load_state("networkidle")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_resident_follows_the_existing_case_instead_of_filing(browser_page, world):
    os.makedirs(SHOTS, exist_ok=True)
    cat = make_category(code="light", name="路灯损坏")
    neighbour = make_user(Role.RESIDENT, world.grid.code, username="zhao")
    existing = make_case(world.grid.code, actor=neighbour, category=cat, channel="resident",
                         title="3号楼楼道灯坏了", description="3号楼二单元楼道灯不亮一个星期了，晚上上下楼看不见",
                         address="3号楼二单元")
    Case.objects.filter(pk=existing.pk).update(publish_consent=True)
    make_user(Role.RESIDENT, world.grid.code, username="wu", display_name="吴居民")
    before = Case.objects.count()

    res = browser_page("phone")
    res.login("wu", PASSWORD)
    _go(res, "/cases/report/")
    res.select_option("#id_category", label="路灯损坏")
    res.select_option("#id_region_code", value=world.grid.code)
    res.fill("#id_title", "三号楼楼道灯不亮")
    res.fill("#id_description", "楼道里灯坏了，晚上很黑")
    card = res.locator("[data-testid=similar-case]")
    card.wait_for()
    text = card.inner_text()
    assert "3号楼楼道灯坏了" in text and "晚上上下楼看不见" in text and existing.number in text
    assert "3号楼二单元" in text and "玺园" in text  # address (consented) and the place
    card.scroll_into_view_if_needed()
    assert a11y.axe_violations(res) == [] and a11y.structure_problems(res) == []  # the box as shown, not only empty
    res.shot("dedupe/case-similar")
    res.click("[data-testid=follow-case]")
    res.wait_for_url(re.compile(rf"/cases/mine/{existing.pk}/$"))
    assert "已关注民情" in res.content()
    res.shot("dedupe/case-followed")
    assert Case.objects.count() == before  # nothing filed
    wu = existing.followers.get().user
    assert wu.username == "wu" and CaseFollower.objects.filter(case=existing).count() == 1
    _go(res, "/cases/mine/")
    assert existing.number in res.content()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_proposer_sees_the_topic_and_committee_merges_two(browser_page, world):
    env = Env(world, residents=6)
    env.rule("public_space", support_mode="absolute", support_value=10)

    def propose(actor, title, description):
        return s.topic_create(actor=actor, community_code=env.code, matter_type="public_space", title=title,
                              description=description, building_ids=[env.building.pk])

    a = propose(env.residents[0], "1栋门前绿地改停车位", "楼下停车难，晚上车都停到消防通道上")
    for i in (1, 2):
        s.support_online(actor=env.residents[i], topic=a)

    # a resident about to propose the same thing sees it in full
    res = browser_page("phone")
    res.login(env.residents[3].username, PASSWORD)
    _go(res, "/consultation/new/")
    res.fill("input[name=title]", "门前绿地改建停车位")
    res.fill("textarea[name=description]", "停车太难")
    card = res.locator("[data-testid=similar-topic]")
    card.wait_for()
    assert "1栋门前绿地改停车位" in card.inner_text() and "消防通道" in card.inner_text()
    card.scroll_into_view_if_needed()
    assert a11y.axe_violations(res) == [] and a11y.structure_problems(res) == []
    res.shot("dedupe/topic-similar")

    # …but proposes anyway; two residents support both
    b = propose(env.residents[3], "门前绿地改建停车位", "停车太难")
    for i in (1, 4):
        s.support_online(actor=env.residents[i], topic=b)
    assert Topic.objects.get(pk=a.pk).support_count == 3 and Topic.objects.get(pk=b.pk).support_count == 3

    member = browser_page("phone")
    member.login(env.committee.username, PASSWORD)
    _go(member, f"/consultation/topics/{a.pk}/")
    form = member.locator("form:has(button[data-action=merge])")
    options = form.locator("select[name=target] option").all_inner_texts()
    assert options[0] == "门前绿地改建停车位"  # the most similar is offered first
    form.locator("select[name=target]").select_option(str(b.pk))
    form.locator("input[name=reason]").fill("与另一议题相同")
    form.scroll_into_view_if_needed()
    member.shot("dedupe/topic-merge-form")
    form.locator("button[data-action=merge]").click()
    member.wait_for_load_state("networkidle")
    assert "已并入" in member.content() and f"/consultation/topics/{b.pk}/" in member.content()
    member.shot("dedupe/topic-merged")
    b.refresh_from_db()
    people = list(Support.objects.filter(topic=b).values_list("person_id", flat=True))
    assert sorted(people) == sorted({env.persons[i].pk for i in (0, 1, 2, 3, 4)})  # residents[1] once
    assert b.support_count == 5 and Topic.objects.get(pk=a.pk).merged_into_id == b.pk
    _go(member, f"/consultation/topics/{b.pk}/")
    assert "并入重复议题" in member.content()
    member.shot("dedupe/topic-survivor")
