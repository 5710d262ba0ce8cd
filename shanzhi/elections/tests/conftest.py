import datetime as dt

import pytest

from shanzhi.core.roles import Role
from shanzhi.elections import services as s
from shanzhi.registry import choices as rc
from shanzhi.registry.testing import household_in, person_in


@pytest.fixture
def committee(world, make_user):
    return make_user(Role.ELECTION_COMMITTEE, world.community.code)


@pytest.fixture
def clerks(world, make_user):
    return make_user(Role.ELECTION_COMMITTEE, world.community.code), make_user(Role.ELECTION_COMMITTEE,
                                                                               world.community.code)


@pytest.fixture
def people(world):
    """10 adult 户籍 residents, a minor, a non-户籍 adult, and one in another community."""
    h = household_in(world.grid.code)
    adults = [person_in(world.grid.code, household=h, name=f"选民{i}", birth_date=dt.date(1970 + i, 3, 1))
              for i in range(10)]
    minor = person_in(world.grid.code, household=h, name="少年", birth_date=dt.date(2012, 1, 1))
    tenant = person_in(world.grid2.code, name="租户", birth_date=dt.date(1990, 1, 1),
                       residence_type=rc.ResidenceType.FLOATING)
    outsider = person_in(world.other_grid.code, name="外社区", birth_date=dt.date(1980, 1, 1))
    return {"adults": adults, "minor": minor, "tenant": tenant, "outsider": outsider}


@pytest.fixture
def election(world, committee):
    return s.election_create(actor=committee, community_code=world.community.code, title="玺园社区居委会换届选举",
                             term="第十二届", vote_on=dt.date(2026, 12, 20), objection_days=0,
                             seats={"director": 1, "deputy": 1, "member": 1})
