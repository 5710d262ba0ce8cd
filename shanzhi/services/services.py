"""Every write of 智慧社区+ services: the catalogue, 代办 requests, venues and bookings, service points, matches."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import secrets

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shanzhi.audit.services import audit_log
from shanzhi.core.errors import ServiceError
from shanzhi.core.permissions import require
from shanzhi.core.scope import prefixes_for_roles
from shanzhi.core.writes import clean_or_refuse, create_audited, versioned_update
from shanzhi.registry.models import Person

from . import choices as c
from . import permissions as P
from .models import (
    RESIDENTS,
    Booking,
    NeedMatch,
    ProxyRequest,
    RequestMaterial,
    RequestStep,
    ServiceItem,
    ServicePoint,
    Venue,
    VenueClosure,
)
from .workflow import REQUEST

NO_SHOW_WINDOW = dt.timedelta(days=90)


# --- catalogue ---------------------------------------------------------------------------------------------
def item_create(*, actor, region_code: str, name: str, department: str, materials: str = "", legal_days: int = 5,
                fee=0, where: str = "", proxy_allowed: bool = True) -> ServiceItem:
    require(actor, P.CATALOGUE_EDIT.action, region_code)
    return create_audited(ServiceItem, actor=actor, action="services.item_create", region_code=region_code,
                          name=name.strip(), department=department.strip(), materials=materials.strip(),
                          legal_days=legal_days, fee=fee, where=where.strip(), proxy_allowed=proxy_allowed)


# --- 全程代办 ------------------------------------------------------------------------------------------------
def _number() -> str:
    return f"DB{timezone.localdate():%y%m%d}{secrets.token_hex(3).upper()}"


def _resident_code(actor, person) -> str:
    if person is not None:
        return person.region_code
    codes = prefixes_for_roles(actor, RESIDENTS)
    if not codes:
        raise ServiceError(_("您的账号尚未登记为本社区居民"))
    return max(codes, key=len)


def _step(req, actor, action: str, label: str, note: str = "", before: str = "", after: str = "") -> RequestStep:
    return RequestStep.objects.create(request=req, action=action, label=str(label), from_state=before,
                                      to_state=after, note=note[:300],
                                      actor=actor if getattr(actor, "is_authenticated", False) else None)


def _open(*, actor, item, region_code, channel, applicant, person, applicant_name, note) -> ProxyRequest:
    if not item.active or not item.proxy_allowed:
        raise ServiceError(_("“%(name)s”不能由社区代办") % {"name": item.name}, field="item")
    req = ProxyRequest(number=_number(), item=item, channel=channel, applicant=applicant, person=person,
                       applicant_name=applicant_name.strip(), note=note.strip(), region_code=region_code)
    clean_or_refuse(req)
    req.save()
    RequestMaterial.objects.bulk_create([RequestMaterial(request=req, name=n[:100]) for n in item.material_names()])
    _step(req, actor, "open", _("提交申请") if channel == c.Channel.ONLINE else _("窗口代录"), note, "",
          req.state)
    audit_log(actor=actor, action="services.request_open", obj=req, after={"item": item.pk, "channel": channel})
    return req


@transaction.atomic
def request_open(*, actor, item: ServiceItem, note: str = "") -> ProxyRequest:
    """A resident asks the community to carry `item` through for them."""
    person = Person.objects.filter(user=actor).first() if getattr(actor, "is_authenticated", False) else None
    code = _resident_code(actor, person)
    require(actor, P.REQUEST_OPEN.action, item)
    name = person.name if person else (getattr(actor, "display_name", "") or actor.get_username())
    return _open(actor=actor, item=item, region_code=code, channel=c.Channel.ONLINE, applicant=actor,
                 person=person, applicant_name=name, note=note)


@transaction.atomic
def request_open_desk(*, actor, item: ServiceItem, region_code: str, applicant_name: str, person=None,
                      note: str = "") -> ProxyRequest:
    """A clerk at the desk opens a request for someone (who may have no account)."""
    require(actor, P.REQUEST_DESK.action, region_code)
    if not applicant_name.strip():
        raise ServiceError(_("请填写申请人姓名"), field="applicant_name")
    applicant = person.user if person is not None and person.user_id else None
    return _open(actor=actor, item=item, region_code=region_code, channel=c.Channel.DESK, applicant=applicant,
                 person=person, applicant_name=applicant_name, note=note)


@transaction.atomic
def material_receive(*, actor, material: RequestMaterial, scan=None) -> RequestMaterial:
    req = material.request
    require(actor, P.REQUEST_HANDLE.action, req)
    if req.state not in (c.RequestState.SUBMITTED, c.RequestState.RETURNED):
        raise ServiceError(_("受理后不能再修改材料清单"))
    material.received = True
    material.received_at = timezone.now()
    fields = ["received", "received_at"]
    if scan is not None:
        if scan.size > 10 * 1024 * 1024:
            raise ServiceError(_("扫描件不能超过10MB"), field="scan")
        material.scan = scan
        fields.append("scan")
    material.save(update_fields=fields)
    _step(req, actor, "material", _("收取材料"), material.name)
    audit_log(actor=actor, action="services.material_receive", obj=req, after={"material": material.name})
    return material


@transaction.atomic
def request_step_record(*, actor, request: ProxyRequest, note: str) -> RequestStep:
    """A step on the way (went to the 政务服务中心, the department asked for a copy …), without a state change."""
    require(actor, P.REQUEST_HANDLE.action, request)
    if request.state not in (c.RequestState.ACCEPTED, c.RequestState.AT_DEPARTMENT):
        raise ServiceError(_("受理后、出结果前才能记录办理过程"))
    if not note.strip():
        raise ServiceError(_("请填写办理记录"), field="note")
    step = _step(request, actor, "step", _("办理记录"), note.strip(), request.state, request.state)
    audit_log(actor=actor, action="services.request_step", obj=request)
    return step


def _history(actor):
    def write(req, t, before, data):
        note = data.get("note") or data.get("comment") or data.get("signed_name") or ""
        _step(req, actor, t.action, t.label, str(note), before, t.target)
    return write


SIGNATURE_MAX = 512 * 1024
PNG_PREFIX = "data:image/png;base64,"


def _signature_file(data: dict, signature_file) -> ContentFile | None:
    """The signature the deliver step keeps: the drawn PNG (screen) or the scan of the signed slip (paper)."""
    if data.get("signature_kind") == c.SignatureKind.SCREEN:
        raw = str(data.get("signature_data") or "")
        if not raw.startswith(PNG_PREFIX):
            raise ServiceError(_("请申请人在屏幕上签名"), field="signature_data")
        try:
            png = base64.b64decode(raw[len(PNG_PREFIX):], validate=True)
        except (binascii.Error, ValueError):
            raise ServiceError(_("签名图像无法读取，请重新签名"), field="signature_data") from None
        if not png.startswith(b"\x89PNG") or len(png) > SIGNATURE_MAX:
            raise ServiceError(_("签名图像无法读取，请重新签名"), field="signature_data")
        return ContentFile(png, name="signature.png")
    if data.get("signature_kind") == c.SignatureKind.PAPER and signature_file is not None:
        if signature_file.size > 10 * 1024 * 1024:
            raise ServiceError(_("扫描件不能超过10MB"), field="signature_scan")
        return signature_file
    return None


@transaction.atomic
def request_transition(*, actor, request: ProxyRequest, action: str, data: dict | None = None,
                       signature_file=None) -> ProxyRequest:
    """One step of the table (accept, return, submit_department, result, deliver, rate, withdraw …). Delivering
    keeps the signature: drawn on the screen (a PNG), or the scan of the paper slip the resident signed."""
    data = dict(data or {})
    signature = _signature_file(data, signature_file) if action == "deliver" else None
    data.pop("signature_data", None)
    req = REQUEST.apply(obj=request, actor=actor, action=action, data=data, history=_history(actor))
    if signature is not None:
        field = ProxyRequest._meta.get_field("signature")
        name = field.storage.save(field.generate_filename(req, signature.name), signature)
        ProxyRequest.objects.filter(pk=req.pk).update(signature=name)
        req.signature.name = name
    return req


# --- venues and bookings ---------------------------------------------------------------------------------------
def venue_create(*, actor, region_code: str, **fields) -> Venue:
    require(actor, P.VENUE_EDIT.action, region_code)
    return create_audited(Venue, actor=actor, action="services.venue_create", region_code=region_code, **fields)


def venue_close_day(*, actor, venue: Venue, date: dt.date, reason: str) -> VenueClosure:
    require(actor, P.VENUE_EDIT.action, venue)
    if Booking.objects.filter(venue=venue, date=date, state__in=c.SLOT_HOLDING[:2]).exists():
        raise ServiceError(_("当天已有预约，请先与预约人协调取消"), field="date")
    return create_audited(VenueClosure, actor=actor, action="services.venue_close_day", venue=venue, date=date,
                          reason=reason.strip(), duplicate_message=_("当天已设为闭馆"), duplicate_field="date")


def slot_problem(venue: Venue, date: dt.date, start: dt.time, today: dt.date | None = None) -> str:
    """Why `start` on `date` is not a slot of the venue's opening rule ('' when it is)."""
    today = today or timezone.localdate()
    if not venue.active:
        return _("场地暂停开放")
    if date < today:
        return _("不能预约过去的日期")
    if (date - today).days > venue.advance_days:
        return _("最多提前%(n)d天预约") % {"n": venue.advance_days}
    if str(date.isoweekday()) not in venue.weekdays:
        return _("该场地当天不开放")
    if venue.closures.filter(date=date).exists():
        return _("该场地当天闭馆")
    minutes = (start.hour * 60 + start.minute) - (venue.opens_at.hour * 60 + venue.opens_at.minute)
    close = venue.closes_at.hour * 60 + venue.closes_at.minute
    if minutes < 0 or minutes % venue.slot_minutes or start.hour * 60 + start.minute + venue.slot_minutes > close:
        return _("所选时段不在开放时间内")
    return ""


def _slot_end(venue: Venue, start: dt.time) -> dt.time:
    return (dt.datetime.combine(dt.date(2000, 1, 1), start) + dt.timedelta(minutes=venue.slot_minutes)).time()


def no_show_count(user) -> int:
    since = timezone.localdate() - NO_SHOW_WINDOW
    return Booking.objects.filter(booker=user, state=c.BookingState.NO_SHOW, date__gte=since).count()


@transaction.atomic
def booking_create(*, actor, venue: Venue, date: dt.date, start: dt.time, purpose: str, people: int = 1,
                   organisation: str = "") -> Booking:
    """Book one slot. The database's UNIQUE slot constraint decides between two bookers of the same slot."""
    require(actor, P.VENUE_BOOK.action, venue)
    problem = slot_problem(venue, date, start)
    if problem:
        raise ServiceError(problem, field="start")
    if not purpose.strip():
        raise ServiceError(_("请填写用途"), field="purpose")
    if people < 1 or people > venue.capacity:
        raise ServiceError(_("人数须在1到%(n)d之间") % {"n": venue.capacity}, field="people")
    if no_show_count(actor) >= venue.no_show_limit:
        raise ServiceError(_("您90天内爽约%(n)d次，暂不能预约") % {"n": no_show_count(actor)})
    person = Person.objects.filter(user=actor).first()
    booking = Booking(venue=venue, date=date, start=start, end=_slot_end(venue, start), booker=actor,
                      booker_name=person.name if person else actor.get_username(), organisation=organisation.strip(),
                      purpose=purpose.strip(), people=people, region_code=venue.region_code,
                      state=c.BookingState.PENDING if venue.needs_approval else c.BookingState.APPROVED,
                      checkin_token=secrets.token_hex(16))
    clean_or_refuse(booking)
    try:
        with transaction.atomic():
            booking.save(force_insert=True)
    except IntegrityError:
        raise ServiceError(_("该时段已被预约，请选择其他时段"), field="start", code="slot_taken") from None
    audit_log(actor=actor, action="services.booking_create", obj=booking,
              after={"venue": venue.pk, "date": str(date), "start": f"{start:%H:%M}", "state": booking.state})
    return booking


def _booking_move(booking: Booking, *, actor, action: str, source, target: str, **fields) -> Booking:
    return versioned_update(booking, booking.version, actor=actor, action=f"services.booking_{action}",
                            where={"state__in": list(source)}, validate=False, state=target,
                            conflict_message=_("预约状态已变化，请刷新后重试"), **fields)


def booking_decide(*, actor, booking: Booking, approve: bool, note: str = "") -> Booking:
    require(actor, P.BOOKING_DECIDE.action, booking)
    if booking.state != c.BookingState.PENDING:
        raise ServiceError(_("该预约不在待审批状态"))
    if not approve and not note.strip():
        raise ServiceError(_("不批准时请说明原因"), field="note")
    return _booking_move(booking, actor=actor, action="approve" if approve else "reject",
                         source=[c.BookingState.PENDING],
                         target=c.BookingState.APPROVED if approve else c.BookingState.REJECTED,
                         decided_by=actor, decision_note=note.strip()[:200])


def booking_cancel(*, actor, booking: Booking) -> Booking:
    if booking.booker_id != actor.pk:
        raise ServiceError(_("只能取消自己的预约"))
    if booking.state not in (c.BookingState.PENDING, c.BookingState.APPROVED):
        raise ServiceError(_("该预约已不能取消"))
    return _booking_move(booking, actor=actor, action="cancel",
                         source=[c.BookingState.PENDING, c.BookingState.APPROVED], target=c.BookingState.CANCELLED)


def booking_check_in(*, actor, booking: Booking, now: dt.datetime | None = None) -> Booking:
    """The venue keeper scans the booker's QR code: only an approved booking, on its day."""
    require(actor, P.BOOKING_CHECKIN.action, booking)
    now = now or timezone.now()
    if booking.state == c.BookingState.CHECKED_IN:
        raise ServiceError(_("已签到，无需重复签到"))
    if booking.state != c.BookingState.APPROVED:
        raise ServiceError(_("该预约未获批准或已取消，不能签到"))
    if booking.date != timezone.localtime(now).date():
        raise ServiceError(_("只能在预约当天签到（预约日期：%(d)s）") % {"d": booking.date})
    return _booking_move(booking, actor=actor, action="check_in", source=[c.BookingState.APPROVED],
                         target=c.BookingState.CHECKED_IN, checked_in_at=now)


def mark_no_shows(*, now: dt.datetime | None = None) -> int:
    """Approved bookings whose slot has ended without a check-in become no-shows (counted against the booker)."""
    now = timezone.localtime(now or timezone.now())
    ended = Booking.objects.filter(state=c.BookingState.APPROVED, date__lte=now.date())
    n = 0
    for b in ended.only("pk", "date", "end", "region_code"):
        if dt.datetime.combine(b.date, b.end, tzinfo=now.tzinfo) <= now:
            n += Booking.objects.filter(pk=b.pk, state=c.BookingState.APPROVED).update(state=c.BookingState.NO_SHOW)
    if n:
        audit_log(actor=None, action="services.no_shows", object_repr="bookings", after={"count": n})
    return n


# --- 便民服务地图 and needs ---------------------------------------------------------------------------------------
def point_create(*, actor, region_code: str, **fields) -> ServicePoint:
    require(actor, P.POINT_EDIT.action, region_code)
    return create_audited(ServicePoint, actor=actor, action="services.point_create", region_code=region_code,
                          **fields)


def point_update(*, actor, point: ServicePoint, expected_version: int, **fields) -> ServicePoint:
    require(actor, P.POINT_EDIT.action, point)
    return versioned_update(point, expected_version, actor=actor, action="services.point_update", **fields)


@transaction.atomic
def need_match(*, actor, need, kind: str, point=None, item=None, person=None, unit=None,
               note: str = "") -> NeedMatch:
    """Record that a resident need was matched to a service, a volunteer or an organisation."""
    require(actor, P.NEED_MATCH.action, need)
    target = {c.MatchKind.SERVICE_POINT: point, c.MatchKind.SERVICE_ITEM: item, c.MatchKind.VOLUNTEER: person,
              c.MatchKind.ORGANISATION: unit}.get(kind)
    if target is None:
        raise ServiceError(_("请选择要匹配的%(kind)s") % {"kind": c.MatchKind(kind).label if kind in c.MatchKind.values
                                                       else _("对象")}, field="target")
    return create_audited(NeedMatch, actor=actor, action="services.need_match", region_code=need.region_code,
                          need=need, kind=kind, point=point, item=item, person=person, unit=unit,
                          target_name=str(getattr(target, "name", target))[:100], note=note.strip(),
                          matched_by=actor)
