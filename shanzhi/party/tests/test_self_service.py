"""党员 themselves (go-live): 双报到 to their residence community, own points, 联系户 — only their own."""

import pytest

from shanzhi.core.errors import NotAllowed, ServiceError
from shanzhi.core.roles import Role
from shanzhi.core.scope import forget_grants
from shanzhi.party import services as s
from shanzhi.party.models import CoBuildingUnit, DualCheckIn, MemberHousehold, PartyMember, PartyOrg
from shanzhi.registry.testing import household_in, person_in


@pytest.fixture
def member(world, make_user):
    user = make_user(Role.PARTY_MEMBER, world.community.code)
    person = person_in(world.grid.code, name="钱红")
    person.user = user
    person.save(update_fields=["user"])
    org = PartyOrg.objects.create(name="玺园社区大党委", level="branch", region_code=world.community.code,
                                  is_joint_committee=True)
    m = PartyMember.objects.create(person=person, org=org, region_code=world.grid.code, workplace_name="扬州供电公司")
    other = household_in(world.grid.code)
    MemberHousehold.objects.create(member=m, household=other, region_code=world.grid.code)
    return user, m


def test_a_member_reports_dual_check_in_themselves(client, member, world):
    user, m = member
    client.force_login(user)
    page = client.get("/party/mine/")
    assert page.status_code == 200 and "扬州供电公司" in page.content.decode()
    client.post("/party/mine/", {"unit_name": "扬州供电公司", "service_wish": "周末义务维修"})
    check_in = DualCheckIn.objects.get(member=m)
    assert check_in.community_code == world.community.code
    assert CoBuildingUnit.objects.filter(name="扬州供电公司").exists()
    with pytest.raises(ServiceError, match="已向该社区报到"):
        s.dual_check_in_self(actor=user, unit_name="扬州供电公司")
    html = client.get("/party/mine/").content.decode()
    assert 'data-testid="my-points"' in html and "我的联系户" in html


def test_someone_without_a_party_record_is_refused(world, make_user):
    user = make_user(Role.PARTY_MEMBER, world.community.code)
    with pytest.raises(ServiceError, match="没有关联党员信息"):
        s.dual_check_in_self(actor=user, unit_name="x")


def test_the_role_is_needed_as_well_as_the_record(member, world):
    user, m = member
    user.grants.all().delete()
    forget_grants(user)
    with pytest.raises(NotAllowed):
        s.dual_check_in_self(actor=user, unit_name="扬州供电公司")


def test_a_party_member_does_not_see_the_staff_pages(client, member):
    user, _m = member
    client.force_login(user)
    assert client.get("/party/members/").status_code == 403
