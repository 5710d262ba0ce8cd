import pytest
from django.utils import timezone

from shanzhi.accounts.roles import Role
from shanzhi.cases.patrols import home_visit_create, inspection_record, patrol_create
from shanzhi.cases.testing import make_category
from shanzhi.core.errors import NotAllowed
from shanzhi.registry.models import Building, Household

pytestmark = pytest.mark.django_db


def test_patrol_finding_becomes_a_case(world, make_user):
    worker = make_user(Role.GRID_WORKER, world.grid.code)
    patrol, case = patrol_create(actor=worker, region_code=world.grid.code, started_at=timezone.now(),
                                 route=[[32.365, 119.445, "08:00"], [32.366, 119.446, "08:20"]],
                                 findings="东门垃圾堆放", case_category=make_category())
    assert case.channel == "patrol" and case.lat == 32.366 and patrol.route[0][:2] == [32.365, 119.445]
    with pytest.raises(NotAllowed):
        patrol_create(actor=make_user(Role.GRID_WORKER, world.other_grid.code), region_code=world.grid.code,
                      started_at=timezone.now())


def test_home_visit_and_inspection(world, make_user):
    worker = make_user(Role.GRID_WORKER, world.grid.code)
    building = Building.objects.create(region_code=world.grid.code, name="3栋", lat=32.365, lng=119.445)
    household = Household.objects.create(region_code=world.grid.code, household_number="H001")
    visit, case = home_visit_create(actor=worker, household=household, notes="独居老人家中水管漏水",
                                    case_category=make_category())
    assert visit.case == case and case.region_code == world.grid.code
    for code in ("safety.fire_access", "safety.ebike", "safety.gas", "safety.facade"):
        make_category(code=code, name=code)
    inspection, cases = inspection_record(actor=worker, building=building, results={
        "fire_access": {"ok": False, "note": "通道堆放杂物"}, "ebike_charging": {"ok": True},
        "gas": {"ok": True}, "facade": {"ok": False, "note": "外墙瓷砖松动"}})
    assert len(cases) == 2 and {x.category.code for x in cases} == {"safety.fire_access", "safety.facade"}
    assert all(x.building == building for x in cases)


def test_patrol_page_files_a_case(client, world, make_user):
    from shanzhi.cases.models import Case, Patrol

    worker = make_user(Role.GRID_WORKER, world.grid.code)
    cat = make_category()
    client.force_login(worker)
    assert client.get("/cases/patrol/").status_code == 200
    r = client.post("/cases/patrol/", {"region_code": world.grid.code, "findings": "3栋楼道堆放杂物",
                                       "route": "[[32.365, 119.445, \"09:00\"]]", "category": cat.pk,
                                       "title": "楼道堆物"})
    case = Case.objects.get(title="楼道堆物")
    assert r.status_code == 302 and case.lat == 32.365 and Patrol.objects.get().worker == worker
