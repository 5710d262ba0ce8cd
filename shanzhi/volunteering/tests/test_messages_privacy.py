"""No message names a person to someone else: store, ledger, registration and party refusals say what went
wrong without a resident's name (a refused redemption once told 吴居民 "积分不足：董龙 的余额少于 12 分")."""

import pytest
from django.contrib.messages import get_messages

from shanzhi.core.errors import ServiceError
from shanzhi.core.roles import Role
from shanzhi.ledger.choices import Ledger
from shanzhi.ledger.services import points_award
from shanzhi.party.choices import MemberCategory, OrgLevel
from shanzhi.party.services import dual_check_in_register, party_member_add, party_org_create
from shanzhi.registry.models import Person
from shanzhi.volunteering.services import volunteer_register
from shanzhi.volunteering.store import order_place, store_item_create
from shanzhi.volunteering.testing import make_person

pytestmark = pytest.mark.django_db
OTHER = "董龙"


def refusal(call) -> str:
    with pytest.raises(ServiceError) as e:
        call()
    return str(e.value.user_message)


@pytest.fixture
def shop(world, make_user):
    staff = make_user(Role.COMMUNITY_STAFF, world.community.code)
    return staff, store_item_create(actor=staff, region_code=world.community.code, name="食用油1升", points_price=12,
                                    stock=5, per_person_limit=0)


def test_a_failed_redemption_names_nobody(client, world, make_user, shop):
    _staff, item = shop
    resident = make_user(Role.RESIDENT, world.grid.code, display_name="吴居民")
    person = make_person(world.grid.code, resident, OTHER)  # the record the account is linked to
    points_award(actor=None, ledger=Ledger.VOLUNTEER, person=person, amount=5, idempotency_key="seed")
    message = refusal(lambda: order_place(actor=resident, item=item, person=person))
    assert "积分不足" in message and "12" in message and OTHER not in message
    # the page the resident sees
    client.force_login(resident)
    resp = client.post(f"/volunteering/store/items/{item.pk}/order/", {"quantity": "1"}, follow=True)
    shown = " ".join(str(m) for m in get_messages(resp.wsgi_request)) + resp.content.decode()
    assert "积分不足" in shown and OTHER not in shown


def test_registration_and_party_refusals_name_nobody(world, make_user):
    resident = make_user(Role.RESIDENT, world.grid.code)
    person = make_person(world.grid.code, resident, OTHER)
    volunteer_register(actor=resident, person=person)
    assert OTHER not in refusal(lambda: volunteer_register(actor=resident, person=person))

    manager = make_user(Role.STREET_MANAGER, world.street.code)
    org = party_org_create(actor=manager, name="玺园社区大党委", level=OrgLevel.COMMUNITY_COMMITTEE, region_code=world.community.code,
                           is_joint_committee=True)
    member_person = Person.objects.create(name=OTHER, region_code=world.grid.code)
    member = party_member_add(actor=manager, person=member_person, org=org, workplace_name="扬州供电公司",
                              category=MemberCategory.COMMUNITY)
    assert OTHER not in refusal(lambda: party_member_add(actor=manager, person=member_person, org=org))
    dual_check_in_register(actor=manager, member=member, community_code=world.community.code)
    assert OTHER not in refusal(lambda: dual_check_in_register(actor=manager, member=member,
                                                               community_code=world.community.code))
