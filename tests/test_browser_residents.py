"""The residents' and seed roles' own pages in Debian Chromium, at 375 and 1280 px (go-live, issue 13): the
community desk's identity checks, a household head's household and 代办 pages, the building captain's roster,
the collector's 代为反映 and the party member's own page. Each fits a phone without sideways scrolling.
Screenshots in test-artifacts/."""

import datetime

import pytest

from shanzhi.cases.testing import make_category
from shanzhi.core.roles import Role
from shanzhi.core.testing import PASSWORD, make_user, make_world
from shanzhi.party.models import MemberHousehold, PartyMember, PartyOrg
from shanzhi.portal import services as portal
from shanzhi.portal.testing import valid_id_number
from shanzhi.registry.models import Building, Person
from shanzhi.registry.testing import household_in, person_in
from tests.golive import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _people(world):
    household = household_in(world.grid.code)
    head_id, elder_id = valid_id_number("19700101"), valid_id_number("19400101")
    head = person_in(world.grid.code, household=household, name="李明", id_number=head_id,
                     birth_date=datetime.date(1970, 1, 1), phone="13912345678")
    person_in(world.grid.code, household=household, name="李奶奶", id_number=elder_id, relation_to_head="parent",
              birth_date=datetime.date(1940, 1, 1))
    return head, head_id


def test_resident_and_role_pages_fit_a_phone(browser_page):
    world = make_world()
    head, head_id = _people(world)
    resident = make_user(phone_hash="b" * 64, display_name="李明")
    portal.binding_submit(actor=resident, name="李明", id_number=head_id, community_code=world.community.code)
    stranger = make_user(phone_hash="c" * 64)
    portal.binding_submit(actor=stranger, name="王五", id_number=valid_id_number("19900101"),
                          community_code=world.community.code)  # → a request at the desk
    staff = make_user(Role.COMMUNITY_STAFF, world.community.code, display_name="张社工")
    captain = make_user(Role.BUILDING_CAPTAIN, world.grid.code, display_name="孙楼长")
    captain_person = person_in(world.grid.code, name="孙建国", household=head.household, relation_to_head="child")
    Person.objects.filter(pk=captain_person.pk).update(user=captain)
    Building.objects.filter(pk=head.dwelling.building_id).update(captain=captain_person)
    collector = make_user(Role.CASE_COLLECTOR, world.community.code, display_name="郑丽")
    make_category()
    member_user = make_user(Role.PARTY_MEMBER, world.community.code, display_name="钱红")
    member_person = person_in(world.grid.code, name="钱红")
    Person.objects.filter(pk=member_person.pk).update(user=member_user)
    org = PartyOrg.objects.create(name="玺园社区大党委", level="branch", region_code=world.community.code,
                                  is_joint_committee=True)
    member = PartyMember.objects.create(person=member_person, org=org, region_code=world.grid.code,
                                        workplace_name="扬州供电公司")
    MemberHousehold.objects.create(member=member, household=head.household, region_code=world.grid.code)

    pages = [
        (resident, ["/", "/me/household/", "/me/household/proxy/", "/me/account/"], "resident"),
        (stranger, ["/me/bind/"], "binding-pending"),
        (staff, ["/", "/me/desk/bindings/"], "desk"),
        (captain, ["/me/building/"], "captain"),
        (collector, ["/me/collect/"], "collector"),
        (member_user, ["/party/mine/"], "party-member"),
    ]
    for viewport in ("phone", "desktop"):
        for user, urls, name in pages:
            page = browser_page(viewport)
            page.login(user.username, PASSWORD)
            for i, url in enumerate(urls):
                page.goto(url)
                assert page.locator(".page-body").count() == 1
                if viewport == "phone":
                    assert page.evaluate("document.documentElement.scrollWidth") <= 375, url
                shot(page, f"residents-{name}-{i}", viewport)
            page.context.close()

    page = browser_page("phone")
    page.login(staff.username, PASSWORD)
    page.goto("/")
    todo = page.locator("[data-todo='portal.bindings']")
    assert todo.get_attribute("data-count") == "1"
    with page.expect_navigation():
        todo.click()
    assert "王五" in page.inner_text(".page-body") and "李明" not in page.inner_text(".page-body")
