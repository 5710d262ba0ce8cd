"""The grid dashboard: right figures, scoped, and a constant number of queries as data grows."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shanzhi.core.roles import Role
from shanzhi.registry import choices as c
from shanzhi.registry.models import Building
from shanzhi.registry.stats import region_dashboard
from shanzhi.registry.testing import care_tag_in, dwelling_in, household_in, person_in

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 21)


def _add(code, n):
    for i in range(n):
        h = household_in(code, dwelling=dwelling_in(code, occupancy=c.Occupancy.RENTED if i % 2 else
                                                     c.Occupancy.OWNER_OCCUPIED))
        p = person_in(code, household=h, name=f"居民{i}", sex=c.Sex.MALE if i % 2 else c.Sex.FEMALE,
                      birth_date=datetime.date(1950 + i % 70, 3, 1),
                      residence_type=c.ResidenceType.FLOATING if i % 3 == 0 else c.ResidenceType.REGISTERED)
        if i % 4 == 0:
            care_tag_in(code, person=p, tag=c.CareTagKind.DISABLED)


def test_dashboard_figures_are_scoped(world, make_user):
    _add(world.grid.code, 6)
    _add(world.other_grid.code, 5)
    worker = make_user(Role.GRID_WORKER, world.grid.code)
    dash = region_dashboard(actor=worker, region_code=world.grid.code, today=TODAY)
    assert dash["persons"] == 6 and dash["households"] == 6 and dash["rented"] == 3
    assert dash["floating"] == 2
    assert sum(dash["pyramid"]["male"]) == 3 and sum(dash["pyramid"]["female"]) == 3
    assert {t["key"]: t["value"] for t in dash["care_tags"]}[c.CareTagKind.DISABLED] == 2
    # the same actor asking about the other street sees nothing
    assert region_dashboard(actor=worker, region_code=world.other_grid.code, today=TODAY)["persons"] == 0


def test_age_bands(world, make_user):
    h = household_in(world.grid.code)
    for birth in (datetime.date(2026, 1, 1), datetime.date(2021, 11, 21), datetime.date(2021, 11, 22),
                  datetime.date(1930, 1, 1)):
        person_in(world.grid.code, household=h, name="甲", sex=c.Sex.MALE, birth_date=birth)
    worker = make_user(Role.GRID_WORKER, world.grid.code)
    male = region_dashboard(actor=worker, region_code=world.grid.code, today=TODAY)["pyramid"]["male"]
    assert male[0] == 2 and male[1] == 1 and male[-1] == 1  # 0-4, 5-9 (turned 5 today), 90+


def test_constant_queries_as_data_grows(world, make_user, client):
    worker = make_user(Role.GRID_WORKER, world.grid.code)
    counts = []
    for n in (3, 30):
        _add(world.grid.code, n)
        worker = type(worker).objects.get(pk=worker.pk)  # fresh grant cache
        with CaptureQueriesContext(connection) as ctx:
            region_dashboard(actor=worker, region_code=world.grid.code)
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1] <= 6


def test_dashboard_and_floor_plan_pages_constant_queries(world, make_user, client, django_assert_num_queries):
    _add(world.grid.code, 4)
    worker = make_user(Role.GRID_WORKER, world.grid.code)
    client.force_login(worker)
    building = Building.objects.filter(region_code=world.grid.code).first()
    urls = [f"/registry/regions/{world.grid.code}/", f"/registry/buildings/{building.pk}/"]
    client.get(urls[0])  # warm up the session
    small = []
    for url in urls:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        small.append(len(ctx.captured_queries))
    _add(world.grid.code, 40)
    for i in range(40):  # more dwellings and residents in the same building
        household_in(world.grid.code, dwelling=dwelling_in(world.grid.code, building=building, floor=1 + i % 6))
    for url, n in zip(urls, small, strict=True):
        with django_assert_num_queries(n):
            assert client.get(url).status_code == 200
