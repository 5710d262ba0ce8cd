"""Sync: the phone's queued records, each written exactly once.

Every item carries the client-made UUID it got on the phone. `sync_item` first claims the (user, client id)
receipt — a unique row, in the same transaction as the write — so a retry, or the same request arriving twice
at once, gets the first answer back and writes nothing. The write itself goes through the owning app's service
(registry, cases), after the same form the phone validated with (`forms.FORMS`). A refusal (bad input, out of
scope) is kept as the answer too, with its Chinese reason; a change against a version the server has moved past
is a conflict: the answer carries the server's values beside the phone's, and the worker chooses.
"""

from __future__ import annotations

import base64
import binascii
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from shanzhi.cases import choices as case_choices
from shanzhi.cases.models import Category
from shanzhi.cases.patrols import home_visit_create
from shanzhi.cases.services import case_create
from shanzhi.core.errors import ConflictError, ServiceError
from shanzhi.registry.models import Building, Dwelling, Household
from shanzhi.registry.services import household_create_with_head, household_update

from .forms import FORMS, CaseForm
from .models import SyncReceipt
from .selectors import case_categories, grids_of

MAX_PHOTOS = 3
NOT_FOUND = "not_found"


class Refused(Exception):
    def __init__(self, detail: str, field: str | None = None, code: str = "refused"):
        super().__init__(detail)
        self.detail, self.field, self.code = str(detail), field, code


class Conflict(Exception):
    def __init__(self, detail: str, server: dict, mine: dict):
        super().__init__(detail)
        self.detail, self.server, self.mine = str(detail), server, mine


def _form(kind: str, payload: dict, actor):
    cls = FORMS[kind]
    if cls is CaseForm:
        if not hasattr(actor, "_field_case_choices"):  # once per request, not per item of a batch
            actor._field_case_choices = (case_categories(), grids_of(actor=actor))
        categories, grids = actor._field_case_choices
        form = cls(data=payload, categories=categories, grids=grids)
    else:
        form = cls(data=payload)
    if not form.is_valid():
        name, errors = next(iter(form.errors.items()))
        label = form.fields[name].label if name in form.fields else ""
        raise Refused(f"{label}：{errors[0]}" if label else errors[0], field=None if name == "__all__" else name)
    return form.cleaned_data


def _scoped(model, pk, actor, action: str, what: str):
    obj = model.objects.restrict(actor, action).filter(pk=pk).first() if pk else None
    if obj is None:
        raise Refused(_("%(what)s不存在或不在您的管辖范围内") % {"what": what}, code=NOT_FOUND)
    return obj


def _ref(actor, value: str) -> int:
    """A server id, or `c:<client id>` of a household registered offline and synced before (the queue's order)."""
    if not value.startswith("c:"):
        return int(value)
    done = SyncReceipt.objects.filter(user=actor, client_id=value[2:], status=SyncReceipt.Status.DONE,
                                      kind="household_create").first()
    if done is None:
        raise Refused(_("该住户的登记尚未同步成功，请先处理住户登记"), field="household")
    return done.result["record"]["id"]


def _household_create(actor, payload: dict) -> dict:
    d = _form("household_create", payload, actor)
    dwelling = _scoped(Dwelling, d["dwelling"], actor, "change", _("房屋"))
    household, person = household_create_with_head(
        actor=actor, dwelling=dwelling, household_number=d["household_number"],
        number_suggested=bool(payload.get("number_suggested")), kind=d["kind"],
        head={"name": d["name"], "id_number": d["id_number"], "phone": d["phone"]})
    note = "" if household.household_number == d["household_number"].strip().upper() else \
        _("户号 %(a)s 已被占用，已改为 %(b)s") % {"a": d["household_number"], "b": household.household_number}
    return {"record": {"type": "household", "id": household.pk, "number": household.household_number,
                       "person": person.pk, "version": household.version}, "detail": note}


def _visit_create(actor, payload: dict) -> dict:
    d = _form("visit_create", payload, actor)
    household = _scoped(Household, _ref(actor, d["household"]), actor, "view", _("住户"))
    visit, _case = home_visit_create(actor=actor, household=household, notes=d["notes"])
    return {"record": {"type": "visit", "id": visit.pk, "household": household.pk}, "detail": ""}


def _photos(payload: dict) -> list:
    photos = payload.get("photos") or []
    if not isinstance(photos, list) or len(photos) > MAX_PHOTOS:
        raise Refused(_("最多 %(n)d 张照片") % {"n": MAX_PHOTOS}, field="photos")
    out = []
    for i, data in enumerate(photos, 1):
        try:
            raw = base64.b64decode(str(data).split(",", 1)[-1], validate=True)
        except (binascii.Error, ValueError):
            raise Refused(_("第 %(i)d 张照片无法读取") % {"i": i}, field="photos") from None
        out.append(SimpleUploadedFile(f"photo{i}.jpg", raw))
    return out


def _case_create(actor, payload: dict) -> dict:
    d = _form("case_create", payload, actor)
    category = Category.objects.get(code=d["category"])
    building = _scoped(Building, d["building"], actor, "view", _("楼栋")) if d.get("building") else None
    case = case_create(actor=actor, category=category, channel=case_choices.Channel.PATROL, title=d["title"],
                       description=d["description"], region_code=d["region_code"], urgency=d["urgency"],
                       building=building, photos=_photos(payload), strip_location=True)
    return {"record": {"type": "case", "id": case.pk, "number": case.number}, "detail": ""}


def _household_values(h: Household) -> dict:
    return {"kind": h.kind, "kind_label": h.get_kind_display(), "living_here": h.living_here, "version": h.version}


def _household_update(actor, payload: dict) -> dict:
    d = _form("household_update", payload, actor)
    household = _scoped(Household, d["household"], actor, "change", _("住户"))
    mine = {"kind": d["kind"], "kind_label": str(dict(FORMS["household_update"].base_fields["kind"].choices)
                                                  [d["kind"]]), "living_here": d["living_here"]}
    try:
        household = household_update(actor=actor, household=household, version=d["version"], kind=d["kind"],
                                     living_here=d["living_here"])
    except ConflictError as e:
        household.refresh_from_db()
        raise Conflict(e.user_message, server=_household_values(household), mine=mine) from None
    return {"record": {"type": "household", "id": household.pk, "version": household.version}, "detail": ""}


APPLY = {"household_create": _household_create, "visit_create": _visit_create, "case_create": _case_create,
         "household_update": _household_update}


def _apply(actor, kind: str, payload: dict) -> tuple[str, dict]:
    """(status, answer) of one write, run in a savepoint: a refused item leaves nothing behind."""
    try:
        with transaction.atomic():
            return SyncReceipt.Status.DONE, APPLY[kind](actor, payload)
    except Refused as e:
        return SyncReceipt.Status.REFUSED, {"detail": e.detail, "field": e.field, "code": e.code}
    except Conflict as e:
        return SyncReceipt.Status.CONFLICT, {"detail": e.detail, "server": e.server, "mine": e.mine}
    except ServiceError as e:
        return SyncReceipt.Status.REFUSED, {"detail": e.user_message, "field": e.field, "code": "refused"}
    except PermissionDenied as e:
        return SyncReceipt.Status.REFUSED, {"detail": str(e) or _("您没有权限"), "field": None, "code": "forbidden"}
    except ValidationError as e:
        return SyncReceipt.Status.REFUSED, {"detail": "；".join(e.messages), "field": None, "code": "refused"}


def _answer(receipt: SyncReceipt, *, repeat: bool) -> dict:
    return {"client_id": str(receipt.client_id), "kind": receipt.kind, "status": receipt.status, "repeat": repeat,
            **receipt.result}


def sync_item(*, actor, client_id: str, kind: str, payload: dict) -> dict:
    """Write one queued record once. The receipt is claimed first, in the write's transaction: a second request
    with the same (user, client id) waits for the first and then answers what the first answered."""
    try:
        cid = uuid.UUID(str(client_id))
    except ValueError:
        return {"client_id": str(client_id), "kind": kind, "status": SyncReceipt.Status.REFUSED, "repeat": False,
                "detail": _("客户端编号无效"), "field": None, "code": "refused"}
    if kind not in APPLY:
        return {"client_id": str(cid), "kind": kind, "status": SyncReceipt.Status.REFUSED, "repeat": False,
                "detail": _("未知的记录类型"), "field": None, "code": "refused"}
    seen = SyncReceipt.objects.filter(user=actor, client_id=cid).first()
    if seen is not None:
        return _answer(seen, repeat=True)
    try:
        with transaction.atomic():
            receipt = SyncReceipt.objects.create(user=actor, client_id=cid, kind=kind,
                                                 status=SyncReceipt.Status.REFUSED, result={})
            receipt.status, receipt.result = _apply(actor, kind, payload if isinstance(payload, dict) else {})
            receipt.save(update_fields=["status", "result"])
    except IntegrityError:  # the same item, sent twice at once: the other request wrote it
        return _answer(SyncReceipt.objects.get(user=actor, client_id=cid), repeat=True)
    return _answer(receipt, repeat=False)


def sync_batch(*, actor, items: list[dict]) -> list[dict]:
    """The phone's queue, in its order: each item on its own (a refused one does not stop the next)."""
    return [sync_item(actor=actor, client_id=i.get("client_id", ""), kind=i.get("kind", ""),
                      payload=i.get("payload") or {}) for i in items]
