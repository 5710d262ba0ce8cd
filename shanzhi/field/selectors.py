"""What the phone app reads: the worker's grids, the roster kept on the phone (masked), the day's work."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from shanzhi.cases.models import Category
from shanzhi.core.scope import prefixes_for_roles
from shanzhi.core.todo import TodoItem, todos_for
from shanzhi.regions.choices import Level
from shanzhi.regions.models import Region
from shanzhi.registry import choices as rc
from shanzhi.registry import selectors as registry
from shanzhi.registry.models import Person
from shanzhi.registry.services import household_number_suggest

from .models import FIELD_ROLES

ROSTER_LIMIT = 20000  # persons: far above a grid's few hundred households; a bigger scope is cut, and says so


def grids_of(*, actor) -> list[tuple[str, str]]:
    """(code, name) of the grids the worker serves: grid-level regions within their field grants."""
    prefixes = prefixes_for_roles(actor, FIELD_ROLES)
    if not prefixes:
        return []
    q = Q()
    for p in prefixes:
        q |= Q(code__startswith=p)
    return list(Region.objects.filter(q, level__in=[Level.GRID, Level.MICRO_GRID]).order_by("code")
                .values_list("code", "name"))


def _in_grids(codes: list[str]) -> Q:
    q = Q(pk__in=[])
    for code in codes:
        q |= Q(region_code__startswith=code)
    return q


def case_categories() -> list[tuple[str, str]]:
    return list(Category.objects.filter(active=True, children__isnull=True).order_by("code")
                .values_list("code", "name"))


def _dwelling_label(d) -> str:
    return _("%(b)s %(e)s单元 %(r)s") % {"b": d.building.name, "e": d.entrance, "r": d.room}


def roster(*, actor) -> dict:
    """The worker's grids as the phone keeps them for offline lookup: buildings, dwellings, households with their
    living members' names, ID numbers and phones masked (never the plain values), and the next free 户号 of
    each grid. Read through the registry's selectors, so it is what the worker's pages show."""
    grids = grids_of(actor=actor)
    codes = [g[0] for g in grids]
    within = _in_grids(codes)
    buildings = registry.building_list(actor=actor).filter(within)
    dwellings = registry.dwelling_list(actor=actor).filter(within).select_related("building")
    households = registry.household_list(actor=actor).filter(within)
    persons = (Person.objects.restrict(actor, "view").filter(within, status=rc.PersonStatus.LIVING,
                                                             household__isnull=False)
               .order_by("household_id", "pk")[:ROSTER_LIMIT])
    members: dict[int, list[dict]] = {}
    for p in persons:
        members.setdefault(p.household_id, []).append(
            {"id": p.pk, "name": p.name, "id_number": p.id_number_masked, "phone": p.phone_masked,
             "relation": p.get_relation_to_head_display()})
    return {
        "grids": [{"code": c, "name": n, "next_number": household_number_suggest(c)} for c, n in grids],
        "buildings": [{"id": b.pk, "name": b.name, "address": b.address, "region_code": b.region_code}
                      for b in buildings],
        "dwellings": [{"id": d.pk, "building": d.building_id, "label": _dwelling_label(d), "region_code": d.region_code}
                      for d in dwellings],
        "households": [{"id": h.pk, "number": h.household_number, "dwelling": h.dwelling_id,
                        "address": _dwelling_label(h.dwelling) if h.dwelling_id else "", "kind": h.kind,
                        "living_here": h.living_here, "version": h.version, "region_code": h.region_code,
                        "members": members.get(h.pk, [])} for h in households],
        "truncated": len(persons) >= ROSTER_LIMIT,
    }


def day_work(*, actor) -> list[TodoItem]:
    """The home's list: the person's to-dos (cases to accept or verify, 帮教 visits due this week, …)."""
    return list(todos_for(actor))
