"""Browser check of the 民情 dashboard map: open cases as markers coloured by their deadline light, a popup
that links to the case, a layer switch for the index polygons and the markers, a legend, no tile server."""

import datetime as dt

import pytest
from django.utils import timezone

from shanzhi.cases.insight import rollup_build
from shanzhi.cases.models import Case
from shanzhi.cases.testing import make_case
from shanzhi.core.roles import Role
from shanzhi.core.testing import PASSWORD, make_user


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_dashboard_map_shows_open_cases(browser_page, world, viewport):
    make_user(Role.COMMUNITY_STAFF, world.community.code, username="zhang", display_name="张社工")
    now = timezone.now()
    spots = [(32.3620, 119.4420), (32.3650, 119.4460), (32.3680, 119.4430), (32.3640, 119.4480)]
    cases = [make_case(world.grid.code, lat=lat, lng=lng, title=f"井盖破损{i}") for i, (lat, lng) in enumerate(spots)]
    Case.objects.filter(pk=cases[0].pk).update(due_at=now - dt.timedelta(hours=2))
    Case.objects.filter(pk=cases[1].pk).update(yellow_at=now - dt.timedelta(hours=1), due_at=now + dt.timedelta(hours=3))
    # another street's case at a point inside the drawn area: never sent, never drawn
    make_case(world.other_grid.code, lat=32.3660, lng=119.4450, title="别的街道的问题")
    rollup_build(start=timezone.localdate(), end=timezone.localdate())

    page = browser_page(viewport)
    page.login("zhang", PASSWORD)
    page.goto("/cases/dashboard/")
    page.wait_for_selector("#sz-index-map[data-ready='1']")
    markers = page.locator("#sz-index-map .sz-case-marker")
    assert markers.count() == 4
    assert page.locator(".sz-marker-red").count() == 1 and page.locator(".sz-marker-yellow").count() == 1
    assert page.locator(".sz-marker-green").count() == 2
    assert "别的街道的问题" not in page.content()
    assert page.locator(".leaflet-tile").count() == 0  # no tile server: polygons and markers on a plain background
    legend = page.locator("[data-testid=map-legend]").inner_text()
    assert "红牌" in legend and "黄牌" in legend and "正常" in legend
    # every marker lies within the map's visible box (bounds fitted to polygons and markers)
    box = page.locator("#sz-index-map").bounding_box()
    for i in range(4):
        b = markers.nth(i).bounding_box()
        assert box["x"] <= b["x"] and b["x"] + b["width"] <= box["x"] + box["width"]
        assert box["y"] <= b["y"] and b["y"] + b["height"] <= box["y"] + box["height"]
    page.locator("#sz-index-map").scroll_into_view_if_needed()
    page.shot("cases-dashboard-map")

    # the red marker's popup names the case and links to it
    page.locator(".sz-marker-red").click(force=True)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    page.wait_for_function(  # the popup has faded in (the screenshot below shows it whole)
        "() => getComputedStyle(document.querySelector('.leaflet-popup')).opacity === '1'")
    text = popup.inner_text()
    assert cases[0].number in text and "井盖破损0" in text and "红牌" in text and "已上报" in text
    assert popup.locator("a").get_attribute("href") == f"/cases/{cases[0].pk}/"
    page.shot("cases-dashboard-map-popup")

    # the layer switch hides and shows the markers and the index polygons
    control = page.locator(".leaflet-control-layers")
    if viewport == "phone":  # collapsed to a button on a narrow map
        assert page.locator(".leaflet-control-layers-toggle").get_attribute("title") == "图层"
        control.hover()
        page.wait_for_selector(".leaflet-control-layers-expanded")
    page.get_by_role("checkbox", name="在办民情").uncheck()
    assert markers.count() == 0
    polygons = page.locator("#sz-index-map path:not(.sz-case-marker)")
    shown = polygons.count()
    page.get_by_role("checkbox", name="民情指数").uncheck()
    assert polygons.count() < shown
    page.get_by_role("checkbox", name="在办民情").check()
    assert markers.count() == 4
    popup_link = page.locator(".sz-marker-red")
    popup_link.click(force=True)
    page.locator(".leaflet-popup-content a").click()
    page.wait_for_url(f"**/cases/{cases[0].pk}/")
