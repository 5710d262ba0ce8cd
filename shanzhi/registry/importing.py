"""人+纸 → 数字: importing persons, households, dwellings, buildings and units from spreadsheets.

- `import_template(kind)`: an XLSX with Chinese headers (required ones marked *), a comment row explaining
  each column, and drop-down lists for coded columns.
- `import_run(...)`: reads XLSX/XLS/ODS/CSV (UTF-8 or GBK, title rows tolerated, via core.tabular), checks
  every row with the same validators as the services, and reports row-level errors in Chinese. Unless
  it is a dry run, valid rows are then written in one transaction with bulk inserts/updates in batches;
  invalid rows are never written. New persons go in by COPY on PostgreSQL (binary, ids reserved from the
  sequence), checked and encrypted chunk by chunk while the database indexes the chunk before; their
  creation events are made by one INSERT … SELECT. SQLite and the dry run plan first, then write. Rows are matched to existing records by their natural key (ID number
  via its blind index, 户号, building+entrance+room, …), so re-importing the same file changes nothing.
- One `Importer` per kind (register_importers): the shared import pages (/imports/persons/ …), the error
  workbook, the background task and `shanzhi import` all go through it.

Columns, cell parsing, reading within LIMITS, the template and error workbooks are core.importing's, shared
with other apps' imports.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from itertools import islice
from operator import itemgetter

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from psycopg.postgres import types as pg_types

from shanzhi.audit.services import audit_log
from shanzhi.core import pii
from shanzhi.core.errors import NotAllowed, ServiceError
from shanzhi.core.importing import (
    IMPORTERS,
    Col,
    Importer,
    RowError,
    parse_rows,
    register_importer,
    template_workbook,
)
from shanzhi.core.progress import progress_update
from shanzhi.core.scope import prefixes_for_roles, scope_prefixes
from shanzhi.core.scoping import code_in_scope, prefix_q
from shanzhi.core.tabular import Limits
from shanzhi.regions.choices import Level
from shanzhi.regions.models import Region

from . import choices as c
from .models import EDIT_ROLES, Building, Dwelling, Estate, Household, Person, RegistryEvent, Unit
from .services import name_pinyin, occupancy_follow_residents
from .validators import (
    IdInfo,
    check_id_agrees,
    normalise,
    normalise_phone,
    normalise_uscc,
    parse_id_numbers,
    upgrade_15,
)

BATCH = 2000
# a district's persons fit in one file (bench/registry_import.py imports 100,000); the reading child may use 1 GB
LIMITS = Limits(max_bytes=30 * 1024 * 1024, max_rows=100_000, max_cols=60, memory=1024 * 1024 * 1024)

GRID = Col("网格代码", "region_code", "可空：默认为导入时选择的区域；填写 15 位网格代码")
COLUMNS: dict[str, list[Col]] = {
    "persons": [
        Col("姓名", "name", "必填", required=True, max_length=50),
        Col("证件类型", "id_type", "默认居民身份证", kind="choice", choices=c.IdType),
        Col("证件号码", "id_number", "必填；18 位身份证号（15 位旧号自动升级）", required=True),
        Col("性别", "sex", "可空：按身份证号自动识别", kind="choice", choices=c.Sex),
        Col("出生日期", "birth_date", "可空：按身份证号自动识别；格式 1980-05-17", kind="date"),
        Col("民族", "ethnicity", "如 汉族", max_length=20),
        Col("联系电话", "phone", "手机 11 位或座机 区号-号码"),
        Col("户号", "household_number", "可空：须为已导入的户"),
        Col("与户主关系", "relation_to_head", "如 户主、配偶、子女", kind="choice", choices=c.Relation),
        Col("小区", "estate", "与楼栋、单元、房号一起确定居住房屋", max_length=100),
        Col("楼栋", "building", "如 3栋", max_length=50),
        Col("单元", "entrance", "数字，默认 1", kind="int"),
        Col("房号", "room", "如 501", max_length=20),
        Col("人口类型", "residence_type", "户籍人口/流动人口/境外人员，默认户籍人口", kind="choice",
            choices=c.ResidenceType),
        Col("人户分离", "separated", "是/否", kind="bool"),
        Col("户籍地址", "registered_address", ""),
        Col("现住址", "current_address", ""),
        Col("政治面貌", "political_status", "", kind="choice", choices=c.PoliticalStatus),
        Col("文化程度", "education", "", kind="choice", choices=c.Education),
        Col("就业状况", "employment", "", kind="choice", choices=c.Employment),
        Col("工作单位", "workplace", "", max_length=100),
        Col("婚姻状况", "marital_status", "", kind="choice", choices=c.MaritalStatus),
        Col("迁入日期", "move_in_date", "格式 2020-01-01", kind="date"),
        GRID,
    ],
    "households": [
        Col("户号", "household_number", "必填，唯一", required=True, max_length=30),
        Col("户类型", "kind", "家庭户/集体户", kind="choice", choices=c.HouseholdKind),
        Col("小区", "estate", "", max_length=100),
        Col("楼栋", "building", "", max_length=50),
        Col("单元", "entrance", "数字，默认 1", kind="int"),
        Col("房号", "room", "", max_length=20),
        Col("户籍在本地", "registered_here", "是/否，默认是", kind="bool"),
        Col("在本地居住", "living_here", "是/否，默认是", kind="bool"),
        GRID,
    ],
    "buildings": [
        Col("小区", "estate", "可空；不存在时自动建立", max_length=100),
        Col("楼栋", "name", "必填，如 3栋", required=True, max_length=50),
        Col("地址", "address", ""),
        Col("类型", "building_type", "住宅/商业/商住混合/公共建筑/平房", kind="choice", choices=c.BuildingType),
        Col("层数", "floors", "数字", kind="int"),
        Col("单元数", "entrances", "数字", kind="int"),
        Col("建成年份", "year_built", "如 1998", kind="int"),
        Col("纬度", "lat", "", kind="float"),
        Col("经度", "lng", "", kind="float"),
        GRID,
    ],
    "dwellings": [
        Col("小区", "estate", "", max_length=100),
        Col("楼栋", "building", "必填：须为已导入的楼栋", required=True, max_length=50),
        Col("单元", "entrance", "数字，默认 1", kind="int"),
        Col("楼层", "floor", "可空：按房号推断（1502 → 15）", kind="int"),
        Col("房号", "room", "必填", required=True, max_length=20),
        Col("建筑面积", "area", "平方米", kind="decimal"),
        Col("用途", "use", "住宅/商铺/办公/其他", kind="choice", choices=c.DwellingUse),
        Col("房屋状态", "occupancy", "自住/出租/空置/经营", kind="choice", choices=c.Occupancy),
        Col("产权人姓名", "owner_name", "", max_length=50),
        GRID,
    ],
    "units": [
        Col("单位名称", "name", "必填", required=True, max_length=150),
        Col("单位类型", "kind", "企业/事业单位/机关/学校/医院/商铺/社会组织/其他", kind="choice", choices=c.UnitKind),
        Col("统一社会信用代码", "uscc", "18 位"),
        Col("地址", "address", ""),
        Col("联系人", "contact_name", "", max_length=50),
        Col("联系电话", "contact_phone", ""),
        Col("从业人数", "employees", "数字", kind="int"),
        GRID,
    ],
}
KIND_LABELS = {"persons": "人员", "households": "户", "dwellings": "房屋", "buildings": "楼栋", "units": "驻区单位"}
MODELS = {"persons": Person, "households": Household, "dwellings": Dwelling, "buildings": Building, "units": Unit}


# --- templates -----------------------------------------------------------------------------------------

def import_template(kind: str) -> bytes:
    return template_workbook(f"{KIND_LABELS[kind]}导入", COLUMNS[kind])


# --- the run -------------------------------------------------------------------------------------------

@dataclass
class Plan:
    """What the import would do: new objects, changed objects (with the fields that change), counts."""

    new: list = field(default_factory=list)
    changed: list = field(default_factory=list)  # (obj, [fields])
    unchanged: int = 0
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    before_create: list = field(default_factory=list)  # (model, [objects]) created first (estates)


class Context:
    """Lookups shared by the rows of one import: regions, scope, existing places (pre-fetched once)."""

    def __init__(self, actor, kind: str, region_code: str):
        self.actor, self.kind, self.region_code = actor, kind, region_code
        self.prefixes = scope_prefixes(actor, MODELS[kind], "change")
        self.regions = set(Region.objects.filter(prefix_q("code", [region_code])).values_list("code", flat=True))
        self._buildings: dict | None = None
        self._dwellings: dict | None = None
        self.households: dict = {}
        self._codes: dict = {}  # raw grid cell → code or RowError (a file repeats a few codes)
        self._in_scope: dict[str, bool] = {}

    def in_scope(self, code: str) -> bool:
        ok = self._in_scope.get(code)
        if ok is None:
            ok = self._in_scope[code] = code_in_scope(code, self.prefixes)
        return ok

    def code_for(self, raw: str | None) -> str:
        found = self._codes.get(raw)
        if found is None:
            found = self._codes[raw] = self._code_for(raw)
        if isinstance(found, RowError):
            raise RowError(found.header, found.message)
        return found

    def _code_for(self, raw: str | None) -> str | RowError:
        code = normalise(raw) if raw else self.region_code
        if code not in self.regions:
            return RowError(GRID.header, _("区划代码 %(c)s 不存在或不在导入区域内") % {"c": code})
        if not self.in_scope(code):
            return RowError(GRID.header, _("区划代码 %(c)s 不在您的管辖范围内") % {"c": code})
        return code

    def buildings(self) -> dict:
        """(estate name, building name) → Building, within the import region."""
        if self._buildings is None:
            qs = Building.objects.filter(prefix_q("region_code", [self.region_code])).select_related("estate")
            self._buildings = {((b.estate.name if b.estate_id else ""), b.name): b for b in qs}
        return self._buildings

    def building(self, estate: str | None, name: str | None, header: str = "楼栋") -> Building:
        b = self.buildings().get((estate or "", name or ""))
        if b is None:
            raise RowError(header, _("楼栋“%(e)s%(b)s”不存在，请先导入楼栋") % {"e": estate or "", "b": name or ""})
        return b

    def dwellings(self) -> dict:
        if self._dwellings is None:
            qs = Dwelling.objects.filter(prefix_q("region_code", [self.region_code]))
            self._dwellings = {(d.building_id, d.entrance, d.room): d for d in qs}
        return self._dwellings

    def dwelling(self, values: dict) -> Dwelling | None:
        if not (values.get("building") or values.get("room")):
            return None
        if not values.get("room"):
            raise RowError("房号", _("填写了楼栋时请同时填写房号"))
        b = self.building(values.get("estate"), values.get("building"))
        d = self.dwellings().get((b.pk, values.get("entrance") or 1, normalise(values["room"])))
        if d is None:
            raise RowError("房号", _("房屋 %(b)s %(e)s单元 %(r)s 不存在，请先导入房屋") % {
                "b": b, "e": values.get("entrance") or 1, "r": values["room"]})
        return d


def _diff(obj, values: dict) -> list[str]:
    return [k for k, v in values.items() if getattr(obj, k) != v]


def _parse_rows(kind: str, table, progress_id=None):
    return parse_rows(COLUMNS[kind], table, progress_id=progress_id, every=BATCH)


# --- per kind: turn parsed rows into a plan --------------------------------------------------------------

PERSON_ERROR_HEADERS = {"id_number": "证件号码", "birth_date": "出生日期", "sex": "性别", "phone": "联系电话"}
# the person columns that are not stored as they are (identity, phone, place, region)
_PERSON_DERIVED = {"id_number", "phone", "household_number", "estate", "building", "entrance", "room", "region_code"}


@dataclass
class _PersonRow:
    """One checked person row: its normalised identity, phone and place."""

    row_no: int
    values: dict
    number: str
    hash: str
    id_type: str
    phone: str | None
    dwelling: Dwelling | None
    household: Household | None
    code: str


def _person_number(values: dict, info: IdInfo | ServiceError | None, warnings: list, row_no: int) -> tuple[str, str]:
    """The row's (id type, normalised number); a resident ID (`info`: what parse_id_numbers made of it) also
    fills in birth date and sex."""
    id_type = values.get("id_type") or c.IdType.RESIDENT_ID
    if id_type != c.IdType.RESIDENT_ID:
        return id_type, normalise(values["id_number"])
    if isinstance(info, ServiceError):
        raise info
    check_id_agrees(info, birth_date=values.get("birth_date"), sex=values.get("sex"))
    values["birth_date"], values["sex"] = info.birth_date, info.sex
    warnings += [(row_no, "证件号码", w) for w in info.warnings]
    return id_type, info.number


def _person_household(ctx: Context, values: dict) -> Household | None:
    if not values.get("household_number"):
        return None
    household = ctx.households.get(normalise(values["household_number"]))
    if household is None:
        raise RowError("户号", _("户号 %(n)s 不存在或不在导入区域内，请先导入户") % {"n": values["household_number"]})
    return household


def _person_code(ctx: Context, values: dict, dwelling, household) -> str:
    """The person's region: their dwelling's, else their household's, else the row's grid code."""
    if dwelling is not None:
        code = dwelling.region_code
    elif household is not None:
        code = household.region_code
    else:
        code = ctx.code_for(values.get("region_code"))
    if not ctx.in_scope(code):
        raise RowError("房号", _("该房屋不在您的管辖范围内"))
    return code


def _check_person(ctx: Context, plan: Plan, row_no: int, values: dict, info) -> _PersonRow:
    """One parsed row checked against the validators and the existing places; ServiceError or RowError."""
    id_type, number = _person_number(values, info, plan.warnings, row_no)
    phone = normalise_phone(values.get("phone")) if values.get("phone") else None
    dwelling = ctx.dwelling(values)
    household = _person_household(ctx, values)
    code = _person_code(ctx, values, dwelling, household)
    return _PersonRow(row_no, values, number, "", id_type, phone, dwelling, household, code)


def _id_infos(rows) -> list[IdInfo | ServiceError | None]:
    """For each parsed row, what parse_id_numbers makes of its resident ID number (None: no such number to
    check), the rows' numbers checked together."""
    resident = [i for i, (_n, values, errors) in enumerate(rows)
                if not errors and (values.get("id_type") or c.IdType.RESIDENT_ID) == c.IdType.RESIDENT_ID]
    out: list = [None] * len(rows)
    for i, info in zip(resident, parse_id_numbers([rows[i][1]["id_number"] for i in resident]), strict=True):
        out[i] = info
    return out


def _checked_persons(ctx: Context, plan: Plan, rows, hashes: dict) -> list[_PersonRow]:
    """The rows that pass the checks (the others' errors go to the plan), with their number's blind index;
    `hashes` (number → index) holds the ones already made and gets the new ones."""
    checked = []
    for (row_no, values, errors), info in zip(rows, _id_infos(rows), strict=True):
        if errors:
            plan.errors += [(row_no, h, m) for h, m in errors]
            continue
        try:
            checked.append(_check_person(ctx, plan, row_no, values, info))
        except ServiceError as e:
            plan.errors.append((row_no, PERSON_ERROR_HEADERS.get(e.field, ""), e.user_message))
        except RowError as e:
            plan.errors.append((row_no, e.header, e.message))
    missing = [row.number for row in checked if row.number not in hashes]
    hashes.update(zip(missing, pii.blind_indexes(missing, purpose="id_number"), strict=True))
    for row in checked:
        row.hash = hashes[row.number]
    return checked


def _existing_persons(hashes) -> dict:
    keys = list(hashes)
    if connection.vendor == "postgresql":  # one array parameter, not IN lists of thousands of values to bind
        sql = f"SELECT * FROM {Person._meta.db_table} WHERE id_number_hash = ANY(%s::varchar[])"  # noqa: S608 - model's table
        return {p.id_number_hash: p for p in Person.objects.raw(sql, [_array_param(keys)])} if keys else {}
    existing = {}
    for i in range(0, len(keys), BATCH):
        for p in Person.objects.filter(id_number_hash__in=keys[i:i + BATCH]):
            existing[p.id_number_hash] = p
    return existing


def _person_attrs(row: _PersonRow) -> dict:
    attrs = {k: v for k, v in row.values.items() if v is not None and k not in _PERSON_DERIVED}
    attrs["id_type"] = row.id_type
    attrs["name_pinyin"], attrs["name_initials"] = name_pinyin(attrs["name"])
    if row.dwelling is not None:
        attrs["dwelling_id"] = row.dwelling.pk
    if row.household is not None:
        attrs["household_id"] = row.household.pk
    return attrs


PLAIN = "_plain"  # a new person's (ID number, phone) until _seal encrypts them, at commit (a dry run never does)


def _new_person(row: _PersonRow, attrs: dict) -> dict:
    """A row of column values, inserted by _fast_insert once _seal has encrypted its number and phone."""
    return {"region_code": row.code, "id_number_hash": row.hash, **attrs, PLAIN: (row.number, row.phone)}


def _seal(rows: list[dict]) -> None:
    """Encrypt the new persons' ID numbers and phones and index the phones, in batches (core.pii): the same
    tokens and indexes as pii.encrypt / pii.blind_index one by one."""
    plain = [row.pop(PLAIN) for row in rows]
    numbers = pii.encrypt_many(number for number, _phone in plain)
    phones = [phone for _number, phone in plain]
    sealed = zip(rows, numbers, phones, pii.encrypt_many(phones), pii.blind_indexes(phones, purpose="phone"),
                 strict=True)
    for row, number_enc, phone, phone_enc, phone_hash in sealed:
        row["id_number_enc"] = number_enc
        if phone:
            row["phone_enc"], row["phone_hash"] = phone_enc, phone_hash


def _person_changes(person: Person, row: _PersonRow, attrs: dict) -> list[str]:
    """Apply the row to an existing person; the fields that changed."""
    if person.region_code != row.code and (row.dwelling or row.household or row.values.get("region_code")):
        attrs["region_code"] = row.code
    changed = _diff(person, attrs)
    phone_h = pii.blind_index(row.phone, purpose="phone") if row.phone else None
    if phone_h and phone_h != person.phone_hash:
        person.phone_enc, person.phone_hash = pii.encrypt(row.phone), phone_h
        changed += ["phone_enc", "phone_hash"]
    for k in changed:
        if k in attrs:
            setattr(person, k, attrs[k])
    return changed


def _plan_person(ctx: Context, plan: Plan, row: _PersonRow, person: Person | None) -> None:
    attrs = _person_attrs(row)
    if person is None:
        plan.new.append((row.row_no, _new_person(row, attrs)))
    elif not code_in_scope(person.region_code, ctx.prefixes):
        plan.errors.append((row.row_no, "证件号码", _("该证件号码已在其他辖区登记，请联系所在社区办理迁入")))
    elif changed := _person_changes(person, row, attrs):
        plan.changed.append((row.row_no, person, changed))
    else:
        plan.unchanged += 1


def _plan_persons(ctx: Context, rows) -> Plan:
    plan = Plan()
    checked = _checked_persons(ctx, plan, rows, {})
    existing = _existing_persons({row.hash for row in checked})
    _plan_checked(ctx, plan, checked, existing, seen={})
    return plan


def _plan_checked(ctx: Context, plan: Plan, checked: list[_PersonRow], existing: dict, *, seen: dict,
                  looked_up: set | None = None, later: list | None = None) -> None:
    """Plan checked rows in file order: a number seen on an earlier row is an error, the others are new, changed
    or unchanged persons. With `looked_up` (the hashes `existing` was read for), a row whose hash is not among
    them goes to `later` (planned after its own lookup)."""
    for row in checked:
        if row.hash in seen:
            plan.errors.append((row.row_no, "证件号码", _("与第 %(r)d 行的证件号码重复") % {"r": seen[row.hash]}))
            continue
        seen[row.hash] = row.row_no
        if looked_up is not None and row.hash not in looked_up:
            later.append(row)
            continue
        _plan_person(ctx, plan, row, existing.get(row.hash))


# --- persons, written while they are checked (PostgreSQL) ---------------------------------------------------

STREAM_CHUNK = 1000  # rows checked, planned and encrypted at a time while the database indexes the previous ones


def _candidate_numbers(rows) -> list[str]:
    """Each parsed row's ID number as _person_number will normalise it (without its checks), to look up the
    existing persons before anything is checked: then checking can run while COPY writes."""
    out = []
    for _row_no, values, errors in rows:
        raw = values.get("id_number")
        if errors or not raw:
            continue
        number = normalise(raw)
        resident = (values.get("id_type") or c.IdType.RESIDENT_ID) == c.IdType.RESIDENT_ID
        out.append(upgrade_15(number) if resident and len(number) == 15 and number.isdigit() else number)
    return out


def _import_persons_streamed(actor, ctx: Context, rows, progress) -> Plan:
    """Check, plan and write the persons of a file in one pass, in one transaction: the existing persons are
    read first (by the rows' numbers as they will be normalised), then each chunk of rows is checked, planned
    and encrypted while PostgreSQL indexes the chunk before it (the rows go to one COPY as they are made).
    The same checks, errors, plan and rows as _plan_persons + _commit, which the dry run and SQLite use."""
    plan = Plan()
    if any(values.get("building") or values.get("room") for _r, values, _e in rows):
        ctx.buildings(), ctx.dwellings()  # read now: no query can run while COPY writes
    candidates = _candidate_numbers(rows)
    hashes = dict(zip(candidates, pii.blind_indexes(candidates, purpose="id_number"), strict=True))
    looked_up = set(hashes.values())
    existing = _existing_persons(looked_up)
    ids = iter(_reserve_ids(Person, len(looked_up - existing.keys())) or [])
    later: list[_PersonRow] = []
    with transaction.atomic():
        new_rows = _streamed_new_rows(ctx, plan, rows, existing, ids, hashes, looked_up=looked_up, later=later)
        _fast_insert(Person, new_rows, progress, with_pk=True, binary=True)
        if later:  # a number normalised otherwise than expected: looked up and written on its own
            _write_later_persons(ctx, plan, later)
        if plan.new:
            _created_persons_follow_up(actor, plan)
        _update_changed("persons", plan)
        _record_events(actor, "persons", plan, [])
    return plan


def _streamed_new_rows(ctx: Context, plan: Plan, rows, existing: dict, ids, hashes: dict, *, looked_up: set,
                       later: list):
    """The new persons' rows, made chunk by chunk as _fast_insert reads them: each chunk of rows is checked,
    planned and encrypted, and each new row given the next reserved id. `hashes`: the blind indexes of the
    numbers already made (number → index)."""
    seen: dict[str, int] = {}
    for i in range(0, len(rows), STREAM_CHUNK):
        checked = _checked_persons(ctx, plan, rows[i:i + STREAM_CHUNK], hashes)
        start = len(plan.new)
        _plan_checked(ctx, plan, checked, existing, seen=seen, looked_up=looked_up, later=later)
        fresh = [row for _r, row in plan.new[start:]]
        _seal(fresh)
        for row in fresh:
            row["id"] = next(ids)
            yield row


def _write_later_persons(ctx: Context, plan: Plan, later: list[_PersonRow]) -> None:
    """The rows whose number was not looked up before the COPY: looked up, planned and written on their own."""
    start = len(plan.new)
    found = _existing_persons({row.hash for row in later})
    for row in later:
        _plan_person(ctx, plan, row, found.get(row.hash))
    fresh = [row for _r, row in plan.new[start:]]
    _seal(fresh)
    for row, pk in zip(fresh, _reserve_ids(Person, len(fresh)) or [], strict=True):
        row["id"] = pk
    _fast_insert(Person, fresh, with_pk=True, binary=True)


def _created_persons_follow_up(actor, plan: Plan) -> None:
    """The streamed import's new persons' creation events (one INSERT … SELECT) and their dwellings' occupancy."""
    new = [row for _r, row in plan.new]
    _insert_unnest(RegistryEvent, _created_event(actor), person_id=[row["id"] for row in new],
                   region_code=[row["region_code"] for row in new])
    codes = {row["region_code"] for row in new}
    occupancy_follow_residents(actor=actor, dwellings=Dwelling.objects.filter(region_code__in=codes))


def _built_rows(plan: Plan, rows, build: Callable) -> list:
    """(row_no, key, attrs, model) for each row that builds; the others' errors go to the plan."""
    built = []
    for row_no, values, errors in rows:
        if errors:
            plan.errors += [(row_no, h, m) for h, m in errors]
            continue
        try:
            built.append((row_no, *build(values)))
        except RowError as e:
            plan.errors.append((row_no, e.header, e.message))
        except ServiceError as e:
            plan.errors.append((row_no, "统一社会信用代码" if e.field == "uscc" else "联系电话", e.user_message))
    return built


def _plan_object(ctx: Context, plan: Plan, row_no: int, attrs: dict, model, obj) -> None:
    if obj is None:
        plan.new.append((row_no, model(**attrs)))
        return
    if not code_in_scope(obj.region_code, ctx.prefixes):
        plan.errors.append((row_no, "", _("该记录已在其他辖区登记")))
        return
    changed = [f for f in _diff(obj, attrs) if attrs[f] is not None or f.endswith("_id")]
    if not changed:
        plan.unchanged += 1
        return
    for f in changed:
        setattr(obj, f, attrs[f])
    plan.changed.append((row_no, obj, changed))


def _plan_simple(ctx: Context, rows, *, existing: Callable, build: Callable) -> Plan:
    """Shared by households, buildings, dwellings and units: `build(values)` → (key, attrs, model) or RowError."""
    plan = Plan()
    built = _built_rows(plan, rows, build)
    found = existing([b[1] for b in built])
    seen: dict = {}
    for row_no, k, attrs, model in built:
        if k in seen:
            plan.errors.append((row_no, "", _("与第 %(r)d 行重复") % {"r": seen[k]}))
            continue
        seen[k] = row_no
        _plan_object(ctx, plan, row_no, attrs, model, found.get(k))
    return plan


def _plan_buildings(ctx: Context, rows) -> Plan:
    estates = {e.name: e for e in Estate.objects.filter(prefix_q("region_code", [ctx.region_code[:12]]))}
    pending: dict[str, Estate] = {}

    def build(values):
        code = ctx.code_for(values.get("region_code"))
        estate = None
        if values.get("estate"):
            estate = estates.get(values["estate"]) or pending.get(values["estate"])
            if estate is None:
                estate = pending[values["estate"]] = Estate(name=values["estate"], region_code=code[:12])
        attrs = {k: values.get(k) for k in ("address", "building_type", "floors", "entrances", "year_built", "lat",
                                            "lng") if values.get(k) is not None}
        return (code, values["estate"] or "", values["name"]), {"region_code": code, "name": values["name"],
                                                               "estate": estate, **attrs}, Building

    def existing(keys):
        qs = Building.objects.filter(prefix_q("region_code", [ctx.region_code])).select_related("estate")
        return {(b.region_code, b.estate.name if b.estate_id else "", b.name): b for b in qs}

    plan = _plan_simple(ctx, rows, existing=existing, build=build)
    plan.before_create = [(Estate, list(pending.values()))]
    return plan


def _plan_dwellings(ctx: Context, rows) -> Plan:
    def build(values):
        b = ctx.building(values.get("estate"), values["building"])
        if not code_in_scope(b.region_code, ctx.prefixes):
            raise RowError("楼栋", _("该楼栋不在您的管辖范围内"))
        room = normalise(values["room"])
        entrance = values.get("entrance") or 1
        floor = values.get("floor")
        if floor is None:
            digits = "".join(ch for ch in room if ch.isdigit())
            floor = int(digits[:-2]) if len(digits) >= 3 else 1
        attrs = {k: values[k] for k in ("area", "use", "occupancy", "owner_name") if values.get(k) is not None}
        return (b.pk, entrance, room), {"region_code": b.region_code, "building_id": b.pk, "entrance": entrance,
                                        "room": room, "floor": floor, **attrs}, Dwelling

    def existing(keys):
        return ctx.dwellings()

    return _plan_simple(ctx, rows, existing=existing, build=build)


def _plan_households(ctx: Context, rows) -> Plan:
    def build(values):
        number = normalise(values["household_number"])
        d = ctx.dwelling(values)
        code = d.region_code if d else ctx.code_for(values.get("region_code"))
        if not code_in_scope(code, ctx.prefixes):
            raise RowError("房号", _("该房屋不在您的管辖范围内"))
        attrs = {k: values[k] for k in ("kind", "registered_here", "living_here") if values.get(k) is not None}
        if d is not None:
            attrs["dwelling_id"] = d.pk
        return number, {"household_number": number, "region_code": code, **attrs}, Household

    def existing(keys):
        out = {}
        for i in range(0, len(keys), BATCH):
            out |= {h.household_number: h for h in Household.objects.filter(household_number__in=keys[i:i + BATCH])}
        return out

    return _plan_simple(ctx, rows, existing=existing, build=build)


def _plan_units(ctx: Context, rows) -> Plan:
    def build(values):
        code = ctx.code_for(values.get("region_code"))
        uscc = normalise_uscc(values.get("uscc"))
        attrs = {k: values[k] for k in ("kind", "address", "contact_name", "employees") if values.get(k) is not None}
        phone = normalise_phone(values.get("contact_phone"), field_name="contact_phone")
        if phone:
            attrs["contact_phone_hash"] = pii.blind_index(phone, purpose="phone")
            attrs["contact_phone_enc"] = pii.encrypt(phone)
        return uscc or (code, values["name"]), {"region_code": code, "name": values["name"], "uscc": uscc,
                                                **attrs}, Unit

    def existing(keys):
        codes = [k for k in keys if isinstance(k, str)]
        out = {u.uscc: u for u in Unit.objects.filter(uscc__in=codes)} if codes else {}
        for u in Unit.objects.filter(prefix_q("region_code", [ctx.region_code]), uscc=""):
            out[(u.region_code, u.name)] = u
        return out

    plan = _plan_simple(ctx, rows, existing=existing, build=build)
    # A phone is re-encrypted on every read of the file; compare units by the phone's blind index instead.
    kept = []
    for row_no, obj, changed in plan.changed:
        fields = [f for f in changed if f != "contact_phone_enc"]
        if fields:
            kept.append((row_no, obj, changed if "contact_phone_hash" in fields else fields))
        else:
            plan.unchanged += 1
    plan.changed = kept
    return plan


PLANNERS = {"persons": _plan_persons, "households": _plan_households, "dwellings": _plan_dwellings,
            "buildings": _plan_buildings, "units": _plan_units}


def _households_for(ctx: Context, rows) -> dict:
    numbers = sorted({normalise(v["household_number"]) for _r, v, _e in rows if v.get("household_number")})
    out = {}
    for i in range(0, len(numbers), BATCH):
        qs = Household.objects.filter(household_number__in=numbers[i:i + BATCH])
        out |= {h.household_number: h for h in qs if code_in_scope(h.region_code, [ctx.region_code])}
    return out


def _converter(f, pg: bool, connection) -> Callable | None:
    """How a value of field f is written by _fast_insert: JSON as text; on SQLite dates, datetimes and decimals
    as the database stores them; None: as it is."""
    kind = f.get_internal_type()
    if kind == "JSONField":
        return json.dumps
    if pg:
        return None
    if kind == "DateField":
        return datetime.date.isoformat
    if kind in {"DateTimeField", "DecimalField"}:
        return lambda v, f=f: f.get_db_prep_save(v, connection)
    return None


def _insert_defaults(fields, converters: dict) -> dict:
    """Each field's default (now for auto timestamps), converted once: they are the same for every row."""
    now = timezone.now()
    defaults = {}
    for f in fields:
        auto = getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        value = now if auto else f.get_default()
        conv = converters[f.attname]
        defaults[f.attname] = conv(value) if conv is not None and value is not None else value
    return defaults


def _array_param(values: list) -> list | str:
    """An array parameter for PostgreSQL: as its text literal ('{1,2,3}', made in one join) when every value is
    a plain word (ids, codes, hex digests: nothing to quote or escape), else the list for psycopg to adapt —
    which costs a Python call per element, 100,000 of them for an import's ids."""
    text = [str(v) for v in values]
    if all(t.isascii() and t.isalnum() for t in text):
        return "{" + ",".join(text) + "}"
    return values


def _reserve_ids(model, n: int) -> list[int] | None:
    """PostgreSQL: n ids taken from the table's sequence in one query (so COPY can write them and nothing has to
    read the rows back to learn them); None elsewhere."""
    if connection.vendor != "postgresql" or not n:
        return None
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT array_agg(nextval(pg_get_serial_sequence(%s, 'id'))) FROM generate_series(1, %s)",
                       [table, n])
        return cursor.fetchone()[0]


def _copy_types(fields) -> list[str] | None:
    """PostgreSQL: the type names of `fields` for a binary COPY; None when psycopg lacks one (COPY as text)."""
    names = []
    for f in fields:
        name = (f.db_type(connection) or "").split("(")[0].strip()
        if not name or pg_types.get(name) is None:
            return None
        names.append(name)
    return names


def _fast_insert(model, rows: list[dict], progress=None, *, with_pk: bool = False, binary: bool = False) -> None:
    """Insert rows of attname → value without building model instances: PostgreSQL COPY, or one
    executemany per batch on SQLite. Field defaults and auto timestamps are filled in here; with_pk: the rows
    carry their ids (from _reserve_ids). binary: COPY in PostgreSQL's binary format (no text to format and parse
    again), for rows whose values are of their fields' Python types (dates as dates, JSON as objects)."""

    fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
    pg = connection.vendor == "postgresql"
    copy_types = _copy_types(fields) if pg and binary else None
    converters = {f.attname: None if copy_types else _converter(f, pg, connection) for f in fields}
    defaults = _insert_defaults(fields, converters)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    values = _row_values([(f.attname, defaults[f.attname], converters[f.attname]) for f in fields])
    if pg:
        how = " (FORMAT BINARY)" if copy_types else ""
        write = partial(_copy_chunk, f"COPY {table} ({columns}) FROM STDIN{how}", copy_types)
    else:
        marks = ", ".join(["%s"] * len(fields))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 - names from model metadata
        write = partial(_executemany_chunk, sql)
    rows, done = iter(rows), 0
    with connection.cursor() as cursor:
        # chunks of BATCH * 5 rows, each one statement; rows may be made while they are written
        while written := write(cursor, rows, values):
            done += written
            if progress:
                progress(done)


def _row_values(spec: list[tuple]) -> Callable[[dict], list]:
    """A row's values in field order from (attname, default, converter) spec, as this runs for every row of an
    import: without converters, the row laid over the defaults and its values picked in C (a row holds no
    None where a field's default is not None: the importer's rows leave such fields out)."""
    if all(conv is None for _n, _d, conv in spec):
        defaults = {n: d for n, d, _c in spec}
        pick = itemgetter(*defaults)

        def values(row):
            return pick(defaults | row)
    else:
        def values(row):
            get = row.get
            return [d if (v := get(n)) is None else (v if c is None else c(v)) for n, d, c in spec]
    return values


def _copy_chunk(sql: str, copy_types: list[str] | None, cursor, rows, values: Callable) -> int:
    """PostgreSQL: up to BATCH * 5 of `rows` written by one COPY; how many were."""
    written = 0
    with cursor.cursor.copy(sql) as copy:
        if copy_types:
            copy.set_types(copy_types)
        for row in islice(rows, BATCH * 5):
            copy.write_row(values(row))
            written += 1
    return written


def _executemany_chunk(sql: str, cursor, rows, values: Callable) -> int:
    """SQLite: up to BATCH * 5 of `rows` inserted by one executemany; how many were."""
    chunk = [values(r) for r in islice(rows, BATCH * 5)]
    if chunk:
        cursor.executemany(sql, chunk)
    return len(chunk)


def _commit_persons(actor, plan: Plan, progress) -> None:
    rows = [row for _r, row in plan.new]
    _seal(rows)
    ids = _reserve_ids(Person, len(rows))
    if ids is not None:  # PostgreSQL: the ids are known before COPY
        for row, pk in zip(rows, ids, strict=True):
            row["id"] = pk
        _fast_insert(Person, rows, progress, with_pk=True, binary=True)
        pks = {row["id_number_hash"]: row["id"] for row in rows}
    else:
        _fast_insert(Person, rows, progress)
        pks = {}
        hashes = [row["id_number_hash"] for row in rows]
        for i in range(0, len(hashes), BATCH * 5):
            pks |= dict(Person.objects.filter(id_number_hash__in=hashes[i:i + BATCH * 5])
                        .values_list("id_number_hash", "pk"))
    common = _created_event(actor)
    if ids is not None:
        _insert_unnest(RegistryEvent, common, person_id=ids, region_code=[row["region_code"] for row in rows])
    else:
        _fast_insert(RegistryEvent, [common | {"region_code": row["region_code"],
                                               "person_id": pks[row["id_number_hash"]]} for row in rows])


def _created_event(actor) -> dict:
    """The fields every “created by import” registry event of one import shares."""
    return {"kind": c.EventKind.CREATE, "actor_id": actor.pk if getattr(actor, "pk", None) else None,
            "summary": _("批量导入")}


def _insert_unnest(model, common: dict, **columns: list) -> None:
    """PostgreSQL: one INSERT … SELECT FROM unnest(arrays) for rows that differ only in `columns` (equal-length
    lists); the other fields are `common` or their defaults (auto timestamps: now), as _fast_insert fills them.
    The rows are made by the database: nothing is written row by row from Python."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    converters = {f.attname: _converter(f, True, connection) for f in fields}
    defaults = _insert_defaults(fields, converters)
    names = list(columns)
    select, params = [], []
    for f in fields:
        if f.attname in columns:
            select.append(f"t.{connection.ops.quote_name(f.attname)}")
            continue
        value = common.get(f.attname)
        conv = converters[f.attname]
        value = defaults[f.attname] if value is None else (conv(value) if conv is not None else value)
        select.append(f"%s::{f.cast_db_type(connection)}")
        params.append(value)
    by_name = {f.attname: f for f in fields}
    arrays = ", ".join(f"%s::{by_name[n].cast_db_type(connection)}[]" for n in names)
    quoted = ", ".join(connection.ops.quote_name(n) for n in names)
    sql = (f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} "  # noqa: S608 - names from model metadata
           f"({', '.join(connection.ops.quote_name(f.column) for f in fields)}) "
           f"SELECT {', '.join(select)} FROM unnest({arrays}) AS t({quoted})")
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *(_array_param(columns[n]) for n in names)])


def _create_new(actor, kind: str, plan: Plan, progress) -> list:
    """Insert the plan's new rows; the model instances created (none for persons, inserted as column values)."""
    if kind == "persons":
        _commit_persons(actor, plan, progress)
        codes = {row["region_code"] for _r, row in plan.new}
        occupancy_follow_residents(actor=actor, dwellings=Dwelling.objects.filter(region_code__in=codes))
        return []
    new = [obj for _r, obj in plan.new]
    if kind == "buildings":
        for obj in new:  # estates created before now have their pk
            if obj.estate is not None:
                obj.estate_id = obj.estate.pk
    for i in range(0, len(new), BATCH):
        MODELS[kind].objects.bulk_create(new[i:i + BATCH])
        progress(i + len(new[i:i + BATCH]))
    return new


def _update_changed(kind: str, plan: Plan) -> None:
    if not plan.changed:
        return
    now = timezone.now()
    fields = sorted({f.removesuffix("_id") for _r, _o, changed in plan.changed for f in changed}
                    | {"version", "updated_at"})
    objs = []
    for _row, obj, _changed in plan.changed:
        obj.version += 1
        obj.updated_at = now
        objs.append(obj)
    MODELS[kind].objects.bulk_update(objs, fields, batch_size=500)


EVENT_KINDS = {"persons", "households", "dwellings"}  # the kinds with a registry event per created/changed row


def _record_events(actor, kind: str, plan: Plan, new: list) -> None:
    if kind not in EVENT_KINDS:
        return
    created, changed = _("批量导入"), _("批量导入修改")
    events = [RegistryEvent(kind=c.EventKind.CREATE, region_code=o.region_code, actor=actor,
                            summary=created, **{kind[:-1]: o}) for o in new]
    events += [RegistryEvent(kind=c.EventKind.UPDATE, region_code=o.region_code, actor=actor, summary=changed,
                             data={"fields": sorted({f.removesuffix("_enc").removesuffix("_hash") for f in ch})},
                             **{kind[:-1]: o})
               for _r, o, ch in plan.changed]
    RegistryEvent.objects.bulk_create(events, batch_size=BATCH)


def _progress(progress_id) -> Callable[[int], None]:
    def progress(done):
        if progress_id:
            progress_update(progress_id, done=done, message=_("正在写入"))

    return progress


def _commit(actor, kind: str, plan: Plan, progress_id=None) -> None:
    progress = _progress(progress_id)
    with transaction.atomic():
        for extra_model, objs in plan.before_create:
            extra_model.objects.bulk_create(objs, batch_size=BATCH)
        new = _create_new(actor, kind, plan, progress)
        _update_changed(kind, plan)
        _record_events(actor, kind, plan, new)


def import_run(*, actor, kind: str, data: bytes, filename: str, region_code: str, dry_run: bool = False,
               progress_id=None) -> dict:
    """Check (and unless dry_run, write) one spreadsheet. Returns the report:
    {"rows", "created", "updated", "unchanged", "rejected", "errors": [{"row", "field", "message"}],
     "warnings": [...], "dry_run", "kind"}."""
    region_code = _import_region(actor, kind, region_code)
    table = IMPORTERS[kind].read(data, filename)
    ctx = Context(actor, kind, region_code)
    rows = _parse_rows(kind, table, progress_id)
    if kind == "persons":
        ctx.households = _households_for(ctx, rows)
    plan = _plan_and_write(actor, kind, ctx, rows, dry_run=dry_run, progress_id=progress_id)
    report = _report(kind, dry_run, table, plan)
    if not dry_run:
        audit_log(actor=actor, action=f"registry.import.{kind}", region_code=region_code,
                  object_repr=filename[:200], after={k: report[k] for k in ("rows", "created", "updated",
                                                                            "unchanged", "rejected")})
    return report


def _import_region(actor, kind: str, region_code: str) -> str:
    """The import's region code, normalised, once the kind is known and the region in the actor's scope."""
    if kind not in COLUMNS:
        raise ServiceError(_("未知的导入类型：%(k)s") % {"k": kind}, field="kind")
    region_code = normalise(region_code)
    prefixes = scope_prefixes(actor, MODELS[kind], "change")
    if not region_code or not code_in_scope(region_code, prefixes):
        raise NotAllowed(_("导入区域不在您的管辖范围内"))
    return region_code


def _plan_and_write(actor, kind: str, ctx: Context, rows, *, dry_run: bool, progress_id) -> Plan:
    """The plan of the rows, written unless dry_run (persons on PostgreSQL: streamed, checked while written)."""
    try:
        if kind == "persons" and not dry_run and connection.vendor == "postgresql":
            return _import_persons_streamed(actor, ctx, rows, _progress(progress_id))
        plan = PLANNERS[kind](ctx, rows)
        if not dry_run and (plan.new or plan.changed):
            _commit(actor, kind, plan, progress_id)
        return plan
    except IntegrityError:
        raise ServiceError(_("导入时与他人同时登记的记录冲突，请重新导入")) from None


def _report(kind: str, dry_run: bool, table, plan: Plan) -> dict:
    rejected_rows = {e[0] for e in plan.errors}
    return {
        "kind": kind, "dry_run": dry_run, "rows": len(table.rows), "created": len(plan.new),
        "updated": len(plan.changed), "unchanged": plan.unchanged, "rejected": len(rejected_rows),
        "errors": [{"row": r, "field": f, "message": m} for r, f, m in sorted(plan.errors, key=lambda e: e[0])],
        "warnings": [{"row": r, "field": f, "message": m} for r, f, m in plan.warnings[:1000]],
    }


def import_regions(user) -> list[tuple[str, str]]:
    """The regions the actor may import into: their grants' regions and the grids below them."""
    prefixes = prefixes_for_roles(user, EDIT_ROLES)
    if not prefixes:
        return []
    regions = Region.objects.filter(prefix_q("code", prefixes), level__in=[Level.GRID, Level.COMMUNITY, Level.STREET])
    return [(r.code, f"{r.name}（{r.code}）") for r in regions.order_by("code")[:500]]


DONE_URLS = {"persons": "registry:person_list"}


def register_importers() -> None:
    """The import pages, `shanzhi import persons|households|dwellings|buildings|units` and the background
    task (apps.ready)."""
    for kind in COLUMNS:
        register_importer(Importer(
            kind=kind, label=KIND_LABELS[kind], run=partial(import_run, kind=kind),
            template=partial(import_template, kind),
            summary=(("created", _l("新增")), ("updated", _l("更新")), ("unchanged", _l("未变")), ("rejected", _l("有错误"))),
            roles=frozenset(EDIT_ROLES), columns=partial(COLUMNS.get, kind), regions=import_regions, limits=LIMITS,
            group="registry", done_url=DONE_URLS.get(kind, "registry:home")))
