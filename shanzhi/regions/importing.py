"""Importing the region tree (代码, 名称, 层级, 上级代码 …) from a spreadsheet, as one `Importer` of the shared
pipeline (core.importing): the same pages, background task, limits and cell parsing as every other import.

Parents may come earlier in the same file or exist already. Valid rows are committed together; invalid rows
are reported by row and column and never written; importing the same file again changes nothing. With an
actor (the web page) only regions inside the actor's "change" scope are accepted; commands pass actor=None.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shanzhi.core.importing import IMPORTERS, Col, Importer, parse_rows, register_importer, template_workbook
from shanzhi.core.progress import progress_update
from shanzhi.core.roles import MANAGER_ROLES
from shanzhi.core.scope import scope_prefixes
from shanzhi.core.scoping import code_in_scope
from shanzhi.core.tabular import Limits

from .choices import CODE_LENGTH, LEVEL_BY_LENGTH, CommunityKind, CommunityType, HousingForm, Level
from .models import Region
from .services import LEVEL_NAMES, UPDATABLE, region_create, region_update

KIND = "regions"
LIMITS = Limits(max_bytes=10 * 1024 * 1024, max_rows=20_000, max_cols=40)
COLUMNS = [
    Col("代码", "code", "统计用区划代码：区 6 位、街道 9 位、社区 12 位、网格 15 位", required=True, max_length=20,
        example="321002004001"),
    Col("名称", "name", "必填", required=True, max_length=100, example="文昌花园社区"),
    Col("层级", "level", "可空：按代码长度识别", max_length=10, options=("区", "街道", "社区", "村", "网格", "微网格")),
    Col("上级代码", "parent_code", "可空：按代码推断", max_length=20),
    Col("社区类别", "community_kind", "", kind="choice", choices=CommunityKind),
    Col("社区类型", "community_type", "", kind="choice", choices=CommunityType),
    Col("居住形态", "housing_form", "", kind="choice", choices=HousingForm),
    Col("人口", "population", "数字", kind="int"),
    Col("户数", "households", "数字", kind="int"),
    Col("面积", "area_km2", "平方千米", kind="float"),
    Col("中心纬度", "centroid_lat", "", kind="float"),
    Col("中心经度", "centroid_lng", "", kind="float"),
]
NUMBERS = {"population": "人口", "households": "户数", "area_km2": "面积"}


def import_template() -> bytes:
    return template_workbook("区域导入", COLUMNS)


def _check(row_no: int, v: dict, *, allowed, known: set[str], invalid: bool) -> tuple[dict | None, list[dict]]:
    """The row's region fields, or the errors that keep it out (`invalid`: a cell could not be read)."""
    errors: list[dict] = []

    def err(col, message):
        errors.append({"row": row_no, "field": col, "message": message})

    code, level_raw, parent_code = v.get("code") or "", v.get("level") or "", v.get("parent_code") or ""
    if code and not code.isdigit():
        err("代码", _("代码只能是数字：%(c)s") % {"c": code})
    elif code and allowed is not None and not code_in_scope(code, allowed):
        err("代码", _("区域 %(c)s 不在您的管辖范围内") % {"c": code})
    level = LEVEL_NAMES.get(level_raw) if level_raw else LEVEL_BY_LENGTH.get(len(code))
    if level is None and code:
        err("层级", _("无法识别层级“%(l)s”，应为市、区、街道、社区、村、网格或微网格") % {"l": level_raw})
    elif code.isdigit() and len(code) != CODE_LENGTH[level]:
        err("代码", _("%(level)s的代码应为 %(n)d 位，而不是 %(m)d 位") % {
            "level": Level(level).label, "n": CODE_LENGTH[level], "m": len(code)})
    if not parent_code and code and level not in (None, Level.PROVINCE, Level.CITY) and len(code) > 2:
        parent_code = code[: max(n for n in CODE_LENGTH.values() if n < len(code))]
    if parent_code and code:
        if not code.startswith(parent_code):
            err("上级代码", _("代码 %(c)s 不以上级代码 %(p)s 开头") % {"c": code, "p": parent_code})
        elif parent_code not in known and not Region.objects.filter(code=parent_code).exists():
            err("上级代码", _("上级代码 %(p)s 不存在，请先导入上级区域") % {"p": parent_code})
    for key, header in NUMBERS.items():
        if v.get(key) is not None and v[key] < 0:
            err(header, _("不能为负数"))
    if errors or invalid:
        return None, errors
    known.add(code)
    fields = {k: v.get(k) for k in UPDATABLE if k not in ("name", "boundary")}
    return {"code": code, "name": v["name"], "level": level, "parent_code": parent_code, **fields}, []


def regions_import(*, actor, data: bytes, filename: str, dry_run: bool = False, region_code: str = "",
                   progress_id=None) -> dict:
    """Check (and unless dry_run, write) one region table. Returns the report {"kind", "dry_run", "rows",
    "created", "updated", "unchanged", "rejected", "errors"}; ServiceError for a file that can't be read."""
    allowed = scope_prefixes(actor, Region, "change") if actor is not None else None
    table = IMPORTERS[KIND].read(data, filename)
    parsed = sorted(parse_rows(COLUMNS, table, progress_id=progress_id, every=500),
                    key=lambda r: len(r[1].get("code") or ""))
    existing = {r.code: r for r in Region.objects.filter(code__in=[v.get("code") or "" for _n, v, _e in parsed])}
    known = set(existing)
    report = {"kind": KIND, "dry_run": dry_run, "rows": len(parsed), "created": 0, "updated": 0, "unchanged": 0,
              "rejected": 0, "errors": []}
    good: list[dict] = []
    for row_no, values, cell_errors in parsed:
        rec, errors = _check(row_no, values, allowed=allowed, known=known, invalid=bool(cell_errors))
        errors = [{"row": row_no, "field": h, "message": m} for h, m in cell_errors] + errors
        if errors:
            report["rejected"] += 1
            report["errors"].extend(errors)
        else:
            good.append(rec)
    report["errors"].sort(key=lambda e: e["row"])
    if dry_run:
        for rec in good:
            cur = existing.get(rec["code"])
            changed = cur is not None and any(getattr(cur, k) != v for k, v in rec.items()
                                              if k in UPDATABLE and v not in (None, ""))
            report["created" if cur is None else "updated" if changed else "unchanged"] += 1
        return report
    with transaction.atomic():
        for i, rec in enumerate(good, start=1):
            if progress_id and i % 200 == 0:
                progress_update(progress_id, done=i, total=len(good), message=_("正在写入"))
            cur = existing.get(rec["code"]) or Region.objects.filter(code=rec["code"]).first()
            extra = {k: v for k, v in rec.items() if k in UPDATABLE and k != "name" and v not in (None, "")}
            if cur is None:
                parent = Region.objects.get(code=rec["parent_code"]) if rec["parent_code"] else None
                region_create(actor=actor, code=rec["code"], name=rec["name"], level=rec["level"], parent=parent,
                              **extra)
                report["created"] += 1
            else:
                before = cur.version
                region_update(actor=actor, region=cur, name=rec["name"], **extra)
                report["updated" if cur.version != before else "unchanged"] += 1
    return report


def register() -> None:
    register_importer(Importer(
        kind=KIND, label=_l("区域"), run=regions_import, template=import_template, needs_region=False,
        summary=(("created", _l("新增")), ("updated", _l("更新")), ("unchanged", _l("未变")), ("rejected", _l("有错误"))),
        roles=frozenset(MANAGER_ROLES) & frozenset(Region.scope_roles["change"]), columns=lambda: COLUMNS,
        required=("代码", "名称"), limits=LIMITS, done_url="regions:tree"))
