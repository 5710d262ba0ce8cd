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


def _code_problems(code: str, allowed) -> list[tuple[str, str]]:

    if code and not code.isdigit():
        return [("代码", _("代码只能是数字：%(c)s") % {"c": code})]
    if code and allowed is not None and not code_in_scope(code, allowed):
        return [("代码", _("区域 %(c)s 不在您的管辖范围内") % {"c": code})]
    return []


def _level_of(code: str, level_raw: str):
    """The level named in the row, else the one the code's length implies (None: neither)."""
    return LEVEL_NAMES.get(level_raw) if level_raw else LEVEL_BY_LENGTH.get(len(code))


def _level_problems(code: str, level, level_raw: str) -> list[tuple[str, str]]:
    if level is None:
        return [("层级", _("无法识别层级“%(l)s”，应为市、区、街道、社区、村、网格或微网格") % {"l": level_raw})] if code else []
    if code.isdigit() and len(code) != CODE_LENGTH[level]:
        return [("代码", _("%(level)s的代码应为 %(n)d 位，而不是 %(m)d 位") % {
            "level": Level(level).label, "n": CODE_LENGTH[level], "m": len(code)})]
    return []


def _parent_of(code: str, level, parent_code: str) -> str:
    """The row's parent code, else the longest shorter code length's prefix of its code (below the city)."""
    if parent_code or not code or level in (None, Level.PROVINCE, Level.CITY) or len(code) <= 2:
        return parent_code
    return code[: max(n for n in CODE_LENGTH.values() if n < len(code))]


def _parent_problems(code: str, parent_code: str, known: set[str]) -> list[tuple[str, str]]:
    if not (parent_code and code):
        return []
    if not code.startswith(parent_code):
        return [("上级代码", _("代码 %(c)s 不以上级代码 %(p)s 开头") % {"c": code, "p": parent_code})]
    if parent_code not in known and not Region.objects.filter(code=parent_code).exists():
        return [("上级代码", _("上级代码 %(p)s 不存在，请先导入上级区域") % {"p": parent_code})]
    return []


def _number_problems(v: dict) -> list[tuple[str, str]]:
    return [(header, _("不能为负数")) for key, header in NUMBERS.items() if v.get(key) is not None and v[key] < 0]


def _check(row_no: int, v: dict, *, allowed, known: set[str], invalid: bool) -> tuple[dict | None, list[dict]]:
    """The row's region fields, or the errors that keep it out (`invalid`: a cell could not be read)."""
    code, level_raw = v.get("code") or "", v.get("level") or ""
    level = _level_of(code, level_raw)
    parent_code = _parent_of(code, level, v.get("parent_code") or "")
    problems = (_code_problems(code, allowed) + _level_problems(code, level, level_raw)
                + _parent_problems(code, parent_code, known) + _number_problems(v))
    errors = [{"row": row_no, "field": col, "message": message} for col, message in problems]
    if errors or invalid:
        return None, errors
    known.add(code)
    fields = {k: v.get(k) for k in UPDATABLE if k not in ("name", "boundary")}
    return {"code": code, "name": v["name"], "level": level, "parent_code": parent_code, **fields}, []


def _checked(parsed, report: dict, *, allowed, known: set[str]) -> list[dict]:
    """The rows that pass _check; the others are counted and their errors reported."""
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
    return good


def _extra(rec: dict) -> dict:
    """The updatable fields the row fills in, besides the name."""
    return {k: v for k, v in rec.items() if k in UPDATABLE and k != "name" and v not in (None, "")}


def _dry_outcome(rec: dict, cur: Region | None) -> str:
    if cur is None:
        return "created"
    changed = any(getattr(cur, k) != v for k, v in rec.items() if k in UPDATABLE and v not in (None, ""))
    return "updated" if changed else "unchanged"


def _write(actor, rec: dict, cur: Region | None) -> str:
    if cur is None:
        parent = Region.objects.get(code=rec["parent_code"]) if rec["parent_code"] else None
        region_create(actor=actor, code=rec["code"], name=rec["name"], level=rec["level"], parent=parent,
                      **_extra(rec))
        return "created"
    before = cur.version
    region_update(actor=actor, region=cur, name=rec["name"], **_extra(rec))
    return "updated" if cur.version != before else "unchanged"


def _write_all(actor, good: list[dict], existing: dict, report: dict, progress_id) -> None:
    with transaction.atomic():
        for i, rec in enumerate(good, start=1):
            if progress_id and i % 200 == 0:
                progress_update(progress_id, done=i, total=len(good), message=_("正在写入"))
            cur = existing.get(rec["code"]) or Region.objects.filter(code=rec["code"]).first()
            report[_write(actor, rec, cur)] += 1


def regions_import(*, actor, data: bytes, filename: str, dry_run: bool = False, region_code: str = "",
                   progress_id=None) -> dict:
    """Check (and unless dry_run, write) one region table. Returns the report {"kind", "dry_run", "rows",
    "created", "updated", "unchanged", "rejected", "errors"}; ServiceError for a file that can't be read."""
    allowed = scope_prefixes(actor, Region, "change") if actor is not None else None
    table = IMPORTERS[KIND].read(data, filename)
    parsed = sorted(parse_rows(COLUMNS, table, progress_id=progress_id, every=500),
                    key=lambda r: len(r[1].get("code") or ""))
    existing = {r.code: r for r in Region.objects.filter(code__in=[v.get("code") or "" for _n, v, _e in parsed])}
    report = {"kind": KIND, "dry_run": dry_run, "rows": len(parsed), "created": 0, "updated": 0, "unchanged": 0,
              "rejected": 0, "errors": []}
    good = _checked(parsed, report, allowed=allowed, known=set(existing))
    if dry_run:
        for rec in good:
            report[_dry_outcome(rec, existing.get(rec["code"]))] += 1
    else:
        _write_all(actor, good, existing, report, progress_id)
    return report


def register() -> None:
    register_importer(Importer(
        kind=KIND, label=_l("区域"), run=regions_import, template=import_template, needs_region=False,
        summary=(("created", _l("新增")), ("updated", _l("更新")), ("unchanged", _l("未变")), ("rejected", _l("有错误"))),
        roles=frozenset(MANAGER_ROLES) & frozenset(Region.scope_roles["change"]), columns=lambda: COLUMNS,
        required=("代码", "名称"), limits=LIMITS, done_url="regions:tree"))
