"""Reads of the registry, always with the actor and always through `restrict()` (out of scope is 404).

Lists return querysets so pages can paginate them; `*_get` return one object or raise Http404.
Personal numbers are never returned in plain text: use `person.id_number_masked` / `person.phone_masked`
(`services.person_reveal` is the only way to see a full value). Special-population records are read only
through `special_population_list`, which answers nothing to roles outside SPECIAL_ROLES.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from shanzhi.core.scope import scope_prefixes
from shanzhi.core.scoping import code_in_scope, prefix_q

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
from .search import (
    person_query,
    registry_search,  # noqa: F401 - re-exported: the one search box reads through here
)
from .services import id_number_hash


def _get(qs: QuerySet, pk):
    try:
        return qs.get(pk=pk)
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# --- persons -----------------------------------------------------------------------------------------

def _search_filter(value, actor) -> Q:

    return person_query(str(value))


def _age_min_filter(value, actor) -> Q:
    # age as shown (core.masking.age_of: this year − birth year), so a filter never tells more than the list
    return Q(birth_date__lt=datetime.date(datetime.date.today().year - int(value) + 1, 1, 1))


def _age_max_filter(value, actor) -> Q:
    return Q(birth_date__gte=datetime.date(datetime.date.today().year - int(value), 1, 1))


def _special_filter(value, actor) -> Q:
    special = SpecialPopulationRecord.objects.restrict(actor, "view").filter(category=value, active=True)
    return Q(pk__in=special.values("person_id"))


# filter name → (value, actor) → the Q it adds; each applied in its own .filter() call, in this order
PERSON_FILTERS: dict[str, Callable] = {
    "q": _search_filter,
    "region": lambda v, actor: prefix_q("region_code", [str(v)]),
    "residence_type": lambda v, actor: Q(residence_type=v),
    "sex": lambda v, actor: Q(sex=v),
    "building": lambda v, actor: Q(dwelling__building_id=v),
    "dwelling": lambda v, actor: Q(dwelling_id=v),
    "household": lambda v, actor: Q(household_id=v),
    "estate": lambda v, actor: Q(dwelling__building__estate_id=v),
    "care_tag": lambda v, actor: Q(care_tags__tag=v),
    "separated": lambda v, actor: Q(separated=str(v).lower() in {"1", "true", "yes", "on"}),
    "age_min": _age_min_filter,
    "age_max": _age_max_filter,
    "special": _special_filter,
}


def person_list(*, actor, filters: dict | None = None, action: str = "view") -> QuerySet[Person]:
    """Persons in scope. Filters: q, status ("living" by default, "all" for every status), residence_type,
    region (code prefix), estate, building, dwelling, household, care_tag, sex, age_min, age_max,
    separated, special (a SpecialCategory — only answers for SPECIAL_ROLES)."""
    f = {k: v for k, v in (filters or {}).items() if v not in (None, "", [])}
    qs = Person.objects.restrict(actor, action).select_related("dwelling__building__estate", "household")
    status = f.get("status", c.PersonStatus.LIVING)
    if status != "all":
        qs = qs.filter(status=status)
    for key, condition in PERSON_FILTERS.items():
        if key in f:
            qs = qs.filter(condition(f[key], actor))
    return qs.order_by("region_code", "name", "id")


ROSTER_COLUMNS = ("region_code", "name", "sex", "birth_date", "id_number_enc", "residence_type", "current_address")


def person_roster(*, actor, filters: dict | None = None) -> QuerySet[Person]:
    """The roster page's rows: `person_list` with only the columns its table shows, and no joins."""
    return person_list(actor=actor, filters=filters).select_related(None).only(*ROSTER_COLUMNS)


def person_get(*, actor, pk, action: str = "view") -> Person:
    return _get(Person.objects.restrict(actor, action).select_related("dwelling__building__estate", "household"), pk)


def person_by_id_number(*, actor, id_number: str) -> Person | None:
    """Exact lookup through the blind index (no decryption)."""
    h = id_number_hash(id_number)
    return Person.objects.restrict(actor, "view").filter(id_number_hash=h).first() if h else None


def person_possible_duplicates(*, actor, person: Person) -> QuerySet[Person]:
    """Other persons in scope with the same name and birth date (flagged for `person_merge`)."""
    if not person.birth_date:
        return Person.objects.none()
    return (Person.objects.restrict(actor, "view")
            .filter(name=person.name, birth_date=person.birth_date).exclude(pk=person.pk))


def duplicate_groups(*, actor, limit: int = 100) -> list[dict]:
    """[{"name", "birth_date", "count"}] of likely duplicates in scope, most first."""
    rows = (Person.objects.restrict(actor, "view").exclude(birth_date=None).values("name", "birth_date")
            .annotate(count=Count("id")).filter(count__gt=1).order_by("-count", "name")[:limit])
    return list(rows)


def person_timeline(*, actor, person: Person) -> QuerySet[RegistryEvent]:
    return RegistryEvent.objects.restrict(actor, "view").filter(person=person).select_related("actor")


def care_tags_of(*, actor, person: Person) -> QuerySet[CareTag]:
    return CareTag.objects.restrict(actor, "view").filter(person=person)


def may_change(*, actor, model, region_code: str) -> bool:
    """Whether the actor's grants let them change rows of `model` in `region_code` (its scope_roles)."""
    return code_in_scope(region_code, scope_prefixes(actor, model, "change"))


def merge_candidates(*, actor, person: Person, q: str, limit: int = 20) -> list[Person]:
    """Persons the actor may change that match the search box text `q` (the person search), other than
    `person`: the possible duplicates to merge into it. Deceased and moved-out persons are included."""
    if not (q or "").strip():
        return []
    qs = person_list(actor=actor, filters={"q": q.strip(), "status": "all"}, action="change").exclude(pk=person.pk)
    return list(qs[:limit])


def merge_duplicate_get(*, actor, pk) -> Person | None:
    """The duplicate picked for a merge, if the actor may change it (None when missing or out of scope)."""
    try:
        return (Person.objects.restrict(actor, "change").select_related("dwelling__building__estate", "household")
                .filter(pk=int(pk)).first())
    except (TypeError, ValueError):
        return None


def needs_list(*, actor, filters: dict | None = None) -> QuerySet[Need]:
    f = {k: v for k, v in (filters or {}).items() if v not in (None, "")}
    qs = Need.objects.restrict(actor, "view").select_related("person", "household")
    for key in ("status", "category", "person", "household"):
        if key in f:
            qs = qs.filter(**{key: f[key]})
    if "region" in f:
        qs = qs.filter(prefix_q("region_code", [str(f["region"])]))
    return qs.order_by("-created_at", "-id")


def special_population_list(*, actor, person: Person | None = None, filters: dict | None = None
                            ) -> QuerySet[SpecialPopulationRecord]:
    """Only SPECIAL_ROLES get rows; everyone else gets an empty queryset."""
    f = filters or {}
    qs = SpecialPopulationRecord.objects.restrict(actor, "view").select_related("person")
    if person is not None:
        qs = qs.filter(person=person)
    if f.get("category"):
        qs = qs.filter(category=f["category"])
    if f.get("active", True):
        qs = qs.filter(active=True)
    return qs.order_by("-since", "-id")


def can_see_special(actor) -> bool:
    return bool(scope_prefixes(actor, SpecialPopulationRecord, "view"))


# --- households, dwellings, buildings, estates, units -----------------------------------------------

def household_list(*, actor, filters: dict | None = None, action: str = "view") -> QuerySet[Household]:
    f = {k: v for k, v in (filters or {}).items() if v not in (None, "")}
    qs = (Household.objects.restrict(actor, action).select_related("head", "dwelling__building")
          .annotate(member_count=Count("members", filter=Q(members__status=c.PersonStatus.LIVING))))
    if not f.get("dissolved"):
        qs = qs.filter(dissolved=False)
    if "q" in f:
        qs = qs.filter(Q(household_number__startswith=f["q"]) | Q(head__name__startswith=f["q"]))
    if "region" in f:
        qs = qs.filter(prefix_q("region_code", [str(f["region"])]))
    for key in ("kind", "dwelling"):
        if key in f:
            qs = qs.filter(**{key: f[key]})
    if "building" in f:
        qs = qs.filter(dwelling__building_id=f["building"])
    return qs.order_by("household_number")


def household_get(*, actor, pk, action: str = "view") -> Household:
    return _get(Household.objects.restrict(actor, action).select_related("head", "dwelling__building__estate"), pk)


def household_members(*, actor, household: Household, include_gone: bool = False) -> QuerySet[Person]:
    qs = Person.objects.restrict(actor, "view").filter(household=household)
    if not include_gone:
        qs = qs.filter(status=c.PersonStatus.LIVING)
    return qs.order_by("relation_to_head", "birth_date", "id")


def household_timeline(*, actor, household: Household) -> QuerySet[RegistryEvent]:
    return RegistryEvent.objects.restrict(actor, "view").filter(household=household).select_related("actor",
                                                                                                    "person")


def dwelling_list(*, actor, filters: dict | None = None, action: str = "view") -> QuerySet[Dwelling]:
    f = {k: v for k, v in (filters or {}).items() if v not in (None, "")}
    qs = (Dwelling.objects.restrict(actor, action).select_related("building__estate")
          .annotate(resident_count=Count("residents", filter=Q(residents__status=c.PersonStatus.LIVING))))
    if "region" in f:
        qs = qs.filter(prefix_q("region_code", [str(f["region"])]))
    for key in ("building", "occupancy", "use", "entrance", "floor"):
        if key in f:
            qs = qs.filter(**{key: f[key]})
    if "estate" in f:
        qs = qs.filter(building__estate_id=f["estate"])
    return qs.order_by("building_id", "entrance", "floor", "room")


def dwelling_get(*, actor, pk, action: str = "view") -> Dwelling:
    return _get(Dwelling.objects.restrict(actor, action).select_related("building__estate", "owner"), pk)


def dwelling_residents(*, actor, dwelling: Dwelling) -> QuerySet[Person]:
    return (Person.objects.restrict(actor, "view").filter(dwelling=dwelling, status=c.PersonStatus.LIVING)
            .select_related("household").order_by("household_id", "relation_to_head", "id"))


def dwelling_timeline(*, actor, dwelling: Dwelling) -> QuerySet[RegistryEvent]:
    return RegistryEvent.objects.restrict(actor, "view").filter(dwelling=dwelling).select_related("actor", "person")


def estate_list(*, actor, filters: dict | None = None) -> QuerySet[Estate]:
    f = {k: v for k, v in (filters or {}).items() if v not in (None, "")}
    qs = Estate.objects.restrict(actor, "view").annotate(building_count=Count("buildings"))
    if "region" in f:
        qs = qs.filter(prefix_q("region_code", [str(f["region"])]))
    if "q" in f:
        qs = qs.filter(name__contains=f["q"])
    return qs.order_by("region_code", "name")


def estate_get(*, actor, pk, action: str = "view") -> Estate:
    return _get(Estate.objects.restrict(actor, action), pk)


def building_list(*, actor, filters: dict | None = None, action: str = "view") -> QuerySet[Building]:
    f = {k: v for k, v in (filters or {}).items() if v not in (None, "")}
    qs = (Building.objects.restrict(actor, action).select_related("estate", "captain")
          .annotate(dwelling_count=Count("dwellings")))
    if "region" in f:
        qs = qs.filter(prefix_q("region_code", [str(f["region"])]))
    if "estate" in f:
        qs = qs.filter(estate_id=f["estate"])
    if "building_type" in f:
        qs = qs.filter(building_type=f["building_type"])
    if "q" in f:
        qs = qs.filter(Q(name__contains=f["q"]) | Q(address__contains=f["q"]) | Q(estate__name__contains=f["q"]))
    return qs.order_by("region_code", "estate__name", "name", "id")


def building_get(*, actor, pk, action: str = "view") -> Building:
    return _get(Building.objects.restrict(actor, action).select_related("estate", "captain"), pk)


def building_floor_plan(*, actor, building: Building) -> dict:
    """The 楼盘表: floors (top first) × dwellings, each with occupancy, resident count and care-tag counts.

    {"building", "entrances": [1, 2], "floors": [{"floor": 6, "cells": [{"dwelling", "entrance", "room",
    "occupancy", "occupancy_label", "residents", "tags": {tag: n}, "tag_total"}]}], "occupancy_counts": {...},
    "residents": total, "dwellings": n}. A constant number of queries however big the building is.
    """
    dwellings = list(Dwelling.objects.restrict(actor, "view").filter(building=building)
                     .order_by("-floor", "entrance", "room"))
    living = Person.objects.restrict(actor, "view").filter(dwelling__building=building,
                                                           status=c.PersonStatus.LIVING)
    residents = dict(living.values_list("dwelling_id").annotate(n=Count("id")).order_by())
    tags: dict[int, dict[str, int]] = defaultdict(dict)
    tag_rows = (CareTag.objects.restrict(actor, "view")
                .filter(person__dwelling__building=building, person__status=c.PersonStatus.LIVING)
                .values_list("person__dwelling_id", "tag").annotate(n=Count("id")).order_by())
    for dwelling_id, tag, n in tag_rows:
        tags[dwelling_id][tag] = n
    labels = dict(c.Occupancy.choices)
    floors: dict[int, list] = {}
    occupancy_counts: dict[str, int] = defaultdict(int)
    for d in dwellings:
        occupancy_counts[d.occupancy] += 1
        floors.setdefault(d.floor, []).append({
            "dwelling": d, "entrance": d.entrance, "room": d.room, "occupancy": d.occupancy,
            "occupancy_label": labels.get(d.occupancy, d.occupancy), "residents": residents.get(d.pk, 0),
            "tags": tags.get(d.pk, {}), "tag_total": sum(tags.get(d.pk, {}).values()),
        })
    return {
        "building": building,
        "entrances": sorted({d.entrance for d in dwellings}) or list(range(1, building.entrances + 1)),
        "floors": [{"floor": f, "cells": cells} for f, cells in floors.items()],
        "occupancy_counts": dict(occupancy_counts),
        "residents": sum(residents.values()),
        "dwellings": len(dwellings),
    }


def unit_list(*, actor, filters: dict | None = None, action: str = "view") -> QuerySet[Unit]:
    f = {k: v for k, v in (filters or {}).items() if v not in (None, "")}
    qs = Unit.objects.restrict(actor, action).select_related("building", "dedicated_worker")
    if "region" in f:
        qs = qs.filter(prefix_q("region_code", [str(f["region"])]))
    if "kind" in f:
        qs = qs.filter(kind=f["kind"])
    if "building" in f:
        qs = qs.filter(building_id=f["building"])
    if "q" in f:
        qs = qs.filter(Q(name__contains=f["q"]) | Q(uscc=str(f["q"]).upper()))
    return qs.order_by("region_code", "name", "id")


def unit_get(*, actor, pk, action: str = "view") -> Unit:
    return _get(Unit.objects.restrict(actor, action).select_related("building", "dedicated_worker"), pk)


# --- moves awaiting approval ---------------------------------------------------------------------------

def move_request_list(*, actor, state: str | None = MoveRequest.State.PENDING) -> QuerySet[MoveRequest]:
    """Requests whose destination is in the actor's scope."""
    qs = MoveRequest.objects.restrict(actor, "view").select_related("person", "to_dwelling__building",
                                                                     "to_household", "requested_by")
    return (qs.filter(state=state) if state else qs).order_by("-created_at", "-id")


def move_request_get(*, actor, pk, action: str = "view") -> MoveRequest:
    return _get(MoveRequest.objects.restrict(actor, action).select_related("person", "to_dwelling",
                                                                            "to_household"), pk)


def move_requests_sent(*, actor) -> QuerySet[MoveRequest]:
    """Pending requests that move persons out of the actor's scope (the source side sees its own requests)."""
    prefixes = scope_prefixes(actor, Person, "change")
    if not prefixes:
        return MoveRequest.objects.none()
    return (MoveRequest.objects.filter(prefix_q("from_region_code", prefixes), state=MoveRequest.State.PENDING)
            .select_related("person").order_by("-created_at"))
