"""智慧社区+ pages: the catalogue, 全程代办 (resident and desk), venues and bookings, the 便民服务地图."""

from __future__ import annotations

import datetime as dt

import segno
from django.contrib import messages
from django.http import FileResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shanzhi.core.access import object_view, public_view, role_view
from shanzhi.core.errors import ServiceError
from shanzhi.core.permissions import check
from shanzhi.core.scope import prefixes_for_roles, user_roles
from shanzhi.core.scoping import prefix_q
from shanzhi.regions.models import Region
from shanzhi.registry.models import Need, Person, Unit

from . import choices as c
from . import permissions as P
from . import selectors, services
from .forms import BookingForm, DeskRequestForm, ItemForm, MatchForm, PointForm, RequestForm, VenueForm
from .models import (
    BOOKERS,
    MANAGERS,
    RESIDENTS,
    STAFF,
    Booking,
    ProxyRequest,
    ServiceItem,
    ServicePoint,
    Venue,
)
from .workflow import REQUEST

REQUEST_USERS = STAFF | RESIDENTS


def _regions(actor, roles, levels=("street", "community", "grid")):
    prefixes = prefixes_for_roles(actor, roles)
    if not prefixes:
        return []
    return list(Region.objects.filter(prefix_q("code", prefixes), level__in=levels).order_by("code")[:300])


def _fail(request, e: ServiceError):
    messages.error(request, e.user_message)


def _date(value, default):
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return default


# --- public --------------------------------------------------------------------------------------------------
@public_view
def index(request):
    return render(request, "services/index.html", {"roles": user_roles(request.user)})


@public_view
def catalogue(request):
    q = request.GET.get("q", "")[:50]
    prefix = request.GET.get("region", "")
    prefix = prefix if prefix.isdigit() and len(prefix) <= 15 else ""
    items = list(selectors.public_items(prefix=prefix, q=q)[:200])
    return render(request, "services/catalogue.html", {"items": items, "q": q})


@public_view
def service_map(request):
    home = selectors.home_of(request.user)
    prefix = request.GET.get("region", "")
    prefix = prefix if prefix.isdigit() and len(prefix) <= 15 else ""
    return render(request, "services/map.html", {"categories": c.PointCategory.choices, "home": home,
                                                 "prefix": prefix})


@public_view
def map_points(request):
    prefix = request.GET.get("region", "")
    prefix = prefix if prefix.isdigit() and len(prefix) <= 15 else ""
    category = request.GET.get("category", "")
    category = category if category in c.PointCategory.values else ""
    points = selectors.public_points(prefix=prefix, category=category, q=request.GET.get("q", "")[:50])
    home = selectors.home_of(request.user)
    near = selectors.nearest(points, *home) if home else []
    return JsonResponse({"points": points, "nearest": [p["id"] for p in near],
                         "distances": {p["id"]: p["distance"] for p in near},
                         "categories": {k: str(v) for k, v in c.PointCategory.choices}})


# --- 全程代办 ------------------------------------------------------------------------------------------------
@role_view(REQUEST_USERS)
def requests(request):
    roles = user_roles(request.user)
    state = request.GET.get("state", "")
    state = state if state in c.RequestState.values else ""
    if roles & STAFF:
        rows = list(selectors.request_list(actor=request.user, state=state)[:100])
    else:
        rows = list(selectors.my_requests(actor=request.user)[:100])
    return render(request, "services/requests.html", {"rows": rows, "staff": bool(roles & STAFF), "state": state,
                                                      "states": c.RequestState.choices, "now": timezone.now()})


@role_view(RESIDENTS, methods=("GET", "POST"))
def request_new(request):
    items = selectors.item_choices(actor=request.user)
    form = RequestForm(request.POST or None, items=items, initial={"item": request.GET.get("item")})
    if request.method == "POST" and form.is_valid():
        try:
            req = services.request_open(actor=request.user, item=form.cleaned_data["item"],
                                        note=form.cleaned_data["note"])
        except ServiceError as e:
            _fail(request, e)
        else:
            messages.success(request, _("已提交代办申请，编号 %(n)s") % {"n": req.number})
            return redirect("services:request", pk=req.pk)
    return render(request, "services/request_form.html", {"form": form, "title": _("申请代办")})


@role_view(STAFF, methods=("GET", "POST"))
def request_desk(request):
    items = selectors.item_choices(actor=request.user)
    form = DeskRequestForm(request.POST or None, items=items,
                           regions=_regions(request.user, STAFF, ("community", "grid")))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            req = services.request_open_desk(actor=request.user, item=d["item"], region_code=d["region_code"],
                                             applicant_name=d["applicant_name"], note=d["note"])
        except ServiceError as e:
            _fail(request, e)
        else:
            return redirect("services:request", pk=req.pk)
    return render(request, "services/request_form.html", {"form": form, "title": _("窗口代录代办")})


@object_view(ProxyRequest, roles=REQUEST_USERS)
def request_detail(request, req):
    staff = check(request.user, P.REQUEST_HANDLE.action, req)[0]
    actions = [(t, ok, why) for t, ok, why in REQUEST.available(req, request.user) if t.roles & STAFF] \
        if staff else []
    own = [(t, ok, why) for t, ok, why in REQUEST.available(req, request.user)
           if req.applicant_id == request.user.pk and t.roles & RESIDENTS]
    response = render(request, "services/request.html", {
        "req": req, "materials": list(req.materials.all()),
        "steps": list(selectors.request_timeline(actor=request.user, request=req)),
        "staff": staff, "actions": actions, "own": own, "overdue": req.due_at and req.due_at < timezone.now()
        and req.state in c.OPEN_REQUEST_STATES})
    response["Cache-Control"] = "no-store"
    return response


def _transition(request, req, action):
    data = {k: request.POST.get(k, "") for k in ("note", "signed_name", "signature_kind", "rating", "comment",
                                                 "signature_data")}
    try:
        services.request_transition(actor=request.user, request=req, action=action, data=data,
                                    signature_file=request.FILES.get("signature_scan"))
    except ServiceError as e:
        _fail(request, e)
    return redirect("services:request", pk=req.pk)


@object_view(ProxyRequest, action="change", methods=("POST",))
def request_act(request, req):
    material = request.POST.get("material")
    if material:
        m = req.materials.filter(pk=material).first() if material.isdigit() else None
        if m is not None:
            try:
                services.material_receive(actor=request.user, material=m, scan=request.FILES.get("scan"))
            except ServiceError as e:
                _fail(request, e)
        return redirect("services:request", pk=req.pk)
    if request.POST.get("action") == "step":
        try:
            services.request_step_record(actor=request.user, request=req, note=request.POST.get("note", ""))
        except ServiceError as e:
            _fail(request, e)
        return redirect("services:request", pk=req.pk)
    return _transition(request, req, request.POST.get("action", "accept"))


@object_view(ProxyRequest)
def request_signature(request, req):
    """The signature kept when the result was handed back (staff and the applicant)."""
    if not req.signature:
        return render(request, "services/no_signature.html", {"req": req})
    response = FileResponse(req.signature.open("rb"), content_type="image/png" if req.signature.name.endswith(
        ".png") else "application/octet-stream")
    response["Cache-Control"] = "no-store"
    return response


@object_view(ProxyRequest, action="own", methods=("POST",))
def request_own(request, req):
    action = request.POST.get("action", "rate")
    if action not in {"rate", "withdraw", "resubmit"}:
        action = "rate"
    return _transition(request, req, action)


# --- catalogue management ------------------------------------------------------------------------------------
@role_view(MANAGERS, methods=("GET", "POST"))
def items(request):
    form = ItemForm(request.POST or None, regions=_regions(request.user, MANAGERS))
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        try:
            services.item_create(actor=request.user, **d)
        except ServiceError as e:
            _fail(request, e)
        else:
            return redirect("services:items")
    rows = list(ServiceItem.objects.restrict(request.user, "change")[:200])
    return render(request, "services/items.html", {"form": form, "rows": rows})


# --- venues --------------------------------------------------------------------------------------------------
@role_view(STAFF | BOOKERS, methods=("GET", "POST"))
def venues(request):
    manager = bool(user_roles(request.user) & MANAGERS)
    form = VenueForm(request.POST or None, regions=_regions(request.user, MANAGERS)) if manager else None
    if request.method == "POST" and form is not None and form.is_valid():
        d = dict(form.cleaned_data)
        try:
            venue = services.venue_create(actor=request.user, **d)
        except ServiceError as e:
            _fail(request, e)
        else:
            return redirect("services:venue", pk=venue.pk)
    return render(request, "services/venues.html", {"rows": list(selectors.venue_list(actor=request.user)[:100]),
                                                    "form": form})


@object_view(Venue)
def venue_detail(request, venue):
    today = timezone.localdate()
    day = _date(request.GET.get("date"), today)
    slots = selectors.venue_slots(actor=request.user, venue=venue, date=day)
    can_book = check(request.user, P.VENUE_BOOK.action, venue)[0]
    staff = bool(user_roles(request.user) & STAFF)
    ctx = {"venue": venue, "day": day, "slots": slots, "can_book": can_book, "form": BookingForm(),
           "days": [today + dt.timedelta(days=i) for i in range(min(venue.advance_days, 13) + 1)],
           "bookings": list(selectors.venue_bookings(actor=request.user, venue=venue, date=day)[:50]) if staff else [],
           "closure": venue.closures.filter(date=day).first()}
    return render(request, "services/venue.html", ctx)


@object_view(Venue, roles=BOOKERS, methods=("POST",))
def venue_book(request, venue):
    form = BookingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请完整填写预约信息：%(f)s") % {"f": "、".join(str(form.fields[k].label)
                                                                      for k in form.errors)})
        return redirect("services:venue", pk=venue.pk)
    d = form.cleaned_data
    try:
        services.booking_create(actor=request.user, venue=venue, date=d["date"], start=d["start"],
                                purpose=d["purpose"], people=d["people"], organisation=d["organisation"])
    except ServiceError as e:
        _fail(request, e)
        return redirect(f"{reverse('services:venue', args=[venue.pk])}?date={d['date']}")
    messages.success(request, _("预约成功") if not venue.needs_approval else _("已提交预约，等待社区审批"))
    return redirect("services:bookings")


@role_view(STAFF | BOOKERS)
def bookings(request):
    roles = user_roles(request.user)
    mine = list(selectors.my_bookings(actor=request.user)[:50]) if roles & BOOKERS else []
    pending = list(selectors.pending_bookings(actor=request.user)[:100]) if roles & MANAGERS else []
    qr = {}
    if mine:
        qr = {b.pk: _qr(request, b) for b in mine if b.state == c.BookingState.APPROVED}
    return render(request, "services/bookings.html", {"mine": mine, "pending": pending, "qr": qr,
                                                      "no_shows": services.no_show_count(request.user)})


def _qr(request, booking):
    from_url = request.build_absolute_uri(f"/services/checkin/{booking.checkin_token}/")
    return services_qr(from_url)


def services_qr(data: str) -> str:
    return segno.make(data, error="m").svg_inline(scale=3, dark="#1d273b", omitsize=True)


@object_view(Booking, action="decide", methods=("POST",))
def booking_decide(request, booking):
    try:
        services.booking_decide(actor=request.user, booking=booking, approve=request.POST.get("approve") == "1",
                                note=request.POST.get("note", ""))
    except ServiceError as e:
        _fail(request, e)
    return redirect("services:bookings")


@object_view(Booking, action="own", methods=("POST",))
def booking_cancel(request, booking):
    try:
        services.booking_cancel(actor=request.user, booking=booking)
    except ServiceError as e:
        _fail(request, e)
    return redirect("services:bookings")


@object_view(Booking, action="checkin", lookup={"token": "checkin_token"}, methods=("GET", "POST"))
def booking_checkin(request, booking):
    if request.method == "POST":
        try:
            services.booking_check_in(actor=request.user, booking=booking)
        except ServiceError as e:
            _fail(request, e)
        else:
            messages.success(request, _("签到成功"))
        return redirect("services:checkin", token=booking.checkin_token)
    return render(request, "services/checkin.html", {"b": booking})


# --- service points and need matching -----------------------------------------------------------------------
@role_view(MANAGERS, methods=("GET", "POST"))
def points(request):
    form = PointForm(request.POST or None, regions=_regions(request.user, MANAGERS))
    if request.method == "POST" and form.is_valid():
        try:
            services.point_create(actor=request.user, **dict(form.cleaned_data))
        except ServiceError as e:
            _fail(request, e)
        else:
            return redirect("services:points")
    rows = list(ServicePoint.objects.restrict(request.user, "change").order_by("region_code", "name")[:200])
    return render(request, "services/points.html", {"form": form, "rows": rows})


def _match_targets(need):
    community = need.region_code[:12]
    return {
        c.MatchKind.SERVICE_POINT: list(ServicePoint.objects.filter(region_code__startswith=community,
                                                                    active=True)[:50]),
        c.MatchKind.SERVICE_ITEM: list(ServiceItem.objects.filter(active=True)[:50]),
        c.MatchKind.VOLUNTEER: list(Person.objects.filter(region_code__startswith=community,
                                                          volunteer__isnull=False)[:50]),
        c.MatchKind.ORGANISATION: list(Unit.objects.filter(region_code__startswith=need.region_code[:9],
                                                           kind="social_org")[:50]),
    }


MATCH_MODELS = {c.MatchKind.SERVICE_POINT: ("point", ServicePoint), c.MatchKind.SERVICE_ITEM: ("item", ServiceItem),
                c.MatchKind.VOLUNTEER: ("person", Person), c.MatchKind.ORGANISATION: ("unit", Unit)}


@object_view(Need, roles=STAFF, methods=("GET", "POST"))
def need_match(request, need):
    targets = _match_targets(need)
    if request.method == "POST":
        kind, _sep, pk = request.POST.get("target", "").partition(":")
        field, model = MATCH_MODELS.get(kind, ("", None))
        target = next((t for t in targets.get(kind, []) if str(t.pk) == pk), None) if model else None
        try:
            services.need_match(actor=request.user, need=need, kind=kind or c.MatchKind.SERVICE_POINT,
                                note=request.POST.get("note", ""), **({field: target} if field else {}))
        except ServiceError as e:
            _fail(request, e)
        else:
            messages.success(request, _("已记录匹配"))
        return redirect("services:need_match", pk=need.pk)
    return render(request, "services/need_match.html", {
        "need": need, "targets": [(str(c.MatchKind(k).label), k, v) for k, v in targets.items()],
        "matches": list(selectors.need_matches(actor=request.user, need=need)[:50]), "form": MatchForm()})
