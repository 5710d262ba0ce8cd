"""Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2) at /open311/v2/, JSON and XML,
plus FixMyStreet's `servicerequestupdates` extension and the Service Discovery file.

Only public, active leaf categories are services. Reads are open (the spec's GET methods need no
key); POST needs an `api_key` (Open311Key). No reporter data is ever published.

What the feed publishes (every read, list or by id, and the updates feed):
- only cases of public categories that staff have looked at (`accepted_at`, set by 受理 and by 不予受理):
  a fresh report is not published; a rejected one shows its status to its client, never its description;
- the description (its ID numbers, phones and registry names masked: `core.privacy.public_text`) and the
  address only when the reporter consented (`Case.publish_consent`: an opt-in box
  on the resident form; an Open311 POST is a report to a public GeoReport service and consents by its
  nature; staff channels — patrol, hotline, walk-in, import — never do); without consent both are empty and
  lat/long are rounded to 3 decimals (about 100 m), the grid code stays as `address_id`;
- lists without dates cover the spec's default window (the last 90 days), 50 requests a page
  (`page=2`…, `page_size` up to 50). Internal states
map to open/closed, with the state (and outcome) in status_notes. Errors are lists of
{"code", "description"} with HTTP 400/403/404, as the spec says; a POST with several problems gets
them all in one answer.

Rate limits (shanzhi.core.ratelimit, counted in the cache): POSTs per api_key (SHANZHI_OPEN311_RATE_KEY)
and per client IP (SHANZHI_OPEN311_RATE_POST_IP), GETs per client IP (SHANZHI_OPEN311_RATE_GET_IP). Over
the limit: HTTP 429 with Retry-After and the usual error list, code 429.

Checked against independent clients (shanzhi/cases/tests/test_open311_clients.py):
- `jurisdiction_id` is optional; when given it must be SHANZHI_OPEN311_JURISDICTION (or, if that is
  unset, this server's host name), else 404 "jurisdiction_id provided was not found".
- `attribute[code]=v` and, for multivaluelist, `attribute[code][]=v1&attribute[code][]=v2`.
- A location is `lat`+`long` inside a grid polygon, or a grid code as `address_id`; `address_string`
  is kept as the address but cannot be located on its own (there is no geocoder).
- `description` is optional (≤ 4000 characters); without one the service name stands in.
- `email`, `device_id`, `account_id` and `media_url` are accepted and not stored (no fetching of
  remote URLs); a photo can be sent as a multipart `media` file.
- `media_url` is empty unless staff reviewed a photo of the request (照片打码, `cases.photo_views`): then
  it links the first such photo's blurred, EXIF-free copy (`open311:media`). Case photos may show
  people, homes or number plates: originals are never public files (staff and the reporter see them on the
  signed-in pages, through the scoped `cases:photo` view), and a photo not yet reviewed is not published.
  The copy is public only while the request is (public category, accepted, the reporter's consent, not
  rejected: `selectors.public_photos`), since a public link can't be taken back from those who copied it.
- The POST answer carries both `service_request_id` (services are realtime) and `token`: the token is
  the case's 查询码, which with the number in `service_notice` opens the public track page. The spec
  says a server should return one or the other; clients that look for either one work with both.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from xml.etree.ElementTree import Element, SubElement, tostring  # noqa: S405 - we only write XML

from django.conf import settings
from django.db.models import Prefetch
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from shanzhi.core.access import public_view
from shanzhi.core.errors import ServiceError
from shanzhi.core.privacy import public_text
from shanzhi.core.ratelimit import SettingRateThrottle, throttle_wait
from shanzhi.core.replica import replica_reads
from shanzhi.regions.choices import Level as RegionLevel
from shanzhi.regions.geo import grid_code_at
from shanzhi.regions.models import Region

from . import choices as c
from .models import Case, CaseHistory, Category
from .selectors import public_photos
from .services import case_create, extra_problems, open311_key_check

MAX_RESULTS = 1000
PAGE_SIZE = 50
DEFAULT_DAYS = 90
COARSE_DIGITS = 3  # lat/long of a case without publish consent: about 100 m
MAX_DESCRIPTION = 4000
DATATYPES = {"string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"}
SPEC = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-21T00:00:00+08:00"  # when this endpoint's shape last changed (Service Discovery)
XML_CHILD = {"attributes": "attribute", "values": "value", "keywords": "keyword", "endpoints": "endpoint",
             "formats": "format"}
ATTRIBUTE_KEY = re.compile(r"attribute\[([^\[\]]+)\](\[\])?")
# history rows whose note names a person (a staff member): the public feeds show only their label
NOTE_NAMES_A_PERSON = {"assign"}


class Open311Error(Exception):
    def __init__(self, status: int, *descriptions: str, headers: dict | None = None):
        super().__init__(*descriptions)
        self.status, self.descriptions, self.headers = status, descriptions, headers or {}


class KeyThrottle(SettingRateThrottle):
    """POSTs per api_key as sent (valid or not; hashed in the cache key)."""

    scope = "open311_key"
    setting = "SHANZHI_OPEN311_RATE_KEY"

    def get_cache_key(self, request):
        key = (request.POST.get("api_key") or "").strip()
        return self.key_for(hashlib.sha256(key.encode()).hexdigest()[:32]) if key else None


class PostIpThrottle(SettingRateThrottle):
    scope = "open311_post_ip"
    setting = "SHANZHI_OPEN311_RATE_POST_IP"

    def get_cache_key(self, request):
        return self.key_for(self.get_ident(request))


class GetIpThrottle(SettingRateThrottle):
    scope = "open311_get_ip"
    setting = "SHANZHI_OPEN311_RATE_GET_IP"

    def get_cache_key(self, request):
        return self.key_for(self.get_ident(request))


THROTTLES = {"POST": [KeyThrottle(), PostIpThrottle()], "GET": [GetIpThrottle()]}


def _xml_value(parent, key, value):
    el = SubElement(parent, key)
    if isinstance(value, dict):
        for k, v in value.items():
            _xml_value(el, k, v)
    elif isinstance(value, list):
        child = XML_CHILD.get(key, "item")
        for v in value:
            _xml_value(el, child, v)
    elif value is not None:
        el.text = str(value).lower() if isinstance(value, bool) else str(value)


def _render(data, fmt: str, root: str, item: str | None, status: int = 200):
    """JSON as the spec's Spark mapping of the XML; both UTF-8 with the charset in the Content-Type."""
    if fmt == "json":
        body = json.dumps(data, ensure_ascii=False, default=str)
        return HttpResponse(body, status=status, content_type="application/json; charset=utf-8")
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


def _errors(fmt, status, descriptions):
    return _render([{"code": status, "description": d} for d in descriptions], fmt, "errors", "error",
                   status=status)


def jurisdictions(request) -> set[str]:
    configured = getattr(settings, "SHANZHI_OPEN311_JURISDICTION", "")
    if configured:
        return {j.strip().lower() for j in configured.split(",") if j.strip()}
    return {request.get_host().rsplit(":", 1)[0].lower()}


def _check_jurisdiction(request):
    """Optional per the spec (one jurisdiction here); an empty value is the same as none."""
    given = (request.GET.get("jurisdiction_id") or
             (request.POST.get("jurisdiction_id") if request.method == "POST" else "") or "").strip().lower()
    if given and given not in jurisdictions(request):
        raise Open311Error(404, "jurisdiction_id provided was not found")


def _check_rate(request):
    wait = throttle_wait(request, THROTTLES["POST" if request.method == "POST" else "GET"])
    if wait is not None:
        raise Open311Error(429, f"too many requests: retry after {wait} seconds", headers={"Retry-After": str(wait)})


def _handle(view):
    def inner(request, *args, fmt="json", **kwargs):
        try:
            _check_rate(request)
            _check_jurisdiction(request)
            return view(request, *args, fmt=fmt, **kwargs)
        except Open311Error as e:
            response = _errors(fmt, e.status, e.descriptions)
            for name, value in e.headers.items():
                response[name] = value
            return response

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
    if case.duplicate_of_id:  # merged: the surviving request's id, as in service_request_id
        notes += _("，已合并到 #%(id)s") % {"id": case.duplicate_of_id}
    return ("open" if case.state in c.OPEN_STATES else "closed"), notes


def _published():
    """Cases the public feed may show: public categories, accepted by staff."""
    return Case.objects.filter(category__in=_services(), accepted_at__isnull=False)


def _coarse(value):
    return None if value is None else round(value, COARSE_DIGITS)


def _request(case: Case, request) -> dict:
    status, notes = _status(case)
    consent = case.publish_consent and case.state != c.State.REJECTED
    return {
        "service_request_id": str(case.pk), "status": status, "status_notes": notes,
        "service_name": case.category.name, "service_code": case.category.code,
        "description": public_text(case.description, region_code=case.region_code) if consent else "",
        "agency_responsible": case.lead_body.name if case.lead_body_id else "",
        "service_notice": "", "requested_datetime": _fmt_dt(case.created_at), "updated_datetime": _fmt_dt(
            case.updated_at), "expected_datetime": _fmt_dt(case.due_at) if case.is_open else None,
        "address": case.address if consent else "", "address_id": case.region_code, "zipcode": "",
        "lat": case.lat if consent else _coarse(case.lat), "long": case.lng if consent else _coarse(case.lng),
        "media_url": _media_url(case, request),  # a reviewed, blurred copy only (see the module's notes)
    }


def _with_photos(qs):
    """Cases with their public photos prefetched (`public_photos`, oldest first): one query for a page."""
    return qs.prefetch_related(Prefetch("photos", queryset=public_photos().order_by("pk"), to_attr="public_photos"))


def _media_url(case: Case, request) -> str:
    photos = getattr(case, "public_photos", None)
    if photos is None:
        photos = list(public_photos().filter(case=case).order_by("pk")[:1])
    if not photos:
        return ""
    return request.build_absolute_uri(reverse("open311:media", args=[photos[0].pk]))


@public_view
@_handle
def services(request, fmt):
    return _render([_service(x) for x in _services()], fmt, "services", "service")


@_handle
def service_definition(request, code, fmt):
    cat = _services().filter(code=code).first()
    if cat is None:
        raise Open311Error(404, f"service_code provided was not found: {code}")
    attrs = []
    for i, f in enumerate(cat.extra_fields or [], start=1):
        dtype = f.get("type", "string") if f.get("type") in DATATYPES else "string"
        attrs.append({"variable": True, "code": f["code"], "datatype": dtype, "required": bool(f.get("required")),
                      "datatype_description": f.get("help", ""), "order": i, "description": f["label"],
                      "values": [{"key": v["key"], "name": v["name"]} for v in f.get("values", [])]})
    return _render({"service_code": cat.code, "attributes": attrs}, fmt, "service_definition", None)


def attributes_from(post) -> dict:
    """`attribute[code]=v` → {"code": "v"}; `attribute[code][]=a&attribute[code][]=b` (or a repeated
    `attribute[code]`) → {"code": ["a", "b"]}."""
    out: dict = {}
    for key in post:
        m = ATTRIBUTE_KEY.fullmatch(key)
        if not m:
            continue
        values = post.getlist(key)
        if m.group(2) or len(values) > 1:
            previous = out.get(m.group(1), [])
            out[m.group(1)] = (previous if isinstance(previous, list) else [previous]) + values
        else:
            out.setdefault(m.group(1), values[0])
    return out


def _number(p, name, problems):
    raw = (p.get(name) or "").strip()
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        problems.append(f"{name} must be a number")
        return None


def _locate(p, problems) -> Region | None:
    lat, lng = _number(p, "lat", problems), _number(p, "long", problems)
    if (lat is None) != (lng is None):
        problems.append("lat and long must be given together")
    elif lat is not None:
        code = grid_code_at(lat, lng)
        region = Region.objects.filter(code=code).first() if code else None
        if region is None:
            problems.append("location is outside the service area (give lat/long inside a grid or a grid code "
                            "as address_id)")
        return region
    elif address_id := (p.get("address_id") or "").strip():
        region = Region.objects.filter(code=address_id, level=RegionLevel.GRID).first()
        if region is None:
            problems.append(f"address_id {address_id} is not a grid code of this jurisdiction")
        return region
    elif (p.get("address_string") or "").strip():
        problems.append("address_string alone cannot be located here: also give lat/long or a grid code as "
                        "address_id")
    elif not problems:
        problems.append("a location is required: lat/long, address_string or address_id")
    return None


def _create(request, fmt):
    p = request.POST
    if open311_key_check(p.get("api_key", "")) is None:
        raise Open311Error(403, "api_key is missing or invalid")
    code = (p.get("service_code") or "").strip()
    if not code:
        raise Open311Error(400, "service_code was not provided")
    cat = _services().filter(code=code).first()
    if cat is None:
        raise Open311Error(404, f"service_code provided was not found: {code}")
    problems: list[str] = []
    region = _locate(p, problems)
    description = (p.get("description") or "").strip()
    if len(description) > MAX_DESCRIPTION:
        problems.append(f"description is longer than {MAX_DESCRIPTION} characters")
    extra, attr_problems = extra_problems(cat, attributes_from(p))
    problems += [f"attribute[{field}]: {message}" for field, message in attr_problems]
    if problems:
        raise Open311Error(400, *problems)
    lat, lng = _number(p, "lat", []), _number(p, "long", [])
    name = " ".join(x for x in (p.get("last_name", "").strip(), p.get("first_name", "").strip()) if x)
    try:
        case = case_create(actor=None, category=cat, channel=c.Channel.OPEN311,
                           title=(description or cat.name)[:40], description=description or cat.name,
                           region_code=region.code, lat=lat, lng=lng, address=p.get("address_string", ""),
                           reporter_name=name, reporter_phone=p.get("phone", "").strip(), anonymous=not name,
                           publish_consent=True,
                           extra=extra, photos=request.FILES.getlist("media"), source_name="open311")
    except ServiceError as e:
        raise Open311Error(400, e.user_message)
    return _render([{"service_request_id": str(case.pk), "token": case.tracking_code,
                     "service_notice": f"编号 {case.number}", "account_id": ""}], fmt, "service_requests", "request")


def _by_dates(qs, start, end):
    """Requests reported between start_date and end_date (w3 date-times; default: the last DEFAULT_DAYS)."""
    try:
        start_dt, end_dt = (parse_datetime(start) if start else None), (parse_datetime(end) if end else None)
    except ValueError:
        start_dt = end_dt = None
    if (start and start_dt is None) or (end and end_dt is None):
        raise Open311Error(400, "start_date/end_date must be w3 date-times, e.g. 2010-01-01T00:00:00Z")
    end_dt = end_dt or timezone.now()
    try:
        start_dt = start_dt or end_dt - dt.timedelta(days=DEFAULT_DAYS)
    except OverflowError:  # an end_date in the first days of year 1
        raise Open311Error(400, "start_date/end_date are out of range")
    return qs.filter(created_at__gte=start_dt, created_at__lte=end_dt)


def _by_status(qs, status: str):
    wanted = {s.strip() for s in status.split(",") if s.strip()}
    if not wanted <= {"open", "closed"}:
        raise Open311Error(400, "status must be open or closed")
    if wanted == {"open"}:
        return qs.filter(state__in=c.OPEN_STATES)
    if wanted == {"closed"}:
        return qs.exclude(state__in=c.OPEN_STATES)
    return qs


def _list(request, fmt):
    g = request.GET
    qs = _published().select_related("category", "lead_body")
    page, size = _page(g)
    if ids := g.get("service_request_id"):
        qs = qs.filter(pk__in=[int(i) for i in ids.split(",") if _request_id(i) is not None])
    else:
        if codes := g.get("service_code"):
            qs = qs.filter(category__code__in=[x.strip() for x in codes.split(",")])
        qs = _by_status(_by_dates(qs, g.get("start_date"), g.get("end_date")), g.get("status", ""))
    first = (page - 1) * size
    rows = [_request(x, request) for x in _with_photos(qs.order_by("-created_at", "-id")[first:first + size])]
    return _render(rows, fmt, "service_requests", "request")


def _request_id(raw: str) -> int | None:
    """A service_request_id as a database id: ASCII digits that fit a 64-bit integer, else None."""
    raw = raw.strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 18 else None


def _page(g) -> tuple[int, int]:
    """`page` (from 1) and `page_size` (1 to PAGE_SIZE, default PAGE_SIZE); anything else is a 400."""
    values = []
    for name, default, top in (("page", 1, MAX_RESULTS), ("page_size", PAGE_SIZE, PAGE_SIZE)):
        raw = (g.get(name) or "").strip()
        if not raw:
            values.append(default)
            continue
        if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= top:
            raise Open311Error(400, f"{name} must be a whole number from 1 to {top}")
        values.append(int(raw))
    return values[0], values[1]


@public_view(methods=("GET", "POST"))
@csrf_exempt
@_handle
def requests_view(request, fmt):
    if request.method == "POST":
        return _create(request, fmt)
    with replica_reads():
        return _list(request, fmt)


@_handle
def request_detail(request, pk, fmt):
    key = _request_id(pk)
    case = None if key is None else _published().filter(pk=key).select_related("category", "lead_body").first()
    if case is None:
        raise Open311Error(404, f"service_request_id provided was not found: {pk}")
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
    """FixMyStreet extension: public history rows of public cases in a date window (default: one day)."""
    g = request.GET
    try:
        end = parse_datetime(g["end_date"]) if g.get("end_date") else timezone.now()
        start = parse_datetime(g["start_date"]) if g.get("start_date") else end and end - dt.timedelta(days=1)
    except (ValueError, OverflowError):
        start = end = None
    if start is None or end is None:
        raise Open311Error(400, "start_date/end_date must be w3 date-times, e.g. 2010-01-01T00:00:00Z")
    rows = []
    qs = (CaseHistory.objects.filter(public=True, at__gte=start, at__lte=end, case__in=_published())
          .exclude(action="report").select_related("case").order_by("at", "id")[:MAX_RESULTS])
    for h in qs:
        status = "open" if h.to_state in c.OPEN_STATES else "closed"
        note = "" if h.action in NOTE_NAMES_A_PERSON else h.note
        rows.append({"update_id": str(h.pk), "service_request_id": str(h.case_id), "status": status,
                     "updated_datetime": _fmt_dt(h.at), "description": f"{h.label} {note}".strip(),
                     "media_url": ""})
    return _render(rows, fmt, "service_request_updates", "request_update")


@public_view
def discovery(request, fmt):
    """Service Discovery (https://wiki.open311.org/Service_Discovery): where the v2 endpoint is, in
    which formats, and how to get an api_key."""
    endpoint = request.build_absolute_uri(reverse("open311:services"))[: -len("/services.json")]
    data = {"changeset": CHANGESET, "contact": getattr(settings, "SHANZHI_OPEN311_CONTACT", ""),
            "key_service": "api_key 由平台管理员发放（shanzhi open311 key create --name 名称）",
            "endpoints": [{"specification": SPEC, "url": endpoint, "changeset": CHANGESET, "type": "production",
                           "formats": ["text/xml", "application/json"]}]}
    return _render(data, fmt, "discovery", None)


# Routes with parameters are API endpoints, not pages: declared public and tested in test_open311.py.
service_definition = public_view(service_definition)
request_detail = public_view(request_detail)
token = public_view(token)
