from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from shanzhi.core.errors import NotAllowed, ServiceError
from shanzhi.core.roles import Role
from shanzhi.ledger.choices import Ledger
from shanzhi.ledger.selectors import balance_of, reconcile
from shanzhi.ledger.services import points_award
from shanzhi.volunteering import selectors, tokens
from shanzhi.volunteering.certificates import certificate_issue, certificate_pdf, certificate_verify
from shanzhi.volunteering.choices import OrderState, SignUpState
from shanzhi.volunteering.models import Certificate, SignUp, StoreItem
from shanzhi.volunteering.services import (
    attendance_by_activity_code,
    attendance_by_volunteer_code,
    late_check_decide,
    late_check_request,
    service_hours,
    signup_create,
    signup_transition,
    volunteer_register,
    volunteer_verify,
)
from shanzhi.volunteering.store import order_cancel, order_place, order_redeem, store_item_create
from shanzhi.volunteering.testing import make_activity, make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(world, make_user):
    return make_user(Role.COMMUNITY_STAFF, world.community.code)


@pytest.fixture
def resident(world, make_user):
    return make_user(Role.RESIDENT, world.grid.code)


@pytest.fixture
def volunteer(world, staff, resident):
    person = make_person(world.grid.code, resident, "吴居民")
    v = volunteer_register(actor=resident, person=person)
    return volunteer_verify(actor=staff, volunteer=v)


def test_registration_needs_real_name_check_by_staff_of_the_region(world, make_user, resident, staff):
    person = make_person(world.grid.code, resident)
    v = volunteer_register(actor=resident, person=person)
    assert not v.verified
    with pytest.raises(NotAllowed):
        volunteer_verify(actor=make_user(Role.COMMUNITY_STAFF, world.other_community.code), volunteer=v)
    with pytest.raises(ServiceError, match="实名核验"):
        signup_create(actor=resident, activity=make_activity(world.grid.code, staff), volunteer=v)
    v = volunteer_verify(actor=staff, volunteer=v)
    assert v.verified_by == staff and v.verified_at


def test_signup_review_check_in_out_by_qr_awards_points_once(world, staff, resident, volunteer):
    activity = make_activity(world.grid.code, staff, starts_at=timezone.now() - timedelta(hours=1), hours=3,
                             points_per_hour=10)
    signup = signup_create(actor=resident, activity=activity, volunteer=volunteer)
    assert signup.state == SignUpState.PENDING
    with pytest.raises(ServiceError, match="审核"):
        attendance_by_activity_code(actor=resident, token=tokens.activity_token(activity))
    with pytest.raises(NotAllowed):
        signup_transition(actor=resident, signup=signup, action="approve")
    signup = signup_transition(actor=staff, signup=signup, action="approve")
    signup, kind = attendance_by_activity_code(actor=resident, token=tokens.activity_token(activity))
    assert kind == "check_in"
    _backdate_check_in(signup, activity.starts_at)
    # staff scan the volunteer's personal code to check out
    signup, kind = attendance_by_volunteer_code(actor=staff, activity=activity, token=tokens.volunteer_token(volunteer))
    assert kind == "check_out" and signup.transfer_id
    assert signup.points == int(signup.hours * 10)
    assert balance_of(person=volunteer.person, ledger=Ledger.VOLUNTEER) == signup.points
    with pytest.raises(ServiceError, match="已签退"):
        attendance_by_activity_code(actor=resident, token=tokens.activity_token(activity))
    assert list(signup.history.values_list("action", flat=True)) == ["create", "approve", "check_in", "check_out"]
    assert reconcile().ok


def test_bad_tokens_are_refused(world, staff, resident, volunteer):
    activity = make_activity(world.grid.code, staff)
    with pytest.raises(ServiceError, match="二维码无效"):
        attendance_by_activity_code(actor=resident, token=tokens.activity_token(activity) + "x")
    with pytest.raises(ServiceError, match="没有报名"):
        attendance_by_activity_code(actor=resident, token=tokens.activity_token(activity))
    with pytest.raises(ServiceError, match="无效"):
        attendance_by_volunteer_code(actor=staff, activity=activity, token="forged")


def test_hours_are_capped_by_the_activity_duration(world, staff):
    activity = make_activity(world.grid.code, staff, hours=2)
    t0 = activity.starts_at - timedelta(minutes=50)
    assert service_hours(activity, t0, activity.ends_at + timedelta(minutes=50)) == Decimal("2.0")
    assert service_hours(activity, activity.starts_at, activity.starts_at + timedelta(minutes=95)) == Decimal("1.5")


def test_late_check_request_is_approved_by_the_organiser_and_settles(world, make_user, staff, resident, volunteer):
    organiser = make_user(Role.GRID_WORKER, world.grid.code)
    activity = make_activity(world.grid.code, organiser, starts_at=timezone.now() - timedelta(hours=1.5), hours=2)
    signup = signup_transition(actor=staff, signup=signup_create(actor=resident, activity=activity,
                                                                 volunteer=volunteer), action="approve")
    req_in = late_check_request(actor=resident, signup=signup, kind="check_in", claimed_at=activity.starts_at,
                                reason="手机没电")
    req_out = late_check_request(actor=resident, signup=signup, kind="check_out", claimed_at=activity.ends_at,
                                 reason="手机没电")
    with pytest.raises(NotAllowed):
        late_check_decide(actor=make_user(Role.COMMUNITY_STAFF, world.other_community.code), request=req_in,
                          action="approve")
    late_check_decide(actor=organiser, request=req_in, action="approve")
    late_check_decide(actor=organiser, request=req_out, action="approve")
    signup.refresh_from_db()
    assert signup.hours == Decimal("2.0") and signup.points == 20
    assert balance_of(person=volunteer.person, ledger=Ledger.VOLUNTEER) == 20


def _backdate_check_in(signup, at):
    SignUp.objects.filter(pk=signup.pk).update(checked_in_at=at)


def _serve(resident, activity):
    signup, _kind = attendance_by_activity_code(actor=resident, token=tokens.activity_token(activity))
    _backdate_check_in(signup, activity.starts_at)
    signup, _kind = attendance_by_activity_code(actor=resident, token=tokens.activity_token(activity))
    return signup


def _item(world, staff, **kw):
    return store_item_create(actor=staff, region_code=world.community.code, name="大米5斤", points_price=30,
                             **{"stock": 2, "per_person_limit": 0, **kw})


def test_order_freezes_redeem_moves_to_store_cancel_refunds(world, staff, resident, volunteer):
    points_award(actor=None, ledger=Ledger.VOLUNTEER, person=volunteer.person, amount=100, idempotency_key="seed")
    item = _item(world, staff)
    order = order_place(actor=resident, item=item, person=volunteer.person)
    assert order.state == OrderState.FROZEN and order.points == 30
    assert balance_of(person=volunteer.person, ledger=Ledger.VOLUNTEER) == 70
    assert StoreItem.objects.get(pk=item.pk).stock == 1
    order = order_redeem(actor=staff, code=order.code)
    assert order.state == OrderState.REDEEMED
    with pytest.raises(ServiceError, match="不能重复核销"):
        order_redeem(actor=staff, code=order.code)
    with pytest.raises(ServiceError, match="不能取消"):
        order_cancel(actor=resident, order=order)
    second = order_place(actor=resident, item=item, person=volunteer.person)
    with pytest.raises(ServiceError, match="库存不足"):
        order_place(actor=resident, item=item, person=volunteer.person)
    order_cancel(actor=resident, order=second)
    assert balance_of(person=volunteer.person, ledger=Ledger.VOLUNTEER) == 70
    assert StoreItem.objects.get(pk=item.pk).stock == 1
    assert reconcile().ok


def test_orders_respect_balance_and_per_person_limit(world, staff, resident, volunteer, make_user):
    points_award(actor=None, ledger=Ledger.VOLUNTEER, person=volunteer.person, amount=50, idempotency_key="seed")
    item = _item(world, staff, stock=10, per_person_limit=1)
    order_place(actor=resident, item=item, person=volunteer.person)
    with pytest.raises(ServiceError, match="每人限兑"):
        order_place(actor=resident, item=item, person=volunteer.person)
    other = _item(world, staff, stock=10)
    with pytest.raises(ServiceError, match="积分不足"):
        order_place(actor=resident, item=other, person=volunteer.person)
    assert StoreItem.objects.get(pk=other.pk).stock == 10  # the reservation was rolled back
    with pytest.raises(ServiceError, match="不属于"):
        order_redeem(actor=make_user(Role.COMMUNITY_STAFF, world.other_community.code),
                     code=selectors.my_orders(actor=resident).first().code)


def test_certificate_is_frozen_and_verified_by_code(world, staff, resident, volunteer):
    activity = make_activity(world.grid.code, staff, starts_at=timezone.now() - timedelta(hours=1))
    signup = signup_transition(actor=staff, signup=signup_create(actor=resident, activity=activity,
                                                                 volunteer=volunteer), action="approve")
    signup = _serve(resident, activity)
    assert signup.points > 0
    cert = certificate_issue(actor=resident, volunteer=volunteer)
    assert cert.content["activities"][0]["title"] == activity.title
    found, intact = certificate_verify(code=cert.code.lower())
    assert found == cert and intact
    # tampering with the stored content is detected by the verifier
    Certificate.objects.filter(pk=cert.pk).update(content={**cert.content, "total_hours": "999.0"})
    assert certificate_verify(code=cert.code) == (cert, False)
    assert certificate_verify(code="NOPE") == (None, False)


def test_certificate_pdf_renders(world, staff, resident, volunteer):
    cert = certificate_issue(actor=resident, volunteer=volunteer)
    pdf = certificate_pdf(certificate=cert, verify_url=f"http://testserver/volunteering/verify/?code={cert.code}")
    assert pdf.startswith(b"%PDF")


def test_ranking_is_per_period_region_and_team(world, staff, resident, volunteer):
    activity = make_activity(world.grid.code, staff, starts_at=timezone.now() - timedelta(hours=1))
    signup_transition(actor=staff, signup=signup_create(actor=resident, activity=activity, volunteer=volunteer),
                      action="approve")
    _serve(resident, activity)
    now = timezone.localtime()
    rows = selectors.ranking(actor=staff, year=now.year, month=now.month, region_code=world.community.code)
    assert [r["volunteer__person__name"] for r in rows] == ["吴居民"]
    assert selectors.ranking(actor=staff, year=now.year - 1) == []
