"""Every read of 智慧社区+ services, with the actor (public reads say so in their name)."""

from __future__ import annotations

import datetime as dt
import heapq
import math

from django.db.models import Count, Max, Q, QuerySet, Sum
from django.utils import timezone

from shanzhi.core.memo import Memo
from shanzhi.core.scoping import prefix_q
from shanzhi.registry.models import Person

from . import choices as c
from .models import Booking, NeedMatch, ProxyRequest, ServiceItem, ServicePoint, Venue

POINT_FIELDS = ("id", "name", "category", "address", "lat", "lng", "hours", "phone")
# The public map's points per (region, category), kept while the rows' stamp (count, max id, sum of versions:
# any insert, delete, edit or deactivation changes it) is unchanged, in every process alike.
POINTS_MEMO = Memo("services.points", ttl=600)


def person_of(actor):
    if not getattr(actor, "is_authenticated", False):
        return None
    return Person.objects.filter(user=actor).select_related("dwelling__building").first()


def public_items(*, prefix: str = "", q: str = "") -> QuerySet[ServiceItem]:
    qs = ServiceItem.objects.filter(active=True)
    if prefix:
        qs = qs.filter(Q(region_code__startswith=prefix) | Q(region_code__in=[prefix[:n] for n in (6, 9, 12)]))
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(department__icontains=q))
    return qs.order_by("name", "id")


def item_choices(*, actor, proxy_only: bool = True) -> QuerySet[ServiceItem]:
    qs = ServiceItem.objects.restrict(actor, "view").filter(active=True)
    return qs.filter(proxy_allowed=True) if proxy_only else qs


def request_list(*, actor, state: str = "") -> QuerySet[ProxyRequest]:
    qs = ProxyRequest.objects.restrict(actor, "view").select_related("item")
    return qs.filter(state=state) if state else qs


def my_requests(*, actor) -> QuerySet[ProxyRequest]:
    return ProxyRequest.objects.restrict(actor, "own").select_related("item")


def request_timeline(*, actor, request: ProxyRequest):
    return request.steps.select_related("actor").order_by("at", "id")


def requests_done_count(prefix: str, start: dt.date, end: dt.date) -> int:
    return ProxyRequest.objects.filter(prefix_q("region_code", [prefix]), state__in=c.DONE_REQUEST_STATES,
                                       delivered_at__date__gte=start, delivered_at__date__lt=end).count()


def venue_list(*, actor) -> QuerySet[Venue]:
    return Venue.objects.restrict(actor, "view").filter(active=True)


def venue_slots(*, actor, venue: Venue, date: dt.date) -> list[dict]:
    """The slots of `date` from the venue's rule: free, taken, or the actor's own."""
    held = {b.start: b for b in Booking.objects.filter(venue=venue, date=date, state__in=c.SLOT_HOLDING)}
    closed = venue.closures.filter(date=date).first()
    if closed or str(date.isoweekday()) not in venue.weekdays:
        return []
    slots = []
    t = dt.datetime.combine(date, venue.opens_at)
    close = dt.datetime.combine(date, venue.closes_at)
    step = dt.timedelta(minutes=venue.slot_minutes)
    now = timezone.localtime().replace(tzinfo=None)
    while t + step <= close:
        b = held.get(t.time())
        slots.append({"start": t.time(), "end": (t + step).time(), "free": b is None and t >= now,
                      "mine": b is not None and b.booker_id == getattr(actor, "pk", None),
                      "state": b.get_state_display() if b else ""})
        t += step
    return slots


def venue_bookings(*, actor, venue: Venue, date: dt.date) -> QuerySet[Booking]:
    return Booking.objects.restrict(actor, "view").filter(venue=venue, date=date).order_by("start")


def my_bookings(*, actor) -> QuerySet[Booking]:
    return Booking.objects.restrict(actor, "own").select_related("venue").order_by("-date", "start")


def pending_bookings(*, actor) -> QuerySet[Booking]:
    return Booking.objects.restrict(actor, "decide").filter(state=c.BookingState.PENDING).select_related("venue")


def venue_area(prefix: str) -> float:
    return float(sum(Venue.objects.filter(prefix_q("region_code", [prefix]), active=True)
                     .values_list("area", flat=True)))


def point_list(*, actor) -> QuerySet[ServicePoint]:
    return ServicePoint.objects.restrict(actor, "view")


def public_points(*, prefix: str, category: str = "", q: str = "", limit: int = 5000) -> list[dict]:
    """The active points under a region code (one range scan on the indexed code), as plain rows. Without a
    search the rows come from POINTS_MEMO while their stamp holds (one aggregate over the same range)."""
    qs = ServicePoint.objects.filter(prefix_q("region_code", [prefix]) if prefix else Q(), active=True)
    if category:
        qs = qs.filter(category=category)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(address__icontains=q) | Q(description__icontains=q))
        return _rows(qs, limit)
    stamp = tuple(qs.aggregate(n=Count("id"), m=Max("id"), v=Sum("version")).values())
    return POINTS_MEMO.get((prefix, category, limit, stamp), lambda: _rows(qs, limit))


def _rows(qs, limit: int) -> list[dict]:
    return [dict(zip(POINT_FIELDS, row, strict=True))
            for row in qs.order_by("id").values_list(*POINT_FIELDS)[:limit]]


def haversine_m(lat1, lng1, lat2, lng2) -> float:
    r = 6371000.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def nearest(points: list[dict], lat: float, lng: float, n: int = 5) -> list[dict]:
    """The `n` points nearest to (lat, lng), each with its distance in metres (ranked on the equirectangular
    distance, which orders points within a city as the great circle does; the n shown get the haversine)."""
    k = math.cos(math.radians(lat))
    top = heapq.nsmallest(n, points, key=lambda p: (p["lat"] - lat) ** 2 + ((p["lng"] - lng) * k) ** 2)
    return [{**p, "distance": round(haversine_m(lat, lng, p["lat"], p["lng"]))} for p in top]


def home_of(actor) -> tuple[float, float] | None:
    """The coordinates of a resident's building (for 'nearest to me'); never sent in a URL."""
    person = person_of(actor)
    building = person.dwelling.building if person and person.dwelling_id else None
    if building is None or building.lat is None or building.lng is None:
        return None
    return building.lat, building.lng


def need_matches(*, actor, need) -> QuerySet[NeedMatch]:
    return NeedMatch.objects.restrict(actor, "view").filter(need=need).select_related("matched_by")
