"""Go-live in Debian Chromium (issue 13): an empty database (migrate only, no demo) → `shanzhi setup` → one street
configured through the 系统配置 pages until its checklist shows nothing missing → the routing tester names the
body. Screenshots at 375 and 1280 px in test-artifacts/; the number of steps is printed."""

import pytest

from shanzhi.cases.models import Case
from shanzhi.regions.models import Region
from tests.golive import COMMUNITY, GRID, STREET, configure_street, first_routed_case, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_new_office_configures_its_street_through_the_pages(browser_page, tmp_path):
    assert not Region.objects.exists()  # migrate only: no demo
    story = configure_street(browser_page, tmp_path, viewport="phone")
    assert "待完成的配置" in story.setup_output and "otpauth://totp/" in story.setup_output

    page = story.page
    page.goto(f"/config/checklist/?street={STREET}")
    assert page.locator("[data-testid=checklist-done]").count() == 1, page.inner_text("main")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shot(page, "setup-checklist-done", "phone")

    # the routing tester calls the real routing function
    page.goto(f"/config/routing/?street={STREET}")
    page.select_option("[data-testid=route-tester] select[name=category]", label="safety.gas 燃气隐患")
    page.select_option("[data-testid=route-tester] select[name=region]", value=COMMUNITY)
    with page.expect_navigation():
        page.click("[data-testid=route-tester] button")
    assert "发生在施井社区的“燃气隐患”将派给：曲江街道安监科" in page.inner_text("[data-testid=route-result]")
    shot(page, "setup-routing-tester", "phone")

    # the first routed case: filed on patrol, accepted, dispatched to the routed body
    configured_at = len(story.steps)
    url = first_routed_case(browser_page, story, page)
    case = Case.objects.get(title="楼道闻到燃气味")
    assert case.state == "dispatched" and case.lead_body.name == "曲江街道安监科"
    assert case.region_code == GRID
    page.goto(url)
    shot(page, "setup-first-routed-case", "phone")

    desk = page  # the same session at desk width (a second sign-in would replay the authenticator's code)
    desk.set_viewport_size({"width": 1280, "height": 800})
    for url, name in ((f"/config/?street={STREET}", "setup-home"), (f"/config/checklist/?street={STREET}",
                                                                    "setup-checklist-done"),
                      (f"/config/bodies/?street={STREET}", "setup-bodies"),
                      (f"/config/routing/?street={STREET}", "setup-routing")):
        desk.goto(url)
        shot(desk, name, "desktop")
    desk.goto("/")
    assert "待完成的配置项" in desk.inner_text("body")
    shot(desk, "setup-workbench", "desktop")
    configured = [s for s in story.steps[:configured_at] if not s.endswith(("登录", "动态验证码"))]
    routed = [s for s in story.steps if not s.endswith(("登录", "动态验证码"))]
    print(f"\ngo-live steps: install → configured street {configured_at} "
          f"({len(configured)} commands/forms + {configured_at - len(configured)} sign-in steps); "
          f"→ first routed case {len(story.steps)} ({len(routed)} commands/forms); plus `shanzhi migrate`")
    for s in story.steps:
        print("  -", s)
