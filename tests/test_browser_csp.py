"""In Chromium, under the site's Content-Security-Policy: a grid renamed to an HTML payload shows as text on
the map (no script runs), and the pages that carry our scripts (region map, dashboard, API docs) run them
without a single CSP violation."""

import pytest

from shanzhi.core.roles import Role
from shanzhi.core.testing import PASSWORD, make_user
from shanzhi.regions.models import Region

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAYLOAD = "<img src=x onerror=alert(1)>"


def _watch(page):
    """Collects dialogs (alert, confirm …) and CSP violations reported on the console."""
    seen = {"dialogs": [], "csp": []}

    def on_dialog(dialog):
        seen["dialogs"].append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("console", lambda m: "Content Security Policy" in m.text and seen["csp"].append(m.text))
    return seen


def _signed_in_with_renamed_grid(browser_page, world):
    """A community staff member's page, with the first grid renamed to the payload; and what it saw."""
    Region.objects.filter(code=world.grid.code).update(name=PAYLOAD)
    make_user(Role.COMMUNITY_STAFF, world.community.code, username="zhang")
    page = browser_page("desktop")
    seen = _watch(page)
    page.login("zhang", PASSWORD)
    return page, seen


def test_region_name_in_map_tooltip_is_text(browser_page, world):
    page, seen = _signed_in_with_renamed_grid(browser_page, world)
    page.goto(f"/regions/{world.community.code}/")
    page.wait_for_selector("#sz-map[data-ready='1']")
    labels = page.locator("#sz-map .leaflet-tooltip")
    assert PAYLOAD in [labels.nth(i).inner_text() for i in range(labels.count())]
    assert page.locator("#sz-map .leaflet-tooltip img").count() == 0
    page.wait_for_timeout(200)  # an injected <img> would have fired its onerror by now
    assert seen == {"dialogs": [], "csp": []}


def test_dashboard_and_api_docs_run_under_the_policy(browser_page, world):
    page, seen = _signed_in_with_renamed_grid(browser_page, world)
    page.goto("/cases/dashboard/")
    page.wait_for_selector("#sz-index-map[data-ready='1']")
    page.wait_for_selector("#sz-trend canvas")
    page.locator("#sz-index-map path.leaflet-interactive").first.hover(force=True)
    page.goto("/api/docs")
    page.wait_for_selector("#swagger-ui .opblock")  # the operations list rendered from /api/openapi.json
    assert seen == {"dialogs": [], "csp": []}
