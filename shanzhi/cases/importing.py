"""民情批量导入: cases from a spreadsheet — last month's 12345 hotline work orders, a paper 民情台账 typed into Excel.

- `import_template()`: an XLSX with Chinese headers (required ones marked *), a comment row with an example per
  column, one column per extra field that active categories ask for, and drop-down lists.
- `import_run(...)`: reads XLSX/XLS/ODS/CSV (UTF-8 or GBK, title rows tolerated; core.tabular), checks every row
  and reports row-level errors in Chinese naming the row and the column. Unless it is a dry run, the valid rows
  are then filed in ONE transaction through `services.case_create(channel=IMPORT)` — history, audit, deadlines
  as for any case. Like the registry import, a file with errors still files its valid rows; the rejected rows
  are listed (and downloadable as an error workbook) to fix and import again.
- Idempotent: a row's 外部编号 (the source's own number, unique among imported cases) or, for a row without one,
  a keyed hash of what was reported (category, grid, building, address, title, description, reporter, 反映时间)
  is stored on the case under a unique constraint. A row already imported is reported “已导入，跳过”, never filed
  twice — also when two imports of the same file run at once (the constraint decides; the loser skips).
- Scope: only community staff/secretaries and street/district managers import, and each row's grid must lie in
  the importer's own grants; other grids are rejected row by row.
- One inbox message per grid for the batch instead of one per case; the daily rollup is rebuilt for the days
  the imported cases were reported on.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

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
from shanzhi.core.roles import COMMUNITY_ROLES, MANAGER_ROLES
from shanzhi.core.scope import prefixes_for_roles
from shanzhi.core.scoping import code_in_scope, prefix_q
from shanzhi.core.tabular import Limits, normalise
from shanzhi.notifications.services import notify
from shanzhi.regions.choices import Level as RegionLevel
from shanzhi.regions.models import Region
from shanzhi.registry.models import Building
from shanzhi.registry.validators import normalise_phone

from . import choices as c
from . import services
from .insight import rollup_build
from .models import Case, Category
from .services import _validate_extra, staff_at
from .workflow import ACCEPT_ROLES

IMPORT_ROLES = COMMUNITY_ROLES | MANAGER_ROLES
KIND = "cases"
MAX_ROWS = 10000
LIMITS = Limits(max_bytes=20 * 1024 * 1024, max_rows=MAX_ROWS, max_cols=80)
FUTURE_SLACK = dt.timedelta(minutes=5)
EARLIEST = dt.date(2000, 1, 1)
GRID_LEVELS = (RegionLevel.GRID, RegionLevel.MICRO_GRID)

COLUMNS: list[Col] = [
    Col("外部编号", "external_ref", "来源系统自己的编号，同一编号只导入一次；手工台账请加社区前缀；不填时按内容判断是否已导入",
        max_length=64, example="12345-20260501-0018"),
    Col("类别", "category", "必填：末级类别的名称或编码", required=True, max_length=60, example="路灯损坏"),
    Col("网格编码", "grid", "15 位网格代码或网格名称；填写了楼栋时可空", max_length=40, example="321002004001001"),
    Col("小区", "estate", "可空：楼栋重名时填写", max_length=100, example="玺园"),
    Col("楼栋", "building", "可空：网格内的楼栋名称", max_length=50, example="3栋"),
    Col("地址", "address", "", max_length=200, example="玺园3栋东侧路口"),
    Col("标题", "title", "必填，100 字以内", required=True, max_length=100, example="路灯不亮"),
    Col("描述", "description", "必填", required=True, max_length=4000, example="3栋东侧路灯连续三晚不亮"),
    Col("紧急程度", "urgency", "默认一般", kind="choice", choices=c.Urgency),
    Col("反映人姓名", "reporter_name", "", max_length=50, example="王先生"),
    Col("反映人电话", "reporter_phone", "手机 11 位或座机 区号-号码；加密保存，页面上只显示掩码", max_length=30,
        example="13812345678"),
    Col("纬度", "lat", "可空；与经度同时填写", kind="float", example="32.3652"),
    Col("经度", "lng", "可空", kind="float", example="119.4453"),
    Col("反映时间", "reported_at", "可空：默认为导入时间；不能晚于现在", kind="datetime", example="2026-05-01 14:30"),
]
REQUIRED = [col.header for col in COLUMNS if col.required]
HEADER = {col.field: col.header for col in COLUMNS}


# --- columns for the categories' extra fields ---------------------------------------------------------------

def _leaf_categories():
    return Category.objects.filter(active=True, children__isnull=True).order_by("code")


def _add_extra_field(by_label: dict, cat: Category, f: dict) -> None:
    """Record one extra field of a category under its label (skipped: no label, or a fixed column's header)."""
    label = str(f.get("label") or f.get("code") or "").strip()
    if not label or label in HEADER.values():
        return
    slot = by_label.setdefault(label, {"cats": [], "required": [], "options": []})
    slot["cats"].append(cat.name)
    if f.get("required"):
        slot["required"].append(cat.name)
    for v in f.get("values") or []:
        name = str(v.get("name") or v.get("key"))
        if name not in slot["options"]:
            slot["options"].append(name)


def _extra_column(label: str, slot: dict) -> Col:
    note = _("附加字段，用于：%(c)s") % {"c": "、".join(slot["cats"])}
    if slot["required"]:
        note += _("（%(c)s必填）") % {"c": "、".join(slot["required"])}
    return Col(label, f"extra:{label}", note, max_length=500, options=tuple(slot["options"]))


def extra_columns(categories=None) -> list[Col]:
    """One column per extra-field label that active leaf categories ask for (categories sharing a label share it)."""
    by_label: dict[str, dict] = {}
    for cat in categories if categories is not None else _leaf_categories():
        for f in cat.extra_fields or []:
            _add_extra_field(by_label, cat, f)
    return [_extra_column(label, slot) for label, slot in by_label.items()]


def import_template() -> bytes:
    return template_workbook(_("民情导入"), COLUMNS + extra_columns())


# --- lookups shared by the rows of one file ---------------------------------------------------------------------

class Context:
    """The actor's import scope, categories, grids and the buildings the file names (each fetched once)."""

    def __init__(self, actor, rows):
        self.actor = actor
        self.now = timezone.now()
        self.prefixes = prefixes_for_roles(actor, IMPORT_ROLES)
        cats = list(Category.objects.all().prefetch_related("children"))
        self.cat_by_code = {cat.code: cat for cat in cats}
        self.cat_by_name = defaultdict(list)
        for cat in cats:
            self.cat_by_name[cat.name].append(cat)
        self.grids = {r.code: r for r in Region.objects.filter(prefix_q("code", self.prefixes), level__in=GRID_LEVELS)}
        self.grid_by_name = defaultdict(list)
        for r in self.grids.values():
            self.grid_by_name[r.name].append(r)
        names = {v["building"] for _r, v, _e in rows if v.get("building")}
        self.buildings = defaultdict(list)
        if names:
            for b in Building.objects.filter(prefix_q("region_code", self.prefixes), name__in=names) \
                    .select_related("estate"):
                self.buildings[b.name].append(b)

    def category(self, raw: str) -> Category:
        header = HEADER["category"]
        found = self.cat_by_code.get(raw.strip()) or self.cat_by_code.get(raw.strip().lower())
        if found is None:
            named = self.cat_by_name.get(raw.strip(), [])
            if len(named) > 1:
                raise RowError(header, _("有 %(n)d 个名为“%(v)s”的类别，请填写类别编码：%(codes)s") % {
                    "n": len(named), "v": raw, "codes": "、".join(x.code for x in named)})
            found = named[0] if named else None
        if found is None:
            raise RowError(header, _("找不到类别“%(v)s”，请填写类别名称或编码（见模板说明或民情类别设置）") % {"v": raw})
        if not found.active:
            raise RowError(header, _("类别“%(v)s”已停用") % {"v": found.name})
        children = [x.name for x in found.children.all() if x.active]
        if children:
            raise RowError(header, _("“%(v)s”是大类，请填写具体类别，如：%(c)s") % {"v": found.name,
                                                                          "c": "、".join(children[:5])})
        return found

    def grid(self, raw: str) -> Region:
        header = HEADER["grid"]
        code = normalise(raw)
        if code.isdigit():
            found = self.grids.get(code)
            if found is not None:
                return found
            region = Region.objects.filter(code=code).first()
            if region is None:
                raise RowError(header, _("网格代码 %(c)s 不存在") % {"c": code})
            if region.level not in GRID_LEVELS:
                raise RowError(header, _("%(c)s（%(n)s）不是网格，请填写 15 位网格代码") % {"c": code, "n": region.name})
            raise RowError(header, _("网格 %(c)s（%(n)s）不在您的管辖范围内") % {"c": code, "n": region.name})
        named = self.grid_by_name.get(raw.strip(), [])
        if len(named) > 1:
            raise RowError(header, _("有 %(n)d 个名为“%(v)s”的网格，请填写网格代码") % {"n": len(named), "v": raw})
        if not named:
            raise RowError(header, _("在您的管辖范围内找不到网格“%(v)s”，请填写 15 位网格代码") % {"v": raw})
        return named[0]

    def place(self, values: dict) -> tuple[Region, Building | None]:
        grid = self.grid(values["grid"]) if values.get("grid") else None
        if not values.get("building"):
            return self._grid_only(grid, values), None
        building, label = self._building(grid, values)
        region = self.grids.get(building.region_code)
        if region is None:  # a building recorded on a community rather than a grid
            raise RowError(HEADER["building"], _("楼栋“%(b)s”没有划入网格，请填写网格编码") % {"b": label})
        return region, building

    @staticmethod
    def _grid_only(grid: Region | None, values: dict) -> Region:
        """The place of a row that names no building: its grid."""
        if grid is None:
            raise RowError(HEADER["grid"], _("请填写网格编码或楼栋"))
        if values.get("estate"):
            raise RowError(HEADER["building"], _("填写了小区时请同时填写楼栋"))
        return grid

    def _building(self, grid: Region | None, values: dict) -> tuple[Building, str]:
        """The one building the row names (within its estate and grid, if given), and its label."""
        name, estate = values["building"], values.get("estate")
        found = self.buildings.get(name, [])
        if estate:
            found = [b for b in found if b.estate_id and b.estate.name == estate]
        if grid is not None:
            found = [b for b in found if b.region_code == grid.code]
        where = grid.name if grid is not None else _("您的管辖范围")
        label = (estate or "") + name
        if not found:
            raise RowError(HEADER["building"], _("在%(w)s内找不到楼栋“%(b)s”，请核对楼栋名称或先在基础信息中登记") % {
                "w": where, "b": label})
        if len(found) > 1:
            raise RowError(HEADER["building"], _("%(w)s内有 %(n)d 个名为“%(b)s”的楼栋，请填写小区或网格编码") % {
                "w": where, "n": len(found), "b": label})
        return found[0], label


# --- checking rows ---------------------------------------------------------------------------------------------

@dataclass
class Row:
    row: int
    category: Category
    grid: Region
    building: Building | None
    fields: dict
    key: tuple  # ("ref", external_ref) or ("fp", fingerprint)


@dataclass
class Plan:
    new: list[Row] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)  # {"row", "message", "case": (pk, number) | None}
    errors: list[tuple[int, str, str]] = field(default_factory=list)


def _extra(category: Category, values: dict) -> dict:
    """The row's extra-field values for its category (list fields accept the shown name or the key)."""
    out = {}
    for f in category.extra_fields or []:
        label = str(f.get("label") or f.get("code"))
        value = (values.get(f"extra:{label}") or "").strip()
        for option in f.get("values") or []:
            if value and value == str(option.get("name")):
                value = str(option.get("key"))
        out[f["code"]] = value
    try:
        return _validate_extra(category, out)
    except ServiceError as e:
        label = next((str(f.get("label") or f["code"]) for f in category.extra_fields if f["code"] == e.field), "")
        raise RowError(label, e.user_message) from None


def _fingerprint(category, grid, building, fields) -> str:
    """A keyed hash (HMAC, as for ID numbers: it covers phone numbers) of what was reported, where and when."""
    parts = [category.code, grid.code, str(building.pk) if building else "", fields["address"], fields["title"],
             fields["description"], fields["reporter_name"], fields["reporter_phone"],
             fields["reported_at"].isoformat(timespec="minutes") if fields["reported_at"] else ""]
    return pii.blind_index("\x1f".join(" ".join(str(p).split()) for p in parts), purpose="case_import")


def _phone(values: dict) -> str:
    try:
        return normalise_phone(values.get("reporter_phone"))
    except ServiceError as e:
        raise RowError(HEADER["reporter_phone"], e.user_message) from None


def _coordinates(values: dict) -> tuple:
    """(lat, lng): both or neither, each within its range."""
    lat, lng = values.get("lat"), values.get("lng")
    if (lat is None) != (lng is None):
        raise RowError(HEADER["lng" if lat is not None else "lat"], _("纬度和经度要同时填写"))
    if lat is not None and not -90 <= lat <= 90:
        raise RowError(HEADER["lat"], _("纬度应在 -90 到 90 之间（现为 %(v)s），请检查是否与经度填反") % {"v": lat})
    if lng is not None and not -180 <= lng <= 180:
        raise RowError(HEADER["lng"], _("经度应在 -180 到 180 之间（现为 %(v)s）") % {"v": lng})
    return lat, lng


def _reported_at(ctx: Context, values: dict):
    """The report time, if given: not in the future nor before EARLIEST."""
    reported = values.get("reported_at")
    if reported is None:
        return None
    if reported > ctx.now + FUTURE_SLACK:
        raise RowError(HEADER["reported_at"], _("反映时间 %(t)s 晚于现在，请核对") % {
            "t": timezone.localtime(reported).strftime("%Y-%m-%d %H:%M")})
    if reported.date() < EARLIEST:
        raise RowError(HEADER["reported_at"], _("反映时间不合理，请写成 2026-05-01 14:30"))
    return reported


def _check(ctx: Context, row_no: int, values: dict) -> Row:
    category = ctx.category(values["category"])
    grid, building = ctx.place(values)
    if not code_in_scope(grid.code, ctx.prefixes):  # the grids of ctx are in scope; this guards the rule itself
        raise RowError(HEADER["grid"], _("网格 %(c)s 不在您的管辖范围内") % {"c": grid.code})
    phone = _phone(values)
    lat, lng = _coordinates(values)
    reported = _reported_at(ctx, values)
    fields = {"title": values["title"], "description": values["description"], "address": values.get("address") or "",
              "urgency": values.get("urgency") or c.Urgency.NORMAL, "reporter_name": values.get("reporter_name") or "",
              "reporter_phone": phone, "lat": lat, "lng": lng, "reported_at": reported,
              "extra": _extra(category, values)}
    ref = (values.get("external_ref") or "").strip()
    key = ("ref", ref) if ref else ("fp", _fingerprint(category, grid, building, fields))
    return Row(row_no, category, grid, building, fields, key)


def _plan(ctx: Context, parsed) -> Plan:
    plan = Plan()
    checked: list[Row] = []
    for row_no, values, errors in parsed:
        if errors:
            plan.errors += [(row_no, h, m) for h, m in errors]
            continue
        try:
            checked.append(_check(ctx, row_no, values))
        except RowError as e:
            plan.errors.append((row_no, e.header, e.message))
    # rows the file repeats: the same row again is skipped; the same 外部编号 with other content is an error
    first: dict[tuple, Row] = {}
    unique: list[Row] = []
    for r in checked:
        seen = first.get(r.key)
        if seen is None:
            first[r.key] = r
            unique.append(r)
        elif r.key[0] == "fp" or _same(seen, r):
            plan.skipped.append({"row": r.row, "message": _("与第 %(r)d 行相同，跳过") % {"r": seen.row}, "case": None})
        else:
            plan.errors.append((r.row, HEADER["external_ref"], _("外部编号 %(v)s 与第 %(r)d 行重复，但内容不同，请核对") % {
                "v": r.key[1], "r": seen.row}))
    existing = _existing(unique)
    visible = set(Case.objects.restrict(ctx.actor, "view").filter(pk__in=[x[0] for x in existing.values()])
                  .values_list("pk", flat=True))
    for r in unique:
        found = existing.get(r.key)
        if found is None:
            plan.new.append(r)
        elif found[0] in visible:
            plan.skipped.append({"row": r.row, "message": _("已导入，跳过（民情 %(n)s）") % {"n": found[1]},
                                 "case": list(found)})
        else:
            plan.errors.append((r.row, HEADER["external_ref"], _("外部编号 %(v)s 已被其他辖区导入的民情使用，请核对编号"
                                                                 "（手工台账请加社区前缀）") % {"v": r.key[1]}))
    return plan


def _same(a: Row, b: Row) -> bool:
    return (a.category.pk, a.grid.code, a.building and a.building.pk, a.fields) == \
        (b.category.pk, b.grid.code, b.building and b.building.pk, b.fields)


def _existing(rows: list[Row]) -> dict[tuple, tuple[int, str]]:
    """key → (pk, number) of cases already imported with that 外部编号 or content key."""
    refs = [r.key[1] for r in rows if r.key[0] == "ref"]
    fps = [r.key[1] for r in rows if r.key[0] == "fp"]
    out = {}
    for i in range(0, len(refs), 1000):
        for pk, number, ref in Case.objects.filter(channel=c.Channel.IMPORT, external_ref__in=refs[i:i + 1000]) \
                .values_list("pk", "number", "external_ref"):
            out[("ref", ref)] = (pk, number)
    for i in range(0, len(fps), 1000):
        for pk, number, fp in Case.objects.filter(import_fingerprint__in=fps[i:i + 1000]) \
                .values_list("pk", "number", "import_fingerprint"):
            out[("fp", fp)] = (pk, number)
    return out


# --- writing ---------------------------------------------------------------------------------------------------

def _commit(ctx: Context, plan: Plan, progress_id=None) -> list[dict]:
    """File the planned rows through case_create in one transaction. A row that someone else's import filed in
    the meantime (the unique constraint) is moved to the skipped list; any other failure undoes the whole batch."""
    created: list[dict] = []
    by_grid: Counter = Counter()
    total = len(plan.new)
    with transaction.atomic():
        for i, r in enumerate(plan.new):
            ref = r.key[1] if r.key[0] == "ref" else ""
            try:
                with transaction.atomic():
                    case = services.case_create(
                        actor=ctx.actor, category=r.category, channel=c.Channel.IMPORT, region_code=r.grid.code,
                        building=r.building, title=r.fields["title"], description=r.fields["description"],
                        urgency=r.fields["urgency"], address=r.fields["address"], lat=r.fields["lat"],
                        lng=r.fields["lng"], reporter_name=r.fields["reporter_name"],
                        reporter_phone=r.fields["reporter_phone"], extra=r.fields["extra"], now=ctx.now,
                        reported_at=r.fields["reported_at"], external_ref=ref,
                        import_fingerprint="" if ref else r.key[1], notify_staff=False)
            except IntegrityError:
                plan.skipped.append({"row": r.row, "message": _("已由另一次导入同时写入，跳过"), "case": None})
                continue
            except ServiceError as e:
                if e.field in ("external_ref", "import_fingerprint"):
                    plan.skipped.append({"row": r.row, "message": _("已导入，跳过"), "case": None})
                    continue
                raise ServiceError(_("第 %(r)d 行：%(m)s") % {"r": r.row, "m": e.user_message}) from None
            created.append({"row": r.row, "id": case.pk, "number": case.number, "title": case.title})
            by_grid[r.grid.code] += 1
            if progress_id and i % 50 == 0:
                progress_update(progress_id, done=i, total=total, message=_("正在写入"))
        _notify_batch(by_grid, actor=ctx.actor)
    return created


def _notify_batch(by_grid: Counter, *, actor) -> None:
    url = reverse("cases:list") + "?channel=" + c.Channel.IMPORT + "&state=" + c.State.REPORTED
    for code, n in by_grid.items():
        notify(recipients=staff_at(code, ACCEPT_ROLES), kind="case.new", url=url, actor=actor,
               title=_("批量导入了 %(n)d 件新民情待受理") % {"n": n})


def _rebuild_rollup(rows: list[Row]) -> None:
    """The hourly rollup covers the last two days; imported cases may have been reported long before."""
    days = [timezone.localdate(r.fields["reported_at"]) for r in rows if r.fields["reported_at"]]
    if days:
        rollup_build(start=min(days), end=max(days))


# --- the run ---------------------------------------------------------------------------------------------------

def import_run(*, actor, data: bytes, filename: str, dry_run: bool = False, region_code: str = "",
               progress_id=None) -> dict:
    """Check (and unless dry_run, file) one spreadsheet of cases. Returns the report:
    {"kind", "dry_run", "rows", "created", "skipped", "rejected", "errors": [{"row", "field", "message"}],
     "skips": [{"row", "message", "case"}], "cases": [{"row", "id", "number", "title"}]}.
    `region_code` is unused (each row names its grid); it is accepted for `shanzhi import`."""
    if not prefixes_for_roles(actor, IMPORT_ROLES):
        raise NotAllowed(_("只有社区工作人员、社区书记和街道、区级管理员可以批量导入民情"))
    cats = list(_leaf_categories())
    cols = COLUMNS + extra_columns(cats)
    table = IMPORTERS[KIND].read(data, filename)
    if len(table.rows) > MAX_ROWS:
        raise ServiceError(_("一次最多导入 %(n)d 行，请拆分文件") % {"n": MAX_ROWS}, field="file")
    parsed = parse_rows(cols, table, progress_id=progress_id, every=200)
    ctx = Context(actor, parsed)
    plan = _plan(ctx, parsed)
    created: list[dict] = []
    if not dry_run and plan.new:
        if progress_id:
            progress_update(progress_id, done=0, total=len(plan.new),
                            message=_("正在写入 %(n)d 件民情") % {"n": len(plan.new)})
        created = _commit(ctx, plan, progress_id)
        filed = {x["row"] for x in created}
        _rebuild_rollup([r for r in plan.new if r.row in filed])
    rejected = {e[0] for e in plan.errors}
    report = {
        "kind": KIND, "dry_run": dry_run, "rows": len(table.rows),
        "created": len(plan.new) if dry_run else len(created), "skipped": len(plan.skipped),
        "rejected": len(rejected),
        "errors": [{"row": r, "field": f, "message": m} for r, f, m in sorted(plan.errors, key=lambda e: e[0])],
        "skips": sorted(plan.skipped, key=lambda s: s["row"])[:1000],
        "cases": created[:1000],
    }
    if not dry_run:
        audit_log(actor=actor, action="case.import", object_repr=filename[:200],
                  after={k: report[k] for k in ("rows", "created", "skipped", "rejected")})
    return report


def register() -> None:
    register_importer(Importer(
        kind=KIND, label=_l("民情"), run=import_run, template=import_template,
        summary=(("created", _l("新增")), ("skipped", _l("已导入，跳过")), ("rejected", _l("有错误"))),
        needs_region=False, roles=frozenset(IMPORT_ROLES), columns=lambda: COLUMNS + extra_columns(),
        required=tuple(REQUIRED), limits=LIMITS, help_template="cases/partials/import_help.html",
        report_template="cases/partials/import_report.html", done_url="cases:list"))


