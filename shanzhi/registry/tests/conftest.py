import datetime

import pytest
from stdnum.cn import ric

from shanzhi.core.roles import Role
from shanzhi.registry import services as s


def make_id(region="321002", birth=datetime.date(1980, 5, 17), seq=1, male=True) -> str:
    order = seq * 2 + (1 if male else 0)
    body = f"{region}{birth:%Y%m%d}{order % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


@pytest.fixture
def ids():
    return make_id


@pytest.fixture
def worker(world, make_user):
    return make_user(Role.GRID_WORKER, world.grid.code)


@pytest.fixture
def leader(world, make_user):
    return make_user(Role.GRID_LEADER, world.grid.code)


@pytest.fixture
def other_worker(world, make_user):
    return make_user(Role.GRID_WORKER, world.other_grid.code)


@pytest.fixture
def place(world, worker):
    """A building with one dwelling and a household in the in-scope grid."""
    b = s.building_create(actor=worker, region_code=world.grid.code, name="3栋", floors=6)
    d = s.dwelling_create(actor=worker, building=b, room="501")
    h = s.household_create(actor=worker, household_number="H0001", dwelling=d)
    return b, d, h
