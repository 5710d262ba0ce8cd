import datetime

import pytest

from shanzhi.core.errors import NotAllowed, ServiceError
from shanzhi.core.roles import Role
from shanzhi.ledger.choices import Ledger
from shanzhi.ledger.selectors import balance_of, reconcile
from shanzhi.party import selectors
from shanzhi.party.choices import MemberCategory, OrgLevel, RecordState
from shanzhi.party.services import (
    dual_check_in_register,
    joint_meeting_record,
    member_household_link,
    party_member_add,
    party_org_create,
    service_record_create,
    service_record_decide,
)
from shanzhi.registry.models import Household, Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(world, make_user):
    street_mgr = make_user(Role.STREET_MANAGER, world.street.code)
    street = party_org_create(actor=street_mgr, name="曲江街道党工委", level=OrgLevel.STREET_COMMITTEE,
                              region_code=world.street.code)
    community = party_org_create(actor=street_mgr, name="玺园社区党委", level=OrgLevel.COMMUNITY_COMMITTEE,
                                 region_code=world.community.code, parent=street, is_joint_committee=True)
    branch = party_org_create(actor=street_mgr, name="第1网格党支部", level=OrgLevel.BRANCH,
                              region_code=world.grid.code, parent=community)
    return street_mgr, street, community, branch


def test_org_tree_maps_onto_regions_and_is_scoped(world, make_user, tree):
    street_mgr, street, community, branch = tree
    with pytest.raises(ServiceError, match="区域之内"):
        party_org_create(actor=street_mgr, name="错位党小组", level=OrgLevel.GROUP, region_code=world.grid2.code,
                         parent=branch)
    roots = selectors.org_tree(actor=street_mgr)
    assert roots[0]["org"] == street and roots[0]["children"][0]["children"][0]["org"] == branch
    grid_worker = make_user(Role.GRID_WORKER, world.grid.code)
    assert [n["org"] for n in selectors.org_tree(actor=grid_worker)] == [branch]
    assert selectors.org_tree(actor=make_user(Role.STREET_MANAGER, world.other_street.code)) == []


def test_dual_check_in_makes_the_workplace_a_co_building_unit_and_meetings_resolve(world, make_user, tree):
    street_mgr, street, community, branch = tree
    staff = make_user(Role.COMMUNITY_STAFF, world.community.code)
    person = Person.objects.create(name="周在职", region_code=world.grid.code)
    member = party_member_add(actor=staff, person=person, org=branch, category=MemberCategory.COMMUNITY,
                              workplace_name="扬州供电公司")
    check_in, unit = dual_check_in_register(actor=staff, member=member, community_code=world.community.code,
                                            service_wish="用电安全宣传")
    assert unit.joint_committee == community and unit.name == "扬州供电公司"
    member.refresh_from_db()
    assert member.category == MemberCategory.EMPLOYED
    with pytest.raises(ServiceError, match="已向该社区报到"):
        dual_check_in_register(actor=staff, member=member, community_code=world.community.code)
    colleague = party_member_add(actor=staff, person=Person.objects.create(name="钱同事", region_code=world.grid.code),
                                 org=branch, workplace_name="扬州供电公司")
    _, same_unit = dual_check_in_register(actor=staff, member=colleague, community_code=world.community.code)
    assert same_unit == unit
    meeting = joint_meeting_record(actor=staff, joint_committee=community, held_on=datetime.date(2026, 11, 1),
                                   topic="老旧小区电线改造", resolutions="供电公司负责检测\n社区组织居民\n",
                                   units=[unit], attendees=[member])
    assert meeting.resolution_list() == ["供电公司负责检测", "社区组织居民"]
    with pytest.raises(ServiceError, match="大党委"):
        joint_meeting_record(actor=staff, joint_committee=branch, held_on=datetime.date(2026, 11, 1), topic="x",
                             resolutions="y")
    with pytest.raises(NotAllowed):
        dual_check_in_register(actor=make_user(Role.COMMUNITY_STAFF, world.other_community.code), member=member,
                               community_code=world.community.code)


def test_service_records_award_and_deduct_party_points_after_approval(world, make_user, tree):
    street_mgr, street, community, branch = tree
    staff = make_user(Role.COMMUNITY_STAFF, world.community.code)
    secretary = make_user(Role.COMMUNITY_SECRETARY, world.community.code)
    member = party_member_add(actor=staff, person=Person.objects.create(name="党员甲", region_code=world.grid.code),
                              org=branch)
    household = Household.objects.create(household_number="H001", region_code=world.grid.code)
    member_household_link(actor=staff, member=member, household=household)
    good = service_record_create(actor=staff, member=member, description="走访联系户", points=5,
                                 happened_on=datetime.date(2026, 11, 2))
    bad = service_record_create(actor=staff, member=member, description="无故缺席组织生活", points=-2,
                                happened_on=datetime.date(2026, 11, 3))
    assert balance_of(person=member.person, ledger=Ledger.PARTY) == 0
    with pytest.raises(NotAllowed):
        service_record_decide(actor=staff, record=good, action="approve")
    service_record_decide(actor=secretary, record=good, action="approve")
    service_record_decide(actor=secretary, record=bad, action="approve")
    assert balance_of(person=member.person, ledger=Ledger.PARTY) == 3
    assert balance_of(person=member.person, ledger=Ledger.VOLUNTEER) == 0
    good.refresh_from_db()
    assert good.state == RecordState.APPROVED and good.transfer_id and good.decided_by == secretary
    assert reconcile().ok
