"""民情收集员 and the grid's helpers file cases for residents; a collector names the 民情收集站."""

import pytest

from shanzhi.audit.models import AuditEvent
from shanzhi.cases.models import Case, HomeVisit
from shanzhi.cases.testing import make_category
from shanzhi.core.errors import NotAllowed, ServiceError
from shanzhi.core.roles import Role
from shanzhi.portal import services as s
from shanzhi.registry.testing import household_in, person_in


def test_a_collector_files_a_case_at_a_collection_point(client, world, make_user):
    category = make_category()
    collector = make_user(Role.CASE_COLLECTOR, world.community.code, display_name="郑丽")
    client.force_login(collector)
    assert client.get("/me/collect/").status_code == 200
    resp = client.post("/me/collect/", {"collection_point": "施井社区便民服务站", "region_code": world.grid.code,
                                        "category": category.pk, "title": "楼道灯坏了", "description": "3栋2单元楼道灯不亮",
                                        "reporter_name": "王大爷", "reporter_phone": "13912340000"})
    assert resp.status_code == 302
    case = Case.objects.get()
    assert case.channel == "walk_in" and case.region_code == world.grid.code
    assert case.history.get(action="report").actor_name.startswith("施井社区便民服务站")
    assert AuditEvent.objects.filter(action="portal.case_collect", after__collection_point="施井社区便民服务站").exists()
    assert "楼道灯坏了" in client.get("/me/collect/").content.decode()


def test_a_collector_must_name_the_collection_point(world, make_user):
    collector = make_user(Role.CASE_COLLECTOR, world.community.code)
    with pytest.raises(ServiceError, match="民情收集站"):
        s.case_collect(actor=collector, category=make_category(), region_code=world.grid.code, title="x",
                       description="y")


def test_a_grid_assistant_files_as_patrol_in_their_grid_only(world, make_user):
    assistant = make_user(Role.GRID_ASSISTANT, world.grid.code)
    case = s.case_collect(actor=assistant, category=make_category(), region_code=world.grid.code, title="井盖缺失",
                          description="路口井盖缺失")
    assert case.channel == "patrol"
    with pytest.raises(NotAllowed):
        s.case_collect(actor=assistant, category=make_category("light", "路灯"), region_code=world.grid2.code,
                       title="x", description="y")


def test_other_roles_may_not_collect(client, world, make_user):
    client.force_login(make_user(Role.RESIDENT, world.grid.code))
    assert client.get("/me/collect/").status_code == 403


def test_a_grid_assistant_logs_a_visit_and_files_a_finding(client, world, make_user):
    category = make_category()
    assistant = make_user(Role.GRID_ASSISTANT, world.grid.code)
    household = household_in(world.grid.code)
    person_in(world.grid.code, household=household, name="走访户主")
    client.force_login(assistant)
    assert household.household_number in client.get(f"/cases/visits/?q={household.household_number}").content.decode()
    resp = client.post("/cases/visits/", {"household": household.pk, "notes": "独居老人，屋顶漏水",
                                               "category": category.pk, "title": "屋顶漏水"})
    assert resp.status_code == 302 and resp["Location"].endswith("/cases/visits/")
    visit = HomeVisit.objects.get()
    assert visit.visitor == assistant and visit.case.title == "屋顶漏水"
    other = household_in(world.grid2.code)  # not their grid
    assert client.post("/cases/visits/", {"household": other.pk, "notes": "x"}).status_code == 404
    assert HomeVisit.objects.count() == 1
    assert client.get(f"/registry/households/{other.pk}/").status_code in (403, 404)
