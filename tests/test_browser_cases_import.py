"""Browser check at phone width (and desktop): community staff bulk-import last month's 12345 work orders — upload, dry-run
report with a row error, confirm, and the result linking to the new cases."""

import pytest

from shanzhi.cases.models import Case
from shanzhi.cases.testing import make_category
from shanzhi.core.roles import Role
from shanzhi.core.testing import PASSWORD, make_user, make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ORDERS = ("曲江街道 12345 工单（2026年1月）\n"
          "外部编号,类别,网格编码,地址,标题,描述,紧急程度,反映人姓名,反映人电话,反映时间\n"
          "12345-0105-001,路灯损坏,321002004001001,文昌路口,路灯不亮,连续三晚不亮,一般,王先生,13812345678,2026-01-05 09:30\n"
          "12345-0105-002,路灯,321002004001001,文昌路口,路灯闪烁,路灯一直闪,一般,李女士,13812345679,2026-01-05 10:00\n"
          "12345-0106-003,垃圾堆放,玺园第2网格,玺园北门,垃圾满溢,北门垃圾桶满了,紧急,赵先生,0514-87654321,2026-01-06 08:15\n")


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_import_cases_upload_dry_run_commit(browser_page, viewport, tmp_path, settings):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path / "media"}}}
    world = make_world()
    make_category(code="facility.light", name="路灯损坏")
    make_category(code="env.garbage", name="垃圾堆放")
    make_user(Role.COMMUNITY_STAFF, world.community.code, username="xy_staff", display_name="玺园社区小周")
    csv = tmp_path / "12345工单.csv"
    csv.write_bytes(ORDERS.encode("gbk"))

    page = browser_page(viewport)
    page.login("xy_staff", PASSWORD)
    page.goto("/cases/")
    page.click("[data-testid=import-link]")
    page.wait_for_url("**/imports/cases/")
    page.shot("cases-import-form")
    page.set_input_files("input[name=file]", str(csv))
    page.click("[data-testid=import-form] button[type=submit]")
    page.wait_for_selector("[data-testid=import-errors]")
    assert page.locator("[data-testid=created]").inner_text() == "2"
    assert page.locator("[data-testid=rejected]").inner_text() == "1"
    assert "找不到类别“路灯”" in page.locator("[data-testid=import-errors]").inner_text()
    assert Case.objects.count() == 0
    page.shot("cases-import-dry-run")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"] + 1, f"the page scrolls sideways ({width}px)"

    page.click("[data-testid=commit]")
    page.wait_for_selector("[data-testid=import-cases]")
    assert page.locator("[data-testid=created]").inner_text() == "2"
    page.shot("cases-import-result")
    assert sorted(Case.objects.values_list("external_ref", flat=True)) == ["12345-0105-001", "12345-0106-003"]
    page.locator("[data-testid=import-cases] a").first.click()
    page.wait_for_url("**/cases/*/")
    assert "12345-0105-001" in page.content()
    page.shot("cases-import-case")
