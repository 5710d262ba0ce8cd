"""Registry pages: region → grid → building (楼盘表) → dwelling → household → persons, search, lists and
export, reveal, print. Thin: parse, call a selector or service, render."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse

from shanzhi.core.access import object_view, role_view
from shanzhi.regions import selectors as region_selectors
from shanzhi.regions.choices import Level
from shanzhi.regions.models import Region

from . import choices as c
from . import forms, printing, selectors, stats
from .models import Building, Dwelling, Household, Person

VIEW_ROLES = Person.scope_roles["view"]


def _no_store(response):
    """Pages that show personal data are never cached (ARCHITECTURE §6)."""
    response["Cache-Control"] = "no-store"
    return response


@role_view(VIEW_ROLES)
def home(request):
    """The registry's front door: the search box and the regions in the actor's scope."""
    roots = list(region_selectors.region_roots(actor=request.user))
    if len(roots) == 1:
        return redirect("registry:region", code=roots[0].code)
    return render(request, "registry/home.html", {"roots": roots})


@object_view(Region, roles=VIEW_ROLES, lookup={"code": "code"})
def region(request, obj):
    """A region's dashboard; for a grid also its buildings."""
    is_grid = obj.level in (Level.GRID, Level.MICRO_GRID)
    context = {
        "region": obj,
        "breadcrumbs": region_selectors.region_breadcrumbs(actor=request.user, region=obj),
        "children": region_selectors.region_children(actor=request.user, region=obj),
        "dash": stats.region_dashboard(actor=request.user, region_code=obj.code),
        "is_grid": is_grid,
        "buildings": selectors.building_list(actor=request.user, filters={"region": obj.code}) if is_grid else None,
    }
    return render(request, "registry/region.html", context)


@role_view(VIEW_ROLES)
def search(request):
    q = request.GET.get("q", "").strip()
    results = selectors.registry_search(actor=request.user, q=q) if q else None
    return _no_store(render(request, "registry/search.html", {"q": q, "results": results}))


@role_view(VIEW_ROLES)
def person_list(request):
    form = forms.PersonFilterForm(request.GET or None)
    filters = form.filters()
    persons = selectors.person_list(actor=request.user, filters=filters)
    if request.GET.get("export") == "xlsx":
        from . import exporting

        return exporting.person_export_response(actor=request.user, filters=filters)
    page = Paginator(persons, 50).get_page(request.GET.get("page"))
    template = "registry/person_list.html#results" if request.htmx else "registry/person_list.html"
    return _no_store(render(request, template, {"form": form, "page": page}))


@object_view(Building, lookup={"pk": "pk"})
def building(request, obj):
    plan = selectors.building_floor_plan(actor=request.user, building=obj)
    units = selectors.unit_list(actor=request.user, filters={"building": obj.pk})
    return render(request, "registry/building.html", {"building": obj, "plan": plan, "units": units,
                                                      "occupancies": c.Occupancy.choices})


@object_view(Dwelling, lookup={"pk": "pk"})
def dwelling(request, obj):
    context = {
        "dwelling": obj,
        "households": selectors.household_list(actor=request.user, filters={"dwelling": obj.pk}),
        "residents": selectors.dwelling_residents(actor=request.user, dwelling=obj),
        "timeline": selectors.dwelling_timeline(actor=request.user, dwelling=obj)[:50],
    }
    return _no_store(render(request, "registry/dwelling.html", context))


@object_view(Household, lookup={"pk": "pk"})
def household(request, obj):
    members = list(selectors.household_members(actor=request.user, household=obj, include_gone=True))
    context = {
        "household": obj,
        "members": members,
        "living": [m for m in members if m.status == c.PersonStatus.LIVING],
        "timeline": selectors.household_timeline(actor=request.user, household=obj)[:50],
        "needs": selectors.needs_list(actor=request.user, filters={"household": obj.pk}),
    }
    return _no_store(render(request, "registry/household.html", context))


@object_view(Person, lookup={"pk": "pk"})
def person(request, obj):
    context = {
        "person": obj,
        "tags": selectors.care_tags_of(actor=request.user, person=obj),
        "needs": selectors.needs_list(actor=request.user, filters={"person": obj.pk}),
        "timeline": selectors.person_timeline(actor=request.user, person=obj)[:50],
        "special": selectors.special_population_list(actor=request.user, person=obj),
        "duplicates": selectors.person_possible_duplicates(actor=request.user, person=obj)[:5],
        "reveal_form": forms.RevealForm(),
    }
    return _no_store(render(request, "registry/person.html", context))


@object_view(Person, action="reveal", lookup={"pk": "pk"}, methods=("POST",))
def person_reveal(request, obj):
    """Shows one full ID number or phone once, after a reason; the service writes the audit row."""
    from . import services

    form = forms.RevealForm(request.POST)
    context = {"person": obj, "reveal_form": form, "field": request.POST.get("field")}
    if form.is_valid():
        context["value"] = services.person_reveal(actor=request.user, person=obj, field=form.cleaned_data["field"],
                                                  reason=form.cleaned_data["reason"])
    return _no_store(render(request, "registry/partials/reveal.html", context))


# --- print (人+纸) -------------------------------------------------------------------------------------

@object_view(Household, lookup={"pk": "pk"})
def household_print(request, obj):
    members = selectors.household_members(actor=request.user, household=obj)
    return _no_store(printing.respond(request, "registry/print/household.html", {
        "household": obj, "members": members, "rows": printing.blank_rows(len(members), 8),
        "record_url": reverse("registry:household", args=[obj.pk]),
    }, filename=f"入户登记表-{obj.household_number}"))


@role_view(VIEW_ROLES)
def blank_form(request):
    return printing.respond(request, "registry/print/household.html", {
        "household": None, "members": [], "rows": printing.blank_rows(0, 8),
        "record_url": reverse("registry:home")},
                            filename="入户登记表-空白")


@object_view(Building, lookup={"pk": "pk"})
def building_print(request, obj):
    plan = selectors.building_floor_plan(actor=request.user, building=obj)
    households = selectors.household_list(actor=request.user, filters={"building": obj.pk})
    return _no_store(printing.respond(request, "registry/print/building.html", {
        "building": obj, "plan": plan, "households": households,
        "record_url": reverse("registry:building", args=[obj.pk]),
    }, filename=f"楼栋汇总表-{obj}"))


@object_view(Region, roles=VIEW_ROLES, lookup={"code": "code"})
def region_print(request, obj):
    return printing.respond(request, "registry/print/region.html", {
        "region": obj, "dash": stats.region_dashboard(actor=request.user, region_code=obj.code),
        "buildings": selectors.building_list(actor=request.user, filters={"region": obj.code}),
        "record_url": reverse("registry:region", args=[obj.code]),
    }, filename=f"网格汇总表-{obj.name}")

