"""Persons in the duplicate engine (core.similarity): possible double registrations for the merge page.

A person's keys are their name, its pinyin (同音字: 张叁/张三) and their birth date, the same building lifting
them as a place does for cases; candidates are persons of the same community whom the actor may change (never anyone else: residents
hold no registry role, so they get nothing), sharing the name, the pinyin, the birth date or the building, read
through the indexed columns (name, name_pinyin, birth_date). The engine scores them like cases and topics.
"""

from __future__ import annotations

from django.db.models import Q

from shanzhi.core.scope import user_roles
from shanzhi.core.scoping import COMMUNITY_CODE_LEN, prefix_q
from shanzhi.core.similarity import Candidate, Query, register_kind, suggest

from .models import EDIT_ROLES, Person

KIND = "person"
CAP = 200


def person_keys(p: Person) -> frozenset[str]:
    keys = {f"name:{p.name}"} if p.name else set()
    if p.name_pinyin:
        keys.add(f"pinyin:{p.name_pinyin}")
    if p.birth_date:
        keys.add(f"born:{p.birth_date:%Y-%m-%d}")
    return frozenset(keys)


def _building_of(p: Person):
    return p.dwelling.building_id if p.dwelling_id and p.dwelling else None


def person_candidates(actor, query: Query):
    if not (user_roles(actor) & set(EDIT_ROLES)) or len(query.region_code) < COMMUNITY_CODE_LEN:
        return
    person = query.extra["person"]
    same = Q(name=person.name)
    if person.name_pinyin:
        same |= Q(name_pinyin=person.name_pinyin)
    if person.birth_date:
        same |= Q(birth_date=person.birth_date)
    if query.building_id:
        same |= Q(dwelling__building_id=query.building_id)
    community = prefix_q("region_code", [query.region_code[:COMMUNITY_CODE_LEN]])
    rows = (Person.objects.restrict(actor, "change").filter(community).filter(same).exclude(pk=person.pk)
            .select_related("dwelling")[:CAP])
    for p in rows:
        yield Candidate(p, person_keys(p), same_building=bool(query.building_id and _building_of(p) == query.building_id))


def likely_duplicates(*, actor, person: Person, limit: int = 10) -> list[Person]:
    """Persons the actor may change who may be the same person registered twice, most likely first."""
    query = Query(text="", keys=person_keys(person), region_code=person.region_code, building_id=_building_of(person),
                  extra={"person": person})
    return [s.obj for s in suggest(KIND, actor=actor, query=query, limit=limit, threshold=0.4)]


def register() -> None:
    register_kind(KIND, person_candidates, "registry/partials/merge_candidate.html")
