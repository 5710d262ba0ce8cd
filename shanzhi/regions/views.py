from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from shanzhi.core.access import object_view, role_view
from shanzhi.core.errors import ServiceError

from . import selectors, services
from .choices import Level
from .figures import region_figures
from .forms import RegionForm
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
        "figures": region_figures(actor=request.user, region=obj),
        "children": children,
        "breadcrumbs": selectors.region_breadcrumbs(actor=request.user, region=obj),
        "child_level": children[0].get_level_display() if children else "",
        "is_grid": obj.level in (Level.GRID, Level.MICRO_GRID),
        "can_change": Region.objects.restrict(request.user, "change").filter(pk=obj.pk).exists(),
        "q": q,
        "found": found,
    }
    if request.htmx and request.GET.get("partial") == "children":
        return render(request, "regions/detail.html#children", context)
    return render(request, "regions/detail.html", context)


@object_view(Region, lookup={"code": "code"})
def geojson(request, obj):
    return JsonResponse(selectors.region_geojson(actor=request.user, region=obj))


@object_view(Region, action="change", lookup={"code": "code"}, methods=("GET", "POST"))
def edit(request, obj):
    form = RegionForm.for_region(obj, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.region_update(actor=request.user, region=obj, version=version, **data)
        except ServiceError as e:
            form.add_error(e.field if e.field in form.fields else None, e.user_message)
        else:
            messages.success(request, _("已保存“%(name)s”") % {"name": obj.name})
            return redirect("regions:detail", code=obj.code)
    return render(request, "regions/edit.html", {"region": obj, "form": form})
