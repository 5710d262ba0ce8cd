"""Demo step "services" (order 85): the 事项 catalogue, 全程代办 requests in every state, community rooms and a
school playground with bookings, and the 便民服务地图's points in 曲江街道 — all through the services. Idempotent."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from shanzhi.accounts.models import RoleGrant, User
from shanzhi.regions.models import Region
from shanzhi.registry.models import Building, Need

from . import choices as c
from . import services
from .models import Booking, NeedMatch, ProxyRequest, ServiceItem, ServicePoint, Venue

ITEMS = [
    ("居住证明", "曲江派出所", "身份证\n户口簿\n租赁合同或房产证", 3, "曲江街道为民服务中心2号窗口"),
    ("老年人优待证", "广陵区民政局", "身份证\n一寸照片", 5, "曲江街道为民服务中心1号窗口"),
    ("残疾人证换领", "广陵区残联", "身份证\n旧残疾人证\n二寸照片", 10, "广陵区残联服务大厅"),
    ("生育登记", "曲江街道卫健办", "夫妻双方身份证\n结婚证", 1, "曲江街道为民服务中心3号窗口"),
    ("社保卡补办", "广陵区人社局", "身份证", 7, "广陵区政务服务中心"),
]

STATES = [  # (item index, actions after opening, note)
    (0, [], "孩子上学需要"),
    (1, ["return"], ""),
    (2, ["receive", "accept"], ""),
    (3, ["receive", "accept", "submit_department"], ""),
    (4, ["receive", "accept", "submit_department", "result"], ""),
    (0, ["receive", "accept", "submit_department", "result", "deliver"], "办理入学"),
    (1, ["receive", "accept", "submit_department", "result", "deliver", "rate"], ""),
    (3, ["withdraw"], ""),
]

POINTS = {
    c.PointCategory.MEDICAL: ["社区卫生服务站", "平价药房", "中医诊所"],
    c.PointCategory.ELDERLY: ["日间照料中心", "老年助餐点", "居家养老服务站"],
    c.PointCategory.CHILDCARE: ["普惠托育园", "四点半课堂"],
    c.PointCategory.STORE: ["便民超市", "早餐店", "菜店"],
    c.PointCategory.REPAIR: ["家电维修", "修鞋配钥匙", "管道疏通"],
    c.PointCategory.KIOSK: ["政务自助服务机", "社保自助终端"],
}
HOURS = ["周一至周五 8:30-17:30", "每天 7:00-21:00", "每天 6:00-10:00", "24小时", "周一至周六 9:00-18:00"]


def _items(actor, street):
    items = []
    for name, dept, materials, days, where in ITEMS:
        item = ServiceItem.objects.filter(region_code=street, name=name).first() or services.item_create(
            actor=actor, region_code=street, name=name, department=dept, materials=materials, legal_days=days,
            where=where)
        items.append(item)
    return items


def _step(req, action, staff, resident):
    if action == "receive":
        for m in req.materials.filter(received=False):
            services.material_receive(actor=staff, material=m)
        return ProxyRequest.objects.get(pk=req.pk)
    data = {"return": {"note": "缺少租赁合同，请补充"}, "submit_department": {"note": "已递交为民服务中心窗口"},
            "result": {"note": "证件已办好"}, "deliver": {"signed_name": req.applicant_name, "signature_kind": "paper"},
            "rate": {"rating": "5", "comment": "社区帮忙跑腿，很省心"}}.get(action, {})
    actor = resident if action in {"rate", "withdraw"} else staff
    return services.request_transition(actor=actor, request=req, action=action, data=data)


def _requests(items, staff, resident, community):
    if ProxyRequest.objects.filter(region_code__startswith=community).exists():
        return 0
    for index, actions, note in STATES:
        req = services.request_open(actor=resident, item=items[index], note=note)
        for action in actions:
            req = _step(req, action, staff, resident)
    desk = services.request_open_desk(actor=staff, item=items[1], region_code=community, applicant_name="赵大爷",
                                      note="行动不便，社工上门收取材料")
    _step(desk, "receive", staff, resident)
    return len(STATES) + 1


def _venues(staff, manager, community, street):
    room = Venue.objects.filter(region_code=community, name="玺园社区活动室").first() or services.venue_create(
        actor=staff, region_code=community, name="玺园社区活动室", kind=c.VenueKind.COMMUNITY_ROOM, area=120,
        capacity=40, address="玺园社区党群服务中心二楼", rules="活动结束请关灯关窗")
    field = Venue.objects.filter(region_code=street, name="育才小学操场").first() or services.venue_create(
        actor=manager, region_code=street, name="育才小学操场", kind=c.VenueKind.SCHOOL_PLAYGROUND, area=4200,
        capacity=200, provider="育才小学", weekdays="67", opens_at=dt.time(7), closes_at=dt.time(19),
        slot_minutes=120, needs_approval=True, address="曲江街道文昌东路", rules="仅限周末开放，禁止机动车进入")
    canteen = Venue.objects.filter(region_code=street, name="街道机关食堂").first() or services.venue_create(
        actor=manager, region_code=street, name="街道机关食堂", kind=c.VenueKind.CANTEEN, area=300, capacity=80,
        provider="曲江街道办事处", weekdays="12345", opens_at=dt.time(11), closes_at=dt.time(13), slot_minutes=60,
        needs_approval=True, rules="老年人助餐，每日限80人")
    return room, field, canteen


def _next(weekdays: str, after: dt.date) -> dt.date:
    day = after
    while str(day.isoweekday()) not in weekdays:
        day += dt.timedelta(days=1)
    return day


def _bookings(room, field, resident, others, manager):
    if Booking.objects.filter(venue=room).exists():
        return 0
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    services.booking_create(actor=resident, venue=room, date=tomorrow, start=dt.time(9), purpose="合唱队排练",
                            people=25, organisation="玺园夕阳红合唱队")
    services.booking_create(actor=others[0], venue=room, date=tomorrow, start=dt.time(14), purpose="书法兴趣班",
                            people=12)
    b = services.booking_create(actor=others[1], venue=room, date=tomorrow, start=dt.time(19), purpose="亲子阅读",
                                people=15)
    services.booking_cancel(actor=others[1], booking=b)
    saturday = _next("6", tomorrow)
    p = services.booking_create(actor=others[0], venue=field, date=saturday, start=dt.time(7), purpose="业余足球赛",
                                people=30)
    services.booking_decide(actor=manager, booking=p, approve=True, note="注意安全")
    services.booking_create(actor=resident, venue=field, date=saturday, start=dt.time(15), purpose="亲子跳绳",
                            people=10)
    # past bookings: one checked in, one no-show
    for days, start, checked in ((3, dt.time(10), True), (5, dt.time(15), False)):
        past = Booking.objects.create(venue=room, date=timezone.localdate() - dt.timedelta(days=days), start=start,
                                      end=(dt.datetime.combine(tomorrow, start) + dt.timedelta(hours=1)).time(),
                                      booker=others[0], booker_name="社区居民", purpose="棋牌活动", people=8,
                                      state=c.BookingState.CHECKED_IN if checked else c.BookingState.APPROVED,
                                      checkin_token=f"demo{days:02d}{start:%H%M}".ljust(32, "0"),
                                      checked_in_at=timezone.now() - dt.timedelta(days=days) if checked else None,
                                      region_code=room.region_code)
        assert past.pk
    services.mark_no_shows()
    return 7


def _points(manager, grids, rng):
    if ServicePoint.objects.filter(region_code__in=grids).exists():
        return 0
    n = 0
    for grid in grids:
        spots = list(Building.objects.filter(region_code=grid, lat__isnull=False).values_list("lat", "lng")[:60])
        if not spots:
            continue
        for category, names in POINTS.items():
            for name in rng.sample(names, k=min(len(names), 1 + rng.randint(0, 1))):
                lat, lng = rng.choice(spots)
                services.point_create(actor=manager, region_code=grid, name=f"{name}（{grid[-3:]}）",
                                      category=category, lat=lat + rng.uniform(-0.0004, 0.0004),
                                      lng=lng + rng.uniform(-0.0004, 0.0004), hours=rng.choice(HOURS),
                                      address=f"曲江街道{rng.randint(1, 200)}号", description=name)
                n += 1
    return n


def _matches(staff, community):
    needs = list(Need.objects.filter(region_code__startswith=community, status="open").order_by("id")[:3])
    if not needs or NeedMatch.objects.filter(need__in=needs).exists():
        return
    points = list(ServicePoint.objects.filter(region_code__startswith=community,
                                              category=c.PointCategory.ELDERLY)[:1])
    for need in needs:
        if points:
            services.need_match(actor=staff, need=need, kind=c.MatchKind.SERVICE_POINT, point=points[0],
                                note="每周上门一次")


@transaction.atomic
def build(*, ctx) -> None:
    users = ctx.data.get("users") or {}
    staff, manager, resident = users.get("community_staff"), users.get("street_manager"), users.get("resident")
    if not (staff and manager and resident):
        return
    community, street = ctx.data["communities"][0], ctx.data["street"]
    rng = random.Random(f"{ctx.seed}-services")
    items = _items(manager, street)
    made = _requests(items, staff, resident, community)
    room, field, _canteen = _venues(staff, manager, community, street)
    booked = _bookings(room, field, resident, _residents(ctx, community), manager)
    points = _points(manager, [g for g in ctx.data["grids"] if g.startswith(street)], rng)
    _matches(staff, community)
    ctx.stdout(f"  services: {len(items)} items, {made} requests, {booked} bookings, {points} map points")


def _residents(ctx, community):
    """Two more residents of the community who book rooms (demo users without a login)."""
    grid = Region.objects.get(code=ctx.data["grids"][0])
    out = []
    for username, name in (("demo_booker1", "周阿姨"), ("demo_booker2", "钱先生")):
        user, created = User.objects.get_or_create(username=username, defaults={"display_name": name})
        if created:
            user.set_unusable_password()
            user.save()
        RoleGrant.objects.get_or_create(user=user, role="resident", region_code=grid.code, defaults={"region": grid})
        out.append(user)
    return out
