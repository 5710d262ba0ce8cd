from django.http import JsonResponse
from django.shortcuts import redirect, render

from shanzhi.accounts.roles import STAFF_ROLES
from shanzhi.core.access import object_view, role_view

from . import selectors
from .choices import Level
from .models import Region

VIEW_ROLES = Region.scope_roles["view"]


@role_view(VIEW_ROLES)
def tree(request):
    roots = list(selectors.region_roots(actor=request.user))
    if len(roots) == 1:
        return redirect("regions:detail", code=roots[0].code)
    return render(request, "regions/tree.html", {"roots": roots})


@object_view(Region, lookup={"code": "code"})
def detail(request, obj):
    children = selectors.region_children(actor=request.user, region=obj)
    q = request.GET.get("q", "").strip()
    found = selectors.region_search(actor=request.user, q=q) if q else None
    context = {
        "region": obj,
        "children": children,
        "breadcrumbs": selectors.region_breadcrumbs(actor=request.user, region=obj),
        "child_level": children[0].get_level_display() if children else "",
        "is_grid": obj.level in (Level.GRID, Level.MICRO_GRID),
        "q": q,
        "found": found,
    }
    if request.htmx and request.GET.get("partial") == "children":
        return render(request, "regions/detail.html#children", context)
    return render(request, "regions/detail.html", context)


@object_view(Region, lookup={"code": "code"})
def geojson(request, obj):
    return JsonResponse(selectors.region_geojson(actor=request.user, region=obj))


__all__ = ["tree", "detail", "geojson", "STAFF_ROLES"]
