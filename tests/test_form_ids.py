"""Every service that takes an id from a form refuses another region's id, whatever the form offered.

Each test posts, through the page, an id of a row in the other street (or a handling body that does not
cover the case) and asserts the refusal and that no row of any table changed.
"""

from __future__ import annotations

import pytest

from shanzhi.cases import choices as cc
from shanzhi.cases.models import CaseAssignment
from shanzhi.cases.services import case_transition
from shanzhi.cases.testing import case_in, make_body
from shanzhi.core.errors import NotAllowed
from shanzhi.core.roles import Role
from shanzhi.core.testing import make_user, rows_checksum, verified_login
from shanzhi.party.models import PartyMember
from shanzhi.party.services import party_member_add
from shanzhi.party.testing import _org
from shanzhi.registry.models import Person
from shanzhi.registry.testing import household_in, person_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def accepted(world):
    leader = make_user(Role.GRID_LEADER, world.grid.code)
    case = case_transition(actor=leader, case=case_in(world.grid.code), action="accept")
    return leader, case


def _post_case(client, case, **data):
    case.refresh_from_db()
    return client.post(f"/cases/{case.pk}/act/", {"version": case.version, **data}, follow=True)


def test_dispatch_refuses_a_body_that_does_not_cover_the_case(client, world, accepted):
    leader, case = accepted
    elsewhere = make_body(name="琼花物业公司", kind=cc.HandlerType.PROPERTY_COMPANY, region_code=world.other_community.code)
    client.force_login(leader)
    before = rows_checksum()
    resp = _post_case(client, case, action="dispatch", body=elsewhere.pk)
    assert "服务区域不含本民情所在区域" in resp.content.decode()
    assert rows_checksum() == before
    case.refresh_from_db()
    assert case.lead_body is None

    # a body that covers the case is accepted: the refusal is about the region, not the form
    here = make_body(name="玺园物业公司", kind=cc.HandlerType.PROPERTY_COMPANY, region_code=world.community.code)
    _post_case(client, case, action="dispatch", body=here.pk)
    case.refresh_from_db()
    assert case.lead_body == here


def test_assist_refuses_a_body_that_does_not_cover_the_case(client, world, accepted):
    leader, case = accepted
    here = make_body(name="玺园物业公司", kind=cc.HandlerType.PROPERTY_COMPANY, region_code=world.community.code)
    case = case_transition(actor=leader, case=case, action="dispatch", data={"body": here.pk})
    elsewhere = make_body(name="汶河城管科", region_code=world.other_street.code)
    client.force_login(leader)
    before = rows_checksum()
    resp = _post_case(client, case, action="assist", body=elsewhere.pk)
    assert "服务区域不含本民情所在区域" in resp.content.decode()
    assert rows_checksum() == before
    assert not CaseAssignment.objects.filter(case=case, body=elsewhere).exists()


def test_merge_refuses_a_duplicate_from_another_region(client, world):
    staff = make_user(Role.COMMUNITY_STAFF, world.community.code)
    keep = person_in(world.grid.code, name="王五")
    other = person_in(world.other_grid.code, name="王五")
    client.force_login(staff)
    before = rows_checksum()
    resp = client.post(f"/registry/persons/{keep.pk}/merge/",
                       {"duplicate": other.pk, "confirm": "1", "reason": "重复登记"}, follow=True)
    assert resp.status_code == 200
    assert "不在您的管辖范围内" in resp.content.decode()
    assert rows_checksum() == before
    assert Person.objects.filter(pk=other.pk).exists()


def test_move_refuses_a_household_from_another_region(client, world):
    staff = make_user(Role.COMMUNITY_STAFF, world.community.code)
    person = person_in(world.grid.code)
    target = household_in(world.other_grid.code)
    client.force_login(staff)
    before = rows_checksum()
    resp = client.post(f"/registry/persons/{person.pk}/act/?do=move",
                       {"household_number": target.household_number, "reason": "迁居"})
    assert resp.status_code == 200
    assert "在您的管辖范围内没有户号" in resp.content.decode()
    assert rows_checksum() == before


def test_change_head_refuses_a_person_from_another_region(client, world):
    staff = make_user(Role.COMMUNITY_STAFF, world.community.code)
    household = household_in(world.grid.code)
    head = person_in(world.grid.code, household=household)
    outsider = person_in(world.other_grid.code)
    client.force_login(staff)
    before = rows_checksum()
    resp = client.post(f"/registry/households/{household.pk}/act/?do=change_head", {"head": outsider.pk})
    assert resp.status_code == 200
    assert rows_checksum() == before
    household.refresh_from_db()
    assert household.head_id == head.pk


def test_party_member_refuses_a_person_from_another_region(client, world):
    street = make_user(Role.STREET_MANAGER, world.street.code)
    org = _org(world.community.code, street)
    outsider = Person.objects.create(name="外区居民", region_code=world.other_grid.code)

    verified_login(client, street)
    before = rows_checksum()
    resp = client.post(f"/party/orgs/{org.pk}/members/", {"person": outsider.pk}, follow=True)
    assert resp.status_code == 200
    assert rows_checksum() == before
    assert not PartyMember.objects.filter(person=outsider).exists()


def test_party_member_service_checks_the_persons_region_itself(world):
    """The service does not trust the page's lookup: a person outside the actor's region is refused."""
    street = make_user(Role.STREET_MANAGER, world.street.code)
    org = _org(world.community.code, street)
    outsider = Person.objects.create(name="外区居民", region_code=world.other_grid.code)
    with pytest.raises(NotAllowed):
        party_member_add(actor=street, person=outsider, org=org)
    assert not PartyMember.objects.filter(person=outsider).exists()
