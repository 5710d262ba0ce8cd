"""社区准入 and 考核 in Debian Chromium: a department's unlisted 台账 is rejected by the district's review, a listed
协助 item without funding is refused by the form and reaches the community with it; an assessment round runs with
a sampled resident survey, a third-party score and computed indicators; a community appeals one indicator and wins;
the results are published. Screenshots at 375 and 1280 px in test-artifacts/."""

import os
from datetime import date, timedelta

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from shanzhi.admission import services as adm
from shanzhi.admission.models import Delivery, WorkItem
from shanzhi.assessment import services as ass
from shanzhi.assessment.models import Result
from shanzhi.assessment.tests.test_assessment import FIGURES
from shanzhi.core.roles import Role
from shanzhi.core.testing import PASSWORD, make_user
from shanzhi.registry.models import Person

ARTIFACTS = os.path.join(os.path.dirname(os.path.dirname(__file__)), "test-artifacts")


def _shot(page, name):
    os.makedirs(ARTIFACTS, exist_ok=True)
    page.screenshot(path=os.path.join(ARTIFACTS, f"admission-{name}-{page.viewport_size['width']}.png"),
                    full_page=True)


def _go(page, url):
    page.goto(url)
    page.wait_for_load_state("networkidle")


def _submit(page, selector):
    page.click(selector)
    page.wait_for_load_state("networkidle")


def _manager_login(page, user, device):
    page.login(user.username, PASSWORD)
    page.fill("input[name=token]", f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=6):06d}")
    _submit(page, ".page-body button[type=submit]")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_admission_and_assessment_story(browser_page, world):
    manager = make_user(Role.DISTRICT_MANAGER, world.district.code, username="zhoukezhang")
    device = TOTPDevice.objects.create(user=manager, name="phone", confirmed=True)
    sender = make_user(Role.HANDLING_BODY_STAFF, world.street.code, username="chengguanke")
    staff = make_user(Role.COMMUNITY_STAFF, world.community.code, username="zhangshegong")
    assist = adm.list_create(actor=manager, district_code=world.district.code, kind="assist")
    funded = adm.list_item_add(actor=manager, lst=assist, name="高龄津贴申领初审", legal_basis="江苏省老年人权益保障条例",
                               department="区民政局", funding_required=True)
    adm.list_publish(actor=manager, lst=assist)
    dept = adm.department_create(actor=manager, region_code=world.street.code, name="曲江街道社会事务科",
                                 kind="street_section", members=[sender])
    deadline = (date.today() + timedelta(days=14)).isoformat()

    # a department tries to push an unlisted 台账
    dep = browser_page("desktop")
    dep.login(sender.username, PASSWORD)
    _go(dep, "/admission/push/")
    dep.select_option("select[name=kind]", "ledger")
    dep.fill("input[name=title]", "创卫工作台账（10本）")
    dep.fill("input[name=deadline]", deadline)
    dep.check(f"input[name=communities][value='{world.community.code}']")
    _submit(dep, "[data-testid=push-submit]")
    assert "待准入审核" in dep.text_content("[data-testid=item-state]")
    item = WorkItem.objects.get(title="创卫工作台账（10本）")

    # the district's review rejects it, with a reason; no community ever saw it
    mgr = browser_page("desktop")
    _manager_login(mgr, manager, device)
    _go(mgr, f"/admission/items/{item.pk}/")
    mgr.fill("input[name=reason]", "与创卫系统数据重复，不予准入")
    _submit(mgr, "[data-testid=reject]")
    assert "准入驳回" in mgr.text_content("[data-testid=item-state]")
    _shot(mgr, "1-rejected")
    assert not Delivery.objects.exists()

    # a listed 协助 item without funding is refused by the form (phone)
    dph = browser_page("phone")
    dph.login(sender.username, PASSWORD)
    _go(dph, "/admission/push/")
    dph.select_option("select[name=kind]", "report")
    dph.fill("input[name=title]", "高龄津贴申领名册")
    dph.select_option("select[name=list_item]", str(funded.pk))
    dph.fill("input[name=deadline]", deadline)
    dph.check(f"input[name=communities][value='{world.community.code}']")
    _submit(dph, "[data-testid=push-submit]")
    assert "须费随事转：请填写随事经费金额" in dph.inner_text("body")
    _shot(dph, "2-funding-refused")
    assert WorkItem.objects.filter(title="高龄津贴申领名册").count() == 0

    # with the money it reaches the community at once
    dph.fill("input[name=funding_amount]", "3000")
    dph.fill("input[name=funding_source]", "区级财政专项")
    dph.check(f"input[name=communities][value='{world.community.code}']")
    _submit(dph, "[data-testid=push-submit]")
    assert "已下派" in dph.text_content("[data-testid=item-state]")
    com = browser_page("phone")
    com.login(staff.username, PASSWORD)
    _go(com, "/admission/")
    row = com.text_content("[data-testid=delivery-row]")
    assert "高龄津贴申领名册" in row and "曲江街道社会事务科" in row
    _shot(com, "3-community-inbox")
    assert dept.pk
    _go(com, "/admission/dashboard/")  # 减负 monitor: this month's items against last month's, a rise flagged
    assert "报表" in com.text_content("[data-testid=burden-table]")
    assert com.locator("[data-testid=burden-warning]").count() == 1
    _shot(com, "3-burden-dashboard")

    # an assessment round: residents 50 %, a computed figure, the platform's 准入 figure, a third party
    FIGURES.clear()
    FIGURES.update({world.community.code: 80, world.other_community.code: 95})
    scheme = ass.scheme_save(actor=manager, district_code=world.district.code, name="年度社区综合考核",
                             object_kind="community", year=date.today().year, indicators=[
                                 {"name": "居民满意度", "weight": "50", "source": "survey"},
                                 {"name": "按时办结率", "weight": "20", "source": "computed",
                                  "indicator_key": "test.on_time_rate", "best": "100", "worst": "60"},
                                 {"name": "下派事项负担", "weight": "10", "source": "computed",
                                  "indicator_key": "admission.work_items", "best": "0", "worst": "10"},
                                 {"name": "第三方评估", "weight": "20", "source": "third_party"}])
    rnd = ass.round_create(actor=manager, scheme=scheme, name="年度社区考核",
                           period_start=date(date.today().year, 1, 1), period_end=date.today() + timedelta(days=1))
    for grid in (world.grid.code, world.grid2.code):
        for i in range(8):
            Person.objects.create(name=f"居民{grid[-1]}-{i}", region_code=grid, birth_date=date(1968, 5, 1))
    assessor = make_user(Role.THIRD_PARTY_ASSESSOR, world.district.code, username="pinggu")
    ass.assessor_assign(actor=manager, round_=rnd, assessor=assessor,
                        targets=[rnd.targets.get(region_code=world.community.code)], organisation="扬州社会评估中心")

    # the community draws its sample (stratified by grid, seed kept) and enters answers from calls and visits
    _go(com, f"/assessment/rounds/{rnd.pk}/")
    com.fill("input[name=per_grid]", "3")
    com.fill("input[name=seed]", "20261130")
    _submit(com, "[data-testid=draw]")
    for _ in range(5):
        form = com.locator("[data-testid=sample-row] form").first
        form.locator("select[name=satisfaction]").select_option("4")
        form.locator("select[name=channel]").select_option("phone")
        form.locator("button").click()
        com.wait_for_load_state("networkidle")
    assert "应答率 83.3%" in com.text_content("[data-testid=response-rate]")
    _shot(com, "4-survey")

    # the third party scores its assigned community only
    tp = browser_page("phone")
    tp.login(assessor.username, PASSWORD)
    _go(tp, "/assessment/")
    _submit(tp, "[data-testid=my-target]")
    tp.fill("input[name=value]", "86")
    tp.fill("textarea[name=evidence]", "实地查看服务阵地，随机访谈居民12人")
    _submit(tp, "button.btn-primary")
    assert "86" in tp.text_content("[data-testid=entered]")

    # the district computes: ranking with drill-down
    _go(mgr, f"/assessment/rounds/{rnd.pk}/")
    _submit(mgr, "[data-testid=compute]")
    assert mgr.locator("[data-testid=rank-row]").count() == 2
    _shot(mgr, "5-ranking")
    result = Result.objects.get(target__region_code=world.community.code, current=True)

    # the community appeals the on-time rate and wins; the old result stays in history
    _go(com, f"/assessment/results/{result.pk}/")
    com.select_option("select[name=indicator]", str(scheme.indicators.get(name="按时办结率").pk))
    com.fill("input[name=claimed_value]", "92")
    com.fill("textarea[name=reason]", "3件超期案件系区住建局承办，已附转办记录")
    _submit(com, "[data-testid=appeal-submit]")
    _go(mgr, f"/assessment/results/{result.pk}/")
    mgr.fill("input[name=decision]", "核实属实，超期责任不在社区")
    mgr.fill("input[name=corrected_value]", "92")
    _submit(mgr, "[data-testid=uphold]")
    assert mgr.locator("[data-testid=history]").count() == 2
    new = Result.objects.get(target__region_code=world.community.code, current=True)
    assert new.number == 2 and new.total > result.total
    assert new.total.to_eng_string() in mgr.text_content("[data-testid=total]")
    _shot(mgr, "6-appeal-upheld")

    # published; anyone sees the results on a phone
    _go(mgr, f"/assessment/rounds/{rnd.pk}/")
    _submit(mgr, "[data-testid=publish]")
    assert "已公布" in mgr.text_content("[data-testid=round-state]")
    pub = browser_page("phone")
    _go(pub, "/assessment/public/")
    assert pub.locator("[data-testid=public-row]").count() == 2
    _shot(pub, "7-public")
    _go(pub, f"/admission/public/?district={world.district.code}")
    assert "高龄津贴申领初审" in pub.inner_text("body")
    _shot(pub, "8-public-lists")
    desk = browser_page("desktop")
    _go(desk, "/assessment/public/")
    _shot(desk, "7-public")
