from datetime import date

import pytest

from shanzhi.core.roles import Role
from shanzhi.core.testing import make_user
from shanzhi.portal.testing import valid_id_number
from shanzhi.registry.testing import household_in, person_in


class Desk:
    """A household in the world's grid (a head, an elder without an account), the grid's worker and a worker
    of another community."""

    def __init__(self, world):
        self.world = world
        self.household = household_in(world.grid.code)
        self.head_id = valid_id_number("19700101")
        self.elder_id = valid_id_number("19400101")
        self.head = person_in(world.grid.code, household=self.household, name="李明", id_number=self.head_id,
                              birth_date=date(1970, 1, 1))
        self.elder = person_in(world.grid.code, household=self.household, name="李奶奶", id_number=self.elder_id,
                               relation_to_head="parent", birth_date=date(1940, 1, 1))
        self.worker = make_user(Role.GRID_WORKER, world.grid.code, display_name="王网格")
        self.colleague = make_user(Role.GRID_WORKER, world.grid.code)
        self.staff = make_user(Role.COMMUNITY_STAFF, world.community.code)
        self.secretary = make_user(Role.COMMUNITY_SECRETARY, world.community.code)
        self.outsider = make_user(Role.GRID_WORKER, world.other_grid.code)


@pytest.fixture
def desk(world, clock):
    return Desk(world)
