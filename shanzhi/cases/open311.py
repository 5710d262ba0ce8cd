"""Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2) at /open311/v2/, JSON and XML,
plus FixMyStreet's `servicerequestupdates` extension.

Only public, active leaf categories are services. Reads are open (the spec's GET methods need no
key); POST needs an `api_key` (Open311Key). No reporter data is ever published. Internal states
map to open/closed, with the state (and outcome) in status_notes. Errors are lists of
{"code", "description"} with HTTP 400/403/404, as the spec says.
"""

from __future__ import annotations

import datetime as dt
from xml.etree.ElementTree import Element, SubElement, tostring  # noqa: S405 - we only write XML

from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt

from shanzhi.core.access import public_view
from shanzhi.core.errors import ServiceError
from shanzhi.regions.choices import Level as RegionLevel
from shanzhi.regions.geo import contains
from shanzhi.regions.models import Region

from . import choices as c
from .models import Case, CaseHistory, Category
from .services import case_create, open311_key_check

MAX_RESULTS = 1000
DEFAULT_DAYS = 90
DATATYPES = {"string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"}


class Open311Error(Exception):
    def __init__(self, status: int, description: str):
        self.status, self.description = status, description


def _xml_value(parent, key, value):
    el = SubElement(parent, key)
    if isinstance(value, dict):
        for k, v in value.items():
            _xml_value(el, k, v)
    elif isinstance(value, list):
        child = {"attributes": "attribute", "values": "value", "keywords": "keyword"}.get(key, "item")
        for v in value:
            _xml_value(el, child, v)
    elif value is not None:
        el.text = str(value).lower() if isinstance(value, bool) else str(value)


def _render(data, fmt: str, root: str, item: str | None, status: int = 200):
    if fmt == "json":
        return JsonResponse(data, safe=False, status=status, json_dumps_params={"ensure_ascii": False})
    top = Element(root)
    if item:
        for row in data:
            el = SubElement(top, item)
            for k, v in row.items():
                _xml_value(el, k, v)
    else:
        for k, v in data.items():
            _xml_value(top, k, v)
    body = b'<?xml version="1.0" encoding="utf-8"?>' + tostring(top, encoding="utf-8", xml_declaration=False)
    return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")


def _errors(fmt, status, description):
    return _render([{"code": status, "description": description}], fmt, "errors", "error", status=status)


def _handle(view):
    def inner(request, *args, fmt="json", **kwargs):
        try:
            return view(request, *args, fmt=fmt, **kwargs)
        except Open311Error as e:
            return _errors(fmt, e.status, e.description)

    inner.__name__ = view.__name__
    inner.__doc__ = view.__doc__
    return inner


def _services():
    return Category.objects.filter(active=True, is_public=True, children__isnull=True).select_related("parent")


def _service(cat: Category) -> dict:
    return {"service_code": cat.code, "service_name": cat.name, "description": cat.description,
            "metadata": bool(cat.extra_fields), "type": "realtime", "keywords": cat.keywords,
            "group": cat.parent.name if cat.parent_id else ""}


def _fmt_dt(value):
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def _status(case: Case) -> tuple[str, str]:
    notes = case.get_state_display()
    if case.outcome:
        notes += f"：{case.get_outcome_display()}"
    return ("open" if case.state in c.OPEN_STATES else "closed"), notes


def _request(case: Case, request) -> dict:
    status, notes = _status(case)
    photo = next(iter(case.photos.all()), None)
    return {
        "service_request_id": str(case.pk), "status": status, "status_notes": notes,
        "service_name": case.category.name, "service_code": case.category.code, "description": case.description,
        "agency_responsible": case.lead_body.name if case.lead_body_id else "",
        "service_notice": "", "requested_datetime": _fmt_dt(case.created_at), "updated_datetime": _fmt_dt(
            case.updated_at), "expected_datetime": _fmt_dt(case.due_at) if case.is_open else None,
        "address": case.address, "address_id": case.region_code, "zipcode": "", "lat": case.lat, "long": case.lng,
        "media_url": request.build_absolute_uri(photo.image.url) if photo else "",
    }


@public_view
@_handle
def services(request, fmt):
    return _render([_service(x) for x in _services()], fmt, "services", "service")


@_handle
def service_definition(request, code, fmt):
    cat = _services().filter(code=code).first()
    if cat is None:
        raise Open311Error(404, f"service_code {code} not found")
    attrs = []
    for i, f in enumerate(cat.extra_fields or [], start=1):
        dtype = f.get("type", "string") if f.get("type") in DATATYPES else "string"
        attrs.append({"variable": True, "code": f["code"], "datatype": dtype, "required": bool(f.get("required")),
                      "datatype_description": f.get("help", ""), "order": i, "description": f["label"],
                      "values": [{"key": v["key"], "name": v["name"]} for v in f.get("values", [])]})
    return _render({"service_code": cat.code, "attributes": attrs}, fmt, "service_definition", None)


def grid_at(lat: float, lng: float) -> Region | None:
    """The grid whose GeoJSON boundary contains the point (Polygon or MultiPolygon)."""
    for grid in Region.objects.filter(level=RegionLevel.GRID, boundary__isnull=False).only("code", "boundary"):
        if contains(grid.boundary, lat, lng):
            return grid
    return None


def _create(request, fmt):
    p = request.POST
    if open311_key_check(p.get("api_key", "")) is None:
        raise Open311Error(403, "api_key is missing or invalid")
    cat = _services().filter(code=p.get("service_code", "")).first()
    if cat is None:
        raise Open311Error(404 if p.get("service_code") else 400, "service_code not found" if p.get(
            "service_code") else "service_code is required")
    try:
        lat = float(p["lat"]) if p.get("lat") else None
        lng = float(p["long"]) if p.get("long") else None
    except ValueError:
        raise Open311Error(400, "lat/long must be numbers")
    region = None
    if lat is not None and lng is not None:
        region = grid_at(lat, lng)
    elif p.get("address_id"):
        region = Region.objects.filter(code=p["address_id"], level=RegionLevel.GRID).first()
    elif not p.get("address_string"):
        raise Open311Error(400, "lat/long, address_string or address_id is required")
    if region is None:
        raise Open311Error(400, "location is outside the service area (give lat/long inside a grid or a grid "
                                "code as address_id)")
    description = p.get("description", "").strip()
    if not description:
        raise Open311Error(400, "description is required")
    extra = {k[len("attribute["):-1]: v for k, v in p.items() if k.startswith("attribute[") and k.endswith("]")}
    name = " ".join(x for x in (p.get("last_name", ""), p.get("first_name", "")) if x).strip()
    try:
        case = case_create(actor=None, category=cat, channel=c.Channel.OPEN311, title=description[:40],
                           description=description, region_code=region.code, lat=lat, lng=lng,
                           address=p.get("address_string", ""), reporter_name=name, reporter_phone=p.get("phone", ""),
                           anonymous=not name, extra=extra, photos=request.FILES.getlist("media"),
                           source_name="open311")
    except ServiceError as e:
        raise Open311Error(400, e.user_message)
    return _render([{"service_request_id": str(case.pk), "token": case.tracking_code,
                     "service_notice": f"编号 {case.number}", "account_id": ""}], fmt, "service_requests", "request")


def _list(request, fmt):
    g = request.GET
    qs = Case.objects.filter(category__in=_services()).select_related("category", "lead_body").prefetch_related(
        "photos")
    if ids := g.get("service_request_id"):
        qs = qs.filter(pk__in=[i for i in ids.split(",") if i.strip().isdigit()])
    else:
        if codes := g.get("service_code"):
            qs = qs.filter(category__code__in=codes.split(","))
        start, end = g.get("start_date"), g.get("end_date")
        start_dt, end_dt = (parse_datetime(start) if start else None), (parse_datetime(end) if end else None)
        if (start and start_dt is None) or (end and end_dt is None):
            raise Open311Error(400, "start_date/end_date must be ISO 8601 (w3) date-times")
        end_dt = end_dt or timezone.now()
        start_dt = start_dt or end_dt - dt.timedelta(days=DEFAULT_DAYS)
        qs = qs.filter(created_at__gte=start_dt, created_at__lte=end_dt)
        status = g.get("status", "")
        if status:
            wanted = set(status.split(","))
            if not wanted <= {"open", "closed"}:
                raise Open311Error(400, "status must be open or closed")
            if wanted == {"open"}:
                qs = qs.filter(state__in=c.OPEN_STATES)
            elif wanted == {"closed"}:
                qs = qs.exclude(state__in=c.OPEN_STATES)
    rows = [_request(x, request) for x in qs.order_by("-created_at")[:MAX_RESULTS]]
    return _render(rows, fmt, "service_requests", "request")


@public_view(methods=("GET", "POST"))
@csrf_exempt
@_handle
def requests_view(request, fmt):
    if request.method == "POST":
        return _create(request, fmt)
    return _list(request, fmt)


@_handle
def request_detail(request, pk, fmt):
    case = Case.objects.filter(pk=pk, category__in=_services()).select_related("category", "lead_body").first()
    if case is None:
        raise Open311Error(404, f"service_request_id {pk} not found")
    return _render([_request(case, request)], fmt, "service_requests", "request")


@_handle
def token(request, token_id, fmt):
    case = Case.objects.filter(tracking_code=token_id.upper(), channel=c.Channel.OPEN311).first()
    if case is None:
        raise Open311Error(404, "token not found")
    return _render([{"service_request_id": str(case.pk), "token": token_id}], fmt, "service_requests", "request")


@public_view
@_handle
def request_updates(request, fmt):
    """FixMyStreet extension: public history rows of public cases in a date window."""
    g = request.GET
    end = parse_datetime(g["end_date"]) if g.get("end_date") else timezone.now()
    start = parse_datetime(g["start_date"]) if g.get("start_date") else end - dt.timedelta(days=1)
    if start is None or end is None:
        raise Open311Error(400, "start_date/end_date must be ISO 8601 (w3) date-times")
    rows = []
    qs = (CaseHistory.objects.filter(public=True, at__gte=start, at__lte=end, case__category__in=_services())
          .exclude(action="report").select_related("case").order_by("at")[:MAX_RESULTS])
    for h in qs:
        status = "open" if h.to_state in c.OPEN_STATES else "closed"
        rows.append({"update_id": str(h.pk), "service_request_id": str(h.case_id), "status": status,
                     "updated_datetime": _fmt_dt(h.at), "description": f"{h.label} {h.note}".strip(),
                     "media_url": ""})
    return _render(rows, fmt, "service_request_updates", "request_update")


# Routes with parameters are API endpoints, not pages: declared public and tested in test_open311.py.
service_definition = public_view(service_definition)
request_detail = public_view(request_detail)
token = public_view(token)
