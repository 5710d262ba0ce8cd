"""Test objects for services, and the route×role matrix factories."""

from __future__ import annotations

import datetime as dt
import itertools
import secrets

from django.utils import timezone

from shanzhi.accounts.models import User

from . import choices as c
from .models import Booking, ProxyRequest, ServiceItem, ServicePoint, Venue

_n = itertools.count(1)


def make_item(code: str, **kw) -> ServiceItem:
    fields = {"name": f"居住证明{next(_n)}", "department": "派出所", "materials": "身份证\n户口簿", "legal_days": 3}
    fields.update(kw)
    return ServiceItem.objects.create(region_code=code, **fields)


def make_request(code: str, owner=None, **kw) -> ProxyRequest:
    item = kw.pop("item", None) or make_item(code[:9])
    owner = owner or User.objects.create_user(username=f"app{next(_n)}")
    req = ProxyRequest.objects.create(region_code=code, number=f"DBT{next(_n):08d}", item=item, applicant=owner,
                                      applicant_name="王阿姨", **kw)
    req.materials.create(name="身份证")
    return req


def make_venue(code: str, **kw) -> Venue:
    fields = {"name": f"社区活动室{next(_n)}", "kind": c.VenueKind.COMMUNITY_ROOM, "area": 80, "capacity": 30}
    fields.update(kw)
    return Venue.objects.create(region_code=code, **fields)


def make_booking(code: str, owner=None, *, venue=None, date=None, start=dt.time(9), state=c.BookingState.APPROVED):
    venue = venue or make_venue(code)
    owner = owner or User.objects.create_user(username=f"bk{next(_n)}")
    return Booking.objects.create(venue=venue, date=date or timezone.localdate(), start=start,
                                  end=(dt.datetime.combine(dt.date.today(), start) + dt.timedelta(hours=1)).time(),
                                  booker=owner, booker_name="李先生", purpose="排练", state=state,
                                  checkin_token=secrets.token_hex(16), region_code=venue.region_code)


def make_point(code: str, **kw) -> ServicePoint:
    fields = {"name": f"社区卫生服务站{next(_n)}", "category": c.PointCategory.MEDICAL, "lat": 32.365, "lng": 119.445,
              "hours": "8:00-17:00"}
    fields.update(kw)
    return ServicePoint.objects.create(region_code=code, **fields)


def _request(code, owner):
    return make_request(code, owner)


def _venue(code, owner):
    return make_venue(code)


def _booking(code, owner):
    return make_booking(code, owner)


MATRIX_FACTORIES = {ProxyRequest: _request, Venue: _venue, Booking: _booking}
