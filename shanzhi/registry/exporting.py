"""Streamed XLSX export of filtered registry lists: scoped (the "export" action), masked, audited.

`<kind>_export_rows(*, actor, filters)` writes the audit row at once and returns a generator of rows
matching `EXPORT_HEADERS[kind]`; `export_response(*, actor, kind, filters)` wraps it in a streamed XLSX
download (shanzhi/core/export.py). Special-population records are never exported.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.utils import timezone

from shanzhi.audit.services import audit_log
from shanzhi.core.export import xlsx_response

from . import selectors as sel

CHUNK = 2000
EXPORT_HEADERS = {
    "persons": ["姓名", "证件号码", "性别", "出生年份", "民族", "联系电话", "人口类型", "人户分离", "户号", "与户主关系",
                "小区", "楼栋", "单元", "房号", "现住址", "政治面貌", "文化程度", "就业状况", "婚姻状况", "关爱标签",
                "状态", "网格代码"],
    "households": ["户号", "户类型", "户主", "在住人数", "小区", "楼栋", "单元", "房号", "户籍在本地", "在本地居住", "网格代码"],
    "dwellings": ["小区", "楼栋", "单元", "楼层", "房号", "建筑面积", "用途", "房屋状态", "产权人姓名", "在住人数", "网格代码"],
    "buildings": ["小区", "楼栋", "地址", "类型", "层数", "单元数", "建成年份", "房屋数", "网格代码"],
    "units": ["单位名称", "单位类型", "统一社会信用代码", "地址", "联系人", "联系电话", "从业人数", "网格代码"],
}
KIND_LABELS = {"persons": "人员", "households": "户", "dwellings": "房屋", "buildings": "楼栋", "units": "驻区单位"}


def _audit(actor, kind: str, filters: dict | None, count: int) -> None:
    audit_log(actor=actor, action=f"registry.export.{kind}", object_repr=KIND_LABELS[kind],
              after={"filters": {k: str(v) for k, v in (filters or {}).items()}, "rows": count})


def _estate_building(d) -> tuple[str, str]:
    if d is None:
        return "", ""
    b = d.building
    return (b.estate.name if b.estate_id else ""), b.name


def person_export_rows(*, actor, filters: dict | None = None) -> Iterator[list]:
    qs = sel.person_list(actor=actor, filters=filters, action="export").prefetch_related("care_tags")
    _audit(actor, "persons", filters, qs.count())

    def rows():
        for p in qs.iterator(chunk_size=CHUNK):
            d = p.dwelling
            estate, building = _estate_building(d)
            yield [p.name, p.id_number_masked, p.get_sex_display(), p.birth_year or "",
                   p.ethnicity, p.phone_masked, p.get_residence_type_display(), p.separated,
                   p.household.household_number if p.household_id else "", p.get_relation_to_head_display(),
                   estate, building, d.entrance if d else "", d.room if d else "", p.current_address,
                   p.get_political_status_display(), p.get_education_display(), p.get_employment_display(),
                   p.get_marital_status_display(), "、".join(t.get_tag_display() for t in p.care_tags.all()),
                   p.get_status_display(), p.region_code]

    return rows()


def household_export_rows(*, actor, filters: dict | None = None) -> Iterator[list]:
    qs = sel.household_list(actor=actor, filters=filters, action="export").select_related(
        "dwelling__building__estate")
    _audit(actor, "households", filters, qs.count())

    def rows():
        for h in qs.iterator(chunk_size=CHUNK):
            d = h.dwelling
            estate, building = _estate_building(d)
            yield [h.household_number, h.get_kind_display(), h.head.name if h.head_id else "", h.member_count,
                   estate, building, d.entrance if d else "", d.room if d else "", h.registered_here, h.living_here,
                   h.region_code]

    return rows()


def dwelling_export_rows(*, actor, filters: dict | None = None) -> Iterator[list]:
    qs = sel.dwelling_list(actor=actor, filters=filters, action="export")
    _audit(actor, "dwellings", filters, qs.count())

    def rows():
        for d in qs.iterator(chunk_size=CHUNK):
            estate, building = _estate_building(d)
            yield [estate, building, d.entrance, d.floor, d.room, float(d.area) if d.area is not None else None,
                   d.get_use_display(), d.get_occupancy_display(), d.owner_name, d.resident_count, d.region_code]

    return rows()


def building_export_rows(*, actor, filters: dict | None = None) -> Iterator[list]:
    qs = sel.building_list(actor=actor, filters=filters, action="export")
    _audit(actor, "buildings", filters, qs.count())

    def rows():
        for b in qs.iterator(chunk_size=CHUNK):
            yield [b.estate.name if b.estate_id else "", b.name, b.address, b.get_building_type_display(), b.floors,
                   b.entrances, b.year_built, b.dwelling_count, b.region_code]

    return rows()


def unit_export_rows(*, actor, filters: dict | None = None) -> Iterator[list]:
    qs = sel.unit_list(actor=actor, filters=filters, action="export")
    _audit(actor, "units", filters, qs.count())

    def rows():
        for u in qs.iterator(chunk_size=CHUNK):
            yield [u.name, u.get_kind_display(), u.uscc, u.address, u.contact_name, u.contact_phone_masked,
                   u.employees, u.region_code]

    return rows()


EXPORTERS = {"persons": person_export_rows, "households": household_export_rows, "dwellings": dwelling_export_rows,
             "buildings": building_export_rows, "units": unit_export_rows}


def export_response(*, actor, kind: str, filters: dict | None = None):
    """A streamed XLSX download of the filtered list."""
    rows = EXPORTERS[kind](actor=actor, filters=filters)
    name = f"{KIND_LABELS[kind]}-{timezone.localdate():%Y%m%d}.xlsx"
    return xlsx_response(name, EXPORT_HEADERS[kind], rows, sheet=KIND_LABELS[kind])
