import pytest

from shanzhi.core.roles import Role
from shanzhi.core.testing import verified_login
from shanzhi.ledger.choices import Ledger
from shanzhi.ledger.selectors import balance_of
from shanzhi.party.models import CoBuildingUnit, PartyMember, PartyOrg, ServiceRecord
from shanzhi.registry.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(world):
    committee = PartyOrg.objects.create(name="玺园社区党委", level="community_committee",
                                        region_code=world.community.code, is_joint_committee=True)
    branch = PartyOrg.objects.create(name="第1网格党支部", level="branch", region_code=world.grid.code,
                                     parent=committee)
    person = Person.objects.create(name="周在职", region_code=world.grid.code)
    return PartyMember.objects.create(person=person, org=branch, region_code=world.grid.code,
                                      workplace_name="扬州供电公司")


def test_pages_dual_check_in_and_points_approval_end_to_end(client, world, make_user, member):
    staff = make_user(Role.COMMUNITY_STAFF, world.community.code)
    client.force_login(staff)
    assert "玺园社区党委" in client.get("/party/").content.decode()
    resp = client.post(f"/party/members/{member.pk}/dual-check-in/", {"unit_name": "扬州供电公司",
                                                                       "service_wish": "安全用电宣传"})
    assert resp.status_code == 302
    assert CoBuildingUnit.objects.filter(name="扬州供电公司", joint_committee__is_joint_committee=True).exists()
    client.post(f"/party/members/{member.pk}/records/", {"description": "走访联系户", "points": "5",
                                                          "happened_on": "2026-11-20"})
    record = ServiceRecord.objects.get(member=member)
    # staff may record but not approve: the route refuses them
    assert client.post(f"/party/records/{record.pk}/decide/", {"action": "approve"}).status_code == 403
    secretary = make_user(Role.COMMUNITY_SECRETARY, world.community.code)
    client.force_login(secretary)
    assert "走访联系户" in client.get("/party/records/").content.decode()
    client.post(f"/party/records/{record.pk}/decide/", {"action": "approve"})
    assert balance_of(person=member.person, ledger=Ledger.PARTY) == 5
    page = client.get(f"/party/members/{member.pk}/").content.decode()
    assert "扬州供电公司" in page and 'data-testid="party-points">5<' in page
    resp = client.post("/party/meetings/", {"committee": member.org.parent_id, "topic": "电力增容",
                                            "held_on": "2026-11-21", "resolutions": "供电公司评估\n社区召集业主",
                                            "units": [CoBuildingUnit.objects.get().pk]})
    assert resp.status_code == 302
    assert "供电公司评估" in client.get("/party/meetings/").content.decode()
    export = client.get("/party/members/export.xlsx")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxml")


def test_staff_build_the_org_tree_and_roll_from_pages(client, world, make_user):
    verified_login(client, make_user(Role.STREET_MANAGER, world.street.code))
    client.post("/party/", {"name": "曲江街道党工委", "level": "street_committee", "region_code": world.street.code})
    street = PartyOrg.objects.get(name="曲江街道党工委")
    client.post("/party/", {"name": "玺园社区党委", "level": "community_committee", "region_code": world.community.code,
                            "parent": street.pk, "is_joint_committee": "1"})
    client.post("/party/", {"name": "越界支部", "level": "branch", "region_code": world.other_grid.code,
                            "parent": street.pk})
    committee = PartyOrg.objects.get(name="玺园社区党委")
    assert committee.parent == street and committee.is_joint_committee
    assert not PartyOrg.objects.filter(name="越界支部").exists()
    person = Person.objects.create(name="孙党员", region_code=world.grid.code, political_status="party_member")
    assert "孙党员" in client.get(f"/party/orgs/{committee.pk}/").content.decode()
    client.post(f"/party/orgs/{committee.pk}/members/", {"person": person.pk, "category": "retired"})
    assert PartyMember.objects.get(person=person).category == "retired"
