"""The 项目化 story in a browser: a community need → a call → an organisation applies on a phone (375 px) → two
reviewers (one declares a conflict and steps aside, the other scores) → approved → contract → a deliverable
accepted → payment → a volunteer activity under the project → third-party evaluation → the project and its
payment on the public 阳光五务 page after the second person's review. Screenshots in test-artifacts/."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from shanzhi.core.roles import Role
from shanzhi.core.testing import PASSWORD, make_user, verified_login
from shanzhi.disclosure.models import DisclosureEntry
from shanzhi.organisations.models import Organisation
from shanzhi.organisations.testing import make_org_staff
from shanzhi.projects.models import Application, Evaluation, Payment, Project
from shanzhi.volunteering.models import Activity

ARTIFACTS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "test-artifacts")


def _go(page, url):
    page.goto(url)
    page.wait_for_load_state("networkidle")


def _shot(page, name):
    os.makedirs(ARTIFACTS, exist_ok=True)
    page.screenshot(path=os.path.join(ARTIFACTS, f"projects-{name}.png"), full_page=True)


def _submit(page, selector):
    page.click(selector)
    page.wait_for_load_state("networkidle")


def _login(browser_page, user, viewport="desktop"):
    page = browser_page(viewport)
    page.login(user.username, PASSWORD)
    return page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_project_story(browser_page, world, live_server):
    community = make_user(Role.COMMUNITY_STAFF, world.community.code)
    secretary = make_user(Role.COMMUNITY_SECRETARY, world.community.code)
    street = make_user(Role.STREET_MANAGER, world.street.code)
    reviewer_conflicted = make_user(Role.COMMUNITY_SECRETARY, world.community.code, username="reviewer-a")
    reviewer = make_user(Role.THIRD_PARTY_ASSESSOR, world.district.code, username="reviewer-b")
    assessor = make_user(Role.THIRD_PARTY_ASSESSOR, world.district.code, username="assessor-c")
    org = Organisation.objects.create(region_code=world.street.code, name="曲江为老服务中心", kind="service_inst",
                                      legal_rep="钱某", grade=3)
    org_staff = make_org_staff(org)

    # a community need
    staff_page = _login(browser_page, community)
    _go(staff_page, "/projects/needs/")
    staff_page.fill("input[name=title]", "独居老人助餐")
    staff_page.fill("textarea[name=description]", "玺园社区 80 岁以上独居老人 46 人，午餐无人照应")
    _submit(staff_page, "form button.btn-primary")
    assert "独居老人助餐" in staff_page.content()

    # the street sets up a programme and publishes a call answering the need
    manager = browser_page("desktop")
    client = Client()
    verified_login(client, street)
    manager.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                                  "url": live_server.url}])
    _go(manager, "/projects/programmes/")
    manager.fill("input[name=name]", "2026 年政府购买为老服务")
    manager.select_option("select[name=kind]", "purchase")
    manager.fill("input[name=year]", "2026")
    manager.fill("input[name=budget_yuan]", "300000")
    _submit(manager, "form button.btn-primary")
    today = timezone.localdate()
    manager.fill("input[name=title]", "长者助餐服务项目征集")
    manager.fill("input[name=opens_on]", today.isoformat())
    manager.fill("input[name=closes_on]", (today + timedelta(days=20)).isoformat())
    manager.fill("input[name=max_amount_yuan]", "80000")
    manager.select_option("select[name=min_grade]", "2")
    manager.check("input[name=needs]")
    _shot(manager, "1-call")
    _submit(manager, "form button.btn-primary")
    assert "长者助餐服务项目征集" in manager.content()

    # the organisation applies on a phone
    phone = _login(browser_page, org_staff, "phone")
    _go(phone, "/projects/")
    _submit(phone, "a.btn.btn-sm.btn-primary")
    phone.fill("input[name=title]", "长者食堂助餐")
    phone.fill("textarea[name=objectives]", "让 46 位独居老人每天吃上热饭")
    phone.fill("textarea[name=activities]", "每日送餐、每周探访、节日聚餐")
    phone.fill("textarea[name=budget]", "餐费补贴 50000\n人员劳务 20000")
    phone.fill("input[name=target_beneficiaries]", "46")
    phone.fill("textarea[name=answer_team]", "项目主管 1 名，持证社工 2 名")
    _shot(phone, "2-apply-phone")
    _submit(phone, "form button.btn-primary")
    app = Application.objects.get(title="长者食堂助餐")
    assert app.amount_fen == 70_000_00 and phone.url.endswith(f"/projects/applications/{app.pk}/")
    _shot(phone, "3-applied-phone")

    # the manager assigns two reviewers
    _go(manager, f"/projects/applications/{app.pk}/")
    manager.check(f"input[name=reviewers][value='{reviewer_conflicted.pk}']")
    manager.check(f"input[name=reviewers][value='{reviewer.pk}']")
    _submit(manager, "form:has(input[value=assign]) button")
    # one declares a conflict and steps aside
    rc = _login(browser_page, reviewer_conflicted)
    _go(rc, f"/projects/reviews/{app.reviews.get(reviewer=reviewer_conflicted).pk}/")
    rc.select_option("select[name=conflict]", "yes")
    rc.fill("input[name=conflict_note]", "本人为该组织理事")
    _submit(rc, "form button.btn-primary")
    assert "已回避" in rc.content()
    # the other scores
    rv = _login(browser_page, reviewer)
    _go(rv, f"/projects/reviews/{app.reviews.get(reviewer=reviewer).pk}/")
    rv.select_option("select[name=conflict]", "no")
    _submit(rv, "form button.btn-primary")
    for name, value in (("need", "27"), ("design", "25"), ("capacity", "18"), ("budget", "16")):
        rv.fill(f"input[name={name}]", value)
    rv.fill("textarea[name=comment]", "需求明确，预算合理")
    _shot(rv, "4-review")
    _submit(rv, "form button.btn-primary")

    # approved, then the contract
    _go(manager, f"/projects/applications/{app.pk}/")
    manager.select_option("select[name=decision]", "approve")
    manager.fill("input[name=reason]", "评审 86 分，排名第一")
    _submit(manager, "form:has(input[value=determine]) button")
    manager.fill("input[name=contract_no]", "QJ-2026-001")
    manager.fill("input[name=ends_on]", (today + timedelta(days=180)).isoformat())
    for i, (title, deliverable, amount) in enumerate((("启动", "服务方案", "30000"), ("结项", "结项报告", "40000")), 1):
        manager.fill(f"input[name=m{i}_title]", title)
        manager.fill(f"input[name=m{i}_deliverable]", deliverable)
        manager.fill(f"input[name=m{i}_due]", today.isoformat())
        manager.fill(f"input[name=m{i}_yuan]", amount)
    _shot(manager, "5-contract")
    _submit(manager, "form:has(input[value=contract]) button")
    project = Project.objects.get(contract_no="QJ-2026-001")
    assert manager.url.endswith(f"/projects/projects/{project.pk}/")

    # the organisation starts, delivers; the community accepts; the organisation asks for the instalment
    _go(phone, f"/projects/projects/{project.pk}/")
    _submit(phone, "form:has(input[value=start]) button")
    phone.fill("textarea[name=report]", "服务方案已完成，46 位老人建档")
    _submit(phone, "form:has(input[value=submit]) button")
    _go(staff_page, f"/projects/projects/{project.pk}/")
    staff_page.fill("input[name=reason]", "方案完整")
    _submit(staff_page, "button[value=accept]")
    _go(phone, f"/projects/projects/{project.pk}/")
    _submit(phone, "form:has(input[value=request]) button")
    _shot(phone, "6-project-phone")
    # the manager releases it on the ledger
    _go(manager, f"/projects/projects/{project.pk}/")
    _submit(manager, "button[value=release]")
    assert "30,000.00" in manager.text_content("[data-testid=paid]")
    assert Payment.objects.get(project=project).state == "released"

    # a volunteer activity under the project
    _go(staff_page, f"/projects/projects/{project.pk}/")
    staff_page.fill("input[name=title]", "助餐志愿送餐")
    staff_page.fill("input[name=place]", "玺园社区长者食堂")
    staff_page.fill("input[name=starts_at]", (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT10:00"))
    _submit(staff_page, "form:has(input[value=activity]) button")
    assert Activity.objects.filter(title="助餐志愿送餐", project_link__project=project).exists()

    # third-party evaluation
    _go(manager, f"/projects/projects/{project.pk}/")
    manager.select_option("select[name=kind]", "final")
    manager.select_option("select[name=assessor]", str(assessor.pk))
    _submit(manager, "form:has(input[value=evaluation]) button")
    ev = Evaluation.objects.get(project=project)
    ap = _login(browser_page, assessor)
    _go(ap, f"/projects/evaluations/{ev.pk}/")
    for name, value in (("delivery", "37"), ("quality", "27"), ("money", "18"), ("satisfaction", "9")):
        ap.fill(f"input[name={name}]", value)
    ap.fill("input[name=survey_satisfaction]", "94")
    ap.fill("textarea[name=comment]", "目标达成，老人满意")
    _shot(ap, "7-evaluation")
    _submit(ap, "form button.btn-primary")
    project.refresh_from_db()
    assert project.state == "final"

    # 阳光五务: the second person (the community secretary) reviews the two entries; then public
    sec = _login(browser_page, secretary)
    for entry in DisclosureEntry.objects.filter(region_code=world.community.code, state="submitted"):
        _go(sec, f"/public/manage/{entry.pk}/")
        _submit(sec, "button[data-action=approve]")
    assert DisclosureEntry.objects.filter(region_code=world.community.code, state="published").count() == 2
    public = browser_page("phone")
    _go(public, f"/public/?c={world.community.code}&cat=services")
    assert "长者食堂助餐" in public.content()
    _shot(public, "8-disclosure-services-phone")
    finance = DisclosureEntry.objects.get(region_code=world.community.code, category="finance")
    _go(public, f"/public/?c={world.community.code}&entry={finance.pk}")
    assert "30000" in public.text_content("[data-testid=ledger]").replace(",", "")
    _shot(public, "9-disclosure-payment-phone")
    _go(public, f"/projects/public/?street={world.street.code}")
    assert "长者食堂助餐" in public.content() and "曲江为老服务中心" in public.content()
    _shot(public, "10-public-street-phone")
