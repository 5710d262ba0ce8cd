"""Browser check at phone width: a grid worker logs a home visit with a finding and a building inspection."""

import pytest

from shanzhi.cases.models import Case, HomeVisit, Inspection
from shanzhi.cases.testing import make_category
from shanzhi.core.roles import Role
from shanzhi.core.testing import PASSWORD, make_user
from shanzhi.registry.models import Building, Household


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_visit_and_inspection_on_a_phone(browser_page, world):
    cat = make_category(code="water", name="水管漏水")
    for code, name in (("safety.fire_access", "消防通道"), ("safety.ebike", "电动车充电"), ("safety.gas", "燃气"),
                       ("safety.facade", "外墙")):
        make_category(code=code, name=name)
    make_user(Role.GRID_WORKER, world.grid.code, username="wang", display_name="王网格")
    Household.objects.create(region_code=world.grid.code, household_number="H0101")
    Building.objects.create(region_code=world.grid.code, name="3栋", address="文昌路 12 号")

    page = browser_page("phone")
    page.login("wang", PASSWORD)
    page.goto("/cases/visits/")
    page.fill("#sz-q", "H01")
    page.get_by_role("button", name="查找").click()
    page.get_by_text("H0101").click()
    page.fill("#sz-notes", "独居老人家中厨房水管漏水")
    page.select_option("select[name=category]", str(cat.pk))
    page.fill("input[name=title]", "厨房水管漏水")
    page.shot("cases-home-visit")
    page.get_by_role("button", name="保存走访").click()
    page.wait_for_url("**/cases/*/")
    assert HomeVisit.objects.get().case == Case.objects.get(title="厨房水管漏水")

    page.goto("/cases/inspections/")
    page.fill("#sz-q", "3栋")
    page.get_by_role("button", name="查找").click()
    page.get_by_text("文昌路 12 号").click()
    gas, fire = page.locator("[data-item=gas]"), page.locator("[data-item=fire_access]")
    assert "sz-failed" not in (gas.get_attribute("class") or "")
    page.locator("label[for=sz-fail-gas]").click()
    # the failed item is marked: red background and edge, a 不合格 badge, and its note becomes required
    assert "sz-failed" in gas.get_attribute("class") and "sz-failed" not in fire.get_attribute("class")
    assert gas.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(251, 235, 235)"
    assert fire.evaluate("e => getComputedStyle(e).backgroundColor") != "rgb(251, 235, 235)"
    assert gas.locator(".sz-fail-badge").is_visible() and not fire.locator(".sz-fail-badge").is_visible()
    assert page.locator("#sz-note-gas").evaluate("e => e.required")
    assert not page.locator("#sz-note-fire_access").evaluate("e => e.required")
    # the browser refuses to save a failed item without a note
    page.get_by_role("button", name="保存检查").click()
    assert page.locator("#sz-note-gas").evaluate("e => !e.validity.valid") and not Inspection.objects.exists()
    page.fill("input[name=note_gas]", "燃气软管老化")
    page.locator("label[for=sz-fail-facade]").click()
    assert "sz-failed" in page.locator("[data-item=facade]").get_attribute("class")
    page.shot("cases-inspection-form")
    page.locator("label[for=sz-ok-facade]").click()  # changed one's mind: the mark goes again
    assert "sz-failed" not in page.locator("[data-item=facade]").get_attribute("class")
    page.get_by_role("button", name="保存检查").click()
    page.wait_for_url("**/cases/inspections/")
    page.shot("cases-inspection")
    assert Inspection.objects.get().results["gas"] == {"ok": False, "note": "燃气软管老化"}
    assert Case.objects.filter(category__code="safety.gas").count() == 1

    # from the household's registry page, the grid worker starts the next visit in one tap
    household = Household.objects.get(household_number="H0101")
    page.goto(f"/registry/households/{household.pk}/")
    assert "独居老人家中厨房水管漏水" in page.locator("[data-testid=household-visits]").inner_text()
    page.locator("[data-testid=home-visit]").click()
    page.wait_for_url(f"**/cases/visits/?household={household.pk}")
    assert page.locator("input[name=household]").get_attribute("value") == str(household.pk)
