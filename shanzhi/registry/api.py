"""Registry REST API (mounted at /api/registry/): persons, households, dwellings, buildings and units.

Scoped through the selectors with the "api" action (staff and department viewers), always masked (the
birth date as a birth year; see core.masking),
keyset-paginated (`?after=<last id>&limit=<≤200>`, answer `{"items", "next"}`), and limited to the
fields a department token allows. Out of scope is 404. Special-population records are not served here.
"""

from __future__ import annotations

from django.http import Http404
from ninja import Query, Router, Schema
from ninja.decorators import decorate_view

from shanzhi.core.params import RegionCode, RowId
from shanzhi.core.replica import reads_from_replica

from . import selectors as sel

router = Router(tags=["基础信息"])
MAX_LIMIT = 200


class Page(Schema):
    after: RowId | None = None
    limit: int = 50
    region: RegionCode | None = None
    q: str | None = None


class PersonOut(Schema):
    id: int
    name: str | None = None
    sex: str | None = None
    birth_year: int | None = None
    ethnicity: str | None = None
    id_type: str | None = None
    id_number: str | None = None
    phone: str | None = None
    residence_type: str | None = None
    separated: bool | None = None
    status: str | None = None
    household_id: int | None = None
    relation_to_head: str | None = None
    dwelling_id: int | None = None
    current_address: str | None = None
    registered_address: str | None = None
    political_status: str | None = None
    education: str | None = None
    employment: str | None = None
    marital_status: str | None = None
    region_code: str | None = None


class HouseholdOut(Schema):
    id: int
    household_number: str | None = None
    kind: str | None = None
    head_id: int | None = None
    dwelling_id: int | None = None
    registered_here: bool | None = None
    living_here: bool | None = None
    member_count: int | None = None
    region_code: str | None = None


class DwellingOut(Schema):
    id: int
    building_id: int | None = None
    entrance: int | None = None
    floor: int | None = None
    room: str | None = None
    area: float | None = None
    use: str | None = None
    occupancy: str | None = None
    resident_count: int | None = None
    region_code: str | None = None


class BuildingOut(Schema):
    id: int
    estate: str | None = None
    name: str | None = None
    address: str | None = None
    building_type: str | None = None
    floors: int | None = None
    entrances: int | None = None
    year_built: int | None = None
    lat: float | None = None
    lng: float | None = None
    region_code: str | None = None


class UnitOut(Schema):
    id: int
    name: str | None = None
    kind: str | None = None
    uscc: str | None = None
    address: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    employees: int | None = None
    region_code: str | None = None


def _page_schema(name: str, item):
    return type(name, (Schema,), {"__annotations__": {"items": list[item], "next": int | None}, "next": None})


PersonPage = _page_schema("PersonPage", PersonOut)
HouseholdPage = _page_schema("HouseholdPage", HouseholdOut)
DwellingPage = _page_schema("DwellingPage", DwellingOut)
BuildingPage = _page_schema("BuildingPage", BuildingOut)
UnitPage = _page_schema("UnitPage", UnitOut)


def _limit_fields(request, data: dict) -> dict:
    """A department token may allow only some fields; `id` is always there."""
    allowed = getattr(request.auth, "api_fields", None)
    if not allowed:
        return data
    if "birth_date" in allowed:  # tokens issued before the birth date became a birth year
        allowed = allowed | {"birth_year"}
    return {k: v for k, v in data.items() if k == "id" or k in allowed}


def _person(p) -> dict:
    return {"id": p.pk, "name": p.name, "sex": p.sex, "birth_year": p.birth_year, "ethnicity": p.ethnicity,
            "id_type": p.id_type, "id_number": p.id_number_masked, "phone": p.phone_masked,
            "residence_type": p.residence_type, "separated": p.separated, "status": p.status,
            "household_id": p.household_id, "relation_to_head": p.relation_to_head, "dwelling_id": p.dwelling_id,
            "current_address": p.current_address, "registered_address": p.registered_address,
            "political_status": p.political_status, "education": p.education, "employment": p.employment,
            "marital_status": p.marital_status, "region_code": p.region_code}


def _household(h) -> dict:
    return {"id": h.pk, "household_number": h.household_number, "kind": h.kind, "head_id": h.head_id,
            "dwelling_id": h.dwelling_id, "registered_here": h.registered_here, "living_here": h.living_here,
            "member_count": getattr(h, "member_count", None), "region_code": h.region_code}


def _dwelling(d) -> dict:
    return {"id": d.pk, "building_id": d.building_id, "entrance": d.entrance, "floor": d.floor, "room": d.room,
            "area": float(d.area) if d.area is not None else None, "use": d.use, "occupancy": d.occupancy,
            "resident_count": getattr(d, "resident_count", None), "region_code": d.region_code}


def _building(b) -> dict:
    return {"id": b.pk, "estate": b.estate.name if b.estate_id else "", "name": b.name, "address": b.address,
            "building_type": b.building_type, "floors": b.floors, "entrances": b.entrances,
            "year_built": b.year_built, "lat": b.lat, "lng": b.lng, "region_code": b.region_code}


def _unit(u) -> dict:
    return {"id": u.pk, "name": u.name, "kind": u.kind, "uscc": u.uscc, "address": u.address,
            "contact_name": u.contact_name, "contact_phone": u.contact_phone_masked, "employees": u.employees,
            "region_code": u.region_code}


def _page(request, qs, page: Page, to_dict) -> dict:
    limit = max(1, min(page.limit, MAX_LIMIT))
    qs = qs.order_by("pk")
    if page.after is not None:
        qs = qs.filter(pk__gt=page.after)
    rows = list(qs[:limit + 1])
    items = [_limit_fields(request, to_dict(o)) for o in rows[:limit]]
    return {"items": items, "next": rows[limit - 1].pk if len(rows) > limit else None}


def _one(request, qs, pk: int, to_dict) -> dict:
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise Http404
    return _limit_fields(request, to_dict(obj))


def _filters(page: Page, **extra) -> dict:
    return {"region": page.region, "q": page.q, **extra}


@router.get("/persons", response=PersonPage, exclude_unset=True, summary="人员列表（脱敏）")
@decorate_view(reads_from_replica)
def persons(request, page: Query[Page], status: str = "living", residence_type: str | None = None):
    qs = sel.person_list(actor=request.auth, filters=_filters(page, status=status, residence_type=residence_type),
                         action="api")
    return _page(request, qs, page, _person)


@router.get("/persons/{pk}", response=PersonOut, exclude_unset=True, summary="人员（脱敏）")
def person(request, pk: int):
    return _one(request, sel.person_list(actor=request.auth, filters={"status": "all"}, action="api"), pk, _person)


@router.get("/households", response=HouseholdPage, exclude_unset=True, summary="户列表")
def households(request, page: Query[Page]):
    return _page(request, sel.household_list(actor=request.auth, filters=_filters(page), action="api"), page,
                 _household)


@router.get("/households/{pk}", response=HouseholdOut, exclude_unset=True, summary="户")
def household(request, pk: int):
    return _one(request, sel.household_list(actor=request.auth, filters={"dissolved": True}, action="api"), pk,
                _household)


@router.get("/dwellings", response=DwellingPage, exclude_unset=True, summary="房屋列表")
def dwellings(request, page: Query[Page], building: int | None = None, occupancy: str | None = None):
    qs = sel.dwelling_list(actor=request.auth, filters=_filters(page, building=building, occupancy=occupancy),
                           action="api")
    return _page(request, qs, page, _dwelling)


@router.get("/dwellings/{pk}", response=DwellingOut, exclude_unset=True, summary="房屋")
def dwelling(request, pk: int):
    return _one(request, sel.dwelling_list(actor=request.auth, action="api"), pk, _dwelling)


@router.get("/buildings", response=BuildingPage, exclude_unset=True, summary="楼栋列表")
def buildings(request, page: Query[Page]):
    return _page(request, sel.building_list(actor=request.auth, filters=_filters(page), action="api"), page,
                 _building)


@router.get("/buildings/{pk}", response=BuildingOut, exclude_unset=True, summary="楼栋")
def building(request, pk: int):
    return _one(request, sel.building_list(actor=request.auth, action="api"), pk, _building)


@router.get("/units", response=UnitPage, exclude_unset=True, summary="驻区单位列表")
def units(request, page: Query[Page]):
    return _page(request, sel.unit_list(actor=request.auth, filters=_filters(page), action="api"), page, _unit)


@router.get("/units/{pk}", response=UnitOut, exclude_unset=True, summary="驻区单位")
def unit(request, pk: int):
    return _one(request, sel.unit_list(actor=request.auth, action="api"), pk, _unit)
