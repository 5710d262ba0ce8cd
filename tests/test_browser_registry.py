"""Registry in the browser, at desktop and phone widths: the 楼盘表, a household page, an import with
errors, and a printed form (the PDF rendered to PNG). Screenshots go to var/screenshots/."""

import datetime
import os
import shutil
import subprocess

import pytest

from conftest import SCREENSHOT_DIR
from shanzhi.core.roles import Role
from shanzhi.core.testing import PASSWORD, make_user, make_world
from shanzhi.registry import choices as c
from shanzhi.registry.testing import building_in, care_tag_in, dwelling_in, household_in, person_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
BAD_CSV = ("姓名,证件号码,联系电话,人口类型\n"
           "赵一,32100219800517091X,17012345678,户籍人口\n"
           "钱二,321002198005170918,17012345679,户籍人口\n"
           "孙三,321002199001010016,1234,流动人口\n")


@pytest.fixture
def scene():
    world = make_world()
    code = world.grid.code
    building = building_in(code, floors=6, entrances=2)
    occupancies = [c.Occupancy.OWNER_OCCUPIED] * 5 + [c.Occupancy.RENTED] * 2 + [c.Occupancy.VACANT]
    household = None
    for e in (1, 2):
        for f in range(1, 7):
            for r in (1, 2):
                occ = c.Occupancy.BUSINESS if f == 1 and e == 1 else occupancies[(e * 7 + f * 3 + r) % 8]
                d = dwelling_in(code, building=building, entrance=e, floor=f, room=f"{f}{r:02d}", occupancy=occ)
                if occ in (c.Occupancy.OWNER_OCCUPIED, c.Occupancy.RENTED):
                    h = household_in(code, dwelling=d)
                    head = person_in(code, household=h, name="王建国", sex=c.Sex.MALE,
                                     birth_date=datetime.date(1968, 4, 2), phone="17012345678",
                                     )
                    person_in(code, household=h, name="李秀英", sex=c.Sex.FEMALE, relation_to_head=c.Relation.SPOUSE,
                              birth_date=datetime.date(1970, 8, 9))
                    if (f + r) % 3 == 0:
                        care_tag_in(code, person=head, tag=c.CareTagKind.EMPTY_NEST)
                    household = household or h
    worker = make_user(Role.GRID_WORKER, code, username="bw_worker")
    return {"building": building, "household": household, "worker": worker, "password": PASSWORD, "grid": code}


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_floor_plan_household_import_and_print(browser_page, scene, viewport, tmp_path):
    page = browser_page(viewport)
    page.login("bw_worker", scene["password"])

    page.goto(f"/registry/buildings/{scene['building'].pk}/")
    page.wait_for_selector("[data-testid=floor-plan]")
    assert page.locator(".sz-cell[data-occupancy=vacant]").count() > 0
    assert page.locator(".sz-cell[data-occupancy=rented]").count() > 0
    page.shot("registry-floor-plan")

    page.locator(".sz-cell[data-occupancy=owner_occupied]").first.click()
    page.wait_for_selector("[data-testid=person-table]")
    page.locator("a[href^='/registry/households/']").first.click()
    page.wait_for_selector("[data-testid=household-number]")
    assert page.locator("[data-testid=timeline]").count() == 1
    assert "王建国" in page.content()
    page.shot("registry-household")

    page.goto(f"/registry/regions/{scene['grid']}/")
    page.wait_for_selector("#chart-pyramid canvas")
    page.shot("registry-dashboard")

    csv = tmp_path / "人员.csv"
    csv.write_bytes(BAD_CSV.encode("gbk"))
    page.goto("/imports/persons/")
    page.set_input_files("input[name=file]", str(csv))
    page.click("[data-testid=import-form] button[type=submit]")
    page.wait_for_selector("[data-testid=import-errors]")
    assert page.locator("[data-testid=rejected]").inner_text() == "2"
    page.shot("registry-import-errors")

    page.goto(f"/registry/households/{scene['household'].pk}/print/")
    page.wait_for_selector(".qr img")
    page.shot("registry-print-html")
    pdf = page.request.get(f"/registry/households/{scene['household'].pk}/print/?format=pdf")
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    if viewport == "desktop" and shutil.which("pdftoppm"):
        path = tmp_path / "form.pdf"
        path.write_bytes(pdf.body())
        out = os.path.join(SCREENSHOT_DIR, "registry-print-pdf")
        subprocess.run(["pdftoppm", "-png", "-r", "80", "-singlefile", str(path), out], check=True)
        assert os.path.getsize(out + ".png") > 10_000
