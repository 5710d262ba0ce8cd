"""Figures agree: every page that shows 实有人口, 户数 or 空置房 of a region shows the same number, computed by
one selector (`registry.stats`), and a room a household moves into is no longer counted as vacant."""

import re

import pytest

from shanzhi.core.roles import Role
from shanzhi.registry import choices as c
from shanzhi.registry.services import household_split, person_move_in
from shanzhi.registry.testing import dwelling_in, household_in, person_in

pytestmark = pytest.mark.django_db


def _figure(html: str, key: str, attr: str = "data-figure") -> int:
    found = re.search(rf'{attr}="{key}"[^>]*>(?:<a [^>]*>)?\s*([\d,]+)', html)
    assert found, f"{key} not on the page"
    return int(found.group(1).replace(",", ""))


def _pages(client, code: str) -> dict[str, str]:
    return {
        "regions": client.get(f"/regions/{code}/").content.decode(),
        "registry": client.get(f"/registry/regions/{code}/").content.decode(),
        "print": client.get(f"/registry/regions/{code}/print/").content.decode(),
    }


def test_population_and_households_agree_on_every_page(client, world, make_user):
    # the grid declares census figures far from what the registry holds
    world.grid.population, world.grid.households = 607, 217
    world.grid.save(update_fields=["population", "households"])
    for i in range(3):
        h = household_in(world.grid.code)
        for j in range(i + 1):
            person_in(world.grid.code, household=h, name=f"住户{i}{j}")
    person_in(world.grid.code, name="已迁出", status=c.PersonStatus.MOVED_OUT)
    person_in(world.grid2.code, name="邻格居民")
    worker = make_user(Role.GRID_WORKER, world.grid.code)
    client.force_login(worker)
    pages = _pages(client, world.grid.code)
    persons = {name: _figure(html, "persons") for name, html in pages.items()}
    households = {name: _figure(html, "households") for name, html in pages.items()}
    home = client.get("/").content.decode()
    persons["workbench"] = _figure(home, "registry.persons", attr="data-counter")
    assert set(persons.values()) == {6}, persons  # 1 + 2 + 3 living; the moved-out one and the neighbour not
    assert set(households.values()) == {4}, households  # three households, plus the moved-out person's own
    assert "607" not in pages["regions"].split("统计年报人口")[0]  # the census figure is labelled, never 人口


def test_a_room_is_not_vacant_once_someone_moves_in(client, world, make_user):
    staff = make_user(Role.COMMUNITY_STAFF, world.community.code)
    empty = dwelling_in(world.grid.code, occupancy=c.Occupancy.VACANT)
    other = dwelling_in(world.grid.code, occupancy=c.Occupancy.VACANT, owner_name="房东甲")
    still = dwelling_in(world.grid.code, occupancy=c.Occupancy.VACANT)
    client.force_login(staff)
    assert {_figure(html, "vacant") for name, html in _pages(client, world.grid.code).items()
            if name != "regions"} == {3}

    person_move_in(actor=staff, dwelling=empty, name="新住户", sex=c.Sex.MALE, date=None)
    h = household_in(world.grid.code)
    a = person_in(world.grid.code, household=h, name="甲")
    b = person_in(world.grid.code, household=h, name="乙", relation_to_head=c.Relation.CHILD)
    household_split(actor=staff, household=h, members=[b], household_number="SPLIT0001", head=b, dwelling=other)
    assert a.pk

    empty.refresh_from_db()
    other.refresh_from_db()
    still.refresh_from_db()
    assert empty.occupancy == c.Occupancy.OWNER_OCCUPIED  # no other owner recorded
    assert other.occupancy == c.Occupancy.RENTED  # someone else owns it
    assert still.occupancy == c.Occupancy.VACANT
    pages = _pages(client, world.grid.code)
    assert {_figure(pages["registry"], "vacant"), _figure(pages["print"], "vacant")} == {1}
    plan = client.get(f"/registry/buildings/{empty.building_id}/").content.decode()
    assert re.search(rf'registry/dwellings/{empty.pk}/"[^>]*data-occupancy="owner_occupied"', plan)
    assert empty.events.filter(kind=c.EventKind.MOVE_IN).exists()  # the change is on the room's timeline
