"""Writes to the region tree."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from shanzhi.audit.services import audit_log
from shanzhi.core.errors import ConflictError, ServiceError
from shanzhi.core.scope import scope_prefixes
from shanzhi.core.scoping import code_in_scope
from shanzhi.core.tabular import TableError, read_table

from .choices import CODE_LENGTH, LEVEL_BY_LENGTH, CommunityKind, CommunityType, HousingForm, Level
from .models import Region


def choice_lookup(choices) -> dict[str, str]:
    """What people type in a spreadsheet cell → choice value: the value, the Chinese label (whatever language
    is active) and the label without its parenthesis ("改造型(村改居)" → "改造型")."""
    with translation.override("zh-hans"):
        labels = [(v, str(label)) for v, label in choices]
    return {v: v for v, _l in labels} | {label: v for v, label in labels} | {
        label.split("(")[0]: v for v, label in labels}


LEVEL_NAMES = choice_lookup(Level.choices) | {
    "区": Level.DISTRICT, "县": Level.DISTRICT, "街道": Level.STREET, "乡镇": Level.STREET, "镇": Level.STREET,
    "社区": Level.COMMUNITY, "村": Level.COMMUNITY,
}
UPDATABLE = ["name", "community_kind", "community_type", "housing_form", "boundary", "centroid_lat",
             "centroid_lng", "area_km2", "population", "households"]


def validate_code(code: str, level: str, parent: Region | None) -> None:
    if not code.isdigit():
        raise ServiceError(_("区划代码只能是数字"), field="code")
    if len(code) != CODE_LENGTH[level]:
        raise ServiceError(_("“%(level)s”的代码应为 %(n)d 位") % {"level": Level(level).label, "n": CODE_LENGTH[level]},
                           field="code")
    if parent is not None and not code.startswith(parent.code):
        raise ServiceError(_("代码 %(code)s 不以上级代码 %(parent)s 开头") % {"code": code, "parent": parent.code},
                           field="code")
    if parent is not None and LEVEL_BY_LENGTH.get(len(parent.code)) is None:
        raise ServiceError(_("上级区域层级无效"), field="parent")


@transaction.atomic
def region_create(*, actor, code: str, name: str, level: str, parent: Region | None = None, **fields) -> Region:
    code = code.strip()
    validate_code(code, level, parent)
    if Region.objects.filter(code=code).exists():
        raise ServiceError(_("区划代码 %(code)s 已存在") % {"code": code}, field="code")
    region = Region(code=code, name=name.strip(), level=level, parent=parent, **fields)
    region.full_clean()
    region.save()
    audit_log(actor=actor, action="region.create", obj=region, after={"code": code, "name": name, "level": level})
    return region


@transaction.atomic
def region_update(*, actor, region: Region, version: int | None = None, **fields) -> Region:
    changed = {k: v for k, v in fields.items() if k in UPDATABLE and getattr(region, k) != v}
    if not changed:
        return region
    before = {k: getattr(region, k) for k in changed}
    expected = region.version if version is None else version
    n = Region.objects.filter(pk=region.pk, version=expected).update(version=expected + 1)
    if n != 1:
        raise ConflictError()
    for k, v in changed.items():
        setattr(region, k, v)
    region.version = expected + 1
    region.full_clean()
    region.save(update_fields=[*changed, "version"])
    audit_log(actor=actor, action="region.update", obj=region, before=before, after=changed)
    return region


# ---- import -------------------------------------------------------------------------------------------
HEADERS = ["代码", "名称", "层级", "上级代码", "社区类别", "社区类型", "居住形态", "人口", "户数", "面积", "中心纬度",
           "中心经度"]


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return self.__dict__ | {"errors": self.errors}


def _choice(value: str, choices, row: int, col: str, errors: list) -> str:
    if not value:
        return ""
    lookup = choice_lookup(choices)
    if value in lookup:
        return lookup[value]
    errors.append({"row": row, "field": col, "message": _("“%(v)s”不是有效的%(col)s") % {"v": value, "col": col}})
    return ""


def _number(value: str, row: int, col: str, errors: list, kind=int):
    if not value:
        return None
    try:
        n = kind(value.replace(",", ""))
    except ValueError:
        errors.append({"row": row, "field": col, "message": _("“%(v)s”不是数字") % {"v": value}})
        return None
    if n < 0:
        errors.append({"row": row, "field": col, "message": _("不能为负数")})
        return None
    return n


def regions_import(*, actor, data: bytes, filename: str, dry_run: bool = False, on_progress=None) -> ImportReport:
    """Load a region tree from CSV/XLSX (代码, 名称, 层级, 上级代码 …). Parents may come earlier in the
    same file or exist already. Valid rows are committed together; invalid rows are reported by row and
    field and never written; importing the same file again changes nothing. With an actor (the web
    page), only regions inside the actor's "change" scope are accepted; commands pass actor=None.
    `on_progress(done, total)` is called while rows are checked and written."""
    report = ImportReport()
    allowed = scope_prefixes(actor, Region, "change") if actor is not None else None
    progress = on_progress or (lambda done, total: None)
    try:
        table = read_table(data, filename, HEADERS, required=["代码", "名称"])
    except TableError as e:
        report.errors.append({"row": 0, "field": "", "message": str(e)})
        report.rejected = 1
        return report
    rows = sorted(table.rows, key=lambda r: len(r[1].get("代码", "")))
    existing = {r.code: r for r in Region.objects.filter(code__in=[r.get("代码", "") for _n, r in rows])}
    known_codes = set(existing)
    parsed: list[tuple[int, dict]] = []
    total = len(rows) * (1 if dry_run else 2)
    progress(0, total)
    for row_no, rec in rows:
        report.rows += 1
        if report.rows % 200 == 0:
            progress(report.rows, total)
        errors: list[dict] = []
        code = rec.get("代码", "").strip()
        name = rec.get("名称", "").strip()
        level_raw = rec.get("层级", "").strip()
        parent_code = rec.get("上级代码", "").strip()
        if not code:
            errors.append({"row": row_no, "field": "代码", "message": _("代码不能为空")})
        elif not code.isdigit():
            errors.append({"row": row_no, "field": "代码", "message": _("代码只能是数字：%(c)s") % {"c": code}})
        elif allowed is not None and not code_in_scope(code, allowed):
            errors.append({"row": row_no, "field": "代码",
                           "message": _("区域 %(c)s 不在您的管辖范围内") % {"c": code}})
        if not name:
            errors.append({"row": row_no, "field": "名称", "message": _("名称不能为空")})
        level = LEVEL_NAMES.get(level_raw) if level_raw else LEVEL_BY_LENGTH.get(len(code))
        if level is None:
            errors.append({"row": row_no, "field": "层级",
                           "message": _("无法识别层级“%(l)s”，应为市、区、街道、社区、村、网格或微网格") % {"l": level_raw}})
        elif code.isdigit() and len(code) != CODE_LENGTH[level]:
            errors.append({"row": row_no, "field": "代码", "message": _("%(level)s的代码应为 %(n)d 位，而不是 %(m)d 位") % {
                "level": Level(level).label, "n": CODE_LENGTH[level], "m": len(code)}})
        if not parent_code and code and level not in (None, Level.PROVINCE, Level.CITY):
            parent_code = code[: max(n for n in CODE_LENGTH.values() if n < len(code))] if len(code) > 2 else ""
        if parent_code:
            if not code.startswith(parent_code):
                errors.append({"row": row_no, "field": "上级代码",
                               "message": _("代码 %(c)s 不以上级代码 %(p)s 开头") % {"c": code, "p": parent_code}})
            elif parent_code not in known_codes and not Region.objects.filter(code=parent_code).exists():
                errors.append({"row": row_no, "field": "上级代码",
                               "message": _("上级代码 %(p)s 不存在，请先导入上级区域") % {"p": parent_code}})
        fields = {
            "community_kind": _choice(rec.get("社区类别", ""), CommunityKind.choices, row_no, "社区类别", errors),
            "community_type": _choice(rec.get("社区类型", ""), CommunityType.choices, row_no, "社区类型", errors),
            "housing_form": _choice(rec.get("居住形态", ""), HousingForm.choices, row_no, "居住形态", errors),
            "population": _number(rec.get("人口", ""), row_no, "人口", errors),
            "households": _number(rec.get("户数", ""), row_no, "户数", errors),
            "area_km2": _number(rec.get("面积", ""), row_no, "面积", errors, float),
            "centroid_lat": _number(rec.get("中心纬度", ""), row_no, "中心纬度", errors, float),
            "centroid_lng": _number(rec.get("中心经度", ""), row_no, "中心经度", errors, float),
        }
        if errors:
            report.rejected += 1
            report.errors.extend(errors)
            continue
        known_codes.add(code)
        parsed.append((row_no, {"code": code, "name": name, "level": level, "parent_code": parent_code, **fields}))
    if dry_run:
        for _row, rec in parsed:
            cur = existing.get(rec["code"])
            if cur is None:
                report.created += 1
            elif any(getattr(cur, k) != v for k, v in rec.items() if k in UPDATABLE and v not in (None, "")):
                report.updated += 1
            else:
                report.unchanged += 1
        return report
    with transaction.atomic():
        for i, (_row, rec) in enumerate(parsed, start=1):
            if i % 200 == 0:
                progress(len(rows) + i, total)
            cur = existing.get(rec["code"]) or Region.objects.filter(code=rec["code"]).first()
            extra = {k: v for k, v in rec.items() if k in UPDATABLE and k != "name" and v not in (None, "")}
            if cur is None:
                parent = Region.objects.get(code=rec["parent_code"]) if rec["parent_code"] else None
                region_create(actor=actor, code=rec["code"], name=rec["name"], level=rec["level"], parent=parent,
                              **extra)
                report.created += 1
            else:
                before_version = cur.version
                region_update(actor=actor, region=cur, name=rec["name"], **extra)
                if cur.version != before_version:
                    report.updated += 1
                else:
                    report.unchanged += 1
    return report
