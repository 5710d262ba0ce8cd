"""实有人口 from the per-grid tallies the database keeps (LivingTally) equals the live count of persons, through
every way persons are written: created, moved, dead, moved out, deleted, bulk-inserted by the importer's COPY,
edited without a change of status or region — and it is scoped exactly like persons."""

import pytest
from django.db import connection
from django.db.models import Count

from shanzhi.core.roles import Role
from shanzhi.core.scoping import _declared
from shanzhi.registry import choices as c
from shanzhi.registry.importing import _fast_insert
from shanzhi.registry.models import LivingTally, Person
from shanzhi.registry.stats import living_count, living_count_by_child, living_persons
from shanzhi.registry.testing import household_in, person_in

pytestmark = pytest.mark.django_db


def live_by_region() -> dict[str, int]:
    rows = Person.objects.filter(status=c.PersonStatus.LIVING).values_list("region_code").annotate(n=Count("id"))
    return dict(rows.order_by())


def tallied() -> dict[str, int]:
    return {code: n for code, n in LivingTally.objects.values_list("region_code", "living") if n}


def test_the_tallies_follow_every_write(world):
    grid, grid2, other = world.grid.code, world.grid2.code, world.other_grid.code
    people = [person_in(grid, name=f"甲{i}") for i in range(4)] + [person_in(grid2, name="乙")]
    person_in(other, name="丙", status=c.PersonStatus.MOVED_OUT)
    assert tallied() == live_by_region() == {grid: 4, grid2: 1}

    people[0].region_code = grid2  # moved to another grid
    people[0].save()
    Person.objects.filter(pk=people[1].pk).update(status=c.PersonStatus.DECEASED)
    Person.objects.filter(region_code=grid).update(name="改名")  # no change of status or region
    people[2].delete()
    Person.objects.filter(name="丙").update(status=c.PersonStatus.LIVING)  # moved back in
    assert tallied() == live_by_region() == {grid: 1, grid2: 2, other: 1}

    household = household_in(grid2)
    _fast_insert(Person, [{"name": f"导入{i}", "region_code": grid2, "household_id": household.pk,
                           "status": c.PersonStatus.LIVING if i % 3 else c.PersonStatus.MOVED_OUT}
                          for i in range(30)])
    assert tallied() == live_by_region() == {grid: 1, grid2: 22, other: 1}


def test_counts_from_tallies_equal_the_scoped_live_count(world, make_user):
    for code, n in ((world.grid.code, 3), (world.grid2.code, 2), (world.other_grid.code, 4)):
        for i in range(n):
            person_in(code, name=f"人{i}")
    person_in(world.grid.code, status=c.PersonStatus.DECEASED)
    actors = [make_user(Role.GRID_WORKER, world.grid.code), make_user(Role.STREET_MANAGER, world.street.code),
              make_user(Role.STREET_MANAGER, world.other_street.code), make_user(Role.RESIDENT, world.grid.code)]
    for actor in actors:
        assert living_count(actor=actor) == living_persons(actor=actor).count()
        for code in (world.grid.code, world.street.code, world.other_grid.code):
            assert living_count(actor=actor, region_code=code) == \
                living_persons(actor=actor, region_code=code).count()
    manager = actors[1]
    assert living_count_by_child(actor=manager, prefix=world.street.code, child_len=15) == {
        world.grid.code: 3, world.grid2.code: 2}
    assert living_count(actor=actors[3]) == 0  # a resident sees no registry
    # the tallies are scoped exactly as persons are: the same roles, the same strategy
    assert LivingTally.scope_roles["view"] == Person.scope_roles["view"]
    assert _declared(LivingTally, "view") == _declared(Person, "view")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's")
def test_truncate_empties_the_tallies(world):
    person_in(world.grid.code)
    assert tallied()
    with connection.cursor() as cur:
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the deferred foreign-key checks, before TRUNCATE
        cur.execute("TRUNCATE registry_person CASCADE")
    assert tallied() == live_by_region() == {}
