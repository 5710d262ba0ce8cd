"""Real-name binding: the blind-index match, the request to the community, and what the answer never tells."""

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from shanzhi.accounts.models import RoleGrant
from shanzhi.audit.models import AuditEvent
from shanzhi.consultation.models import Support
from shanzhi.consultation.testing import topic_in
from shanzhi.core.errors import ServiceError
from shanzhi.core.roles import Role
from shanzhi.core.scope import forget_grants
from shanzhi.ledger.choices import Ledger
from shanzhi.ledger.services import points_award
from shanzhi.portal import services as s
from shanzhi.portal.models import BindingAttempt, BindingRequest
from shanzhi.portal.testing import valid_id_number
from shanzhi.registry.models import Person
from shanzhi.registry.permissions import can_act_for
from shanzhi.registry.testing import person_in
from shanzhi.volunteering.models import Order, StoreItem


def _bind(family, user=None, name="李明", id_number=None):
    return s.binding_submit(actor=user or family.user, name=name, id_number=id_number or family.head_id,
                            community_code=family.world.community.code)


def test_name_and_id_number_bind_at_once_and_grant_the_resident_role(family):
    outcome, person = _bind(family)
    assert outcome == "bound" and person.pk == family.head.pk
    family.head.refresh_from_db()
    assert family.head.user_id == family.user.pk
    assert RoleGrant.objects.filter(user=family.user, role=Role.RESIDENT, region_code=family.world.grid.code).exists()
    assert AuditEvent.objects.filter(action="registry.person.account_link").exists()


def test_lower_case_x_and_spaces_still_match(family, world):
    number = valid_id_number("19800101")
    while not number.endswith("X"):
        number = valid_id_number("19800101")
    from_registry = Person.objects.create(region_code=world.grid.code, name="周X", id_number_hash=s.pii.blind_index(
        number, purpose="id_number"), id_number_enc=s.pii.encrypt(number))
    outcome, person = _bind(family, name="周X", id_number=" " + number.lower() + " ")
    assert outcome == "bound" and person.pk == from_registry.pk


def _answer(client, family, id_number, name="李明"):
    client.force_login(family.user)
    resp = client.post("/me/bind/", {"name": name, "id_number": id_number, "community": family.world.community.code},
                       follow=True)
    return resp.status_code, resp.redirect_chain, [str(m) for m in resp.context["messages"]]


def test_unknown_number_and_already_bound_number_get_the_same_answer(client, family, make_user):
    other = make_user()
    _bind(family, user=other)  # 李明's record is now bound to someone else
    family.user = make_user()
    unknown = _answer(client, family, valid_id_number("19900101"))
    family.user = make_user()
    bound = _answer(client, family, family.head_id)
    family.user = make_user()
    wrong_name = _answer(client, family, family.elder_id, name="王某")
    assert unknown == bound == wrong_name
    assert "已提交社区人工核验" in unknown[2][0]
    # each became the same kind of row: a pending request with the number encrypted
    assert BindingRequest.objects.filter(state="pending").count() == 3
    assert AuditEvent.objects.filter(action="portal.binding.requested").count() == 3


def test_the_same_path_is_taken_for_unknown_and_bound_numbers(family, make_user):
    """Same timing path: the same queries, in number and kind, for an unknown and for an already-bound number."""
    _bind(family, user=make_user())
    first, second = make_user(), make_user()

    with CaptureQueriesContext(connection) as unknown:
        s.binding_submit(actor=first, name="李明", id_number=valid_id_number("19900101"),
                         community_code=family.world.community.code)
    with CaptureQueriesContext(connection) as bound:
        s.binding_submit(actor=second, name="李明", id_number=family.head_id, community_code=family.world.community.code)
    kinds = [q["sql"].split()[0] for q in unknown.captured_queries]
    assert kinds == [q["sql"].split()[0] for q in bound.captured_queries]


@override_settings(SHANZHI_BINDING_RATE_USER="3/day")
def test_tries_are_limited_and_audited(family):
    for _ in range(3):
        _bind(family, id_number=valid_id_number("19900101"))
    with pytest.raises(ServiceError, match="尝试次数过多"):
        _bind(family)  # even the right number: the limit is per account
    assert BindingAttempt.objects.filter(user=family.user).count() == 3
    assert AuditEvent.objects.filter(action="portal.binding.throttled").exists()
    family.head.refresh_from_db()
    assert family.head.user_id is None


def test_malformed_number_is_named(family):
    with pytest.raises(ServiceError) as e:
        _bind(family, id_number="123")
    assert e.value.field == "id_number"


def test_staff_approve_a_request_after_checking_papers(family, client):
    _bind(family, user=family.user, name="李明", id_number=family.head_id)  # bound directly
    late = family.__class__(family.world)  # a second family: its head's number is requested with a typo'd name
    outcome, req = _bind(late, name="李明明", id_number=late.head_id)
    assert outcome == "requested"
    with pytest.raises(ServiceError, match="姓名"):
        s.binding_approve(actor=late.staff, request=req)
    Person.objects.filter(pk=late.head.pk).update(name="李明明")  # staff corrected the registry first
    client.force_login(late.staff)
    resp = client.post(f"/me/desk/bindings/{req.pk}/", {"decision": "approve"})
    assert resp.status_code == 302
    late.head.refresh_from_db()
    assert late.head.user_id == late.user.pk
    assert BindingRequest.objects.get(pk=req.pk).state == "approved"
    assert RoleGrant.objects.filter(user=late.user, role=Role.RESIDENT).exists()


def test_staff_approval_moves_an_already_bound_record(family, make_user):
    squatter = make_user()
    _bind(family, user=squatter)
    outcome, req = _bind(family)  # the real 李明 comes to the desk with their papers
    assert outcome == "requested"
    s.binding_approve(actor=family.staff, request=req)
    family.head.refresh_from_db()
    assert family.head.user_id == family.user.pk
    forget_grants(squatter)
    assert not RoleGrant.objects.filter(user=squatter, role=Role.RESIDENT).exists()


def test_out_of_scope_staff_get_404_and_cannot_approve(family, client):
    outcome, req = _bind(family, id_number=valid_id_number("19900101"))
    client.force_login(family.other_staff)
    assert client.post(f"/me/desk/bindings/{req.pk}/", {"decision": "approve"}).status_code == 404
    assert "李明" not in client.get("/me/desk/bindings/").content.decode()
    client.force_login(family.staff)
    assert "李明" in client.get("/me/desk/bindings/").content.decode()


def test_reject_needs_a_reason_and_tells_the_resident(family):
    outcome, req = _bind(family, id_number=valid_id_number("19900101"))
    with pytest.raises(ServiceError, match="驳回理由"):
        s.binding_reject(actor=family.staff, request=req, reason="")
    s.binding_reject(actor=family.staff, request=req, reason="居民信息库无此人，请先办理登记")
    assert family.user.notifications.filter(kind="portal.binding").exists()


def test_unbind_and_delete_keep_the_registry(family, client):
    _bind(family)
    s.binding_release(actor=family.user)
    family.head.refresh_from_db()
    assert family.head.user_id is None and family.head.name == "李明"
    forget_grants(family.user)
    assert not family.user.grants.exists()
    _bind(family)
    client.force_login(family.user)
    resp = client.post("/me/account/delete/", {"confirm": "1"})
    assert resp.status_code == 302
    family.user.refresh_from_db()
    assert not family.user.is_active and family.user.phone_hash == "" and family.user.username.startswith("deleted-")
    assert not family.user.has_usable_password()
    family.head.refresh_from_db()
    assert family.head.user_id is None
    assert Person.objects.filter(pk=family.head.pk, name="李明", id_number_hash__gt="").exists()
    assert AuditEvent.objects.filter(action="portal.account_delete").exists()


def test_household_head_may_act_for_an_elder_without_account(family, make_user):
    _bind(family)
    family.user.refresh_from_db()
    ok, _why = can_act_for(family.user, family.elder, "support")
    assert ok
    assert not can_act_for(family.user, family.elder, "vote")[0]  # only the listed actions
    elder_user = make_user()
    s.binding_submit(actor=elder_user, name="李奶奶", id_number=family.elder_id, community_code=family.world.community.code)
    family.elder.refresh_from_db()
    ok, why = can_act_for(family.user, family.elder, "support")
    assert not ok and "本人" in why
    stranger = make_user()
    assert not can_act_for(stranger, family.elder, "support")[0]



def test_the_head_supports_and_redeems_for_the_elder_through_the_proxy_page(client, family, world):
    _bind(family)
    forget_grants(family.user)
    topic = topic_in(world.grid.code)
    item = StoreItem.objects.create(region_code=world.community.code, name="大米", points_price=50, stock=5)
    points_award(actor=family.staff, ledger=Ledger.VOLUNTEER, person=family.elder, amount=80, idempotency_key="t")
    client.force_login(family.user)
    page = client.get("/me/household/proxy/").content.decode()
    assert "李奶奶" in page and topic.title in page
    client.post("/me/household/proxy/", {"op": "support", "person": family.elder.pk, "topic": topic.pk})
    assert Support.objects.filter(person=family.elder, entered_by=family.user).exists()
    client.post("/me/household/proxy/", {"op": "redeem", "person": family.elder.pk, "item": item.pk})
    assert Order.objects.filter(person=family.elder, points=50).exists()
    # a stranger's member: refused with the reason, nothing written
    other = person_in(world.grid.code, name="别人")
    resp = client.post("/me/household/proxy/", {"op": "redeem", "person": other.pk, "item": item.pk}, follow=True)
    assert "户主" in resp.content.decode() and not Order.objects.filter(person=other).exists()
