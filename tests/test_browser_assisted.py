"""代办参与 in Debian Chromium at 375 px (issue 22 item 1): a grid worker on a home visit starts an assisted session
for an elderly resident without a phone (identity checked by her ID number), supports a topic and rates her case
for her, prints the receipt; later the resident, once she has an account (her grandson set it up), binds it to
the registry, finds both acts under 代办记录 and disputes the support, which is withdrawn and the session flagged.
Screenshots in var/screenshots/assisted/."""

import os
from datetime import date

import pytest
from django.conf import settings

from shanzhi.assisted.models import AssistedSession
from shanzhi.cases.choices import State
from shanzhi.cases.models import Case, CaseRating
from shanzhi.cases.testing import make_case
from shanzhi.consultation.models import Support, Topic
from shanzhi.consultation.testing import topic_in
from shanzhi.core.roles import Role
from shanzhi.core.testing import PASSWORD, make_user, make_world
from shanzhi.portal.testing import valid_id_number
from shanzhi.registry.testing import household_in, person_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.path.join(settings.ROOT_DIR, "var", "screenshots", "assisted")


def _shot(page, name):
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SHOTS, f"{name}-375.png"), full_page=True)


def _submit(page, form_selector):
    with page.expect_navigation():
        page.locator(form_selector).locator("button[type=submit]").click()


def test_a_grid_worker_acts_for_an_elder_who_later_sees_and_disputes_it(browser_page):
    world = make_world()
    household = household_in(world.grid.code)
    elder_id = valid_id_number("19380305")
    elder = person_in(world.grid.code, household=household, name="周桂英", id_number=elder_id,
                      birth_date=date(1938, 3, 5))
    topic = topic_in(world.grid.code)
    Topic.objects.filter(pk=topic.pk).update(title="3栋加装电梯", supporters_needed=40)
    case = make_case(world.grid.code, reporter_person=elder, reporter_name=elder.name, title="楼道灯不亮")
    Case.objects.filter(pk=case.pk).update(state=State.FEEDBACK)
    make_user(Role.GRID_WORKER, world.grid.code, username="wangwei", display_name="王伟")

    # the grid worker, on a home visit, on a phone
    page = browser_page("phone")
    page.login("wangwei", PASSWORD)
    page.goto("/assisted/")
    form = "[data-testid=start-form]"
    page.fill(f"{form} [name=name]", "周桂英")
    page.fill(f"{form} [name=id_number]", valid_id_number("19380305"))  # a wrong number first
    page.check(f"{form} [name=confirm]")
    _submit(page, form)
    body = page.inner_text("main")
    assert "身份核验未通过" in body and "身份证号" not in body.split("身份核验未通过")[1][:40]
    _shot(page, "01-identity-refused")
    page.fill(f"{form} [name=name]", "周桂英")
    page.fill(f"{form} [name=id_number]", elder_id)
    page.check(f"{form} [name=confirm]")
    _submit(page, form)
    assert "身份核验通过" in page.inner_text("main") and "为周桂英代办" in page.inner_text("h1")
    _shot(page, "02-session-open")
    page.select_option("#support-target", str(topic.pk))
    _submit(page, "[data-testid=act-support] form")
    assert "已代为办理：附议议题：3栋加装电梯" in page.inner_text("main")
    page.select_option(f"#score-{case.pk}", "5")
    page.fill(f"#comment-{case.pk}", "灯修好了，谢谢")
    _submit(page, "[data-testid=act-rate] form")
    assert f"评价事项：{case.number}" in page.inner_text("[data-testid=assisted-actions]")
    _shot(page, "03-support-and-rating")
    with page.expect_navigation():
        page.click("[data-testid=receipt]")
    assert "代办回执" in page.inner_text("h1") and elder_id not in page.content()
    _shot(page, "04-receipt")
    session = AssistedSession.objects.get()
    assert Support.objects.get().person_id == elder.pk and CaseRating.objects.get().score == 5

    # later: the elder's grandson makes her an account; she binds it to the registry and looks at her history
    make_user(username="zhouguiying")
    page = browser_page("phone")
    page.login("zhouguiying", PASSWORD)
    page.goto("/me/bind/")
    page.fill("input[name=name]", "周桂英")
    page.fill("input[name=id_number]", elder_id)
    page.select_option("select[name=community]", world.community.code)
    _submit(page, "form[action='/me/bind/']")
    assert "实名认证成功" in page.inner_text("body")
    with page.expect_navigation():
        page.click("[data-testid=go-assisted]")
    history = page.inner_text("main")
    assert "3栋加装电梯" in history and case.number in history and "王伟" in history
    assert session.receipt_code in history
    _shot(page, "05-resident-history")
    support_form = page.locator("[data-testid=dispute-form]").first
    support_form.locator("[name=reason]").fill("我没有同意附议")
    with page.expect_navigation():
        support_form.locator("button").click()
    assert "附议已撤回" in page.inner_text("main")
    _shot(page, "06-disputed")
    assert not Support.objects.exists() and CaseRating.objects.count() == 1
    session.refresh_from_db()
    assert session.flagged and Topic.objects.get(pk=topic.pk).support_count == 0

    # the community secretary finds it in the review queue
    make_user(Role.COMMUNITY_SECRETARY, world.community.code, username="shuji")
    page = browser_page("phone")
    page.login("shuji", PASSWORD)
    page.goto("/assisted/review/")
    assert session.receipt_code in page.inner_text("[data-testid=review-queue]")
    _shot(page, "07-review-queue")
