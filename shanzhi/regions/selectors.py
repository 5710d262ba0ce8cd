"""Reads of the region tree, always with the actor."""

from __future__ import annotations

from django.db.models import QuerySet

from shanzhi.core.scope import scope_prefixes
from shanzhi.core.scoping import minimal_prefixes, prefix_q

from .models import Region


def region_roots(*, actor) -> QuerySet[Region]:
    """The top nodes of the actor's scope (one per grant, minus nested ones)."""
    return Region.objects.filter(code__in=minimal_prefixes(scope_prefixes(actor, Region, "view")))


def region_children(*, actor, region: Region) -> QuerySet[Region]:
    return Region.objects.restrict(actor, "view").filter(parent=region).order_by("code")


def region_subtree(*, actor, region: Region, level: str | None = None) -> QuerySet[Region]:
    qs = Region.objects.restrict(actor, "view").filter(prefix_q("code", [region.code]))
    return qs.filter(level=level) if level else qs


def region_breadcrumbs(*, actor, region: Region) -> list[Region]:
    """Ancestors inside the actor's scope, then the region itself."""
    codes = region.ancestor_codes
    visible = Region.objects.restrict(actor, "view").filter(code__in=codes)
    return [*visible.order_by("code"), region]


def region_place(*, code: str) -> str:
    """"曲江街道 · 玺园社区 · 玺园第1网格": the names of a record's region from the street down, for the
    people who handle a record they may see (a department's staff hold no grant on the grid itself)."""
    cuts = [n for n in (9, 12, 15, 18) if n <= len(code)]
    names = dict(Region.objects.filter(code__in=[code[:n] for n in cuts]).values_list("code", "name"))
    return " · ".join(names[code[:n]] for n in cuts if code[:n] in names) or code


def region_search(*, actor, q: str, limit: int = 20) -> QuerySet[Region]:
    qs = Region.objects.restrict(actor, "view")
    if q.isdigit():
        return qs.filter(code__startswith=q)[:limit]
    return qs.filter(name__contains=q)[:limit]


def region_geojson(*, actor, region: Region) -> dict:
    """A FeatureCollection of the region and its children that have a boundary."""
    features = []
    for r in [region, *region_children(actor=actor, region=region)]:
        if r.boundary:
            features.append({
                "type": "Feature",
                "geometry": r.boundary,
                "properties": {"code": r.code, "name": r.name, "level": r.level, "self": r.pk == region.pk,
                               "population": r.population},
            })
    return {"type": "FeatureCollection", "features": features}


def region_count(*, actor, level: str) -> int:
    """How many regions of a level the actor sees (workbench counters)."""
    return Region.objects.restrict(actor, "view").filter(level=level).count()
