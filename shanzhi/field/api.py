"""The phone app's API (mounted at /api/field/), for the grid worker's signed-in session only (CSRF-checked on
writes; department tokens are refused):

- `GET /api/field/session` — who is signed in, and a fresh CSRF token for the queued writes.
- `GET /api/field/roster` — the worker's grids for offline lookup, masked (see `selectors.roster`).
- `POST /api/field/sync` — up to 50 queued records, in the phone's order, each written exactly once
  (`services.sync_item`); the answer lists each item's status: done, refused (with the reason) or conflict
  (with the server's and the phone's values).
"""

from __future__ import annotations

from typing import Any

from django.middleware.csrf import get_token
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.security import SessionAuth

from shanzhi.core.scope import user_roles

from . import selectors, services
from .models import FIELD_ROLES

router = Router(tags=["网格员手机端"], auth=SessionAuth())
MAX_BATCH = 50


class ErrorOut(Schema):
    detail: str


class SessionOut(Schema):
    user: int
    name: str
    csrf: str


class SyncItemIn(Schema):
    client_id: str
    kind: str
    payload: dict[str, Any] = {}


class SyncIn(Schema):
    items: list[SyncItemIn]


class SyncOut(Schema):
    results: list[dict[str, Any]]


def _refused(request):
    if not (user_roles(request.auth) & FIELD_ROLES):
        return Status(403, {"detail": _("只有网格员、网格长使用手机端")})
    return None


@router.get("/session", response={200: SessionOut, 403: ErrorOut}, summary="当前用户与 CSRF 令牌")
def session(request):
    if refused := _refused(request):
        return refused
    return {"user": request.auth.pk, "name": request.auth.get_full_name() or request.auth.get_username(),
            "csrf": get_token(request)}


@router.get("/roster", response={200: dict[str, Any], 403: ErrorOut}, summary="本网格名册（离线查找用，已脱敏）")
def roster(request):
    if refused := _refused(request):
        return refused
    return selectors.roster(actor=request.auth)


@router.post("/sync", response={200: SyncOut, 400: ErrorOut, 403: ErrorOut}, summary="同步离线记录（每条只写一次）")
def sync(request, payload: SyncIn):
    if refused := _refused(request):
        return refused
    if len(payload.items) > MAX_BATCH:
        return Status(400, {"detail": _("每次最多同步 %(n)d 条") % {"n": MAX_BATCH}})
    return {"results": services.sync_batch(actor=request.auth, items=[i.model_dump() for i in payload.items])}
