import pytest
from django.utils import timezone

from shanzhi.cases.models import Case, HomeVisit, Inspection, Patrol
from shanzhi.cases.patrols import home_visit_create, inspection_record, patrol_create
from shanzhi.cases.testing import make_category
from shanzhi.core.errors import NotAllowed
from shanzhi.core.roles import Role
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
    worker = make_user(Role.GRID_WORKER, world.grid.code)
    cat = make_category()
    client.force_login(worker)
    assert client.get("/cases/patrol/").status_code == 200
    r = client.post("/cases/patrol/", {"region_code": world.grid.code, "findings": "3栋楼道堆放杂物",
                                       "route": "[[32.365, 119.445, \"09:00\"]]", "category": cat.pk,
                                       "title": "楼道堆物"})
    case = Case.objects.get(title="楼道堆物")
    assert r.status_code == 302 and case.lat == 32.365 and Patrol.objects.get().worker == worker


def test_home_visit_page_picks_a_household_in_scope_and_files_a_case(client, world, make_user):
    worker = make_user(Role.GRID_WORKER, world.grid.code)
    mine = Household.objects.create(region_code=world.grid.code, household_number="H001")
    other = Household.objects.create(region_code=world.other_grid.code, household_number="H002")
    cat = make_category()
    client.force_login(worker)
    assert "H001" in client.get("/cases/visits/", {"q": "H00"}).content.decode()
    assert "H002" not in client.get("/cases/visits/", {"q": "H00"}).content.decode()
    assert client.get("/cases/visits/", {"household": mine.pk}).status_code == 200
    assert client.get("/cases/visits/", {"household": other.pk}).status_code == 404
    assert client.post("/cases/visits/", {"household": other.pk, "notes": "x"}).status_code == 404
    r = client.post("/cases/visits/", {"household": mine.pk, "notes": "独居老人家中水管漏水", "category": cat.pk,
                                       "title": "水管漏水"})
    visit = HomeVisit.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/cases/{visit.case.pk}/"
    assert visit.case.title == "水管漏水" and visit.visitor == worker
    r = client.post("/cases/visits/", {"household": mine.pk, "notes": "一切正常"})
    assert r.status_code == 302 and HomeVisit.objects.count() == 2
    assert "一切正常" in client.get("/cases/visits/").content.decode()


def test_inspection_page_files_failed_items_as_cases(client, world, make_user):
    worker = make_user(Role.GRID_WORKER, world.grid.code)
    mine = Building.objects.create(region_code=world.grid.code, name="3栋", lat=32.365, lng=119.445)
    other = Building.objects.create(region_code=world.other_grid.code, name="9栋")
    for code in ("safety.fire_access", "safety.ebike", "safety.gas", "safety.facade"):
        make_category(code=code, name=code)
    client.force_login(worker)
    page = client.get("/cases/inspections/", {"q": "栋"}).content.decode()
    assert "3栋" in page and "9栋" not in page
    assert client.get("/cases/inspections/", {"building": mine.pk}).status_code == 200
    assert client.get("/cases/inspections/", {"building": other.pk}).status_code == 404
    r = client.post("/cases/inspections/", {"building": mine.pk, "ok_fire_access": "0", "note_fire_access": "通道堆物",
                                            "ok_ebike_charging": "1", "ok_gas": "1", "ok_facade": "1"})
    assert r.status_code == 302
    inspection = Inspection.objects.get()
    assert inspection.results["fire_access"] == {"ok": False, "note": "通道堆物"} and inspection.results["gas"]["ok"]
    case = Case.objects.get()
    assert case.category.code == "safety.fire_access" and case.building == mine
    assert "消防通道" in client.get("/cases/inspections/").content.decode()
