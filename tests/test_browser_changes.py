"""Change requests and the grid roster's Excel round-trip in the browser, at 375 px (issues 19.6, 22.6).

A grid worker exports their grid's roster to XLSX, the test edits three rows with openpyxl (as WPS/Excel would),
uploads it back, and the preview shows exactly those three rows' differences; after confirming only those three
persons changed (versions, audit rows). A grid assistant's edit becomes a change request that community staff
approve. Screenshots go to var/screenshots/changes/."""

import datetime
import os

import openpyxl
import pytest

from conftest import SCREENSHOT_DIR
from shanzhi.audit.models import AuditEvent
from shanzhi.core.roles import Role
from shanzhi.core.testing import PASSWORD, make_user, make_world
from shanzhi.registry.models import ChangeRequest, Person
from shanzhi.registry.testing import dwelling_in, household_in, person_in
from shanzhi.registry.tests.conftest import make_id

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def scene():
    os.makedirs(os.path.join(SCREENSHOT_DIR, "changes"), exist_ok=True)
    world = make_world()
    code = world.grid.code
    dwelling = dwelling_in(code)
    household = household_in(code, dwelling=dwelling)
    persons = [person_in(code, household=household, name=n,
                         id_number=make_id(seq=i + 20, birth=datetime.date(1950 + i, 3, 1)), phone=f"1370000{i:04d}")
               for i, n in enumerate(["王建国", "李秀英", "张伟", "刘芳", "陈静", "杨洋"])]
    make_user(Role.GRID_WORKER, code, username="rt_worker")
    make_user(Role.GRID_ASSISTANT, code, username="rt_assistant")
    make_user(Role.COMMUNITY_STAFF, world.community.code, username="rt_staff")
    return {"grid": code, "persons": persons}


def test_roster_goes_out_to_xlsx_and_back_with_three_changed_rows(browser_page, scene, tmp_path):
    page = browser_page("phone")
    page.set_default_timeout(60000)  # a shared, busy CI machine
    page.login("rt_worker", PASSWORD)
    page.goto("/registry/roundtrip/")
    page.shot("changes/01-roundtrip")
    with page.expect_download() as info:
        page.click("[data-testid=export-form] button[type=submit]")
    exported = tmp_path / "roster.xlsx"
    info.value.save_as(exported)

    wb = openpyxl.load_workbook(exported)
    ws = wb.active
    headers = [c.value.rstrip("*") for c in ws[1]]
    col = {h: headers.index(h) + 1 for h in headers}
    by_name = {ws.cell(r, 1).value: r for r in range(3, ws.max_row + 1)}
    assert set(by_name) == {p.name for p in scene["persons"]}
    ws.cell(by_name["李秀英"], col["工作单位"]).value = "扬州市图书馆"
    ws.cell(by_name["刘芳"], col["联系电话"]).value = "13912345678"
    ws.cell(by_name["杨洋"], col["文化程度"]).value = "本科"
    edited = tmp_path / "roster-edited.xlsx"
    wb.save(edited)

    before = dict(Person.objects.values_list("name", "version"))
    audits = AuditEvent.objects.count()
    page.set_input_files("input[name=file]", str(edited))
    page.click("[data-testid=upload-form] button[type=submit]")
    page.wait_for_selector("[data-testid=summary]")
    rows = page.locator("[data-testid=change-row]")
    assert rows.count() == 3
    texts = [rows.nth(i).inner_text() for i in range(3)]
    assert "李秀英" in texts[0] and "工作单位" in texts[0] and "扬州市图书馆" in texts[0]
    assert "刘芳" in texts[1] and "联系电话" in texts[1] and "139********" in texts[1] and "13912345678" not in texts[1]
    assert "杨洋" in texts[2] and "文化程度" in texts[2] and "本科" in texts[2]
    assert page.locator("[data-testid=unchanged]").inner_text() == "3"
    assert page.locator("[data-testid=change-field]").count() == 3
    assert dict(Person.objects.values_list("name", "version")) == before  # the preview wrote nothing
    page.shot("changes/02-preview")

    page.click("[data-testid=confirm]")
    page.wait_for_selector(".alert-success")
    page.shot("changes/03-confirmed")
    after = dict(Person.objects.values_list("name", "version"))
    changed = {n for n in after if after[n] != before[n]}
    assert changed == {"李秀英", "刘芳", "杨洋"} and all(after[n] == before[n] + 1 for n in changed)
    updates = AuditEvent.objects.order_by("pk")[audits:]
    updated = {int(e.object_id) for e in updates if e.action == "registry.person.update"}
    assert updated == set(Person.objects.filter(name__in=changed).values_list("pk", flat=True))


def test_an_assistants_edit_waits_for_the_community(browser_page, scene):
    person = scene["persons"][0]
    page = browser_page("phone")
    page.set_default_timeout(60000)
    page.login("rt_assistant", PASSWORD)
    page.goto(f"/registry/changes/propose/person/{person.pk}/")
    page.fill("input[name=workplace]", "广陵区文昌社区")
    page.fill("input[name=phone]", "13811112222")
    page.shot("changes/04-propose")
    page.click("form.card button[type=submit]")
    page.wait_for_selector("[data-testid=diff]")
    assert "13811112222" not in page.content()
    page.shot("changes/05-request")
    req = ChangeRequest.objects.get()
    assert req.state == "pending"

    staff = browser_page("phone")
    staff.set_default_timeout(60000)
    staff.login("rt_staff", PASSWORD)
    staff.goto("/")
    staff.click("a[data-todo='registry.changes']")
    staff.wait_for_selector("[data-testid=change-list]")
    staff.click(f"a[href='/registry/changes/{req.pk}/']")
    staff.wait_for_selector("[data-testid=decide]")
    staff.shot("changes/06-approve")
    staff.click("[data-testid=decide] button[value=approve]")
    staff.wait_for_selector(".alert-success")
    person.refresh_from_db()
    assert person.workplace == "广陵区文昌社区" and person.phone_masked == "138********"
    staff.shot("changes/07-approved")
