import datetime as dt

import pytest
from django.utils import timezone

from shanzhi.core.roles import Role
from shanzhi.registry.models import Building, Dwelling, Person
from shanzhi.registry.testing import household_in, need_in, person_in
from shanzhi.services import choices as c
from shanzhi.services.models import Booking, ProxyRequest
from shanzhi.services.testing import make_booking, make_item, make_point, make_venue

pytestmark = pytest.mark.django_db


@pytest.fixture
def resident(world, make_user):
    user = make_user(Role.RESIDENT, world.grid.code)
    Person.objects.create(name="王阿姨", region_code=world.grid.code, user=user)
    return user


def test_a_resident_asks_for_proxy_service_and_only_they_and_staff_see_it(client, world, resident, make_user):
    item = make_item(world.street.code, name="居住证明")
    client.force_login(resident)
    resp = client.post("/services/requests/new/", {"item": item.pk, "note": "上学用"})
    req = ProxyRequest.objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"/services/requests/{req.pk}/"
    page = client.get(f"/services/requests/{req.pk}/").content.decode()
    assert "居住证明" in page and "提交申请" in page
    client.force_login(make_user(Role.RESIDENT, world.grid.code))
    assert client.get(f"/services/requests/{req.pk}/").status_code == 404
    client.force_login(make_user(Role.COMMUNITY_STAFF, world.other_community.code))
    assert client.get(f"/services/requests/{req.pk}/").status_code == 404
    staff = make_user(Role.COMMUNITY_STAFF, world.community.code)
    client.force_login(staff)
    for m in req.materials.all():
        client.post(f"/services/requests/{req.pk}/act/", {"material": m.pk})
    client.post(f"/services/requests/{req.pk}/act/", {"action": "accept"})
    assert ProxyRequest.objects.get().state == c.RequestState.ACCEPTED
    resp = client.post(f"/services/requests/{req.pk}/act/", {"action": "submit_department", "note": ""}, follow=True)
    assert "需要填写" in resp.content.decode()


def test_booking_through_the_page_and_the_second_booker_is_told(client, world, resident, make_user):
    venue = make_venue(world.community.code)
    day = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    client.force_login(resident)
    page = client.get(f"/services/venues/{venue.pk}/?date={day}").content.decode()
    assert page.count('data-testid="slot"') == 13
    resp = client.post(f"/services/venues/{venue.pk}/book/", {"date": day, "start": "09:00", "purpose": "排练",
                                                               "people": 5})
    assert resp.status_code == 302 and Booking.objects.get().state == c.BookingState.APPROVED
    page = client.get("/services/bookings/").content.decode()
    assert 'data-testid="booking-qr"' in page and "<svg" in page
    client.force_login(make_user(Role.RESIDENT, world.grid.code))
    resp = client.post(f"/services/venues/{venue.pk}/book/", {"date": day, "start": "09:00", "purpose": "打牌",
                                                               "people": 2}, follow=True)
    assert "已被预约" in resp.content.decode() and Booking.objects.count() == 1


def test_check_in_by_the_qr_link(client, world, resident, make_user):
    b = make_booking(world.grid.code, resident, date=timezone.localdate(), start=dt.time(0))
    client.force_login(make_user(Role.GRID_WORKER, world.grid.code))
    assert "确认签到" in client.get(f"/services/checkin/{b.checkin_token}/").content.decode()
    client.post(f"/services/checkin/{b.checkin_token}/")
    assert Booking.objects.get().state == c.BookingState.CHECKED_IN
    client.force_login(make_user(Role.GRID_WORKER, world.other_grid.code))
    assert client.get(f"/services/checkin/{b.checkin_token}/").status_code == 404


def test_the_public_map_sends_a_streets_points_and_the_nearest_to_home(client, world, resident):
    make_point(world.grid.code, name="玺园卫生站", lat=32.365, lng=119.445)
    make_point(world.grid.code, name="远处超市", category=c.PointCategory.STORE, lat=32.40, lng=119.50)
    make_point(world.other_grid.code, name="别的街道")
    data = client.get(f"/services/map/points.json?region={world.street.code}").json()
    assert {p["name"] for p in data["points"]} == {"玺园卫生站", "远处超市"} and data["nearest"] == []
    assert client.get("/services/map/").status_code == 200
    building = Building.objects.create(region_code=world.grid.code, name="3栋", lat=32.3651, lng=119.4451)
    d = Dwelling.objects.create(region_code=world.grid.code, building=building, floor=1, room="101")
    Person.objects.filter(user=resident).update(dwelling=d)
    client.force_login(resident)
    data = client.get(f"/services/map/points.json?region={world.street.code}&category=medical").json()
    assert [p["name"] for p in data["points"]] == ["玺园卫生站"]
    first = data["nearest"][0]
    assert data["distances"][str(first)] < 50
    assert 'data-home-lat="32.365100"' in client.get("/services/map/").content.decode()


def test_a_households_needs_link_to_matching(client, world, make_user):
    household = household_in(world.grid.code)
    person = person_in(world.grid.code, household=household)
    need = need_in(world.grid.code, person=person)
    point = make_point(world.grid.code, name="日间照料中心", category=c.PointCategory.ELDERLY)
    staff = make_user(Role.COMMUNITY_STAFF, world.community.code)
    client.force_login(staff)
    page = client.get(f"/registry/households/{household.pk}/").content.decode()
    assert 'data-testid="needs-panel"' in page and f"/services/needs/{need.pk}/match/" in page
    client.post(f"/services/needs/{need.pk}/match/", {"target": f"service_point:{point.pk}", "note": "每周送餐"})
    page = client.get(f"/services/needs/{need.pk}/match/").content.decode()
    assert "日间照料中心" in page and "每周送餐" in page
    client.force_login(make_user(Role.COMMUNITY_STAFF, world.other_community.code))
    assert client.get(f"/services/needs/{need.pk}/match/").status_code == 404
