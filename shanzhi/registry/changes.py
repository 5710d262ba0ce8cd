"""Change requests for the registry (issue 22.6): one machinery for staff proposals, residents' corrections and
re-imports.

Who edits how is data (`models.EDIT_POLICY`): a "direct" role writes at once through the registry's services; a
"propose" role's edit becomes a `ChangeRequest` with the field-by-field before/after diff, which an "approve" role
of the record's community approves or rejects. Approving writes through the same services (`person_update`,
`household_update`, `dwelling_update`, hence `versioned_update`) keyed on the version the proposal was made
against, so a request whose record changed since is a conflict and never overwrites silently.

ID numbers and phones never appear in a diff in the clear: the diff holds their masks, the new value is encrypted
(`new_enc`), and unmasking it is a reveal, audited like the person page's.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from functools import lru_cache

from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _

from shanzhi.audit.services import audit_log
from shanzhi.core import pii
from shanzhi.core.errors import ConflictError, NotAllowed, ServiceError
from shanzhi.core.masking import shown
from shanzhi.core.scope import roles_at
from shanzhi.core.writes import clean_or_refuse, plain, save_audited

from . import services
from .models import (
    DIRECT_ROLES,
    PROPOSE_ROLES,
    ChangeRequest,
    ChangeSource,
    ChangeState,
    Dwelling,
    Household,
    Person,
)
from .validators import normalise, normalise_phone, parse_id_number
from .workflow import CHANGE_REQUEST

TARGETS: dict[str, type[Model]] = {"person": Person, "household": Household, "dwelling": Dwelling}
# the fields a change request may carry, per kind of record (place and household moves have their own services)
FIELDS: dict[str, list[str]] = {
    "person": ["name", "id_number", "phone", "sex", "birth_date", "ethnicity", "registered_address",
               "current_address", "political_status", "education", "employment", "workplace", "marital_status",
               "residence_type", "separated", "relation_to_head", "move_in_date"],
    "household": ["kind", "registered_here", "living_here"],
    "dwelling": ["area", "use", "occupancy", "owner_name"],
}
SENSITIVE = {"id_number": ("id_number_enc", "id_number_hash"), "phone": ("phone_enc", "phone_hash")}
SENSITIVE_LABELS = {"id_number": "证件号码", "phone": "联系电话"}
STALE = gettext_noop("该记录在申请提出后已被修改（版本 %(a)s → %(b)s），不能直接批准；请核对当前内容后驳回，由申请人重新提出")

# Called with (request) after a decision is committed (portal registers the resident's notification).
DECIDED_HOOKS: list[Callable] = []


def register_decided_hook(fn: Callable) -> None:
    if fn not in DECIDED_HOOKS:
        DECIDED_HOOKS.append(fn)


def _decided(req: ChangeRequest) -> None:
    for hook in DECIDED_HOOKS:
        transaction.on_commit(lambda hook=hook: hook(req))


# --- who edits how ------------------------------------------------------------------------------------------

def edit_mode(actor, region_code: str) -> str | None:
    """"direct" when the actor holds a direct or approving role over `region_code`, "propose" when only a
    proposing role, None otherwise."""
    roles = roles_at(actor, region_code)
    if roles & DIRECT_ROLES:
        return "direct"
    if roles & PROPOSE_ROLES:
        return "propose"
    return None


def proposable(actor, model: type[Model]) -> QuerySet:
    """The records of `model` the actor may edit or propose changes to (the "propose" scope)."""
    return model.objects.restrict(actor, "propose")


def kind_of(obj: Model) -> str:
    for kind, model in TARGETS.items():
        if isinstance(obj, model):
            return kind
    raise ServiceError(_("这类记录不能通过变更申请修改"))


def label_of(obj: Model) -> str:
    return str(obj)[:200]


# --- values: what a field holds now, what a diff entry shows ---------------------------------------------------

def field_label(kind: str, name: str) -> str:
    if name in SENSITIVE:
        return _(SENSITIVE_LABELS[name])
    return str(TARGETS[kind]._meta.get_field(name).verbose_name)


def current_value(obj: Model, name: str):
    """The field's value now, as a diff stores it (a sensitive field: its mask)."""
    if name in SENSITIVE:
        return shown(name, pii.decrypt(getattr(obj, SENSITIVE[name][0])))
    return plain({name: getattr(obj, name)})[name]


def display(kind: str, name: str, value) -> str:
    """A stored value as people read it: choice labels, 是/否, （空）."""
    if value in (None, ""):
        return _("（空）")
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if name not in SENSITIVE:
        f = TARGETS[kind]._meta.get_field(name)
        if f.choices:
            return str(dict(f.flatchoices).get(value, value))
    return str(value)


def _sensitive_entry(obj: Model, name: str, raw) -> dict | None:
    """A diff entry for an ID number or phone: masks and the new value encrypted; None when unchanged."""
    if name == "id_number":
        number = normalise(raw or "")
        if not number:
            raise ServiceError(_("证件号码不能清空"), field="id_number")
        if obj.id_type == "resident_id":
            number = parse_id_number(number).number
        new_hash = pii.blind_index(number, purpose="id_number")
    else:
        number = normalise_phone(raw or "")
        new_hash = pii.blind_index(number, purpose="phone") if number else ""
    if new_hash == getattr(obj, SENSITIVE[name][1]):
        return None
    return {"field": name, "sensitive": True, "old": current_value(obj, name), "new": shown(name, number),
            "new_enc": pii.encrypt(number) if number else ""}


@lru_cache(maxsize=256)
def _choice_labels(kind: str, name: str, language: str) -> dict:
    return {str(label): key for key, label in TARGETS[kind]._meta.get_field(name).flatchoices}


def _typed(kind: str, name: str, value):
    """A form's or cell's value as the model field holds it ("" for an empty text field; a choice's label, as a
    resident types it, for its value)."""
    f = TARGETS[kind]._meta.get_field(name)
    if f.choices and isinstance(value, str) and value:
        labels = _choice_labels(kind, name, get_language())
        value = value.strip()
        value = value if value in labels.values() else labels.get(value, value)
    if value is None and not f.null:
        return "" if f.get_internal_type() in {"CharField", "TextField"} else value
    return f.to_python(value) if value not in (None, "") else value


def build_diff(obj: Model, values: dict) -> list[dict]:
    """The field-by-field diff of `values` against `obj` (only the fields that change). Raises ServiceError
    naming the field for a value the record can't take."""
    kind = kind_of(obj)
    unknown = set(values) - set(FIELDS[kind])
    if unknown:
        raise ServiceError(_("不能修改这些字段：%(f)s") % {"f": "、".join(sorted(unknown))})
    diff, probe = [], copy.copy(obj)
    for name, raw in values.items():
        if name in SENSITIVE:
            entry = _sensitive_entry(obj, name, raw)
            if entry:
                diff.append(entry)
            continue
        value = _typed(kind, name, raw)
        setattr(probe, name, value)
        new, old = plain({name: value})[name], current_value(obj, name)
        if new != old:
            diff.append({"field": name, "old": old, "new": new})
    plain_fields = [e["field"] for e in diff if not e.get("sensitive")]
    if plain_fields:
        clean_or_refuse(probe, exclude=[f.name for f in type(obj)._meta.fields if f.name not in plain_fields])
    if kind == "person" and "name" in plain_fields and not probe.name.strip():
        raise ServiceError(_("请填写姓名"), field="name")
    return diff


def entry_value(entry: dict):
    """The new value an entry writes (sensitive or moved entries decrypted)."""
    if "new_enc" in entry:
        return pii.decrypt(entry["new_enc"]) if entry["new_enc"] else ""
    return entry["new"]


def typed_values(req: ChangeRequest) -> dict:
    """The request's new values as the registry's update services take them."""
    out = {}
    for entry in req.diff:
        name, value = entry["field"], entry_value(entry)
        out[name] = value if name in SENSITIVE else _typed(req.target_type, name, value)
    return out


def target_of(req: ChangeRequest) -> Model | None:
    return TARGETS[req.target_type].objects.filter(pk=req.target_id).first()


def is_stale(req: ChangeRequest, target: Model | None) -> bool:
    return target is None or target.version != req.base_version


def _entry_shown(entry: dict) -> tuple:
    """(before, after) of a diff entry as stored or decrypted; a sensitive field's as its masks."""
    name = entry["field"]
    new = entry["new"] if "new" in entry else entry_value(entry)
    old = entry["old"] if "old" in entry else pii.decrypt(entry.get("old_enc", ""))
    if name in SENSITIVE:
        new = new if "new" in entry else shown(name, new)
        old = old if "old" in entry else shown(name, old)
    return old, new


def diff_rows(req: ChangeRequest, target: Model | None = None, revealed: dict | None = None) -> list[dict]:
    """What the pages show per field: label, before, after, the value now (when the record changed since) and
    whether it differs from the before. Sensitive values stay masked unless `revealed` holds them."""
    revealed = revealed or {}
    stale = target is not None and req.state in {ChangeState.DRAFT, ChangeState.PENDING} and is_stale(req, target)
    rows = []
    for entry in req.diff:
        name, kind = entry["field"], req.target_type
        old, new = _entry_shown(entry)
        now = current_value(target, name) if stale else None
        rows.append({
            "field": name, "label": field_label(kind, name), "sensitive": name in SENSITIVE,
            "old": display(kind, name, old), "new": revealed.get(name) or display(kind, name, new),
            "now": display(kind, name, now) if stale else None, "conflict": stale and now != old,
        })
    return rows


# --- writes -------------------------------------------------------------------------------------------------

def _check_may_propose(actor, obj: Model, source: str) -> None:
    if source == ChangeSource.RESIDENT:
        if not (isinstance(obj, Person) and obj.user_id and obj.user_id == getattr(actor, "pk", None)):
            raise NotAllowed(_("只能申请更正本人的信息"))
        return
    if not proposable(actor, type(obj)).filter(pk=obj.pk).exists():
        raise NotAllowed(_("该记录不在您的管辖范围内"))


@transaction.atomic
def change_propose(*, actor, target: Model, values: dict, note: str = "", source: str = ChangeSource.STAFF
                   ) -> ChangeRequest:
    """A pending change request for `target` (a person, household or dwelling) with the fields of `values` that
    differ from the record now. ServiceError when nothing changes or a value is invalid."""
    _check_may_propose(actor, target, source)
    diff = build_diff(target, values)
    if not diff:
        raise ServiceError(_("填写的内容与现有记录相同，无需修改"))
    req = ChangeRequest(source=source, state=ChangeState.PENDING, target_type=kind_of(target), target_id=target.pk,
                        target_label=label_of(target), base_version=target.version, diff=diff,
                        note=(note or "").strip()[:300], requested_by=actor, region_code=target.region_code)
    return save_audited(req, actor=actor, action="registry.change_request.propose",
                        after={"target": f"{req.target_type}#{target.pk}", "fields": [e["field"] for e in diff],
                               "source": source})


UPDATERS: dict[str, Callable] = {
    "person": lambda actor, obj, version, values: services.person_update(actor=actor, person=obj, version=version,
                                                                         **values),
    "household": lambda actor, obj, version, values: services.household_update(actor=actor, household=obj,
                                                                               version=version, **values),
    "dwelling": lambda actor, obj, version, values: services.dwelling_update(actor=actor, dwelling=obj,
                                                                             version=version, **values),
}


def change_write(actor, req: ChangeRequest) -> Model:
    """Write the request's values through the registry's update service, keyed on its base version."""
    target = TARGETS[req.target_type].objects.select_for_update().filter(pk=req.target_id).first()
    if target is None:
        raise ServiceError(_("该记录已不存在"))
    if target.version != req.base_version:
        raise ConflictError(_(STALE) % {"a": req.base_version, "b": target.version}, expected=req.base_version,
                            current=target.version, stored=target)
    return UPDATERS[req.target_type](actor, target, req.base_version, typed_values(req))


@transaction.atomic
def change_edit(*, actor, target: Model, values: dict, note: str = "", version: int | None = None
                ) -> Model | ChangeRequest:
    """One edit, as the policy says: a direct role's is written at once (returns the record), a proposing role's
    becomes a pending change request (returns it)."""
    mode = edit_mode(actor, target.region_code)
    if mode is None:
        raise NotAllowed(_("该记录不在您的管辖范围内"))
    if mode == "propose":
        return change_propose(actor=actor, target=target, values=values, note=note)
    diff = build_diff(target, values)
    if not diff:
        return target
    req = ChangeRequest(target_type=kind_of(target), target_id=target.pk,
                        base_version=target.version if version is None else version, diff=diff)
    return change_write(actor, req)


def _locked(actor, req: ChangeRequest, action: str) -> ChangeRequest:
    fresh = ChangeRequest.objects.restrict(actor, action).select_for_update().filter(pk=req.pk).first()
    if fresh is None:
        raise NotAllowed(_("该记录不在您的管辖范围内"))
    if fresh.version != req.version:
        raise ConflictError(_("该申请已被他人处理，请刷新"), expected=req.version, current=fresh.version,
                            stored=fresh)
    return fresh


@transaction.atomic
def change_approve(*, actor, request: ChangeRequest) -> ChangeRequest:
    """Approve: write the change through the registry's service (its checks, history and audit), then mark the
    request. A stale request raises ConflictError and stays pending."""
    req = _locked(actor, request, "decide")
    if req.state != ChangeState.PENDING:
        raise ConflictError(_("该申请已处理"))
    ok, reason = CHANGE_REQUEST.check(req, actor, "approve")
    if not ok:
        raise NotAllowed(reason)
    change_write(actor, req)
    req = CHANGE_REQUEST.apply(obj=req, actor=actor, action="approve")
    _decided(req)
    return req


@transaction.atomic
def change_reject(*, actor, request: ChangeRequest, reason: str) -> ChangeRequest:
    req = _locked(actor, request, "decide")
    req = CHANGE_REQUEST.apply(obj=req, actor=actor, action="reject", data={"reason": (reason or "").strip()})
    _decided(req)
    return req


@transaction.atomic
def change_withdraw(*, actor, request: ChangeRequest) -> ChangeRequest:
    """The proposer takes back a request not yet decided."""
    req = _locked(actor, request, "own")
    return CHANGE_REQUEST.apply(obj=req, actor=actor, action="withdraw")


@transaction.atomic
def change_requests_drop(*, actor, user) -> int:
    """An account is deleted (PIPL): its undecided requests are withdrawn (the decided stay as history)."""
    n = 0
    for req in ChangeRequest.objects.filter(requested_by=user, state__in=[ChangeState.DRAFT, ChangeState.PENDING]):
        CHANGE_REQUEST.apply(obj=req, actor=actor, action="withdraw")
        n += 1
    return n


def change_reveal(*, actor, request: ChangeRequest, field: str, reason: str) -> str:
    """The full proposed ID number or phone of a request, for roles that may reveal the record's numbers, with a
    stated reason: one audit row, never containing the value."""
    entry = next((e for e in request.diff if e["field"] == field and field in SENSITIVE), None)
    if entry is None:
        raise ServiceError(_("只能查看身份证号或联系电话"), field="field")
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ServiceError(_("请填写查看原因"), field="reason")
    if not Person.objects.restrict(actor, "reveal").filter(pk=request.target_id).exists():
        raise NotAllowed(_("您没有查看完整号码的权限"))
    audit_log(actor=actor, action="registry.change_request.reveal", obj=request, after={"field": field},
              reason=reason[:500])
    return entry_value(entry)


# --- reads --------------------------------------------------------------------------------------------------

def change_request_list(*, actor, state: str = ChangeState.PENDING, source: str = "") -> QuerySet[ChangeRequest]:
    """The requests the actor may see (staff: in their regions; proposers: their own), drafts left out."""
    qs = ChangeRequest.objects.restrict(actor, "view").exclude(state=ChangeState.DRAFT).select_related(
        "requested_by")
    if state in ChangeState.values:
        qs = qs.filter(state=state)
    if source in ChangeSource.values:
        qs = qs.filter(source=source)
    return qs.order_by("-created_at", "-id")


def changes_to_decide(*, actor) -> QuerySet[ChangeRequest]:
    """Pending requests the actor may decide (the to-do's count)."""
    return ChangeRequest.objects.restrict(actor, "decide").filter(state=ChangeState.PENDING)


def my_change_requests(*, actor, source: str = "") -> QuerySet[ChangeRequest]:
    qs = ChangeRequest.objects.restrict(actor, "own").exclude(state=ChangeState.DRAFT)
    return (qs.filter(source=source) if source else qs).order_by("-created_at", "-id")
