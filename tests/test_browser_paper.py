"""Paper that comes back, on a 375 px phone (issue 19, item 5), and the compact case list (item 4).

A household's 登记表 is printed (the HTML print view), its QR image is taken from the page and fed to the scan
page's file input (what the camera would see); the scan lands on the entry page in the paper's order with the
printed version noted, and the changes are saved. A second run changes the record after printing: the entry
shows the difference field by field and the worker chooses. The blank form's write-in boxes are measured from
computed styles. Figures are printed as JSON; screenshots go to var/screenshots/paper/."""

import base64
import json
import os

import pytest
import segno

from conftest import SCREENSHOT_DIR
from shanzhi.cases.testing import make_case, make_category
from shanzhi.core.roles import Role
from shanzhi.core.testing import PASSWORD, make_user, make_world
from shanzhi.registry.models import Household
from shanzhi.registry.services import household_update
from shanzhi.registry.testing import dwelling_in, household_in, person_in
from tests import a11y

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 375, "height": 667}
SHOTS = os.path.join(SCREENSHOT_DIR, "paper")
MM_AT_96_DPI = 96 / 25.4


@pytest.fixture
def phone(chromium, live_server):
    contexts = []

    def open_page(username):
        ctx = chromium.new_context(viewport=PHONE, locale="zh-CN", base_url=live_server.url, is_mobile=True,
                                   has_touch=True, device_scale_factor=2)
        contexts.append(ctx)
        page = ctx.new_page()
        page.set_default_timeout(20000)
        page.goto("/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        return page

    yield open_page
    for ctx in contexts:
        ctx.close()


def shot(page, name, full_page=True):
    os.makedirs(SHOTS, exist_ok=True)
    path = os.path.join(SHOTS, f"{name}-375.png")
    page.screenshot(path=path, full_page=full_page)
    return path


def _qr_png(page, tmp_path, name):
    """The QR image of the printed form, as the file a phone's camera would hand the scan page."""
    src = page.locator("[data-testid=paper-qr]").get_attribute("src")
    assert src.startswith("data:image/png;base64,")
    path = tmp_path / f"{name}.png"
    path.write_bytes(base64.b64decode(src.split(",", 1)[1]))
    return str(path)


def _scan(page, png, name):
    page.goto("/paper/scan/")
    page.wait_for_selector("[data-sz-scan-file]")
    shot(page, f"{name}-scan")
    with page.expect_navigation():
        page.set_input_files("[data-sz-scan-file]", png)
    page.wait_for_selector("[data-testid=paper-form]")


@pytest.fixture
def scene():
    world = make_world()
    code = world.grid.code
    household = household_in(code, dwelling=dwelling_in(code, floor=5, room="502"))
    person_in(code, household=household, name="王建国")
    person_in(code, household=household, name="李秀英", relation_to_head="spouse")
    make_user(Role.GRID_WORKER, code, username="pw_worker")
    other = make_user(Role.COMMUNITY_STAFF, world.community.code, username="pw_staff")
    return {"world": world, "household": household, "other": other}


def test_print_scan_and_enter_a_household_form(phone, scene, tmp_path):
    household = scene["household"]
    page = phone("pw_worker")
    page.goto(f"/registry/households/{household.pk}/print/")
    page.wait_for_selector("[data-testid=paper-qr]")
    assert page.locator("[data-testid=paper-ref]").inner_text().strip() == f"第 {household.version} 版"
    shot(page, "1-household-print")
    png = _qr_png(page, tmp_path, "household")

    _scan(page, png, "2")
    assert f"/paper/households/{household.pk}/" in page.url
    note = page.locator("[data-testid=paper-version]")
    assert note.get_attribute("data-printed") == str(household.version)
    # the fields in the order of the paper: 户号, 户类型, 户籍 — then the members
    names = page.eval_on_selector_all("[data-testid=paper-form] [name]:not([type=hidden])", "els => els.map(e => e.name)")
    assert names[:3] == ["household_number", "kind", "registered_here"]
    assert page.locator("[data-testid=paper-members] li").first.inner_text().startswith("1.")
    shot(page, "3-household-entry")

    page.select_option("#id_kind", "collective")
    page.check("#id_registered_here")
    with page.expect_navigation():
        page.click("[data-testid=paper-form] button[type=submit]")
    assert page.url.endswith(f"/registry/households/{household.pk}/")
    assert "已录入纸质登记表" in page.content()
    shot(page, "4-household-saved")
    stored = Household.objects.get(pk=household.pk)
    assert (stored.kind, stored.registered_here, stored.version) == ("collective", True, household.version + 1)


def test_a_form_printed_before_a_change_shows_the_difference(phone, scene, tmp_path):
    household = scene["household"]
    page = phone("pw_worker")
    page.goto(f"/registry/households/{household.pk}/print/")
    png = _qr_png(page, tmp_path, "household-old")
    printed = household.version

    household_update(actor=scene["other"], household=household, household_number="B0502")  # after printing

    _scan(page, png, "5")
    note = page.locator("[data-testid=paper-version]")
    assert note.get_attribute("data-printed") == str(printed)
    assert note.get_attribute("data-current") == str(printed + 1)
    shot(page, "6-entry-after-change")

    page.fill("#id_household_number", "A0502")   # what the paper says
    page.select_option("#id_kind", "collective")
    with page.expect_navigation():
        page.click("[data-testid=paper-form] button[type=submit]")
    page.wait_for_selector("[data-testid=paper-diff]")
    assert page.locator("[data-testid=diff-household_number]").count() == 1
    assert page.locator("[data-testid=diff-kind]").count() == 1
    shot(page, "7-difference")
    # the page that only a POST reaches (the route sweep cannot): axe and the scripted checks
    assert a11y.axe_violations(page) == [] and a11y.structure_problems(page) == []
    stored = Household.objects.get(pk=household.pk)
    assert (stored.household_number, stored.kind) == ("B0502", "family")  # nothing written yet

    # nothing is chosen for you: the browser refuses to send without a choice on every differing field
    page.click("[data-testid=paper-choose] button[type=submit]")
    assert page.locator("[data-testid=paper-diff]").count() == 1
    page.check("[data-testid=keep-stored-household_number]")
    page.check("[data-testid=keep-paper-kind]")
    with page.expect_navigation():
        page.click("[data-testid=paper-choose] button[type=submit]")
    shot(page, "8-chosen-saved")
    stored.refresh_from_db()
    assert (stored.household_number, stored.kind, stored.version) == ("B0502", "collective", printed + 2)


def test_blank_form_boxes_are_at_least_8_mm(phone, scene, tmp_path):
    page = phone("pw_worker")
    page.goto("/registry/print/blank/")
    page.wait_for_selector("[data-testid=blank-person]")
    shot(page, "9-blank-form")
    sizes = page.eval_on_selector_all(".box", "els => els.map(e => { const s = getComputedStyle(e); "
                                               "return [parseFloat(s.width), parseFloat(s.height)]; })")
    writes = page.eval_on_selector_all("tr.write td", "els => els.map(e => e.getBoundingClientRect().height)")
    person = page.locator("[data-testid=blank-person]").first
    id_boxes = person.locator("[data-testid=id-boxes] .box").count()
    phone_boxes = person.locator("[data-testid=phone-boxes] .box").count()
    smallest = min(min(w, h) for w, h in sizes)
    print(json.dumps({"blank_form": {"boxes": len(sizes), "smallest_box_px": round(smallest, 2),
                                     "smallest_box_mm": round(smallest / MM_AT_96_DPI, 2),
                                     "smallest_write_row_mm": round(min(writes) / MM_AT_96_DPI, 2),
                                     "id_boxes": id_boxes, "phone_boxes": phone_boxes}}))
    assert smallest >= 8 * MM_AT_96_DPI - 0.05   # 30.2 CSS px
    assert min(writes) >= 8 * MM_AT_96_DPI - 0.05
    assert (id_boxes, phone_boxes) == (18, 11)
    # the blank form's code opens the registry to find the dwelling
    png = _qr_png(page, tmp_path, "blank")
    page.goto("/paper/scan/")
    with page.expect_navigation():
        page.set_input_files("[data-sz-scan-file]", png)
    page.wait_for_load_state("load")
    assert "/registry/" in page.url and "空白表" in page.content()


def test_a_foreign_code_is_refused_on_the_scan_page(phone, scene, tmp_path):
    path = tmp_path / "foreign.png"
    segno.make("https://example.com/paper/scan/?t=hh.1.1:x:y", error="m").save(str(path), scale=6)
    page = phone("pw_worker")
    page.goto("/paper/scan/")
    page.set_input_files("[data-sz-scan-file]", str(path))
    page.wait_for_function("document.querySelector('[data-testid=scan-status]').textContent.length > 0")
    assert "不是本系统" in page.locator("[data-testid=scan-status]").inner_text()
    assert page.url.endswith("/paper/scan/")
    shot(page, "10-foreign-code")


def test_compact_case_cards_on_a_phone(phone, scene):
    world = scene["world"]
    worker = make_user(Role.GRID_WORKER, world.grid.code, username="pw_cards")
    cat = make_category()
    for i in range(12):
        make_case(world.grid.code, actor=worker, category=cat, title=f"{i + 1}号楼楼道堆物", address=f"幸福小区{i + 1}栋")
    page = phone("pw_cards")
    page.goto("/cases/")
    page.wait_for_selector("#sz-results")
    figures = page.evaluate("""() => {
        const cards = [...document.querySelectorAll('[data-testid=case-card], #sz-results tbody tr')]
            .filter(e => e.offsetParent !== null);
        const inView = cards.filter(e => { const r = e.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; });
        const heights = cards.map(e => e.getBoundingClientRect().height);
        const avg = heights.reduce((a, b) => a + b, 0) / heights.length;
        return {cards_in_first_screen: inView.length, card_height_px: Math.round(avg),
                cards_per_screen: Math.floor(innerHeight / avg)};
    }""")
    print(json.dumps({"case_cards_375x667": figures}))
    shot(page, "11-case-cards", full_page=False)
    assert figures["cards_per_screen"] >= 6
    assert figures["cards_in_first_screen"] >= 6
    # the filter bar is folded behind one button, which opens it
    bar = page.locator("form[data-sz-filters]")
    toggle = page.locator("[data-testid=filter-toggle]")
    assert not bar.is_visible() and toggle.get_attribute("aria-expanded") == "false"
    toggle.click()
    assert bar.is_visible() and toggle.get_attribute("aria-expanded") == "true"
    shot(page, "12-filters-open", full_page=False)
