"""The one search box: persons by name, full pinyin or initials ("zsf" → 张三丰), full ID number or phone
(through the blind index, never decrypting), address; plus households (户号), dwellings, buildings, units.

Every branch is an index lookup: exact hashes, or prefix matches on indexed columns (PostgreSQL gets a
`varchar_pattern_ops` index for each `db_index` CharField, so `startswith` uses it). Scope comes first,
through `restrict()`.
"""

from __future__ import annotations

import re

from django.db.models import Q

from shanzhi.core.text import search_text

from . import choices as c
from .models import Building, Dwelling, Estate, Household, Person, Unit
from .services import id_number_hash, phone_hash
from .validators import normalise

_ID_RE = re.compile(r"^\d{15}$|^\d{17}[\dX]$")
_PHONE_RE = re.compile(r"^\d{7,12}$")
_LETTERS_RE = re.compile(r"^[a-z]+$")
_ADDRESS_HINT = re.compile(r"[\d号栋楼室单元路街巷弄村]")


def person_query(q: str) -> Q:
    """A Q for persons matching what was typed in the box."""
    raw = search_text(q)
    compact = normalise(raw)
    if _ID_RE.match(compact):
        return Q(id_number_hash=id_number_hash(compact))
    if _PHONE_RE.match(compact):
        return Q(phone_hash=phone_hash(compact))
    lower = compact.lower()
    if _LETTERS_RE.match(lower):
        return Q(name_initials__startswith=lower) | Q(name_pinyin__startswith=lower)
    query = Q(name__startswith=raw)
    if _ADDRESS_HINT.search(raw):
        query |= Q(current_address__contains=raw)
    return query


def registry_search(*, actor, q: str, limit: int = 10) -> dict[str, list]:
    """{"persons", "households", "dwellings", "buildings", "units", "estates"}: up to `limit` of each, in scope."""
    q = search_text(q)
    empty = {"persons": [], "households": [], "dwellings": [], "buildings": [], "units": [], "estates": []}
    if not q:
        return empty
    compact = normalise(q)
    persons = (Person.objects.restrict(actor, "view").filter(person_query(q))
               .exclude(status=c.PersonStatus.DECEASED).select_related("dwelling__building", "household")
               # Not ("name", "id"): PostgreSQL would walk the whole name index to find a rare prefix.
               .order_by("region_code", "name", "id")[:limit])
    households = (Household.objects.restrict(actor, "view").filter(household_number__startswith=compact)
                  .select_related("head").order_by("household_number")[:limit])
    text = Q(name__contains=q) | Q(address__contains=q)
    buildings = (Building.objects.restrict(actor, "view").filter(text | Q(estate__name__contains=q))
                 .select_related("estate").order_by("name")[:limit])
    estates = Estate.objects.restrict(actor, "view").filter(text).order_by("name")[:limit]
    dwellings = Dwelling.objects.none()
    if any(ch.isdigit() for ch in q):
        dwellings = (Dwelling.objects.restrict(actor, "view").filter(room=compact)
                     .select_related("building__estate").order_by("building_id", "entrance")[:limit])
    units = (Unit.objects.restrict(actor, "view").filter(Q(name__contains=q) | Q(uscc=compact))
             .order_by("name")[:limit])
    return {"persons": list(persons), "households": list(households), "dwellings": list(dwellings),
            "buildings": list(buildings), "units": list(units), "estates": list(estates)}
