"""Test data: one registry object of each kind in a grid, for the route×role matrix and app tests.
Built with the ORM directly (test fixtures, not user writes)."""

from __future__ import annotations

import itertools

from django.contrib.auth import get_user_model

from shanzhi.core.pii import blind_index, encrypt

from . import choices as c
from .models import (
    Building,
    CareTag,
    ChangeBatch,
    ChangeRequest,
    Dwelling,
    Estate,
    Household,
    MoveRequest,
    Need,
    Person,
    SpecialPopulationRecord,
    Unit,
)

_seq = itertools.count(1)


def estate_in(code: str, owner=None) -> Estate:
    return Estate.objects.create(region_code=code[:12], name=f"测试小区{next(_seq)}")


def building_in(code: str, owner=None, **fields) -> Building:
    n = next(_seq)
    fields = {"floors": 6, "entrances": 1, **fields}
    return Building.objects.create(region_code=code, name=f"{n}栋", address=f"测试路{n}号", **fields)


def dwelling_in(code: str, owner=None, *, building=None, **fields) -> Dwelling:
    building = building or building_in(code)
    fields.setdefault("floor", 1)
    fields.setdefault("room", f"{fields['floor']}{next(_seq) % 100:02d}")
    return Dwelling.objects.create(region_code=code, building=building, **fields)


def household_in(code: str, owner=None, *, dwelling=None, **fields) -> Household:
    dwelling = dwelling or dwelling_in(code)
    return Household.objects.create(region_code=code, household_number=f"T{code}{next(_seq):05d}", dwelling=dwelling,
                                    **fields)


def person_in(code: str, owner=None, *, household=None, name="张三丰", id_number="", phone="", **fields) -> Person:
    household = household or household_in(code)
    person = Person.objects.create(
        region_code=code, name=name, name_pinyin=fields.pop("name_pinyin", "zhangsanfeng"),
        name_initials=fields.pop("name_initials", "zsf"), household=household, dwelling=household.dwelling,
        id_number_enc=encrypt(id_number), id_number_hash=blind_index(id_number, purpose="id_number"),
        phone_enc=encrypt(phone), phone_hash=blind_index(phone, purpose="phone"),
        relation_to_head=fields.pop("relation_to_head", c.Relation.HEAD), **fields)
    if household.head_id is None:
        household.head = person
        household.save(update_fields=["head"])
    return person


def unit_in(code: str, owner=None, **fields) -> Unit:
    return Unit.objects.create(region_code=code, name=f"测试单位{next(_seq)}", **fields)


def care_tag_in(code: str, owner=None, *, person=None, tag=c.CareTagKind.ELDERLY_ALONE) -> CareTag:
    person = person or person_in(code)
    return CareTag.objects.create(region_code=code, person=person, tag=tag)


def need_in(code: str, owner=None, *, person=None) -> Need:
    person = person or person_in(code)
    return Need.objects.create(region_code=code, person=person, category=c.NeedCategory.ELDERLY_CARE)


def special_in(code: str, owner=None, *, person=None) -> SpecialPopulationRecord:
    person = person or person_in(code)
    return SpecialPopulationRecord.objects.create(region_code=code, person=person,
                                                  category=c.SpecialCategory.COMMUNITY_CORRECTION,
                                                  support_plan="测试帮教方案")


def move_request_in(code: str, owner=None) -> MoveRequest:
    """A pending move of a person from elsewhere into a dwelling of grid `code`."""
    person = person_in("321002005001001" if not code.startswith("321002005") else "321002004001001")
    dwelling = dwelling_in(code)
    return MoveRequest.objects.create(region_code=code, person=person, from_region_code=person.region_code,
                                      to_dwelling=dwelling)


def change_request_in(code: str, owner=None) -> ChangeRequest:
    """A pending change of a person's workplace in grid `code`, proposed by `owner`."""
    person = person_in(code, name="周七")
    return ChangeRequest.objects.create(region_code=code, target_type="person", target_id=person.pk,
                                        target_label=person.name, base_version=person.version, requested_by=owner,
                                        diff=[{"field": "workplace", "old": "", "new": "扬州市某公司"}])


def change_batch_in(code: str, owner=None) -> ChangeBatch:
    """A round-trip import's batch (a draft with one changed row) uploaded by `owner`."""
    if owner is None:
        owner = get_user_model().objects.create(username=f"batch-owner-{next(_seq)}")
    batch = ChangeBatch.objects.create(region_code=code, created_by=owner, filename="roster.xlsx", rows=1)
    req = change_request_in(code, owner)
    ChangeRequest.objects.filter(pk=req.pk).update(batch=batch, state="draft", source="import", row_no=3)
    return batch


MATRIX_FACTORIES = {
    ChangeRequest: change_request_in,
    ChangeBatch: change_batch_in,
    MoveRequest: move_request_in,
    Estate: estate_in,
    Building: building_in,
    Dwelling: dwelling_in,
    Household: household_in,
    Person: person_in,
    Unit: unit_in,
    CareTag: care_tag_in,
    Need: need_in,
    SpecialPopulationRecord: special_in,
}
