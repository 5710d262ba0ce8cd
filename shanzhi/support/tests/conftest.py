import datetime as dt

import pytest

from shanzhi.core.roles import Role
from shanzhi.registry.testing import person_in
from shanzhi.support import choices as c
from shanzhi.support import services as s
from shanzhi.support.models import Category

REASON_MARK = "风险标记QX7"
SOURCE_MARK = "文书标记WS9"


@pytest.fixture
def officer(world, make_user):
    return make_user(Role.SAFETY_OFFICER, world.community.code)


@pytest.fixture
def worker(world, make_user):
    return make_user(Role.GRID_WORKER, world.grid.code)


@pytest.fixture
def leader(world, make_user):
    return make_user(Role.GRID_LEADER, world.grid.code)


@pytest.fixture
def secretary(world, make_user):
    return make_user(Role.COMMUNITY_SECRETARY, world.community.code)


@pytest.fixture
def staff(world, make_user):
    """Community staff: in the region, not on any team."""
    return make_user(Role.COMMUNITY_STAFF, world.community.code)


@pytest.fixture
def security(world, make_user):
    return make_user(Role.SECURITY_ADMIN, world.city.code)


@pytest.fixture
def record(world, officer, worker):
    s.categories_ensure()
    person = person_in(world.grid.code, name="帮教甲某")
    return s.record_create(actor=officer, person=person, category=Category.objects.get(code="released"),
                           risk=c.Risk.HIGH, risk_reasons=f"多次违反规定 {REASON_MARK}",
                           started_on=dt.date(2026, 1, 5), source_document=f"扬广矫字 {SOURCE_MARK}",
                           responsible=worker)
