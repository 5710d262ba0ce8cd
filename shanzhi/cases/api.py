"""Cases REST API (mounted at /api/cases/): list, read, file and move cases through the same selectors and
services as the pages.

- Reads (`GET /api/cases/`, `GET /api/cases/{id}`) go through `selectors.case_list` with the "api" action: staff
  and handling bodies see what their pages show; a department token (一次采集、多次使用) reads the cases of
  its regions. Out of scope is 404, and absent from the list. The list takes the list page's filters,
  is newest first and keyset-paginated (`?after=<last id>&limit=<≤200>`, answer `{"items", "next"}`).
- Writes (`POST /api/cases/`, `POST /api/cases/{id}/transitions`) are for the signed-in staff session only
  (CSRF-checked); tokens are read-only. A transition names the case `version` it was shown: a stale one
  is 409. A refusal is 403 with the Chinese reason, bad input 400 with the message and the field.
- Reporter details (name, masked phone) appear only in one case's detail, only for a session user with
  a staff or handling-body role at the case; never in lists or to tokens.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.decorators import decorate_view

from shanzhi.core.errors import ConflictError, NotAllowed, ServiceError
from shanzhi.core.replica import reads_from_replica
from shanzhi.core.scope import roles_at, user_roles

from . import choices as c
from . import selectors, services
from .models import CASE_ROLES, Case, Category
from .workflow import SYSTEM_ACTIONS, WORKFLOW

router = Router(tags=["民情"])
MAX_LIMIT = 200
API_CHANNELS = (c.Channel.PATROL, c.Channel.HOTLINE, c.Channel.WALK_IN)  # as the staff form offers


class CaseFilters(Schema):
    after: int | None = None
    limit: int = 50
    q: str = ""
    state: str = ""
    category: str = ""
    channel: str = ""
    level: str = ""
    light: str = ""
    open: str = ""


class CaseOut(Schema):
    id: int
    number: str
    title: str
    category: str
    category_name: str
    channel: str
    channel_label: str
    state: str
    state_label: str
    status: str
    level: int
    urgency: str
    region_code: str
    address: str
    lat: float | None = None
    lng: float | None = None
    lead_body: str | None = None
    light: str
    due_at: datetime | None = None
    outcome: str
    outcome_label: str
    created_at: datetime
    updated_at: datetime
    version: int
    duplicate_of: int | None = None  # merged as a duplicate: the id of the case it was merged into


class CasePage(Schema):
    items: list[CaseOut]
    next: int | None = None


class TimelineOut(Schema):
    at: datetime
    action: str
    label: str
    state: str
    note: str


class ActionOut(Schema):
    action: str
    label: str
    allowed: bool
    reason: str


class ReporterOut(Schema):
    name: str
    phone: str
    anonymous: bool


class CaseDetailOut(CaseOut):
    description: str
    extra: dict[str, Any]
    reporter: ReporterOut | None = None
    timeline: list[TimelineOut]
    actions: list[ActionOut]


class CaseIn(Schema):
    category: str
    channel: str = c.Channel.PATROL
    title: str
    description: str
    region_code: str
    urgency: str = c.Urgency.NORMAL
    address: str = ""
    lat: float | None = None
    lng: float | None = None
    reporter_name: str = ""
    reporter_phone: str = ""
    extra: dict[str, Any] = {}


class TransitionIn(Schema):
    action: str
    version: int
    reason: str = ""
    note: str = ""
    assignee: int | None = None
    body: int | None = None
    outcome: str = ""
    score: int | None = None
    comment: str = ""
    original: str = ""


class ErrorOut(Schema):
    detail: str
    field: str | None = None


def _actor(request):
    return request.auth


def _by_token(request) -> bool:
    return getattr(request, "api_token", None) is not None


def _out(case: Case, now) -> dict:
    return {"id": case.pk, "number": case.number, "title": case.title, "category": case.category.code,
            "category_name": case.category.name, "channel": case.channel, "channel_label": case.get_channel_display(),
            "state": case.state, "state_label": case.get_state_display(),
            "status": "open" if case.is_open else "closed", "level": case.level, "urgency": case.urgency,
            "region_code": case.region_code, "address": case.address, "lat": case.lat, "lng": case.lng,
            "lead_body": case.lead_body.name if case.lead_body_id else None, "light": case.light(now),
            "due_at": case.due_at, "outcome": case.outcome, "outcome_label": case.get_outcome_display(),
            "created_at": case.created_at, "updated_at": case.updated_at, "version": case.version,
            "duplicate_of": case.duplicate_of_id}


def _reporter(request, case: Case) -> dict | None:
    if _by_token(request) or not (roles_at(_actor(request), case.region_code) & CASE_ROLES["view"]):
        return None
    if case.anonymous:
        return {"name": "", "phone": "", "anonymous": True}
    return {"name": case.reporter_name, "phone": case.reporter_phone_masked, "anonymous": False}


def _detail(request, case: Case) -> dict:
    actor = _actor(request)
    timeline = [{"at": h.at, "action": h.action, "label": h.label, "state": h.to_state, "note": h.note}
                for h in selectors.case_timeline(actor=actor, case=case, public_only=True)]
    actions = [] if _by_token(request) else [
        {"action": t.action, "label": str(t.label), "allowed": ok, "reason": str(why)}
        for t, ok, why in WORKFLOW.available(case, actor) if t.action not in SYSTEM_ACTIONS]
    return {**_out(case, timezone.now()), "description": case.description, "extra": case.extra,
            "reporter": _reporter(request, case), "timeline": timeline, "actions": actions}


def _refusal(e: ServiceError):
    """A service's refusal as (status, body): 409 conflict, 403 not allowed, 400 invalid input."""
    if isinstance(e, ConflictError):
        return Status(409, {"detail": e.user_message})
    if isinstance(e, NotAllowed):
        return Status(403, {"detail": e.user_message})
    return Status(400, {"detail": e.user_message, "field": e.field})


def _read_only(request):
    if _by_token(request):
        return Status(403, {"detail": _("接口令牌只能读取，不能登记或办理民情")})
    return None


@router.get("", response=CasePage, summary="民情列表（范围内，最新在前）")
@decorate_view(reads_from_replica)
def case_list(request, filters: Query[CaseFilters]):
    f = filters.model_dump()
    qs = selectors.case_list(actor=_actor(request), filters={k: f[k] for k in selectors.FILTER_KEYS}, action="api")
    if filters.after is not None:
        at = qs.filter(pk=filters.after).values_list("created_at", flat=True).first()
        if at is None:  # a cursor from outside this list (or out of scope) says nothing about where to go on
            return {"items": [], "next": None}
        qs = qs.filter(Q(created_at__lt=at) | Q(created_at=at, pk__lt=filters.after))
    limit = max(1, min(filters.limit, MAX_LIMIT))
    rows = list(qs.order_by("-created_at", "-id")[:limit + 1])
    now = timezone.now()
    return {"items": [_out(x, now) for x in rows[:limit]], "next": rows[limit - 1].pk if len(rows) > limit else None}


@router.get("/{case_id}", response={200: CaseDetailOut, 404: ErrorOut}, summary="民情详情与公开进展")
def case_detail(request, case_id: int):
    case = selectors.case_list(actor=_actor(request), action="api").filter(pk=case_id).first()
    if case is None:
        raise Http404
    return Status(200, _detail(request, case))


@router.post("", response={201: CaseDetailOut, 400: ErrorOut, 403: ErrorOut},
             summary="登记民情（工作人员会话）")
def case_create(request, payload: CaseIn):
    if refused := _read_only(request):
        return refused
    actor = _actor(request)
    if not (user_roles(actor) & CASE_ROLES["create"]):
        return Status(403, {"detail": _("您的角色不能登记民情")})
    if payload.channel not in API_CHANNELS:
        return Status(400, {"detail": _("来源应为网格巡查、热线或来访"), "field": "channel"})
    if payload.urgency not in c.Urgency.values:
        return Status(400, {"detail": _("紧急程度无效"), "field": "urgency"})
    category = Category.objects.filter(code=payload.category, active=True, children__isnull=True).first()
    if category is None:
        return Status(400, {"detail": _("找不到该民情类别，请填写末级类别的编码"), "field": "category"})
    if not payload.title.strip() or not payload.description.strip():
        field = "title" if not payload.title.strip() else "description"
        return Status(400, {"detail": _("请填写标题和描述"), "field": field})
    try:
        case = services.case_create(
            actor=actor, category=category, channel=payload.channel, title=payload.title,
            description=payload.description, region_code=payload.region_code, urgency=payload.urgency,
            address=payload.address, lat=payload.lat, lng=payload.lng, reporter_name=payload.reporter_name,
            reporter_phone=payload.reporter_phone, extra=payload.extra)
    except ServiceError as e:
        return _refusal(e)
    return Status(201, _detail(request, selectors.case_list(actor=actor, action="api").get(pk=case.pk)))


@router.post("/{case_id}/transitions",
             response={200: CaseDetailOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
             summary="办理：执行一个流程操作（工作人员会话）")
def case_transition(request, case_id: int, payload: TransitionIn):
    if refused := _read_only(request):
        return refused
    actor = _actor(request)
    case = Case.objects.restrict(actor, "change").filter(pk=case_id).first()
    if case is None:
        raise Http404
    if payload.action in SYSTEM_ACTIONS:
        return Status(400, {"detail": _("该操作由系统触发"), "field": "action"})
    if payload.version != case.version:
        return _refusal(ConflictError())
    data = {k: v for k, v in payload.model_dump(exclude={"action", "version"}).items() if v not in (None, "")}
    try:
        case = services.case_transition(actor=actor, case=case, action=payload.action, data=data)
    except ServiceError as e:
        return _refusal(e)
    visible = selectors.case_list(actor=actor, action="api").filter(pk=case.pk).first()
    if visible is None:  # e.g. a handling body that returned the case: it is no longer theirs to read
        return Status(200, {**_out(case, timezone.now()), "description": "", "extra": {}, "reporter": None,
                            "timeline": [], "actions": []})
    return Status(200, _detail(request, visible))
