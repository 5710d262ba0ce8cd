"""The figures services owns, for dashboards and the 民生大数据 pages (core.indicators)."""

from __future__ import annotations

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from shanzhi.core.scoping import prefix_q

from . import choices as c
from .models import ProxyRequest, ServicePoint, Venue


def _per_code(codes, qs, value):
    out = {}
    for code in codes:
        out[code] = value(qs.filter(prefix_q("region_code", [code])))
    return out


def points(codes, start, end):
    return _per_code(codes, ServicePoint.objects.filter(active=True), lambda qs: qs.count())


def venue_area(codes, start, end):
    return _per_code(codes, Venue.objects.filter(active=True),
                     lambda qs: float(qs.aggregate(s=Sum("area"))["s"] or 0))


def requests_done(codes, start, end):
    qs = ProxyRequest.objects.filter(state__in=c.DONE_REQUEST_STATES, delivered_at__date__gte=start,
                                     delivered_at__date__lt=end)
    return _per_code(codes, qs, lambda q: q.count())


INDICATORS = [
    {"key": "services.points", "label": _("便民服务点"), "unit": _("个"), "module": "services",
     "formula": _("便民服务地图上启用的服务点数（医疗、养老、托育、便民店、维修、自助服务机）"), "compute": points,
     "public": True, "tags": frozenset({"facilities"})},
    {"key": "services.venue_area", "label": _("开放场地面积"), "unit": _("㎡"), "module": "services",
     "formula": _("向居民开放的社区用房与单位设施的面积合计"), "compute": venue_area, "public": True,
     "tags": frozenset({"facilities"})},
    {"key": "services.requests_done", "label": _("代办办结"), "unit": _("件"), "module": "services",
     "formula": _("期间内送达签收的全程代办申请数"), "compute": requests_done, "public": True},
]
