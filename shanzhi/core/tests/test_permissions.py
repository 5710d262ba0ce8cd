"""The one permission layer: named rules with a scope strategy, checked with a reason."""

import pytest

from shanzhi.cases.testing import case_in, make_body, make_body_staff
from shanzhi.core.permissions import PermissionDenied, check, require
from shanzhi.core.roles import Role
from shanzhi.core.scoping import STRATEGIES
from shanzhi.core.testing import make_user
from shanzhi.volunteering.permissions import SELF, STAFF
from shanzhi.volunteering.services import volunteer_register
from shanzhi.volunteering.testing import make_person

pytestmark = pytest.mark.django_db


def test_check_answers_with_the_rules_reason(world):
    staff = make_user(Role.COMMUNITY_STAFF, world.community.code)
    assert check(staff, STAFF.action, world.grid.code) == (True, "")
    allowed, reason = check(staff, STAFF.action, world.other_grid.code)
    assert not allowed and reason == "您不是该区域的工作人员"
    with pytest.raises(PermissionDenied, match="您不是该区域的工作人员"):
        require(staff, STAFF.action, world.other_grid.code)
    # the wrong role on the right region is refused too
    assert not check(make_user(Role.RESIDENT, world.grid.code), STAFF.action, world.grid.code)[0]


def test_owner_strategy_reads_the_rows_owner(world):
    resident = make_user(Role.RESIDENT, world.grid.code)
    person = make_person(world.grid.code, resident)
    assert check(resident, SELF.action, person)[0]
    assert not check(make_user(Role.RESIDENT, world.grid.code), SELF.action, person)[0]


def test_volunteer_register_checks_its_actor(world):
    """The service no longer trusts the page: only the person themself or staff of their region register them."""
    owner = make_user(Role.RESIDENT, world.grid.code)
    person = make_person(world.grid.code, owner)
    with pytest.raises(PermissionDenied):
        volunteer_register(actor=make_user(Role.RESIDENT, world.grid.code), person=person)
    with pytest.raises(PermissionDenied):
        volunteer_register(actor=make_user(Role.COMMUNITY_STAFF, world.other_community.code), person=person)
    assert volunteer_register(actor=make_user(Role.COMMUNITY_STAFF, world.community.code), person=person).pk


def test_scope_strategies_by_name(world):
    """Code prefix, community-widened, owner and assigned handling body, each a named strategy."""
    resident = make_user(Role.RESIDENT, world.grid.code)
    assert STRATEGIES["within"](resident, world.grid.code, {Role.RESIDENT})
    assert not STRATEGIES["within"](resident, world.community.code, {Role.RESIDENT})
    assert STRATEGIES["community_widened"](resident, world.community.code, {Role.RESIDENT})
    assert not STRATEGIES["community_widened"](resident, world.other_community.code, {Role.RESIDENT})

    staff = make_body_staff(make_body(name="玺园物业", region_code=world.community.code))
    case = case_in(world.grid.code, staff)
    assert STRATEGIES["handling_body"](staff, case, {Role.HANDLING_BODY_STAFF})
    other = make_body_staff(make_body(name="琼花物业", region_code=world.other_community.code))
    assert not STRATEGIES["handling_body"](other, case, {Role.HANDLING_BODY_STAFF})
