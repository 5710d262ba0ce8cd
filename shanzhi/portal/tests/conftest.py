from datetime import date

import pytest

from shanzhi.core.roles import Role
from shanzhi.core.testing import make_user
from shanzhi.portal.testing import valid_id_number
from shanzhi.registry.testing import household_in, person_in


class Family:
    """A household in the world's grid: a head and an elder (no account), plus community staff."""

    def __init__(self, world):
        self.world = world
        self.household = household_in(world.grid.code)
        self.head_id = valid_id_number("19700101")
        self.elder_id = valid_id_number("19400101")
        self.head = person_in(world.grid.code, household=self.household, name="李明", id_number=self.head_id,
                              birth_date=date(1970, 1, 1))
        self.elder = person_in(world.grid.code, household=self.household, name="李奶奶", id_number=self.elder_id,
                               relation_to_head="parent", birth_date=date(1940, 1, 1))
        self.staff = make_user(Role.COMMUNITY_STAFF, world.community.code)
        self.other_staff = make_user(Role.COMMUNITY_STAFF, world.other_community.code)
        self.user = make_user()  # a new self-registered account: no grant yet


@pytest.fixture
def family(world, clock):
    return Family(world)
