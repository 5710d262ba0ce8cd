"""Go-live, the residents' half (issue 13), in Debian Chromium: from an empty database (migrate only, no demo)
the street is set up and configured through the pages (tests/golive.py), then

- a resident registers on a phone (375 px) with the code the development SMS backend received, binds to the
  registry by name and ID number, reports a 燃气隐患 — it routes to the body the street configured — the body's
  staff handle it from their to-do list, and the resident confirms and rates it from theirs;
- a second resident supports a topic and redeems carried-over points in the 爱心超市.

Screenshots at 375 and 1280 px in test-artifacts/; the steps are counted and printed.
"""

import re

import pytest

from shanzhi.accounts.models import User
from shanzhi.cases.models import Case
from shanzhi.consultation.models import Support
from shanzhi.ledger.choices import Ledger
from shanzhi.ledger.services import points_award
from shanzhi.notifications.sms import outbox, outbox_clear
from shanzhi.portal.testing import valid_id_number
from shanzhi.registry import services as registry
from shanzhi.registry.models import Person
from shanzhi.volunteering.models import Order
from tests.golive import COMMUNITY, GRID, PASSWORD, configure_street, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RESIDENT_PASSWORD = "Shijing-2026-home"


def _registry(story, n: int = 30) -> list[tuple[str, str]]:
    """The grid worker's registry of 施井第1网格 (what an office imports): one building, `n` adults in their
    households. Returns (name, ID number) pairs. Written through the registry's services."""
    worker = User.objects.get(username=story.users["grid_worker"])
    building = registry.building_create(actor=worker, region_code=GRID, name="3栋", floors=6)
    people = []
    for i in range(n):
        dwelling = registry.dwelling_create(actor=worker, building=building, room=f"{i // 4 + 1}0{i % 4 + 1}")
        household = registry.household_create(actor=worker, household_number=f"SJ{i:04d}", dwelling=dwelling)
        name, number = f"施{'一二三四五六七八九十'[i % 10]}{i}", valid_id_number(f"19{60 + i % 30}0101")
        registry.person_create(actor=worker, name=name, dwelling=dwelling, household=household, id_number=number,
                               relation_to_head="head")
        people.append((name, number))
    return people


def _sign_up(page, phone: str, name: str, id_number: str, story, who: str) -> None:
    page.goto("/accounts/login/")
    page.click("[data-testid=register-link]")
    page.fill("input[name=phone]", phone)
    with page.expect_navigation():
        page.click("[data-testid=send-code]")
    story.step(f"{who}: 手机号获取验证码")
    code = re.search(r"验证码是 (\d{6})", outbox(phone)[-1].text).group(1)  # the development SMS backend
    page.fill("input[name=code]", code)
    page.fill("input[name=password1]", RESIDENT_PASSWORD)
    page.fill("input[name=password2]", RESIDENT_PASSWORD)
    with page.expect_navigation():
        page.click("[data-testid=register]")
    story.step(f"{who}: 输入验证码、设置密码")
    assert "/me/bind/" in page.url
    page.fill("input[name=name]", name)
    page.fill("input[name=id_number]", id_number)
    page.select_option("select[name=community]", COMMUNITY)
    with page.expect_navigation():
        page.click("[data-testid=bind]")
    story.step(f"{who}: 实名认证")
    assert "实名认证成功" in page.inner_text("body")


def _act(page, action: str, story, what: str, **fields) -> None:
    form = page.locator(f"form:has(button[data-action={action}])")
    for name, value in fields.items():
        form.locator(f"[name={name}]").fill(value)
    with page.expect_navigation():
        form.locator(f"button[data-action={action}]").click()
    story.step(what)


def _follow_todo(page, key_prefix: str, story, what: str) -> int:
    page.goto("/")
    todo = page.locator(f"[data-todo^='{key_prefix}']").first
    count = int(todo.get_attribute("data-count"))
    with page.expect_navigation():
        todo.click()
    story.step(what)
    return count


def _open(page, href: str, story, what: str) -> None:
    """Follow the link to `href` on the current page (a list row)."""
    with page.expect_navigation():
        page.locator(f"a[href='{href}']").first.click()
    story.step(what)


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_residents_register_bind_report_and_take_part(browser_page, tmp_path):
    outbox_clear()
    story = configure_street(browser_page, tmp_path, viewport="phone")
    configured_steps = len(story.steps)
    people = _registry(story)
    manager = story.page  # the street manager's verified session (a second sign-in would replay the TOTP code)

    # --- resident A on a phone: register, bind, report ---------------------------------------------------------
    a = browser_page("phone")
    name_a, id_a = people[0]
    _sign_up(a, "13951001001", name_a, id_a, story, "居民A")
    _no_sideways_scroll(a)
    shot(a, "golive-resident-home", "phone")
    a.goto("/cases/report/")
    a.select_option("select[name=category]", index=1)
    a.fill("input[name=title]", "楼道里有燃气味")
    a.fill("textarea[name=description]", "3栋一单元楼道闻到燃气味，请尽快查看")
    with a.expect_navigation():
        a.click(".page-body form[method=post] button[type=submit]")
    story.step("居民A: 反映问题")
    first_case_step = len(story.steps)
    case = Case.objects.get()
    assert case.reporter_user.person.name == name_a and case.region_code == GRID
    shot(a, "golive-case-reported", "phone")

    # --- the street: accept from the to-do list, dispatch to the routed body ----------------------------------------
    assert _follow_todo(manager, "cases.reported", story, "街道: 待办“待受理”") == 1
    _open(manager, f"/cases/{case.pk}/", story, "街道: 打开民情")
    _act(manager, "accept", story, "街道: 受理")
    body = manager.locator("form:has(button[data-action=dispatch]) select[name=body] option:checked").inner_text()
    assert "曲江街道安监科" in body  # the routing rule the street configured picked the body
    _act(manager, "dispatch", story, "街道: 派遣")
    case.refresh_from_db()
    assert case.state == "dispatched" and case.assignments.get(active=True).body.name == "曲江街道安监科"
    routed_step = len(story.steps)

    # --- the body's staff handle it from their to-do list --------------------------------------------------------
    staff = browser_page("phone")
    staff.login(story.users["handling_body_staff"], PASSWORD)
    assert _follow_todo(staff, "cases.dispatched", story, "承办单位: 待办“待开始处置”") == 1
    shot(staff, "golive-body-todo-list", "phone")
    _open(staff, f"/cases/{case.pk}/", story, "承办单位: 打开民情")
    _act(staff, "start", story, "承办单位: 开始处置")
    _act(staff, "complete", story, "承办单位: 办结", note="已关闭总阀并更换老化软管，复测无泄漏")
    shot(staff, "golive-body-completed", "phone")

    # --- resident A confirms; the street feeds back; resident A rates from the to-do list ---------------------------
    _follow_todo(a, "cases.mine", story, "居民A: 待办“请确认是否解决”")
    with a.expect_navigation():
        a.click("[data-testid=confirm]")
    story.step("居民A: 确认已解决")
    manager.goto(f"/cases/{case.pk}/")
    _act(manager, "feedback", story, "街道: 反馈上报人", note="已处置完毕，感谢您的反映")
    a.goto("/")
    assert "已办结，请评价" in a.inner_text("[data-testid=todos]")
    shot(a, "golive-resident-todo-rate", "phone")
    _follow_todo(a, "cases.mine", story, "居民A: 待办“请评价”")
    with a.expect_navigation():
        a.click("[data-testid=rate]")
    story.step("居民A: 评价")
    case.refresh_from_db()
    assert case.state == "rated" and case.ratings.get().score == 5
    shot(a, "golive-case-rated", "phone")

    # --- resident A proposes a topic; resident B supports it and redeems points -------------------------------------
    a.goto("/consultation/new/")
    a.select_option("select[name=matter_type]", "public_space")
    a.fill("input[name=title]", "3栋门前空地改建休闲座椅")
    a.fill("textarea[name=description]", "老人多，没地方坐")
    with a.expect_navigation():
        a.click(".page-body form[method=post] button[type=submit]")
    story.step("居民A: 提出议题")

    b = browser_page("phone")
    name_b, id_b = people[1]
    _sign_up(b, "13951001002", name_b, id_b, story, "居民B")
    person_b = Person.objects.get(name=name_b)
    points_award(actor=User.objects.get(username="jiedao"), ledger=Ledger.VOLUNTEER, person=person_b, amount=150,
                 idempotency_key=f"carried-over:{person_b.pk}", memo="上年度志愿服务积分结转")
    b.goto("/")
    assert "等待您附议" in b.inner_text("[data-testid=todos]")
    _follow_todo(b, "consultation.support", story, "居民B: 待办“等待您附议”")
    b.click("text=3栋门前空地改建休闲座椅")
    with b.expect_navigation():
        b.click("[data-testid=support]")
    story.step("居民B: 附议")
    assert Support.objects.filter(person=person_b).exists()
    shot(b, "golive-topic-supported", "phone")
    b.goto("/volunteering/store/")
    with b.expect_navigation():
        b.click("form[action*='/order/'] button")
    story.step("居民B: 爱心超市兑换")
    assert "兑换成功" in b.inner_text("body")
    assert Order.objects.filter(person=person_b, state="frozen").exists()
    _no_sideways_scroll(b)
    shot(b, "golive-store-redeemed", "phone")

    # --- the same pages at desk width -------------------------------------------------------------------------------
    desk = browser_page("desktop")
    desk.login("13951001001", RESIDENT_PASSWORD)  # residents sign in with their phone number
    for url, name in (("/", "golive-resident-home"), (f"/cases/mine/{case.pk}/", "golive-case-rated"),
                      ("/me/household/", "golive-resident-household")):
        desk.goto(url)
        shot(desk, name, "desktop")
    staff.set_viewport_size({"width": 1280, "height": 800})
    staff.goto("/")
    shot(staff, "golive-body-home", "desktop")

    print(f"\ngo-live: {configured_steps} steps to a configured street, {first_case_step} to the first reported case, "
          f"{routed_step} to the first case routed to 曲江街道安监科 (the routing rule preselects the body), "
          f"{len(story.steps)} in the whole story")
    for s in story.steps[configured_steps:]:
        print("  -", s)
