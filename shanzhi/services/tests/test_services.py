import datetime as dt
import threading

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from shanzhi.core.errors import NotAllowed, ServiceError
from shanzhi.core.roles import Role
from shanzhi.registry.models import Building, Dwelling, Need, Person
from shanzhi.services import choices as c
from shanzhi.services import selectors, services
from shanzhi.services.models import Booking, ProxyRequest
from shanzhi.services.testing import make_booking, make_item, make_point, make_venue

pytestmark = pytest.mark.django_db

# a 1×1 PNG, as the signature pad's canvas.toDataURL() sends it
PNG = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJ"
       "RU5ErkJggg==")


@pytest.fixture
def staff(world, make_user):
    return make_user(Role.COMMUNITY_STAFF, world.community.code)


@pytest.fixture
def resident(world, make_user):
    user = make_user(Role.RESIDENT, world.grid.code)
    Person.objects.create(name="王阿姨", region_code=world.grid.code, user=user)
    return user


def test_a_proxy_request_runs_from_materials_to_signature_and_rating(world, staff, resident):
    item = make_item(world.street.code, name="居住证明", legal_days=3)
    req = services.request_open(actor=resident, item=item, note="给孩子上学用")
    assert req.region_code == world.grid.code and req.applicant_name == "王阿姨"
    assert [m.name for m in req.materials.all()] == ["身份证", "户口簿"]
    with pytest.raises(NotAllowed, match="材料未收齐"):
        services.request_transition(actor=staff, request=req, action="accept")
    for m in req.materials.all():
        services.material_receive(actor=staff, material=m)
    req = services.request_transition(actor=staff, request=ProxyRequest.objects.get(pk=req.pk), action="accept")
    assert req.state == c.RequestState.ACCEPTED and req.due_at > timezone.now() and req.handler == staff
    req = services.request_transition(actor=staff, request=req, action="submit_department",
                                      data={"note": "递交区政务服务中心3号窗口"})
    services.request_step_record(actor=staff, request=req, note="派出所要求补户口簿复印件，已补")
    req = services.request_transition(actor=staff, request=req, action="result", data={"note": "证明已开具"})
    with pytest.raises(ServiceError):
        services.request_transition(actor=staff, request=req, action="deliver", data={"signed_name": "王阿姨"})
    with pytest.raises(ServiceError, match="屏幕上签名"):
        services.request_transition(actor=staff, request=ProxyRequest.objects.get(pk=req.pk), action="deliver",
                                    data={"signed_name": "王阿姨", "signature_kind": "screen"})
    req = services.request_transition(actor=staff, request=ProxyRequest.objects.get(pk=req.pk), action="deliver",
                                      data={"signed_name": "王阿姨", "signature_kind": "screen",
                                            "signature_data": PNG})
    assert req.state == c.RequestState.DELIVERED and req.completed_on_time is True
    assert ProxyRequest.objects.get(pk=req.pk).signature.read().startswith(b"\x89PNG")
    with pytest.raises(NotAllowed):  # only the applicant rates
        services.request_transition(actor=staff, request=req, action="rate", data={"rating": "5"})
    req = services.request_transition(actor=resident, request=req, action="rate", data={"rating": "5", "comment": "省心"})
    assert req.rating == 5
    labels = [s.action for s in selectors.request_timeline(actor=resident, request=req)]
    assert labels == ["open", "material", "material", "accept", "submit_department", "step", "result", "deliver",
                      "rate"]


def test_the_deadline_counts_working_days(world, staff, resident):
    item = make_item(world.street.code, materials="", legal_days=2)
    req = services.request_open(actor=resident, item=item)
    req = services.request_transition(actor=staff, request=req, action="accept")
    # two working days never end on a weekend and are at least two calendar days away
    assert req.due_at - req.accepted_at >= dt.timedelta(days=2)
    assert timezone.localtime(req.due_at).isoweekday() <= 6


def test_items_the_community_may_not_carry_are_refused(world, resident):
    item = make_item(world.street.code, proxy_allowed=False)
    with pytest.raises(ServiceError, match="不能由社区代办"):
        services.request_open(actor=resident, item=item)


def test_residents_see_only_their_own_requests(world, staff, resident, make_user):
    other = make_user(Role.RESIDENT, world.grid.code)
    item = make_item(world.street.code)
    mine = services.request_open(actor=resident, item=item)
    assert list(selectors.my_requests(actor=other)) == []
    assert list(selectors.my_requests(actor=resident)) == [mine]
    assert list(ProxyRequest.objects.restrict(other, "view")) == []
    assert mine in ProxyRequest.objects.restrict(staff, "view")


def test_a_desk_request_for_someone_without_an_account(world, staff):
    item = make_item(world.street.code)
    req = services.request_open_desk(actor=staff, item=item, region_code=world.community.code, applicant_name="赵大爷")
    assert req.channel == c.Channel.DESK and req.applicant is None
    with pytest.raises(ServiceError):
        services.request_open_desk(actor=staff, item=item, region_code=world.community.code, applicant_name=" ")


# --- venues ---------------------------------------------------------------------------------------------------------
def _tomorrow():
    return timezone.localdate() + dt.timedelta(days=1)


def test_one_slot_one_booking(world, resident, make_user):
    venue = make_venue(world.community.code)
    other = make_user(Role.RESIDENT, world.grid.code)
    b = services.booking_create(actor=resident, venue=venue, date=_tomorrow(), start=dt.time(9), purpose="合唱排练")
    assert b.state == c.BookingState.APPROVED and b.end == dt.time(10)
    with pytest.raises(ServiceError, match="已被预约"):
        services.booking_create(actor=other, venue=venue, date=_tomorrow(), start=dt.time(9), purpose="打牌")
    services.booking_cancel(actor=resident, booking=b)
    again = services.booking_create(actor=other, venue=venue, date=_tomorrow(), start=dt.time(9), purpose="打牌")
    assert again.state == c.BookingState.APPROVED


def test_the_database_refuses_a_second_booking_of_a_slot(world, make_user):
    venue = make_venue(world.community.code)
    make_booking(world.community.code, venue=venue, date=_tomorrow())
    with pytest.raises(IntegrityError), transaction.atomic():
        make_booking(world.community.code, venue=venue, date=_tomorrow(), state=c.BookingState.PENDING)
    make_booking(world.community.code, venue=venue, date=_tomorrow(), state=c.BookingState.CANCELLED)


def test_opening_rule_and_calendar(world, resident, staff):
    venue = make_venue(world.community.code, weekdays="12345", slot_minutes=60)
    day = _tomorrow()
    while day.isoweekday() < 6:
        day += dt.timedelta(days=1)
    with pytest.raises(ServiceError, match="当天不开放"):
        services.booking_create(actor=resident, venue=venue, date=day, start=dt.time(9), purpose="x")
    monday = day + dt.timedelta(days=8 - day.isoweekday())
    with pytest.raises(ServiceError, match="开放时间"):
        services.booking_create(actor=resident, venue=venue, date=monday, start=dt.time(9, 30), purpose="x")
    with pytest.raises(ServiceError, match="开放时间"):
        services.booking_create(actor=resident, venue=venue, date=monday, start=dt.time(21), purpose="x")
    services.venue_close_day(actor=staff, venue=venue, date=monday, reason="期中考试")
    with pytest.raises(ServiceError, match="闭馆"):
        services.booking_create(actor=resident, venue=venue, date=monday, start=dt.time(9), purpose="x")
    assert selectors.venue_slots(actor=resident, venue=venue, date=monday) == []
    with pytest.raises(ServiceError, match="过去"):
        services.booking_create(actor=resident, venue=venue, date=timezone.localdate() - dt.timedelta(days=1),
                                start=dt.time(9), purpose="x")


def test_approval_where_the_rule_says(world, resident, staff, make_user):
    venue = make_venue(world.street.code, kind=c.VenueKind.SCHOOL_PLAYGROUND, needs_approval=True,
                       provider="育才小学")
    b = services.booking_create(actor=resident, venue=venue, date=_tomorrow(), start=dt.time(18), purpose="踢球")
    assert b.state == c.BookingState.PENDING
    assert list(selectors.pending_bookings(actor=staff)) == []  # street venue: the community staff can't decide
    manager = make_user(Role.STREET_MANAGER, world.street.code)
    assert list(selectors.pending_bookings(actor=manager)) == [b]
    with pytest.raises(ServiceError, match="说明原因"):
        services.booking_decide(actor=manager, booking=b, approve=False)
    b = services.booking_decide(actor=manager, booking=b, approve=True)
    assert b.state == c.BookingState.APPROVED


def test_check_in_and_no_shows(world, resident, staff):
    venue = make_venue(world.community.code, no_show_limit=2)
    today = timezone.localdate()
    b = make_booking(world.community.code, resident, venue=venue, date=today, start=dt.time(0))
    b = services.booking_check_in(actor=staff, booking=b)
    assert b.state == c.BookingState.CHECKED_IN
    with pytest.raises(ServiceError, match="无需重复"):
        services.booking_check_in(actor=staff, booking=b)
    later = make_booking(world.community.code, resident, venue=venue, date=_tomorrow(), start=dt.time(9))
    with pytest.raises(ServiceError, match="当天"):
        services.booking_check_in(actor=staff, booking=later)
    for d in (2, 3):
        make_booking(world.community.code, resident, venue=venue, date=today - dt.timedelta(days=d))
    assert services.mark_no_shows() == 2
    assert services.no_show_count(resident) == 2
    with pytest.raises(ServiceError, match="爽约"):
        services.booking_create(actor=resident, venue=venue, date=_tomorrow(), start=dt.time(11), purpose="x")


def test_only_residents_and_organisations_book(world, staff):
    venue = make_venue(world.community.code)
    with pytest.raises(NotAllowed):
        services.booking_create(actor=staff, venue=venue, date=_tomorrow(), start=dt.time(9), purpose="x")


@pytest.mark.django_db(transaction=True)
def test_concurrent_bookings_of_one_slot_leave_exactly_one(world, make_user):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; bench/property.py runs 100 on PostgreSQL")
    venue = make_venue(world.community.code)
    users = [make_user(Role.RESIDENT, world.grid.code) for _ in range(8)]
    results = []

    def book(u):
        try:
            services.booking_create(actor=u, venue=venue, date=_tomorrow(), start=dt.time(9), purpose="x")
            results.append("ok")
        except ServiceError:
            results.append("taken")
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(u,)) for u in users]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert results.count("ok") == 1
    assert Booking.objects.filter(venue=venue).count() == 1


# --- map and needs --------------------------------------------------------------------------------------------------
def test_points_under_a_region_and_nearest(world):
    make_point(world.grid.code, name="玺园卫生站", lat=32.365, lng=119.445)
    make_point(world.grid.code, name="便民超市", category=c.PointCategory.STORE, lat=32.366, lng=119.446)
    make_point(world.grid.code, name="远处药店", lat=32.40, lng=119.50)
    make_point(world.other_grid.code, name="别的街道")
    make_point(world.grid.code, name="停用", active=False)
    rows = selectors.public_points(prefix=world.street.code)
    assert {p["name"] for p in rows} == {"玺园卫生站", "便民超市", "远处药店"}
    assert [p["name"] for p in selectors.public_points(prefix=world.street.code, category="store")] == ["便民超市"]
    assert [p["name"] for p in selectors.public_points(prefix=world.street.code, q="药店")] == ["远处药店"]
    near = selectors.nearest(rows, 32.3651, 119.4451, n=2)
    assert [p["name"] for p in near] == ["玺园卫生站", "便民超市"] and near[0]["distance"] < 50


def test_home_is_the_residents_building(world, resident):
    building = Building.objects.create(region_code=world.grid.code, name="3栋", lat=32.3651, lng=119.4451)
    dwelling = Dwelling.objects.create(region_code=world.grid.code, building=building, floor=2, room="201")
    Person.objects.filter(user=resident).update(dwelling=dwelling)
    assert selectors.home_of(resident) == (32.3651, 119.4451)


def test_a_need_is_matched_and_the_match_recorded(world, staff):
    person = Person.objects.create(name="孙奶奶", region_code=world.grid.code)
    need = Need.objects.create(region_code=world.grid.code, person=person, category="elderly_care")
    point = make_point(world.grid.code, category=c.PointCategory.ELDERLY, name="日间照料中心")
    m = services.need_match(actor=staff, need=need, kind=c.MatchKind.SERVICE_POINT, point=point, note="每周三送餐")
    assert m.target_name == "日间照料中心"
    assert list(selectors.need_matches(actor=staff, need=need)) == [m]
    with pytest.raises(ServiceError):
        services.need_match(actor=staff, need=need, kind=c.MatchKind.VOLUNTEER)
