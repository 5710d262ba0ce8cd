"""Thin views: parse the region and month, read through selectors (rollups), render."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from shanzhi.core.access import object_view, public_view, role_view
from shanzhi.core.errors import ServiceError
from shanzhi.core.export import xlsx_response
from shanzhi.core.indicators import INDICATORS, all_indicators
from shanzhi.core.permissions import check
from shanzhi.core.replica import reads_from_replica
from shanzhi.regions.choices import Level

from . import selectors, services
from .forms import FacilityForm, ResourceForm
from .models import INVENTORY_ROLES, MANAGE_ROLES, VIEW_ROLES, FacilityKind, MonthlyReport
from .periods import add_months, current_month, parse_month
from .tables import pivot_body

PIVOT_LEVELS = (Level.DISTRICT, Level.STREET, Level.COMMUNITY, Level.GRID)


def _region(request, param="region"):
    """The region asked for (404 outside the actor's grants), or the actor's top region."""
    code = request.GET.get(param, "") or request.POST.get(param, "")
    if code:
        return selectors.region_get(actor=request.user, code=code)
    region = selectors.home_region(actor=request.user)
    if region is None:
        raise Http404
    return region


def _months(month):
    return [add_months(current_month(), -n) for n in range(23, -1, -1)]


@role_view(VIEW_ROLES)
@reads_from_replica
def dashboard(request):
    """One dashboard per level (community, street, district, city): every registered indicator by module."""
    region = _region(request)
    month = parse_month(request.GET.get("month"))
    data = selectors.dashboard(actor=request.user, region=region, month=month)
    return render(request, "analytics/dashboard.html", {
        "region": region, "month": month, "months": _months(month),
        "crumbs": selectors.breadcrumbs(actor=request.user, region=region),
        "can_manage": check(request.user, "analytics.manage", region.code)[0], **data})


@role_view(VIEW_ROLES)
def compare(request):
    month = parse_month(request.GET.get("month"))
    a = _region(request, "a")
    b = selectors.region_get(actor=request.user, code=request.GET["b"]) if request.GET.get("b") else None
    rows = selectors.compare(actor=request.user, a=a, b=b, month=month) if b else []
    siblings = selectors.children_of(a.parent) if a.parent_id else [a]
    return render(request, "analytics/compare.html", {"a": a, "b": b, "rows": rows, "month": month,
                                                      "months": _months(month), "siblings": siblings})


def _pivot_params(request):
    root = _region(request, "root")
    level = request.GET.get("level") or (Level.COMMUNITY if root.level in (Level.STREET, Level.DISTRICT)
                                         else root.level)
    if level not in PIVOT_LEVELS and level != root.level:
        level = root.level
    keys = [k for k in request.GET.getlist("i") if k in INDICATORS][:12] or \
        [k for k in ("cases.index", "cases.reported", "registry.persons") if k in INDICATORS]
    last = parse_month(request.GET.get("to"))
    first = parse_month(request.GET.get("from"), add_months(last, -11))
    if first > last:
        first, last = last, first
    first = max(first, add_months(last, -35))
    regions = selectors.pivot_regions(actor=request.user, root=root, level=level)
    return root, level, keys, first, last, regions


@role_view(VIEW_ROLES)
def pivot(request):
    """DHIS2-style data visualiser over the rollups: indicators × regions × months, table and chart."""
    root, level, keys, first, last, regions = _pivot_params(request)
    data = selectors.pivot(actor=request.user, regions=regions, keys=keys, first=first, last=last)
    chart = {"months": [m.strftime("%Y-%m") for m in data["months"]],
             "series": [{"name": f"{r['region'].name} · {r['indicator'].label}", "data": r["values"]}
                        for r in data["rows"][:12]]}
    return render(request, "analytics/pivot.html", {
        "root": root, "level": level, "keys": keys, "first": first, "last": last, "data": data, "chart": chart,
        "indicators": all_indicators(), "levels": [(v, lbl) for v, lbl in Level.choices if v in PIVOT_LEVELS],
        "months": _months(last), "query": request.GET.urlencode(), "body": pivot_body(data["rows"])})


@role_view(VIEW_ROLES)
def pivot_xlsx(request):
    _root, _level, keys, first, last, regions = _pivot_params(request)
    data = selectors.pivot(actor=request.user, regions=regions, keys=keys, first=first, last=last)
    headers = [_("指标"), _("单位"), _("区域"), _("区划代码")] + [m.strftime("%Y-%m") for m in data["months"]] + \
        [_("合计/期末")]
    rows = ([str(r["indicator"].label), str(r["indicator"].unit), r["region"].name, r["region"].code,
             *r["values"], r["total"]] for r in data["rows"])
    return xlsx_response(f"pivot-{first:%Y%m}-{last:%Y%m}.xlsx", headers, rows, sheet=_("透视表"))


@role_view(VIEW_ROLES)
def screen(request):
    """大屏: a full-screen street command view; the page fetches `screen_data` every minute."""
    region = _region(request)
    return render(request, "analytics/screen.html", {"region": region})


@never_cache
@role_view(VIEW_ROLES)
def screen_data(request):
    region = _region(request)
    # early in a month the current month holds a few days only: the 大屏 shows the last month until the 8th
    month = current_month() if timezone.localdate().day > 7 else add_months(current_month(), -1)
    return JsonResponse(selectors.screen(actor=request.user, region=region, month=month))


def _resources_post(request, region, facility_form, resource_form) -> bool:
    """One of the resources page's three forms; True when it wrote something."""
    which = request.POST.get("form")
    if which == "facility" and facility_form.is_valid():
        services.facility_create(actor=request.user, region_code=region.code, **facility_form.cleaned_data)
        messages.success(request, _("已登记设施"))
        return True
    if which == "venue":
        venue = next((v for v in selectors.venues_outside_inventory(actor=request.user, region=region)
                      if str(v.pk) == request.POST.get("venue")), None)
        if venue is None:
            raise Http404
        services.facility_from_venue(actor=request.user, venue=venue, kind=request.POST.get("kind", ""))
        messages.success(request, _("已将场地纳入设施台账"))
        return True
    if which == "resource" and resource_form.is_valid():
        services.resource_save(actor=request.user, region_code=region.code, **resource_form.cleaned_data)
        messages.success(request, _("已保存人力与经费"))
        return True
    return False


@role_view(VIEW_ROLES, methods=("GET", "POST"))
def resources(request):
    """Facilities, staffing and funding of a community, and the gaps to the balance standards."""
    region = _region(request)
    facility_form = FacilityForm(request.POST or None) if request.POST.get("form") == "facility" else FacilityForm()
    resource_form = ResourceForm(request.POST or None) if request.POST.get("form") == "resource" else ResourceForm()
    if request.method == "POST":
        try:
            if _resources_post(request, region, facility_form, resource_form):
                return redirect(f"{reverse('analytics:resources')}?region={region.code}")
        except ServiceError as e:
            messages.error(request, e.user_message)
    month = parse_month(request.GET.get("month"))
    return render(request, "analytics/resources.html", {
        "region": region, "month": month, "kinds": FacilityKind.choices,
        "facilities": selectors.facilities(actor=request.user, region=region),
        "venues": selectors.venues_outside_inventory(actor=request.user, region=region),
        "resource": selectors.resource(actor=request.user, region=region),
        "gaps": selectors.dashboard(actor=request.user, region=region, month=month)["gaps"],
        "standards": selectors.standards(), "facility_form": facility_form, "resource_form": resource_form,
        "can_edit": region.level == Level.COMMUNITY and check(request.user, "analytics.inventory", region.code)[0],
        "inventory_roles": INVENTORY_ROLES})


@role_view(VIEW_ROLES, methods=("GET", "POST"))
def reports(request):
    """Monthly reports of streets and districts; managers can have one generated now."""
    region = _region(request)
    if request.method == "POST":
        month = parse_month(request.POST.get("month"), add_months(current_month(), -1))
        try:
            services.report_request(actor=request.user, region_code=region.code, month=month)
            messages.success(request, _("报告已排队生成，完成后发送到您的消息中心"))
        except ServiceError as e:
            messages.error(request, e.user_message)
        return redirect(f"{reverse('analytics:reports')}?region={region.code}")
    return render(request, "analytics/reports.html", {
        "region": region, "reports": selectors.reports(actor=request.user),
        "months": _months(current_month()), "last_month": add_months(current_month(), -1),
        "can_manage": check(request.user, "analytics.manage", region.code)[0] and len(region.code) in (6, 9)})


@object_view(MonthlyReport)
def report_pdf(request, obj):
    response = HttpResponse(bytes(obj.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="report-{obj.region_code}-{obj.month:%Y%m}.pdf"'
    return response


@role_view(MANAGE_ROLES, methods=("POST",))
def refresh(request):
    """A manager refreshes the rollups of a month now (queued)."""
    region = _region(request)
    month = parse_month(request.POST.get("month"))
    try:
        services.rollup_request(actor=request.user, region_code=region.code, months=[month])
        messages.success(request, _("已排队刷新 %(month)s 的汇总") % {"month": month.strftime("%Y-%m")})
    except ServiceError as e:
        messages.error(request, e.user_message)
    return redirect(f"{reverse('analytics:dashboard')}?region={region.code}&month={month:%Y-%m}")


# --- open data (public) -----------------------------------------------------------------------------------

def _open(request):
    street = selectors.public_street(code=request.GET.get("street", ""))
    month = parse_month(request.GET.get("month"), add_months(current_month(), -1))
    return street, month, selectors.public_open_data(street=street, month=month)


@public_view
def open_index(request):
    """The public list of streets with open data, and one street's aggregated counts (k-anonymous)."""
    if not request.GET.get("street"):
        return render(request, "analytics/open_index.html", {"streets": selectors.public_streets()})
    street, month, data = _open(request)
    return render(request, "analytics/open_data.html", {
        "street": street, "month": month, "months": _months(current_month())[:-1], **data})


def _csv_cell(cell, k):
    if cell["suppressed"]:
        return f"<{k}"
    value = cell["value"]
    if value is None:
        return ""
    return int(value) if float(value).is_integer() else value


@public_view
def open_csv(request):
    """One street's table as CSV (UTF-8 with BOM for Excel); without a street, the list of streets."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    if not request.GET.get("street"):
        response["Content-Disposition"] = 'attachment; filename="open-data-streets.csv"'
        response.write("\ufeff")
        out = csv.writer(response)
        out.writerow([_("区划代码"), _("街道")])
        out.writerows([s.code, s.name] for s in selectors.public_streets())
        return response
    street, month, data = _open(request)
    response["Content-Disposition"] = f'attachment; filename="open-data-{street.code}-{month:%Y%m}.csv"'
    response.write("\ufeff")
    out = csv.writer(response)
    out.writerow([_("指标"), _("单位"), _("计算方法")] + [f"{r.name}({r.code})" for r in data["regions"]])
    for row in data["rows"]:
        out.writerow([str(row["indicator"].label), str(row["indicator"].unit), str(row["indicator"].formula)] +
                     [_csv_cell(c, data["k"]) for c in row["cells"]])
    return response
