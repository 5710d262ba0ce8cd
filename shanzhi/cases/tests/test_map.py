"""The 民情 dashboard map: open cases as markers (scoped, one query, constant page queries), the population
count through restrict(), and the household page's link to home visits."""

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from shanzhi.accounts.models import RoleGrant
from shanzhi.cases import choices as c
from shanzhi.cases.models import Case, Inspection
from shanzhi.cases.patrols import home_visit_create
from shanzhi.cases.selectors import case_map_points, household_visits
from shanzhi.cases.services import case_transition
from shanzhi.cases.testing import case_in, make_body, make_body_staff, make_case, make_category
from shanzhi.core.roles import Role
from shanzhi.core.scope import grants_of
from shanzhi.core.testing import verified_login
from shanzhi.regions.choices import Level
from shanzhi.regions.models import Region
from shanzhi.registry.models import Building
from shanzhi.registry.stats import living_count_by_child
from shanzhi.registry.testing import household_in, person_in

pytestmark = pytest.mark.django_db

IN_GRID = (32.365, 119.445)  # inside make_world's grid 321002004001001


def _located(code, n=1, **kw):
    return [make_case(code, lat=IN_GRID[0] + i * 1e-4, lng=IN_GRID[1], **kw) for i in range(n)]


def test_map_points_are_scoped_open_located_and_lit(world, make_user, django_assert_num_queries):
    manager = make_user(Role.STREET_MANAGER, world.street.code)
    green, late, warn = _located(world.grid.code, 3)
    now = timezone.now()
    Case.objects.filter(pk=late.pk).update(due_at=now - dt.timedelta(hours=1))
    Case.objects.filter(pk=warn.pk).update(yellow_at=now - dt.timedelta(hours=1), due_at=now + dt.timedelta(hours=1))
    grid2_case = make_case(world.grid2.code, lat=32.3, lng=119.4)
    make_case(world.grid.code)  # no location: not on the map
    closed = _located(world.grid.code)[0]
    leader = make_user(Role.GRID_LEADER, world.grid.code)
    case_transition(actor=leader, case=closed, action="reject", data={"reason": "不属于受理范围"})
    outside = make_case(world.other_grid.code, lat=32.4, lng=119.5)  # 321002005001001: another street

    grants_of(manager)  # read once per request and cached on the user
    with django_assert_num_queries(1):
        points = case_map_points(actor=manager, prefix=world.district.code)  # a prefix wider than the scope
    assert {p["id"] for p in points} == {green.pk, late.pk, warn.pk, grid2_case.pk}
    assert outside.pk not in {p["id"] for p in points}
    by_id = {p["id"]: p for p in points}
    assert (by_id[green.pk]["light"], by_id[late.pk]["light"], by_id[warn.pk]["light"]) == ("green", "red", "yellow")
    p = by_id[green.pk]
    assert set(p) == {"id", "number", "title", "category", "state", "light", "lat", "lng", "url"}
    assert p["url"] == reverse("cases:detail", args=[green.pk]) and p["state"] == "已上报"
    assert p["number"] == green.number and p["category"] == green.category.name
    # newest first, capped
    assert [x["id"] for x in case_map_points(actor=manager, prefix=world.street.code, limit=2)] == [
        grid2_case.pk, warn.pk]
    # the chosen region narrows it further
    assert [x["id"] for x in case_map_points(actor=manager, prefix=world.grid2.code)] == [grid2_case.pk]
    # the other street's manager sees only their own street, whatever prefix is asked for
    other = make_user(Role.STREET_MANAGER, world.other_street.code)
    assert [x["id"] for x in case_map_points(actor=other, prefix=world.district.code)] == [outside.pk]
    assert case_map_points(actor=make_user(), prefix=world.district.code) == []


def test_map_points_for_handling_body_staff_are_their_cases_only(world, make_user):
    staff = make_body_staff(make_body())
    mine = case_in(world.grid.code, owner=staff)
    Case.objects.filter(pk=mine.pk).update(lat=IN_GRID[0], lng=IN_GRID[1])
    _located(world.grid.code, 2)
    assert [p["id"] for p in case_map_points(actor=staff, prefix=world.street.code)] == [mine.pk]


def _points(response) -> list[dict]:
    html = response.content.decode()
    start = html.index('<script id="sz-points" type="application/json">') + len(
        '<script id="sz-points" type="application/json">')
    return json.loads(html[start:html.index("</script>", start)])


def test_dashboard_markers_scoped_and_queries_constant(client, world, make_user):
    manager = make_user(Role.STREET_MANAGER, world.street.code)
    first = _located(world.grid.code, 5)
    outside = make_case(world.other_grid.code, lat=32.4, lng=119.5, title="别的街道的井盖")
    verified_login(client, manager)

    def get(url="/cases/dashboard/"):
        with CaptureQueriesContext(connection) as ctx:
            r = client.get(url)
        assert r.status_code == 200
        return r, len(ctx.captured_queries)

    get()  # warm-up: the first request of a session touches session and device rows
    r, before = get()
    points = _points(r)
    assert {p["id"] for p in points} == {x.pk for x in first}
    html = r.content.decode()
    assert outside.number not in html and "别的街道的井盖" not in html
    assert 'data-testid="map-legend"' in html and "红牌" in html and "黄牌" in html
    assert 'data-tiles=""' in html  # no tile server configured: the map draws on a plain background
    _located(world.grid.code, 45)
    r, after = get()
    assert after == before and len(_points(r)) == 50
    # asking for the other street falls back to the actor's own root; its cases never appear
    r, _ = get(f"/cases/dashboard/?region={world.other_street.code}")
    assert outside.pk not in {p["id"] for p in _points(r)} and r.context["root"] == world.street


def test_dashboard_map_tiles_come_from_the_setting(client, world, make_user, settings):
    settings.SHANZHI_MAP_TILE_URL = "https://tiles.example/{z}/{x}/{y}.png"
    verified_login(client, make_user(Role.STREET_MANAGER, world.street.code))
    assert 'data-tiles="https://tiles.example/{z}/{x}/{y}.png"' in client.get("/cases/dashboard/").content.decode()


def test_dashboard_population_counts_only_persons_in_scope(client, world, make_user):
    """A community's staff member who also holds a street-level grant that shows regions but not residents
    (handling-body staff) counts only their own community's residents, and the dashboard, whose rollups
    count every case of a region, offers only their community, not the street."""
    neighbour = Region.objects.create(code="321002004002", name="文昌社区", level=Level.COMMUNITY, parent=world.street)
    neighbour_grid = Region.objects.create(code="321002004002001", name="文昌第1网格", level=Level.GRID,
                                           parent=neighbour)
    for _ in range(2):
        person_in(world.grid.code)
    for _ in range(3):
        person_in(neighbour_grid.code)
    person_in(world.grid.code, status="moved_out")
    user = make_user(Role.COMMUNITY_STAFF, world.community.code)

    RoleGrant.objects.create(user=user, role=Role.HANDLING_BODY_STAFF, region=world.street,
                             region_code=world.street.code)
    assert living_count_by_child(actor=user, prefix=world.street.code, child_len=12) == {
        world.community.code: 2}
    client.force_login(user)
    for asked in ("", world.street.code, neighbour.code):
        r = client.get("/cases/dashboard/", {"region": asked})
        assert r.status_code == 200 and r.context["root"] == world.community
        assert {row["region"].parent_id for row in r.context["rows"]} == {world.community.pk}
        assert "文昌" not in r.content.decode()
    r = client.get("/cases/dashboard/")
    populations = {row["region"].code: row["k"].population for row in r.context["rows"]}
    assert populations[world.grid.code] == 2 and sum(populations.values()) == 2
    # a manager of the whole street counts both communities
    manager = make_user(Role.STREET_MANAGER, world.street.code)
    assert living_count_by_child(actor=manager, prefix=world.street.code, child_len=12) == {
        world.community.code: 2, neighbour.code: 3}


def test_household_page_links_grid_roles_to_home_visits(client, world, make_user):
    household = household_in(world.grid.code)
    other = household_in(world.grid.code)
    worker = make_user(Role.GRID_WORKER, world.grid.code)
    home_visit_create(actor=worker, household=household, notes="了解独居老人用水情况")
    home_visit_create(actor=worker, household=other, notes="别家的走访")
    url = reverse("registry:household", args=[household.pk])
    link = f'{reverse("cases:home_visit")}?household={household.pk}'
    client.force_login(worker)
    html = client.get(url).content.decode()
    assert link in html and "入户走访" in html
    assert "了解独居老人用水情况" in html and "别家的走访" not in html
    # community staff see the visits but are not offered the visit form; a grid worker of the neighbouring
    # grid in the same community is not either
    client.force_login(make_user(Role.COMMUNITY_STAFF, world.community.code))
    html = client.get(url).content.decode()
    assert "了解独居老人用水情况" in html and link not in html
    client.force_login(make_user(Role.GRID_WORKER, world.grid2.code))
    assert client.get(url).status_code == 404
    # the link opens the visit form for that household
    client.force_login(worker)
    page = client.get(link).content.decode()
    assert f'name="household" value="{household.pk}"' in page


def test_household_visits_selector_is_scoped(world, make_user):
    household = household_in(world.grid.code)
    worker = make_user(Role.GRID_WORKER, world.grid.code)
    visit, _ = home_visit_create(actor=worker, household=household, notes="走访")
    assert list(household_visits(actor=worker, household=household)) == [visit]
    assert list(household_visits(actor=make_user(Role.GRID_WORKER, world.other_grid.code), household=household)) == []
    assert list(household_visits(actor=make_user(Role.RESIDENT, world.grid.code), household=household)) == []


def test_inspection_failed_item_needs_a_note(client, world, make_user):
    worker = make_user(Role.GRID_WORKER, world.grid.code)
    building = Building.objects.create(region_code=world.grid.code, name="3栋")
    for code in ("safety.fire_access", "safety.ebike", "safety.gas", "safety.facade"):
        make_category(code=code, name=code)
    client.force_login(worker)
    r = client.post("/cases/inspections/", {"building": building.pk, "ok_fire_access": "1", "ok_ebike_charging": "0",
                                            "note_ebike_charging": "", "ok_gas": "0", "note_gas": "软管老化",
                                            "ok_facade": "1"})
    html = r.content.decode()
    assert r.status_code == 200 and "“电动车充电”不合格，请填写情况说明" in html
    assert not Inspection.objects.exists() and not Case.objects.exists()
    # what was entered stays: both failed items still marked, the note kept
    assert html.count('class="list-group-item sz-check sz-failed"') == 2 and 'value="软管老化"' in html
    assert str(c.InspectionItem.GAS.label) in html
