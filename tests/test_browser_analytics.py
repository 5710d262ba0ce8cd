"""Browser check of 民生大数据: the four levels' dashboards draw their charts and drill down, the month slider moves
the page, the pivot draws its chart, the 大屏 fills a 1920×1080 screen from its data feed, and the open-data page
shows suppressed cells. Screenshots go to test-artifacts/."""

import os

import pytest
from django.test import Client

from shanzhi.analytics.rollups import rollup_refresh
from shanzhi.analytics.testing import make_facts, make_typology
from shanzhi.core.roles import Role
from shanzhi.core.testing import make_user, verified_login

ARTIFACTS = os.path.join(os.path.dirname(os.path.dirname(__file__)), "test-artifacts")


def _session(user) -> str:
    client = Client()
    verified_login(client, user)
    return client.cookies["sessionid"].value


def _open(chromium, live_server, user, viewport=(1280, 900)):
    ctx = chromium.new_context(viewport={"width": viewport[0], "height": viewport[1]}, locale="zh-CN",
                               base_url=live_server.url)
    if user is not None:
        ctx.add_cookies([{"name": "sessionid", "value": _session(user), "url": live_server.url}])
    page = ctx.new_page()
    page.set_default_timeout(20000)
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    return ctx, page, errors


def _shot(page, name):
    os.makedirs(ARTIFACTS, exist_ok=True)
    page.screenshot(path=os.path.join(ARTIFACTS, f"browser-{name}.png"), full_page=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_dashboards_pivot_screen_and_open_data(chromium, live_server, world):
    facts = make_facts(world)
    make_typology()
    rollup_refresh(months=[facts["last_month"], facts["this_month"]])
    month = facts["this_month"].strftime("%Y-%m")
    levels = [(Role.COMMUNITY_SECRETARY, world.community), (Role.STREET_MANAGER, world.street),
              (Role.DISTRICT_MANAGER, world.district), (Role.CITY_MANAGER, world.city)]
    for role, region in levels:
        ctx, page, errors = _open(chromium, live_server, make_user(role, region.code))
        page.goto(f"/analytics/?month={month}")
        page.wait_for_selector("[data-sz-chart=pyramid] canvas")
        assert page.locator("[data-sz-chart=trend] canvas").count() == 1
        assert region.name in page.locator("h1.page-title").inner_text()
        _shot(page, f"dashboard-{region.level}")
        if region.level == "street":
            page.locator("[data-testid=children] a", has_text=world.community.name).click()
            page.wait_for_url(f"**region={world.community.code}**")
            assert world.community.name in page.locator("h1.page-title").inner_text()
            # the month slider moves the page to another month
            slider = page.locator("[data-sz-month-slider] input[type=range]")
            slider.focus()
            page.keyboard.press("ArrowLeft")
            page.wait_for_url(f"**month={facts['last_month'].strftime('%Y-%m')}**")
            page.goto(f"/analytics/pivot/?root={world.street.code}&level=grid&i=registry.persons"
                      f"&i=cases.reported&to={month}")
            page.wait_for_selector("[data-sz-chart=pivot] canvas")
            assert page.locator("[data-testid=pivot] tbody tr").count() == 2 * 2  # 2 indicators × 2 grids
            _shot(page, "pivot")
        assert errors == []
        ctx.close()

    ctx, page, errors = _open(chromium, live_server, make_user(Role.STREET_MANAGER, world.street.code),
                              viewport=(1920, 1080))
    page.goto(f"/analytics/screen/?region={world.street.code}")
    page.wait_for_function("() => document.querySelector('[data-sz-live=open]').textContent !== '—'")
    page.wait_for_selector("[data-sz-chart=map] canvas")
    assert int(page.locator("[data-sz-live=open]").inner_text()) >= 1
    assert page.evaluate("document.documentElement.scrollHeight") <= 1080  # fits the screen
    page.wait_for_timeout(800)
    page.screenshot(path=os.path.join(ARTIFACTS, "browser-screen-1920x1080.png"))
    assert errors == []
    ctx.close()

    ctx, page, errors = _open(chromium, live_server, None)
    page.goto(f"/open-data/?street={world.street.code}&month={month}")
    assert page.locator("[data-suppressed]").count() > 0
    _shot(page, "open-data")
    ctx.close()
