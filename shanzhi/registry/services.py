"""Every write to the registry: create/update of estates, buildings, dwellings, households, persons and units,
the life events (move in/out, moves, birth, death, split/merge, change of head, rent out/vacate), the
迁入 approval, care tags, needs, special-population records, reveal of personal numbers, and merging
duplicates.

Each service is keyword-only, runs in one transaction, re-checks the actor's scope on the rows it
touches, validates, saves, records a RegistryEvent (the timelines) and writes one audit row.
ID numbers and phones are encrypted here (AES-GCM) with a blind index for lookup; they never reach
the audit log or the event data.
"""

from __future__ import annotations

import datetime
from functools import lru_cache

from django.db import transaction
from django.db.models import Model, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from pypinyin import lazy_pinyin

from shanzhi.audit.services import audit_log
from shanzhi.core import pii
from shanzhi.core.errors import ConflictError, NotAllowed, ServiceError
from shanzhi.core.permissions import require
from shanzhi.core.writes import create_audited, plain, save_audited, versioned_update
from shanzhi.regions.models import Region

from . import choices as c
from .models import (
    Building,
    CareTag,
    Dwelling,
    Estate,
    Household,
    MoveRequest,
    Need,
    Person,
    RegistryEvent,
    SpecialPopulationRecord,
    Unit,
)
from .permissions import action_name
from .validators import (
    check_id_agrees,
    normalise,
    normalise_phone,
    normalise_uscc,
    parse_id_number,
    upgrade_15,
)
from .workflow import MOVE_REQUEST, NEED

PERSON_FIELDS = [
    "name", "id_type", "sex", "birth_date", "ethnicity", "registered_address", "current_address",
    "political_status", "education", "employment", "workplace", "marital_status", "residence_type", "separated",
    "relation_to_head", "move_in_date",
]
ESTATE_FIELDS = ["name", "address", "housing_form", "property_company", "owners_committee", "year_built"]
BUILDING_FIELDS = ["estate", "name", "address", "building_type", "floors", "entrances", "year_built", "lat", "lng",
                   "captain"]
DWELLING_FIELDS = ["building", "entrance", "floor", "room", "area", "use", "occupancy", "owner", "owner_name"]
HOUSEHOLD_FIELDS = ["household_number", "kind", "dwelling", "registered_here", "living_here"]
UNIT_FIELDS = ["name", "kind", "uscc", "address", "contact_name", "employees", "building", "dedicated_worker"]
OUT_OF_SCOPE = "该记录不在您的管辖范围内"


# --- personal numbers ----------------------------------------------------------------------------------

def canonical_id_number(value: str) -> str:
    """Normalised, with 15-digit numbers upgraded, so the blind index matches however it was typed."""
    number = normalise(value)
    if len(number) == 15 and number.isdigit():
        number = upgrade_15(number)
    return number


def id_number_hash(value: str) -> str:
    return pii.blind_index(canonical_id_number(value), purpose="id_number")


def phone_hash(value: str) -> str:
    number = normalise(value).replace("+", "")
    if number.startswith("0086"):
        number = number[4:]
    elif number.startswith("86") and len(number) == 13:
        number = number[2:]
    return pii.blind_index(number, purpose="phone")


@lru_cache(maxsize=65536)
def _char_pinyin(ch: str) -> str:
    syllables = lazy_pinyin(ch, errors="ignore")
    return syllables[0].lower() if syllables else ""


@lru_cache(maxsize=65536)
def name_pinyin(name: str) -> tuple[str, str]:
    """("zhangsanfeng", "zsf"): full pinyin and initials, lower-case, without tones. Character by character
    (cached), so that bulk imports of many distinct names stay fast; names are read syllable by syllable."""
    syllables = [p for p in (_char_pinyin(ch) for ch in name) if p]
    return "".join(syllables)[:200], "".join(p[0] for p in syllables)[:50]


def person_values(data: dict, *, id_type: str = c.IdType.RESIDENT_ID) -> tuple[dict, list[str]]:
    """Validate and convert person input to model values: `id_number` and `phone` (plain) become
    `*_enc`/`*_hash`; birth date and sex are taken from the ID number or must agree with it; the name
    gets its pinyin. Returns (values, warnings). Raises ServiceError naming the field."""
    values = {k: v for k, v in data.items() if k in PERSON_FIELDS}
    warnings: list[str] = []
    if "name" in values:
        values["name"] = (values["name"] or "").strip()
        if not values["name"]:
            raise ServiceError(_("请填写姓名"), field="name")
        values["name_pinyin"], values["name_initials"] = name_pinyin(values["name"])
    if "id_number" in data:
        raw = data["id_number"] or ""
        kind = values.get("id_type", id_type)
        if not normalise(raw):
            values["id_number_enc"] = values["id_number_hash"] = ""
        elif kind == c.IdType.RESIDENT_ID:
            info = parse_id_number(raw)
            check_id_agrees(info, birth_date=values.get("birth_date"), sex=values.get("sex"))
            values["birth_date"], values["sex"] = info.birth_date, info.sex
            warnings += info.warnings
            values["id_number_enc"] = pii.encrypt(info.number)
            values["id_number_hash"] = pii.blind_index(info.number, purpose="id_number")
        else:
            number = normalise(raw)
            values["id_number_enc"] = pii.encrypt(number)
            values["id_number_hash"] = pii.blind_index(number, purpose="id_number")
    if "phone" in data:
        phone = normalise_phone(data["phone"])
        values["phone_enc"] = pii.encrypt(phone)
        values["phone_hash"] = pii.blind_index(phone, purpose="phone") if phone else ""
    return values, warnings


# --- helpers -------------------------------------------------------------------------------------------

def _lock(actor, obj: Model, action: str = "change"):
    """Re-read the row inside the transaction through restrict(); NotAllowed when out of scope."""
    fresh = type(obj).objects.restrict(actor, action).select_for_update().filter(pk=obj.pk).first()
    if fresh is None:
        raise NotAllowed(_(OUT_OF_SCOPE))
    return fresh


def _region_exists(code: str) -> None:
    if not Region.objects.filter(code=code).exists():
        raise ServiceError(_("区划代码 %(code)s 不存在") % {"code": code}, field="region_code")


def _event(actor, kind: str, *, region_code: str, person=None, household=None, dwelling=None, summary: str = "",
           data: dict | None = None, date: datetime.date | None = None) -> RegistryEvent:
    return RegistryEvent.objects.create(
        kind=kind, actor=actor if getattr(actor, "is_authenticated", False) else None, person=person,
        household=household, dwelling=dwelling, summary=summary[:300], data=data or {}, date=date,
        region_code=region_code)


def _plain(values: dict) -> dict:
    return plain(values)


def _changes(obj: Model, fields: dict, allowed: list[str]) -> dict:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ServiceError(_("不能修改这些字段：%(f)s") % {"f": "、".join(sorted(unknown))})
    return {k: v for k, v in fields.items() if getattr(obj, k) != v}


# --- persons -------------------------------------------------------------------------------------------

def _person_region(region_code: str | None, dwelling: Dwelling | None, household: Household | None) -> str:
    if dwelling is not None:
        return dwelling.region_code
    if household is not None:
        return household.region_code
    if not region_code:
        raise ServiceError(_("请选择所属网格或房屋"), field="region_code")
    return region_code


def _id_taken_message(h: str) -> str:
    """Says nothing about who holds the number or where: they may be outside the actor's scope."""
    return _("该证件号码已登记，同一证件号码不能重复登记；如是迁入人员，请在原登记处办理迁移")


@transaction.atomic
def person_create(*, actor, name: str, region_code: str | None = None, dwelling: Dwelling | None = None,
                  household: Household | None = None, id_number: str = "", phone: str = "",
                  event_kind: str = c.EventKind.CREATE, event_date: datetime.date | None = None,
                  **fields) -> Person:
    """Register a person. `id_number`/`phone` are plain text here and encrypted at rest.
    Same ID number twice is refused; persons with the same name and birth date are flagged
    (`selectors.person_possible_duplicates`)."""
    code = _person_region(region_code, dwelling, household)
    require(actor, action_name(Person), code)
    if dwelling is not None:
        dwelling = _lock(actor, dwelling)
    if household is not None:
        household = _lock(actor, household)
    values, warnings = person_values({"name": name, "id_number": id_number, "phone": phone, **fields})
    if values.get("id_number_hash") and Person.objects.filter(id_number_hash=values["id_number_hash"]).exists():
        raise ServiceError(_id_taken_message(values["id_number_hash"]), field="id_number")
    person = create_audited(Person, actor=actor, action=f"registry.person.{event_kind}", audit_after=plain(values),
                            duplicate_message=_("该证件号码已登记，同一证件号码不能重复登记"), duplicate_field="id_number",
                            region_code=code, dwelling=dwelling, household=household, **values)
    if person.birth_date and Person.objects.filter(name=person.name, birth_date=person.birth_date).exclude(
            pk=person.pk).exists():
        warnings.append(_("已有同名且出生日期相同的人员，可能是重复登记，请核对后合并"))
    person.warnings = warnings
    if person.status == c.PersonStatus.LIVING:
        _occupy(actor, dwelling, [person], event_date)
    if household is not None and person.relation_to_head == c.Relation.HEAD and household.head_id is None:
        household.head = person
        household.save(update_fields=["head"])
    _event(actor, event_kind, region_code=code, person=person, household=household, dwelling=dwelling,
           summary=_("登记 %(name)s") % {"name": person.name} if event_kind == c.EventKind.CREATE else person.name,
           data=_plain({k: v for k, v in fields.items()}), date=event_date)
    return person


@transaction.atomic
def person_update(*, actor, person: Person, version: int | None = None, **fields) -> Person:
    """Change a person's own fields (moves go through the life-event services). `id_number`/`phone` plain."""
    version = person.version if version is None else version
    person = _lock(actor, person)
    plain = {k: v for k, v in fields.items() if k not in {"id_number", "phone"}}
    unknown = set(plain) - set(PERSON_FIELDS)
    if unknown:
        raise ServiceError(_("不能修改这些字段：%(f)s") % {"f": "、".join(sorted(unknown))})
    values, warnings = person_values(fields, id_type=fields.get("id_type", person.id_type))
    # Personal numbers: compare by blind index, not by (randomised) ciphertext.
    if "id_number_hash" in values and values["id_number_hash"] == person.id_number_hash:
        values.pop("id_number_hash"), values.pop("id_number_enc")
    if "phone_hash" in values and values["phone_hash"] == person.phone_hash:
        values.pop("phone_hash"), values.pop("phone_enc")
    changed = {k: v for k, v in values.items() if getattr(person, k) != v}
    if not changed:
        person.warnings = warnings
        return person
    if changed.get("id_number_hash") and Person.objects.filter(
            id_number_hash=changed["id_number_hash"]).exclude(pk=person.pk).exists():
        raise ServiceError(_id_taken_message(changed["id_number_hash"]), field="id_number")
    versioned_update(person, version, actor=actor, duplicate_message=_("该证件号码已登记"),
                     duplicate_field="id_number", **changed)
    person.warnings = warnings
    names = sorted(k.removesuffix("_enc").removesuffix("_hash") for k in changed)
    _event(actor, c.EventKind.UPDATE, region_code=person.region_code, person=person,
           summary=_("修改：%(f)s") % {"f": "、".join(sorted(set(names)))}, data={"fields": sorted(set(names))})
    return person


def person_reveal(*, actor, person: Person, field: str, reason: str) -> str:
    """The full ID number or phone, for roles with "reveal" scope and a stated reason. One audit row,
    never containing the value."""
    if field not in {"id_number", "phone"}:
        raise ServiceError(_("只能查看身份证号或联系电话"), field="field")
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ServiceError(_("请填写查看原因"), field="reason")
    person = Person.objects.restrict(actor, "reveal").filter(pk=person.pk).first()
    if person is None:
        raise NotAllowed(_("您没有查看完整号码的权限"))
    value = pii.decrypt(person.id_number_enc if field == "id_number" else person.phone_enc)
    audit_log(actor=actor, action="registry.person.reveal", obj=person, after={"field": field}, reason=reason)
    return value


@transaction.atomic
def person_merge(*, actor, keep: Person, duplicate: Person, reason: str = "") -> Person:
    """Merge a duplicate registration into `keep`: empty fields of `keep` are filled from the duplicate,
    tags, needs, history and references move over, and the duplicate is deleted. The reason (asked for by
    the page) goes into the audit row."""
    if keep.pk == duplicate.pk:
        raise ServiceError(_("不能与自己合并"))
    keep, duplicate = _lock(actor, keep), _lock(actor, duplicate)
    if keep.id_number_hash and duplicate.id_number_hash and keep.id_number_hash != duplicate.id_number_hash:
        raise ServiceError(_("两人的证件号码不同，不能合并"), field="id_number")
    fill = {}
    for f in [*PERSON_FIELDS, "id_number_enc", "id_number_hash", "phone_enc", "phone_hash", "name_pinyin",
              "name_initials", "household_id", "dwelling_id"]:
        if getattr(keep, f) in ("", None) and getattr(duplicate, f) not in ("", None):
            fill[f] = getattr(duplicate, f)
    existing_tags = set(keep.care_tags.values_list("tag", flat=True))
    CareTag.objects.filter(person=duplicate).exclude(tag__in=existing_tags).update(person=keep)
    Need.objects.filter(person=duplicate).update(person=keep)
    RegistryEvent.objects.filter(person=duplicate).update(person=keep)
    SpecialPopulationRecord.objects.filter(person=duplicate).update(person=keep)
    MoveRequest.objects.filter(person=duplicate).update(person=keep)
    Household.objects.filter(head=duplicate).update(head=keep)
    Dwelling.objects.filter(owner=duplicate).update(owner=keep)
    Building.objects.filter(captain=duplicate).update(captain=keep)
    dup_id = duplicate.pk
    duplicate.delete()
    if fill:
        Person.objects.filter(pk=keep.pk).update(version=keep.version + 1, **fill)
        keep.refresh_from_db()
    _event(actor, c.EventKind.MERGE_DUPLICATE, region_code=keep.region_code, person=keep,
           summary=_("合并重复登记 #%(id)s") % {"id": dup_id}, data={"merged": dup_id})
    audit_log(actor=actor, action="registry.person.merge", obj=keep, after={"merged": dup_id,
                                                                            "filled": sorted(fill)},
              reason=reason.strip())
    return keep


# --- life events ---------------------------------------------------------------------------------------

def _community(code: str) -> str:
    return code[:12]


def _move_fields(dwelling, household, code: str, relation_to_head: str | None, kind: str, date) -> dict:
    """The person's columns after a move (a move-in also clears the move-out)."""
    changed = {"dwelling": dwelling, "region_code": code, "status": c.PersonStatus.LIVING}
    if household is not None:
        changed["household"] = household
    if relation_to_head is not None:
        changed["relation_to_head"] = relation_to_head
    if kind == c.EventKind.MOVE_IN:
        changed |= {"move_in_date": date or timezone.localdate(), "move_out_date": None, "move_out_destination": ""}
    return changed


def _apply_move(actor, person: Person, *, dwelling: Dwelling | None, household: Household | None,
                date: datetime.date | None, relation_to_head: str | None, kind: str) -> Person:
    """Move the person (no scope checks: callers have done them)."""
    old = {"dwelling": person.dwelling_id, "household": person.household_id, "region_code": person.region_code}
    if person.household_id and household is not None and person.household_id != household.pk:
        Household.objects.filter(pk=person.household_id, head=person).update(head=None)
    code = (dwelling or household or person).region_code
    versioned_update(person, person.version, actor=actor, audit=False,
                     **_move_fields(dwelling, household, code, relation_to_head, kind, date))
    if household is not None and relation_to_head == c.Relation.HEAD:
        Household.objects.filter(pk=household.pk).update(head=person)
    to = {"dwelling": getattr(dwelling, "pk", None), "household": person.household_id, "region_code": code}
    summary = _("迁入 %(to)s") if kind == c.EventKind.MOVE_IN else _("变更至 %(to)s")
    place = str(dwelling or household or code)
    _event(actor, kind, region_code=code, person=person, household=person.household, dwelling=dwelling,
           summary=summary % {"to": place}, data={"from": old, "to": to}, date=date)
    if old["dwelling"] and old["dwelling"] != to["dwelling"]:
        RegistryEvent.objects.create(kind=c.EventKind.MOVE, actor=person_actor(actor), person=None,
                                     dwelling_id=old["dwelling"], region_code=old["region_code"],
                                     summary=_("%(name)s 迁离本房屋") % {"name": person.name}, date=date,
                                     data={"person": person.pk, "to": place})
    audit_log(actor=actor, action=f"registry.person.{kind}", obj=person, before=old, after=to)
    _occupy(actor, dwelling, [person], date)
    return person


def person_actor(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


@transaction.atomic
def person_move(*, actor, person: Person, dwelling: Dwelling | None = None, household: Household | None = None,
                date: datetime.date | None = None, relation_to_head: str | None = None,
                reason: str = "") -> Person | MoveRequest:
    """Move a living person to another dwelling and/or household. Inside the same community it happens at
    once; into another community it creates a MoveRequest that the destination's staff approve."""
    if dwelling is None and household is None:
        raise ServiceError(_("请选择迁往的房屋或户"), field="dwelling")
    person = _lock(actor, person)
    if person.status == c.PersonStatus.DECEASED:
        raise ServiceError(_("该人员已死亡，不能迁移"))
    if dwelling is not None and household is not None and dwelling.region_code != household.region_code \
            and _community(dwelling.region_code) != _community(household.region_code):
        raise ServiceError(_("房屋与户不在同一社区"), field="household")
    dest = (dwelling or household).region_code
    if _community(dest) != _community(person.region_code):
        return _move_request(actor, person, dwelling, household, date, reason)
    if dwelling is not None:
        dwelling = _lock(actor, dwelling)
    if household is not None:
        household = _lock(actor, household)
    kind = c.EventKind.MOVE_IN if person.status == c.PersonStatus.MOVED_OUT else c.EventKind.MOVE
    return _apply_move(actor, person, dwelling=dwelling, household=household, date=date,
                       relation_to_head=relation_to_head, kind=kind)


def _move_request(actor, person, dwelling, household, date, reason) -> MoveRequest:
    if MoveRequest.objects.filter(person=person, state=MoveRequest.State.PENDING).exists():
        raise ServiceError(_("该人员已有待审批的迁入申请"))
    req = MoveRequest(person=person, from_region_code=person.region_code, to_dwelling=dwelling,
                      to_household=household, region_code=(dwelling or household).region_code, reason=reason[:300],
                      move_date=date, requested_by=person_actor(actor))
    save_audited(req, actor=actor, action="registry.move_request.create",
                 after={"person": person.pk, "to": req.region_code})
    return req


@transaction.atomic
def person_move_in(*, actor, dwelling: Dwelling, household: Household | None = None,
                   date: datetime.date | None = None, person: Person | None = None, **fields) -> Person | MoveRequest:
    """迁入: a newcomer (registered here with `fields`) or a person who had moved out coming back."""
    date = date or timezone.localdate()
    if person is None:
        return person_create(actor=actor, dwelling=dwelling, household=household, move_in_date=date,
                             event_kind=c.EventKind.MOVE_IN, event_date=date, **fields)
    if person.status == c.PersonStatus.LIVING:
        raise ServiceError(_("该人员仍在住，请使用“变更住址/户”"))
    return person_move(actor=actor, person=person, dwelling=dwelling, household=household, date=date,
                       relation_to_head=fields.get("relation_to_head"))


@transaction.atomic
def move_request_approve(*, actor, request: MoveRequest, note: str = "") -> Person:
    req = _lock(actor, request)
    if req.state != MoveRequest.State.PENDING:
        raise ConflictError(_("该申请已处理"))
    person = Person.objects.select_for_update().get(pk=req.person_id)
    req = MOVE_REQUEST.apply(obj=req, actor=actor, action="approve", data={"reason": note})
    return _apply_move(actor, person, dwelling=req.to_dwelling, household=req.to_household, date=req.move_date,
                       relation_to_head=None, kind=c.EventKind.MOVE_IN)


@transaction.atomic
def move_request_reject(*, actor, request: MoveRequest, reason: str) -> MoveRequest:
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("请填写驳回理由"), field="reason")
    req = _lock(actor, request)
    if req.state != MoveRequest.State.PENDING:
        raise ConflictError(_("该申请已处理"))
    return MOVE_REQUEST.apply(obj=req, actor=actor, action="reject", data={"reason": reason})


@transaction.atomic
def person_move_out(*, actor, person: Person, date: datetime.date | None = None, destination: str) -> Person:
    """迁出 with a destination; the person leaves their dwelling and household (kept in the history)."""
    destination = (destination or "").strip()
    if not destination:
        raise ServiceError(_("请填写迁往地"), field="destination")
    person = _lock(actor, person)
    if person.status != c.PersonStatus.LIVING:
        raise ServiceError(_("该人员不是在住状态"))
    date = date or timezone.localdate()
    old = {"dwelling": person.dwelling_id, "household": person.household_id}
    household, dwelling = person.household, person.dwelling
    if household is not None and household.head_id == person.pk:
        Household.objects.filter(pk=household.pk).update(head=None)
    versioned_update(person, person.version, actor=actor, audit=False, **{"status": c.PersonStatus.MOVED_OUT, "move_out_date": date,
                                 "move_out_destination": destination[:200], "dwelling": None})
    _event(actor, c.EventKind.MOVE_OUT, region_code=person.region_code, person=person, household=household,
           dwelling=dwelling, summary=_("迁出至 %(d)s") % {"d": destination}, data={"from": old,
                                                                                 "destination": destination},
           date=date)
    audit_log(actor=actor, action="registry.person.move_out", obj=person, before=old,
              after={"destination": destination})
    return person


@transaction.atomic
def person_birth(*, actor, household: Household, name: str, sex: str, birth_date: datetime.date,
                 id_number: str = "", relation_to_head: str = c.Relation.CHILD, **fields) -> Person:
    """出生: a newborn registered into a household (and its dwelling)."""
    if birth_date > timezone.localdate():
        raise ServiceError(_("出生日期不能晚于今天"), field="birth_date")
    return person_create(actor=actor, household=household, dwelling=household.dwelling, name=name, sex=sex,
                         birth_date=birth_date, id_number=id_number, relation_to_head=relation_to_head,
                         event_kind=c.EventKind.BIRTH, event_date=birth_date, **fields)


@transaction.atomic
def person_death(*, actor, person: Person, date: datetime.date) -> Person:
    person = _lock(actor, person)
    if person.status == c.PersonStatus.DECEASED:
        raise ServiceError(_("已登记死亡"))
    if person.birth_date and date < person.birth_date:
        raise ServiceError(_("死亡日期早于出生日期"), field="date")
    if person.household_id:
        Household.objects.filter(pk=person.household_id, head=person).update(head=None)
    versioned_update(person, person.version, actor=actor, audit=False, **{"status": c.PersonStatus.DECEASED})
    _event(actor, c.EventKind.DEATH, region_code=person.region_code, person=person, household=person.household,
           dwelling=person.dwelling, summary=_("死亡"), date=date)
    audit_log(actor=actor, action="registry.person.death", obj=person, after={"date": date.isoformat()})
    return person


# --- households ----------------------------------------------------------------------------------------

@transaction.atomic
def household_create(*, actor, household_number: str, dwelling: Dwelling | None = None,
                     region_code: str | None = None, head: Person | None = None, **fields) -> Household:
    code = dwelling.region_code if dwelling is not None else region_code
    if not code:
        raise ServiceError(_("请选择房屋或所属网格"), field="dwelling")
    require(actor, action_name(Household), code)
    _region_exists(code)
    number = normalise(household_number)
    if not number:
        raise ServiceError(_("请填写户号"), field="household_number")
    if Household.objects.filter(household_number=number).exists():
        raise ServiceError(_("户号 %(n)s 已存在") % {"n": number}, field="household_number")
    bad = set(fields) - set(HOUSEHOLD_FIELDS)
    if bad:
        raise ServiceError(_("未知字段：%(f)s") % {"f": "、".join(sorted(bad))})
    household = create_audited(Household, actor=actor, audit_after=plain(fields), duplicate_message=_("户号已存在"),
                               duplicate_field="household_number", household_number=number, dwelling=dwelling,
                               region_code=code, **fields)
    if head is not None:
        head = _lock(actor, head)
        versioned_update(head, head.version, actor=actor, audit=False, **{"household": household, "relation_to_head": c.Relation.HEAD})
        household.head = head
        household.save(update_fields=["head"])
    _event(actor, c.EventKind.CREATE, region_code=code, household=household, dwelling=dwelling,
           summary=_("立户 %(n)s") % {"n": number})
    return household


def household_number_suggest(region_code: str, *, taken: set[str] | frozenset[str] = frozenset()) -> str:
    """The next free 户号 in a grid, as the registry numbers them: the grid's code and a four-digit sequence
    (`3210020010010001`). Numbers of every scope count (户号 are unique across the platform); `taken` adds
    numbers already promised elsewhere (a phone's offline registrations)."""
    width = len(region_code) + 4
    used = {n for n in Household.objects.filter(household_number__startswith=region_code)
            .values_list("household_number", flat=True) if len(n) == width and n[len(region_code):].isdigit()}
    used |= {n for n in taken if n.startswith(region_code) and len(n) == width and n[len(region_code):].isdigit()}
    last = max((int(n[len(region_code):]) for n in used), default=0)
    return f"{region_code}{last + 1:04d}"


@transaction.atomic
def household_create_with_head(*, actor, dwelling: Dwelling, household_number: str = "", head: dict,
                               number_suggested: bool = False, **fields) -> tuple[Household, Person]:
    """登记住户: a household in a dwelling and its first person, the head, in one transaction. `head` holds the
    person's fields (`name`, plain `id_number`/`phone`, …). A suggested 户号 (`number_suggested`) that someone
    else took meanwhile is replaced by the next free one; a typed one is refused when taken."""
    number = normalise(household_number)
    if number_suggested and (not number or Household.objects.filter(household_number=number).exists()):
        number = household_number_suggest(dwelling.region_code)
    household = household_create(actor=actor, household_number=number, dwelling=dwelling, **fields)
    person = person_create(actor=actor, dwelling=dwelling, household=household,
                           **{**head, "relation_to_head": c.Relation.HEAD})
    household.refresh_from_db()
    return household, person


@transaction.atomic
def household_update(*, actor, household: Household, version: int | None = None, **fields) -> Household:
    version = household.version if version is None else version
    household = _lock(actor, household)
    if "household_number" in fields:
        fields["household_number"] = normalise(fields["household_number"])
    changed = _changes(household, fields, HOUSEHOLD_FIELDS)
    if not changed:
        return household
    if "dwelling" in changed and changed["dwelling"] is not None:
        _lock(actor, changed["dwelling"])
        changed["region_code"] = changed["dwelling"].region_code
    versioned_update(household, version, actor=actor, duplicate_message=_("户号已存在"),
                     duplicate_field="household_number", **changed)
    _event(actor, c.EventKind.UPDATE, region_code=household.region_code, household=household,
           summary=_("修改户信息"), data=_plain(changed))
    return household


@transaction.atomic
def household_change_head(*, actor, household: Household, head: Person,
                          relations: dict[int, str] | None = None) -> Household:
    """变更户主: the new head must be a living member; others' relations may be restated."""
    household = _lock(actor, household)
    head = _lock(actor, head)
    if head.household_id != household.pk or head.status != c.PersonStatus.LIVING:
        raise ServiceError(_("新户主必须是本户在住成员"), field="head")
    old_head = household.head_id
    if old_head and old_head != head.pk:
        Person.objects.filter(pk=old_head, household=household).update(
            relation_to_head=(relations or {}).get(old_head, c.Relation.OTHER))
    for pk, relation in (relations or {}).items():
        if pk not in (old_head, head.pk):
            Person.objects.filter(pk=pk, household=household).update(relation_to_head=relation)
    Person.objects.filter(pk=head.pk).update(relation_to_head=c.Relation.HEAD)
    versioned_update(household, household.version, actor=actor, audit=False, **{"head": head})
    _event(actor, c.EventKind.HEAD_CHANGE, region_code=household.region_code, household=household, person=head,
           summary=_("户主变更为 %(n)s") % {"n": head.name}, data={"from": old_head, "to": head.pk})
    audit_log(actor=actor, action="registry.household.head_change", obj=household,
              before={"head": old_head}, after={"head": head.pk})
    return household


@transaction.atomic
def household_split(*, actor, household: Household, members: list[Person], household_number: str,
                    head: Person, dwelling: Dwelling | None = None) -> Household:
    """分户: some members leave to form a new household (optionally in another dwelling)."""
    household = _lock(actor, household)
    ids = {m.pk for m in members}
    if head.pk not in ids:
        raise ServiceError(_("新户主必须在分出的成员中"), field="head")
    found = set(Person.objects.restrict(actor, "change").filter(pk__in=ids, household=household,
                                                                  status=c.PersonStatus.LIVING)
                .values_list("pk", flat=True))
    if found != ids:
        raise ServiceError(_("只能分出本户的在住成员"), field="members")
    if household.head_id in ids:
        raise ServiceError(_("原户主不能分出，请先变更户主"), field="members")
    new = household_create(actor=actor, household_number=household_number,
                           dwelling=dwelling or household.dwelling, region_code=household.region_code,
                           kind=household.kind)
    Person.objects.filter(pk__in=ids).update(household=new, relation_to_head=c.Relation.OTHER)
    if dwelling is not None:
        Person.objects.filter(pk__in=ids).update(dwelling=dwelling, region_code=dwelling.region_code)
        _occupy(actor, dwelling, list(Person.objects.filter(pk__in=ids)))
    Person.objects.filter(pk=head.pk).update(relation_to_head=c.Relation.HEAD)
    Household.objects.filter(pk=new.pk).update(head=head)
    new.refresh_from_db()
    for h in (household, new):
        _event(actor, c.EventKind.SPLIT, region_code=h.region_code, household=h,
               summary=_("分户：%(a)s → %(b)s") % {"a": household.household_number, "b": new.household_number},
               data={"from": household.pk, "to": new.pk, "members": sorted(ids)})
    audit_log(actor=actor, action="registry.household.split", obj=household,
              after={"new": new.pk, "members": sorted(ids)})
    return new


@transaction.atomic
def household_merge(*, actor, source: Household, target: Household) -> Household:
    """合户: the members of `source` join `target`; `source` is dissolved."""
    if source.pk == target.pk:
        raise ServiceError(_("不能与本户合并"))
    source, target = _lock(actor, source), _lock(actor, target)
    if source.dissolved or target.dissolved:
        raise ServiceError(_("已注销的户不能合并"))
    members = list(Person.objects.filter(household=source).values_list("pk", flat=True))
    Person.objects.filter(household=source).update(household=target, relation_to_head=c.Relation.OTHER)
    versioned_update(source, source.version, actor=actor, audit=False, **{"dissolved": True, "head": None})
    for h in (source, target):
        _event(actor, c.EventKind.MERGE, region_code=h.region_code, household=h,
               summary=_("合户：%(a)s 并入 %(b)s") % {"a": source.household_number, "b": target.household_number},
               data={"from": source.pk, "to": target.pk, "members": members})
    audit_log(actor=actor, action="registry.household.merge", obj=target, after={"from": source.pk,
                                                                                 "members": members})
    return target


# --- places: estates, buildings, dwellings, units ------------------------------------------------------

def _create(actor, model, *, region_code: str, fields: dict, allowed: list[str], duplicate_message: str,
            summary: str, dwelling_event: bool = False):
    require(actor, action_name(model), region_code)
    _region_exists(region_code)
    bad = set(fields) - set(allowed)
    if bad:
        raise ServiceError(_("未知字段：%(f)s") % {"f": "、".join(sorted(bad))})
    obj = create_audited(model, actor=actor, audit_after=plain(fields), duplicate_message=duplicate_message,
                         region_code=region_code, **fields)
    if dwelling_event:
        _event(actor, c.EventKind.CREATE, region_code=region_code, dwelling=obj, summary=summary)
    return obj


def _update(actor, obj, *, version, fields: dict, allowed: list[str], duplicate_message: str):
    version = obj.version if version is None else version
    obj = _lock(actor, obj)
    changed = _changes(obj, fields, allowed)
    if not changed:
        return obj
    return versioned_update(obj, version, actor=actor, duplicate_message=duplicate_message, **changed)


@transaction.atomic
def estate_create(*, actor, region_code: str, name: str, **fields) -> Estate:
    return _create(actor, Estate, region_code=region_code, fields={"name": name.strip(), **fields},
                   allowed=ESTATE_FIELDS, duplicate_message=_("该社区已有同名小区"), summary="")


@transaction.atomic
def estate_update(*, actor, estate: Estate, version: int | None = None, **fields) -> Estate:
    return _update(actor, estate, version=version, fields=fields, allowed=ESTATE_FIELDS,
                   duplicate_message=_("该社区已有同名小区"))


@transaction.atomic
def building_create(*, actor, region_code: str, name: str, **fields) -> Building:
    if fields.get("estate") is not None:
        _lock(actor, fields["estate"], "view")
    return _create(actor, Building, region_code=region_code, fields={"name": name.strip(), **fields},
                   allowed=BUILDING_FIELDS, duplicate_message=_("该小区已有同名楼栋"), summary="")


@transaction.atomic
def building_update(*, actor, building: Building, version: int | None = None, **fields) -> Building:
    return _update(actor, building, version=version, fields=fields, allowed=BUILDING_FIELDS,
                   duplicate_message=_("该小区已有同名楼栋"))


@transaction.atomic
def dwelling_create(*, actor, building: Building, room: str, floor: int | None = None, **fields) -> Dwelling:
    """A dwelling in a building (its grid is the building's). Floor defaults to the room number's
    leading digits (1502 → 15)."""
    building = _lock(actor, building)
    room = normalise(room)
    if not room:
        raise ServiceError(_("请填写房号"), field="room")
    if floor is None:
        digits = "".join(ch for ch in room if ch.isdigit())
        floor = int(digits[:-2]) if len(digits) >= 3 else 1
    return _create(actor, Dwelling, region_code=building.region_code,
                   fields={"building": building, "room": room, "floor": floor, **fields}, allowed=DWELLING_FIELDS,
                   duplicate_message=_("该楼栋该单元已有此房号"), summary=_("登记房屋 %(r)s") % {"r": room},
                   dwelling_event=True)


@transaction.atomic
def dwelling_update(*, actor, dwelling: Dwelling, version: int | None = None, **fields) -> Dwelling:
    return _update(actor, dwelling, version=version, fields=fields, allowed=DWELLING_FIELDS,
                   duplicate_message=_("该楼栋该单元已有此房号"))


def _set_occupancy(actor, dwelling: Dwelling, occupancy: str, kind: str, date, summary: str, data: dict):
    dwelling = _lock(actor, dwelling)
    before = dwelling.occupancy
    versioned_update(dwelling, dwelling.version, actor=actor, audit=False, **{"occupancy": occupancy})
    _event(actor, kind, region_code=dwelling.region_code, dwelling=dwelling, summary=summary, data=data, date=date)
    audit_log(actor=actor, action=f"registry.dwelling.{kind}", obj=dwelling, before={"occupancy": before},
              after={"occupancy": occupancy, **data})
    return dwelling


@transaction.atomic
def dwelling_rent_out(*, actor, dwelling: Dwelling, date: datetime.date | None = None, tenant_name: str = "",
                      note: str = "") -> Dwelling:
    """出租: the dwelling becomes a rental; tenants are then moved in as persons (relation tenant)."""
    return _set_occupancy(actor, dwelling, c.Occupancy.RENTED, c.EventKind.RENT_OUT, date,
                          _("出租") + (f"：{tenant_name}" if tenant_name else ""),
                          {"tenant_name": tenant_name, "note": note})


@transaction.atomic
def dwelling_vacate(*, actor, dwelling: Dwelling, date: datetime.date | None = None) -> Dwelling:
    """空置: only when nobody lives there any more."""
    if Person.objects.filter(dwelling=dwelling, status=c.PersonStatus.LIVING).exists():
        raise ServiceError(_("房屋内仍有在住人员，请先为他们办理迁出或变更住址"), field="occupancy")
    return _set_occupancy(actor, dwelling, c.Occupancy.VACANT, c.EventKind.VACATE, date, _("空置"), {})


def _occupy(actor, dwelling: Dwelling | None, persons: list[Person], date=None) -> None:
    """A vacant dwelling that someone moves into is vacant no more: 自住 when nobody else is recorded as its
    owner (or the owner is among those moving in), 出租 otherwise. Called by every path that puts a living
    person into a dwelling, so the 楼盘表, the vacancy counts and the printed 汇总表 follow the residents."""
    if dwelling is None or dwelling.occupancy != c.Occupancy.VACANT:
        return
    if dwelling.owner_id is not None:
        own = dwelling.owner_id in {p.pk for p in persons}
    else:  # no owner recorded, or only by name
        own = not dwelling.owner_name or dwelling.owner_name in {p.name for p in persons}
    occupancy = c.Occupancy.OWNER_OCCUPIED if own else c.Occupancy.RENTED
    label = dict(c.Occupancy.choices)[occupancy]
    _set_occupancy(actor, dwelling, occupancy, c.EventKind.MOVE_IN, date,
                   _("有人入住，房屋状态由空置改为%(s)s") % {"s": label}, {"persons": sorted(p.pk for p in persons)})


def occupancy_follow_residents(*, actor, dwellings) -> int:
    """After a bulk write (an import) put living persons into dwellings: each of `dwellings` still marked vacant
    with someone living there is occupied as `_occupy` decides. Returns how many changed."""
    vacant = Dwelling.objects.filter(pk__in=dwellings.values("pk"), occupancy=c.Occupancy.VACANT,
                                     residents__status=c.PersonStatus.LIVING).distinct()
    changed = 0
    for dwelling in vacant:
        _occupy(actor, dwelling, list(dwelling.residents.filter(status=c.PersonStatus.LIVING)))
        changed += 1
    return changed


@transaction.atomic
def unit_create(*, actor, region_code: str, name: str, contact_phone: str = "", **fields) -> Unit:
    if "uscc" in fields:
        fields["uscc"] = normalise_uscc(fields["uscc"])
        if fields["uscc"] and Unit.objects.filter(uscc=fields["uscc"]).exists():
            raise ServiceError(_("该统一社会信用代码已登记"), field="uscc")
    phone = normalise_phone(contact_phone, field_name="contact_phone")
    unit = _create(actor, Unit, region_code=region_code, fields={"name": name.strip(), **fields},
                   allowed=UNIT_FIELDS, duplicate_message=_("该统一社会信用代码已登记"), summary="")
    if phone:
        unit.contact_phone_enc = pii.encrypt(phone)
        unit.contact_phone_hash = pii.blind_index(phone, purpose="phone")
        unit.save(update_fields=["contact_phone_enc", "contact_phone_hash"])
    return unit


@transaction.atomic
def unit_update(*, actor, unit: Unit, version: int | None = None, contact_phone: str | None = None,
                **fields) -> Unit:
    if "uscc" in fields:
        fields["uscc"] = normalise_uscc(fields["uscc"])
    if contact_phone is not None:
        phone = normalise_phone(contact_phone, field_name="contact_phone")
        h = pii.blind_index(phone, purpose="phone") if phone else ""
        if h != unit.contact_phone_hash:
            Unit.objects.filter(pk=unit.pk).update(contact_phone_enc=pii.encrypt(phone), contact_phone_hash=h)
            unit.contact_phone_enc, unit.contact_phone_hash = pii.encrypt(phone), h
    return _update(actor, unit, version=version, fields=fields, allowed=UNIT_FIELDS,
                   duplicate_message=_("该统一社会信用代码已登记"))


# --- care tags, needs, special populations -------------------------------------------------------------

@transaction.atomic
def care_tag_add(*, actor, person: Person, tag: str, note: str = "") -> CareTag:
    person = _lock(actor, person)
    if tag not in c.CareTagKind.values:
        raise ServiceError(_("未知的关爱类别"), field="tag")
    obj, created = CareTag.objects.get_or_create(person=person, tag=tag,
                                                 defaults={"note": note, "region_code": person.region_code})
    if created:
        _event(actor, c.EventKind.UPDATE, region_code=person.region_code, person=person,
               summary=_("添加关爱标签：%(t)s") % {"t": c.CareTagKind(tag).label}, data={"care_tag": tag})
        audit_log(actor=actor, action="registry.care_tag.add", obj=obj, after={"tag": tag})
    return obj


@transaction.atomic
def care_tag_remove(*, actor, care_tag: CareTag) -> None:
    care_tag = _lock(actor, care_tag)
    person = care_tag.person
    audit_log(actor=actor, action="registry.care_tag.remove", obj=care_tag, before={"tag": care_tag.tag})
    _event(actor, c.EventKind.UPDATE, region_code=person.region_code, person=person,
           summary=_("移除关爱标签：%(t)s") % {"t": care_tag.get_tag_display()}, data={"care_tag": care_tag.tag})
    care_tag.delete()


@transaction.atomic
def need_create(*, actor, category: str, description: str = "", person: Person | None = None,
                household: Household | None = None) -> Need:
    subject = person or household
    if subject is None:
        raise ServiceError(_("请选择需求所属的人员或户"), field="person")
    subject = _lock(actor, subject)
    need = Need(person=person, household=household, category=category, description=description,
                region_code=subject.region_code)
    save_audited(need, actor=actor, action="registry.need.create", after={"category": category})
    return need


@transaction.atomic
def need_set_status(*, actor, need: Need, status: str, version: int | None = None) -> Need:
    if status not in c.NeedStatus.values:
        raise ServiceError(_("未知的状态"), field="status")
    expected = need.version if version is None else version
    need = _lock(actor, need)
    if need.status == status:
        return need
    need.version = expected  # the table's conditional write is keyed on the version the form was loaded at
    return NEED.apply(obj=need, actor=actor, action=f"to_{status}")


@transaction.atomic
def special_population_create(*, actor, person: Person, category: str, since: datetime.date | None = None,
                              support_plan: str = "", responsible: str = "") -> SpecialPopulationRecord:
    """Only SPECIAL_ROLES in the person's region may record this."""
    require(actor, action_name(SpecialPopulationRecord), person.region_code)
    record = SpecialPopulationRecord(person=person, category=category, since=since, support_plan=support_plan,
                                     responsible=responsible, region_code=person.region_code)
    save_audited(record, actor=actor, action="registry.special.create", object_repr="#{pk}",
                 after={"category": category})
    return record


@transaction.atomic
def special_population_close(*, actor, record: SpecialPopulationRecord, until: datetime.date | None = None
                             ) -> SpecialPopulationRecord:
    record = _lock(actor, record)
    SpecialPopulationRecord.objects.filter(pk=record.pk).update(active=False, until=until or timezone.localdate(),
                                                                version=record.version + 1)
    record.refresh_from_db()
    audit_log(actor=actor, action="registry.special.close", obj=record, object_repr=f"#{record.pk}")
    return record


# --- key rotation --------------------------------------------------------------------------------------

ENCRYPTED_FIELDS = {Person: ["id_number_enc", "phone_enc"], Unit: ["contact_phone_enc"]}


def personal_data_reencrypt(*, batch_size: int = 1000, progress=None) -> dict[str, int]:
    """Re-encrypt every registry value not yet under the current key, in batches (each its own
    transaction; old keys stay in the ring, so an interrupted run can simply be run again)."""
    current = pii.keyring()["current"]
    counts = {}
    for model, fields in ENCRYPTED_FIELDS.items():
        stale = Q(pk__in=[])
        for f in fields:
            stale |= ~Q(**{f"{f}__startswith": f"v{current}:"}) & ~Q(**{f: ""})
        done, last = 0, 0
        while True:
            batch = list(model.objects.filter(stale, pk__gt=last).order_by("pk").only("pk", *fields)[:batch_size])
            if not batch:
                break
            for obj in batch:
                for f in fields:
                    value = getattr(obj, f)
                    if value and pii.key_id(value) != current:
                        setattr(obj, f, pii.encrypt(pii.decrypt(value)))
            with transaction.atomic():
                model.objects.bulk_update(batch, fields)
            done += len(batch)
            last = batch[-1].pk
            if progress:
                progress(model._meta.model_name, done)
        counts[model._meta.label_lower] = done
    audit_log(actor=None, action="registry.keys.reencrypt", actor_name="console", after=counts)
    return counts


# --- platform accounts (real-name binding, go-live) ------------------------------------------------------------
# The registry only records which account is the person's; who may bind (the resident proving name + ID number,
# or community staff after checking papers) is decided by the caller (portal.binding), which passes `via`.

@transaction.atomic
def person_account_link(*, actor, person: Person, user, via: str) -> Person:
    """Record `user` as `person`'s platform account. A person already bound to another account is refused."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.user_id == user.pk:
        return person
    if person.user_id is not None:
        raise ServiceError(_("该居民已绑定其他账号"), field="id_number")
    if Person.objects.filter(user=user).exclude(pk=person.pk).exists():
        raise ServiceError(_("该账号已绑定其他居民"), field="id_number")
    person.user = user
    person.save(update_fields=["user", "updated_at"])
    audit_log(actor=actor, action="registry.person.account_link", obj=person, region_code=person.region_code,
              after={"user": user.pk, "via": via})
    return person


@transaction.atomic
def person_account_unlink(*, actor, person: Person, reason: str) -> Person:
    """Forget the person's platform account; the registry record itself stays as it is."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.user_id is None:
        return person
    before = person.user_id
    person.user = None
    person.save(update_fields=["user", "updated_at"])
    audit_log(actor=actor, action="registry.person.account_unlink", obj=person, region_code=person.region_code,
              before={"user": before}, reason=reason[:500])
    return person
