"""The foundation in Debian Chromium: sign in through the form (with TOTP for a manager), browse the region
tree with breadcrumbs and the map, watch the progress bar, and save screenshots at desktop and phone width."""

import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from shanzhi.core.demo import DemoContext
from shanzhi.core.models import TaskProgress
from shanzhi.core.roles import Role
from shanzhi.core.testing import PASSWORD, make_user
from shanzhi.regions.demo import build

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_regions():
    ctx = DemoContext(stdout=lambda s: None)
    build(ctx=ctx)
    return ctx.data


def _map_drawn(page):
    page.wait_for_selector("#sz-map[data-ready='1']")
    return page.locator("#sz-map path.leaflet-interactive").count()


def test_login_page_and_denied_page(browser_page, demo_regions):
    for viewport in ("desktop", "phone"):
        page = browser_page(viewport)
        page.goto("/accounts/login/")
        assert page.locator("h2").first.inner_text() == "登录"
        page.shot("foundation-login")
    make_user(Role.GRID_WORKER, demo_regions["grids"][0], username="wangwei")
    page = browser_page("phone")
    page.goto("/accounts/login/")
    page.fill("input[name=username]", "wangwei")
    page.fill("input[name=password]", "Not-the-passw0rd")
    page.click("button[type=submit]")
    assert "用户名或密码错误" in page.inner_text(".alert-danger")
    page.shot("foundation-login-failed")
    page.login("wangwei", PASSWORD)
    page.goto("/accounts/users/")
    assert "无权访问" in page.inner_text("body")
    assert page.inner_text("[data-testid=reason]") == "您的角色不能使用此功能"
    page.shot("foundation-403")


def test_community_staff_browses_on_a_phone(browser_page, demo_regions):
    community, grid = demo_regions["communities"][0], demo_regions["grids"][0]
    make_user(Role.COMMUNITY_STAFF, community, username="zhangshe", display_name="张社工")
    page = browser_page("phone")
    page.login("zhangshe", PASSWORD)
    assert page.url.endswith("/")
    assert "我的工作范围" in page.inner_text("body") and "玺园社区" in page.inner_text("body")
    assert page.inner_text("[data-counter='regions.grids']").strip().isdigit()
    # a phone shows no horizontal scroll bar
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.shot("foundation-home")
    # the menu opens from the toggler
    page.click(".navbar-toggler")
    page.click("#sz-nav >> text=区域网格")
    page.wait_for_url(re.compile(rf"/regions/{community}/$"))
    assert _map_drawn(page) >= 10  # the community's outline and one polygon per grid
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.shot("foundation-community")
    page.click(f"#sz-children a[data-code='{grid}']")
    page.wait_for_url(re.compile(rf"/regions/{grid}/$"))
    crumbs = page.locator("[data-testid=breadcrumbs] li").all_inner_texts()
    assert crumbs == ["玺园社区", "玺园第1网格"]
    assert _map_drawn(page) == 1 and "网格是最小的区域单元" in page.inner_text("#sz-children")
    page.shot("foundation-grid")
    page.click("[data-testid=breadcrumbs] a")
    page.wait_for_url(re.compile(rf"/regions/{community}/$"))


def test_street_manager_signs_in_with_totp_and_browses_the_tree(browser_page, demo_regions):
    street, community, grid = demo_regions["street"], demo_regions["communities"][0], demo_regions["grids"][0]
    user = make_user(Role.STREET_MANAGER, street, username="zhaozhuren", display_name="赵主任")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    page = browser_page("desktop")
    page.login("zhaozhuren", PASSWORD)
    assert "/accounts/2fa/verify/" in page.url
    page.fill("input[name=token]", f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=6):06d}")
    page.click(".page-body button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "我的工作范围" in page.inner_text("body"), page.url
    page.goto("/regions/")
    page.wait_for_url(re.compile(rf"/regions/{street}/$"))
    assert _map_drawn(page) == 21  # the street's outline, 14 communities and 6 villages
    page.shot("foundation-street")
    page.click(f"#sz-children a[data-code='{community}']")
    page.wait_for_url(re.compile(rf"/regions/{community}/$"))
    assert page.locator("[data-testid=breadcrumbs] li").all_inner_texts() == ["曲江街道", "玺园社区"]
    page.click(f"#sz-children a[data-code='{grid}']")
    page.wait_for_url(re.compile(rf"/regions/{grid}/$"))
    assert page.locator("[data-testid=breadcrumbs] li").all_inner_texts() == ["曲江街道", "玺园社区", "玺园第1网格"]
    assert _map_drawn(page) == 1  # the grid itself, as the dashed outline
    page.shot("foundation-grid")

    # the progress bar polls the job and moves on to the report when it ends
    task = TaskProgress.objects.create(kind="regions.import", owner=user, state="running", total=10, done=4,
                                       message="正在检查…")
    page.goto(f"/imports/task/{task.pk}/")
    assert "40%" in page.inner_text("#import-status")
    page.shot("foundation-progress")
    TaskProgress.objects.filter(pk=task.pk).update(done=7)
    expect(page.locator("#import-status")).to_contain_text("70%")  # no string eval: the CSP forbids it
    TaskProgress.objects.filter(pk=task.pk).update(state="done", done=10, result={
        "kind": "regions", "dry_run": True, "rows": 10, "created": 9, "updated": 0, "unchanged": 0, "rejected": 1,
        "errors": [{"row": 4, "field": "代码", "message": "代码只能是数字：32100X"}], "filename": "区域.xlsx",
        "job": {"kind": "regions", "file_id": "", "region_code": "", "dry_run": True}})
    page.wait_for_selector("[data-testid=import-errors]")
    assert "第 4 行" in page.inner_text("[data-testid=import-errors]")
    page.shot("foundation-import-report")


def test_english_shell(browser_page, demo_regions):
    make_user(Role.COMMUNITY_STAFF, demo_regions["communities"][0], username="li")
    page = browser_page("phone")
    page.login("li", PASSWORD)
    page.select_option("footer select[name=language]", "en")  # choosing changes nothing by itself (WCAG 3.2.2)
    assert page.url.endswith("/")
    with page.expect_navigation():
        page.click("footer form button[type=submit]")
    assert "My scope" in page.inner_text("body")
    page.shot("foundation-home-en")


def test_two_factor_setup_on_a_phone(browser_page, demo_regions):
    user = make_user(Role.DISTRICT_MANAGER, demo_regions["district"], username="zhoukezhang")
    page = browser_page("phone")
    page.login("zhoukezhang", PASSWORD)
    assert "/accounts/2fa/setup/" in page.url
    assert page.locator("svg").count() >= 1  # the QR code
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.shot("foundation-otp-setup")
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    page.fill("input[name=token]", f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=6):06d}")
    with page.expect_navigation():
        page.click(".page-body button[type=submit]")
    assert "双因素认证已启用" in page.inner_text("body") and "我的工作范围" in page.inner_text("body")
