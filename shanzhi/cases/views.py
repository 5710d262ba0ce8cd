"""Pages: staff list/detail/create, resident report/my cases, duplicates lookup, dashboard."""

from __future__ import annotations

import json
from datetime import timedelta

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models.functions import Length
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from shanzhi.audit.services import audit_log
from shanzhi.core import indicators
from shanzhi.core.access import object_view, public_view, role_view
from shanzhi.core.errors import ConflictError, ServiceError
from shanzhi.core.export import xlsx_response
from shanzhi.core.labels import choice_labels
from shanzhi.core.permissions import allows
from shanzhi.core.progress import OwnTask, progress_reap
from shanzhi.core.replica import reads_from_replica
from shanzhi.core.roles import GRID_ROLES, STAFF_ROLES, Role
from shanzhi.core.scope import prefixes_for_roles, user_roles
from shanzhi.core.scoping import minimal_prefixes, prefix_q
from shanzhi.regions.choices import Level as RegionLevel
from shanzhi.regions.models import Region
from shanzhi.regions.selectors import region_place
from shanzhi.registry.forms import RevealForm
from shanzhi.registry.selectors import (
    building_get,
    building_list,
    household_get,
    household_list,
)
from shanzhi.registry.stats import living_count_by_child
from shanzhi.replies.render import render as render_template
from shanzhi.replies.selectors import templates_for

from . import bulk, insight, selectors, services
from . import choices as c
from .forms import CaseReportForm, StaffCaseForm
from .importing import IMPORT_ROLES
from .models import Case, CasePhoto, Category, HomeVisit, Inspection, Patrol, ReportedCase
from .patrols import home_visit_create, inspection_record, patrol_create
from .permissions import PHOTO_REVIEW, VISIT_ROLES
from .photos import content_type, open_thumbnail
from .workflow import ACCEPT_ROLES, REPORTER_ACTIONS, SYSTEM_ACTIONS, WORKFLOW, is_reporter

VIEW_ROLES = Case.scope_roles["view"]
FILTER_KEYS = selectors.FILTER_KEYS
MAP_POINTS = 500  # open cases drawn on the dashboard map, newest first


def _extra(post) -> dict:
    """The category's extra fields from a form (inputs named extra_<code>; a multiple select sends a list)."""
    return {k[6:]: v if len(v) > 1 else v[0] for k, v in post.lists() if k.startswith("extra_")}


def _filters(request) -> dict:
    return {k: request.GET.get(k, "") for k in FILTER_KEYS}


@role_view(VIEW_ROLES)
def case_list(request):
    filters = _filters(request)
    page = Paginator(selectors.case_list(actor=request.user, filters=filters), 25).get_page(request.GET.get("page"))
    now = timezone.now()
    rows = [(case, case.light(now)) for case in page]
    roles = _roles(request)
    ctx = {"page": page, "rows": rows, "filters": filters, "states": c.State.choices, "channels": c.Channel.choices,
           "categories": Category.objects.filter(active=True).only("code", "name"), "overdue": selectors.overdue_count(actor=request.user),
           "can_create": bool(set(Case.scope_roles["create"]) & roles), "can_import": bool(IMPORT_ROLES & roles),
           **_bulk_context(request, roles)}
    if request.htmx:
        return render(request, "cases/list.html#results", ctx)
    return render(request, "cases/list.html", ctx)


def _roles(request):
    return user_roles(request.user)


def _bulk_context(request, roles) -> dict:
    """The bulk bar under the list (staff who accept cases): actions, bodies and dispatch templates."""
    if not roles & ACCEPT_ROLES:
        return {}
    prefixes = minimal_prefixes(prefixes_for_roles(request.user, ACCEPT_ROLES))
    picks = []
    if prefixes:
        picks = [(t, t.body) for t in templates_for(actor=request.user, kind="case_reply", step="dispatch",
                                                    region_code=prefixes[0])[:8]]
    return {"bulk": {"actions": list(bulk.ACTIONS.items()), "picks": picks,
                     "bodies": selectors.bulk_bodies(actor=request.user, prefixes=prefixes).only("name")}}


@role_view(ACCEPT_ROLES, methods=("POST",))
def case_bulk(request):
    """Bulk work on the ticked cases, or on all cases matching the list's filters; each item through its
    service and permission check. Shows the per-item report (after a progress bar when it runs long)."""
    filters = {k: request.POST.get(k, "") for k in FILTER_KEYS}
    ids = bulk.bulk_ids(actor=request.user, ids=request.POST.getlist("ids"), filters=filters,
                        select_all=request.POST.get("select_all") == "1")
    data = {k: request.POST.get(k, "") for k in ("body", "note", "template", "original")}
    try:
        progress = bulk.case_bulk_start(actor=request.user, action=request.POST.get("bulk_action", ""), ids=ids,
                                        data=data)
    except ServiceError as e:
        messages.error(request, e.user_message)
        return redirect(f"{reverse('cases:list')}?{urlencode({k: v for k, v in filters.items() if v})}")
    return redirect("cases:bulk_report", pk=progress.pk)


@object_view(OwnTask, lookup={"pk": "pk"})
def case_bulk_report(request, task):
    """The bulk job's progress, then its report: one row per item, done or refused with the reason."""
    task = progress_reap(task)
    report = task.result if task.kind == "cases.bulk" and task.finished else {}
    return render(request, "cases/bulk_report.html", {"task": task, "report": report})


@role_view(Case.scope_roles["export"])
@reads_from_replica
def case_export(request):
    qs = selectors.case_list(actor=request.user, filters=_filters(request), action="export")
    now = timezone.now()
    audit_log(actor=request.user, action="case.export", object_repr=str(_filters(request)))
    headers = [_("编号"), _("标题"), _("类别"), _("来源"), _("状态"), _("网格代码"), _("主办单位"), _("上报时间"),
               _("环节时限"), _("亮灯"), _("办结结果")]
    # each choice's label translated once per export, not once per row (get_<field>_display rebuilds the choices)
    channel, state, outcome = (choice_labels(Case._meta.get_field(name)) for name in ("channel", "state", "outcome"))
    light = {value: str(label) for value, label in c.Light.choices}
    rows = ([x.number, x.title, x.category.name, channel.get(x.channel, x.channel), state.get(x.state, x.state),
             x.region_code, x.lead_body.name if x.lead_body_id else "",
             timezone.localtime(x.created_at).strftime("%Y-%m-%d %H:%M"),
             timezone.localtime(x.due_at).strftime("%Y-%m-%d %H:%M") if x.due_at else "",
             light[x.light(now)], outcome.get(x.outcome, x.outcome)] for x in qs.iterator(chunk_size=1000))
    return xlsx_response("民情列表.xlsx", headers, rows, sheet="民情")


# the response templates (答复模板) offered beside each action's text field: action -> kind
TEMPLATE_KINDS = {"reject": "rejection", "return": "rejection", "feedback": "feedback", "dispatch": "case_reply",
                  "progress": "case_reply", "complete": "case_reply", "forward": "case_reply"}


def _pickers(case, actor, names) -> dict:
    values = services.template_values(case)
    codes = [case.category.code] + ([case.category.parent.code] if case.category.parent_id else [])
    return {action: [(t, render_template(t.body, values)) for t in templates_for(
        actor=actor, kind=kind, step=action, region_code=case.region_code, category_codes=codes)[:8]]
        for action, kind in TEMPLATE_KINDS.items() if action in names}


def _action_context(case, actor):
    available = [(t, ok, why) for t, ok, why in WORKFLOW.available(case, actor)
                 if t.action not in SYSTEM_ACTIONS and t.action != "recur"]
    ctx = {"actions": available, "outcomes": [o for o in c.Outcome.choices if o[0] != c.Outcome.DUPLICATE]}
    names = {t.action for t, ok, _ in available if ok}
    ctx["pickers"] = _pickers(case, actor, names)
    if names & {"forward", "complete"}:
        ctx["forward_bodies"] = selectors.responsible_bodies(case=case)
    if "assign" in names:
        ctx["grid_staff"] = services.staff_at(case.region_code, [Role.GRID_WORKER, Role.GRID_LEADER], levels=(15,))
    if names & {"dispatch", "assist"}:
        ctx["bodies"] = selectors.bodies_for(case=case)
        ctx["suggested_body"] = services.route_body(case.category, case.region_code)
    return ctx


@object_view(Case, lookup={"pk": "pk"}, related=("category__parent", "lead_body", "assignee", "reporter_user", "decided_by"))
def case_detail(request, case):
    now = timezone.now()

    ctx = {"case": case, "place": region_place(code=case.region_code), "light": case.light(now), "timeline": selectors.case_timeline(actor=request.user, case=case),
           "assignments": case.assignments.filter(active=True).select_related("body"),
           "ratings": case.ratings.all(), "photos": case.photos.filter(history__isnull=True),
           "supervisions": case.supervisions.all(), **_action_context(case, request.user)}
    if allows(request.user, PHOTO_REVIEW.action, case):  # 照片打码: every photo of the case, with its review
        ctx["review_photos"] = case.photos.order_by("pk")
    if case.reporter_phone_enc and not case.anonymous:  # the callback phone, masked; handlers may reveal it
        ctx["reporter_phone"] = case.reporter_phone_masked
        ctx["can_reveal_phone"] = Case.objects.restrict(request.user, "change").filter(pk=case.pk).exists()
        ctx["reveal_url"] = reverse("cases:reveal_phone", args=[case.pk])
    if case.is_open and _roles(request) & ACCEPT_ROLES:
        ctx["categories"] = Category.objects.filter(active=True, children__isnull=True).exclude(pk=case.category_id)
    response = render(request, "cases/detail.html", ctx)
    response["Cache-Control"] = "no-store"
    return response


def _run_action(request, case):
    data = {k: request.POST.get(k, "") for k in ("reason", "note", "assignee", "body", "outcome", "score", "comment",
                                                 "original", "template")}
    action = request.POST.get("action", "")
    if action in SYSTEM_ACTIONS:
        raise ServiceError(_("该操作由系统触发"))
    if case.version != int(request.POST.get("version") or 0):
        raise ConflictError()
    return services.case_transition(actor=request.user, case=case, action=action, data=data,
                                    photos=request.FILES.getlist("photos"))


@object_view(Case, action="change", lookup={"pk": "pk"}, methods=("POST",))
def case_act(request, case):
    try:
        case = _run_action(request, case)
        messages.success(request, _("已完成：%(s)s") % {"s": case.get_state_display()})
    except ServiceError as e:
        messages.error(request, e.user_message)
    return redirect("cases:detail", pk=case.pk)


@role_view(Case.scope_roles["create"], methods=("GET", "POST"))
def case_create(request):
    prefixes = prefixes_for_roles(request.user, Case.scope_roles["create"])
    grids = Region.objects.filter(prefix_q("code", prefixes), level=RegionLevel.GRID).only("code", "name").order_by("code")
    form = StaffCaseForm(request.POST or None, grids=grids)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            case = services.case_create(
                actor=request.user, category=d["category"], channel=d["channel"], title=d["title"],
                description=d["description"], region_code=d["region_code"], urgency=d["urgency"], address=d["address"],
                lat=d["lat"], lng=d["lng"], reporter_name=d["reporter_name"], reporter_phone=d["reporter_phone"],
                photos=request.FILES.getlist("photos"), strip_location=d["strip_location"],
                extra=_extra(request.POST))
            messages.success(request, _("民情 %(n)s 已登记") % {"n": case.number})
            return redirect("cases:detail", pk=case.pk)
        except ServiceError as e:
            form.add_error(getattr(e, "field", None) if getattr(e, "field", None) in form.fields else None,
                           e.user_message)
    return render(request, "cases/create.html", {"form": form, "staff": True})


# --- residents -----------------------------------------------------------------------------------------

@public_view(methods=("GET", "POST"))
def report(request):
    """Report a problem: signed in (follows it under “my cases”) or anonymous (gets a query code)."""
    homes = [code for code in prefixes_for_roles(request.user, {Role.RESIDENT}) if len(code) >= 15]
    form = CaseReportForm(request.POST or None, own_grid=homes[0] if len(homes) == 1 else None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        user = request.user if request.user.is_authenticated else None
        anonymous = d["anonymous"] or user is None
        try:
            case = services.case_create(
                actor=user, category=d["category"], channel=c.Channel.ANONYMOUS if user is None else c.Channel.RESIDENT,
                title=d["title"], description=d["description"], region_code=d["region_code"], address=d["address"],
                lat=d["lat"], lng=d["lng"], reporter_name=d["reporter_name"], reporter_phone=d["reporter_phone"],
                anonymous=anonymous and user is None, publish_consent=d["publish_consent"],
                photos=request.FILES.getlist("photos"),
                strip_location=d["strip_location"],
                extra=_extra(request.POST))
        except ServiceError as e:
            form.add_error(getattr(e, "field", None) if getattr(e, "field", None) in form.fields else None,
                           e.user_message)
        else:
            if user is not None:
                messages.success(request, _("已提交，编号 %(n)s。处理进展会通知您。") % {"n": case.number})
                return redirect("cases:my_detail", pk=case.pk)
            return render(request, "cases/reported.html", {"case": case})
    return render(request, "cases/report.html", {"form": form})


@public_view
def nearby(request):
    """htmx partial while reporting: open cases of the same category within 50 m or in the same building,
    and the category's extra fields (inputs named extra_<code>, which the create services validate)."""
    def num(key):
        try:
            return float(request.GET[key])
        except (KeyError, ValueError):
            return None

    category = request.GET.get("category", "")
    found = selectors.nearby_open_cases(category_id=int(category), lat=num("lat"), lng=num("lng"),
                                        building_id=request.GET.get("building") or None) if category.isdigit() else []
    cat = Category.objects.filter(pk=category, active=True).first() if category.isdigit() else None
    # `choices`, not `values`: a template's f.values on a field without values is dict.values()
    fields = [{**f, "choices": f.get("values") or []} for f in (cat.extra_fields if cat else [])]
    return render(request, "cases/partials/nearby.html", {"found": found, "extra_fields": fields})


@public_view
def track(request):
    """Anonymous reporters look up their case with its number and query code (no personal data shown)."""
    number, code = request.GET.get("number", "").strip(), request.GET.get("code", "").strip().upper()
    case = Case.objects.filter(number=number, tracking_code=code).first() if number and code else None
    timeline = case.history.filter(public=True) if case else []
    return render(request, "cases/track.html", {"case": case, "timeline": timeline, "number": number,
                                                "searched": bool(number)})


@role_view(ReportedCase.scope_roles["view"])
def my_cases(request):
    page = Paginator(selectors.my_cases(actor=request.user), 20).get_page(request.GET.get("page"))
    return render(request, "cases/my_list.html", {"page": page})


@object_view(ReportedCase, lookup={"pk": "pk"})
def my_detail(request, case):
    can_verify = case.state == c.State.COMPLETED and is_reporter(case, request.user)
    can_rate = case.state == c.State.FEEDBACK and WORKFLOW.check(case, request.user, "rate", {"score": 5})[0]
    can_recur = case.state in WORKFLOW.transition("recur").source and WORKFLOW.check(case, request.user, "recur")[0]
    return render(request, "cases/my_detail.html", {
        "case": case, "timeline": selectors.case_timeline(actor=request.user, case=case, public_only=True),
        "can_verify": can_verify, "can_rate": can_rate, "can_recur": can_recur,
        "photos": case.photos.filter(history__isnull=True)})


@object_view(CasePhoto, lookup={"pk": "pk"})
def case_photo(request, photo):
    """A case photo, streamed to those who may see it (`CasePhoto.objects.restrict`: staff and handling
    bodies by the case's scope, a reporter or follower by their case); anyone else gets 404. Originals are
    never public files. `?size=thumb` answers the small JPEG thumbnail that lists and timelines show,
    `?size=public` the blurred copy a reviewer made (what `open311:media` shows the public)."""
    size = request.GET.get("size", "")
    thumb, blurred = size == "thumb", size == "public"
    if blurred and not photo.public_image:
        raise Http404
    kind = "image/jpeg" if thumb or blurred else content_type(photo.image.name)
    if kind is None:
        raise Http404
    try:
        if blurred:  # the reviewed public copy, as the reviewer made it
            f = photo.public_image.storage.open(photo.public_image.name, "rb")
        else:
            f = open_thumbnail(photo) if thumb else photo.image.storage.open(photo.image.name, "rb")
    except OSError:  # the file is gone (or, for a thumbnail, unreadable as an image)
        raise Http404
    ext = "jpg" if thumb or blurred else photo.image.name.rsplit(".", 1)[-1]
    suffix = f"-{size}" if thumb or blurred else ""
    response = FileResponse(f, content_type=kind, filename=f"photo-{photo.pk}{suffix}.{ext}")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@object_view(ReportedCase, lookup={"pk": "pk"}, methods=("POST",))
def my_act(request, case):
    if request.POST.get("action") not in REPORTER_ACTIONS:
        messages.error(request, _("不能执行该操作"))
        return redirect("cases:my_detail", pk=case.pk)
    try:
        _run_action(request, case)
        messages.success(request, _("谢谢您的反馈"))
    except ServiceError as e:
        messages.error(request, e.user_message)
    return redirect("cases:my_detail", pk=case.pk)




@role_view(STAFF_ROLES)
@reads_from_replica
def dashboard(request):
    """民情指数 dashboard: KPIs, index per child region, trend and map, read from the daily rollup; the map
    also shows the open cases in scope as markers coloured by their deadline light."""
    # the rollups count every case of a region, so the regions on offer come only from grants whose
    # holders see every case there (not a handling body's, which sees only the cases sent to it)
    prefixes = minimal_prefixes(prefixes_for_roles(request.user, STAFF_ROLES))
    visible = Region.objects.filter(prefix_q("code", prefixes))
    root = visible.filter(code=request.GET.get("region", "")).first() or \
        visible.filter(code__in=prefixes).order_by(Length("code"), "code").first()
    if root is None:
        return render(request, "cases/dashboard.html", {"root": None})
    children = list(visible.filter(parent=root).order_by("code"))
    start, end = insight.window(30)
    child_len = len(children[0].code) if children else len(root.code)
    # 每千人案件数 divides by 实有人口, the registry's one definition (never a region's declared census figure)
    populations = living_count_by_child(actor=request.user, prefix=root.code, child_len=child_len)
    by_child = insight.kpis_by_child(codes=[ch.code for ch in children], start=start, end=end,
                                     populations=populations)
    rows = []
    for ch in children:
        k = by_child.get(ch.code) or insight.Kpis(population=populations.get(ch.code, 0))
        rows.append({"region": ch, "k": k, "index": k.index, "colour": insight.index_colour(k.index),
                     "band": insight.index_band(k.index)})
    total = insight.kpis_total(prefix=root.code, start=start, end=end, population=sum(populations.values()))
    series = insight.trend(prefix=root.code, start=end - timedelta(days=59), end=end)
    geo = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": r["region"].boundary, "properties": {
            "name": r["region"].name, "index": r["index"], "colour": r["colour"]}} for r in rows if r["region"].boundary]}
    points = selectors.case_map_points(actor=request.user, prefix=root.code, limit=MAP_POINTS)
    # the registered figure over the same days (the rollup's end day is inclusive, the indicator's period is not)
    reopen_rate = indicators.compute("cases.reopen_rate", codes=[root.code], start=start,
                                     end=end + timedelta(days=1))[root.code]
    return render(request, "cases/dashboard.html", {
        "root": root, "rows": rows, "total": total, "series": series, "geo": geo, "start": start, "end": end,
        "weights": insight.WEIGHTS, "points": points, "reopen_rate": reopen_rate, "points_capped": len(points) >= MAP_POINTS,
        "outline": root.boundary or None, "lights": c.Light.choices,
        "light_labels": {value: str(label) for value, label in c.Light.choices}})


@role_view(GRID_ROLES, methods=("GET", "POST"))
def patrol(request):
    """巡查/民情日志: log what was seen on a walk; a finding can be filed as a case in the same step."""
    grids = prefixes_for_roles(request.user, GRID_ROLES)
    error = ""
    if request.method == "POST":
        category = Category.objects.filter(pk=request.POST.get("category") or 0, active=True).first()
        try:
            route = json.loads(request.POST.get("route") or "[]")
            started = timezone.now()
            _patrol, case = patrol_create(actor=request.user, region_code=request.POST.get("region_code", ""),
                                          started_at=started, ended_at=started, route=route,
                                          findings=request.POST.get("findings", ""), case_category=category,
                                          case_title=request.POST.get("title", ""))
        except (ServiceError, ValueError) as e:
            error = getattr(e, "user_message", _("轨迹数据无效"))
        else:
            if case is not None:
                messages.success(request, _("巡查已记录，发现的问题已登记为民情 %(n)s") % {"n": case.number})
                return redirect("cases:detail", pk=case.pk)
            messages.success(request, _("巡查已记录"))
            return redirect("cases:patrol")
    recent = Patrol.objects.restrict(request.user).filter(worker=request.user)[:20]
    return render(request, "cases/patrol.html", {
        "grids": grids, "recent": recent, "error": error,
        "categories": Category.objects.filter(active=True, children__isnull=True)})


@object_view(Case, action="change", lookup={"pk": "pk"}, methods=("POST",))
def case_reveal_phone(request, case):
    """The reporter's full callback phone once, after a reason; the service writes the audit row."""
    form = RevealForm(request.POST)
    context = {"reveal_form": form, "field": "phone", "reveal_url": reverse("cases:reveal_phone", args=[case.pk])}
    if form.is_valid():
        try:
            context["value"] = services.case_reporter_phone_reveal(actor=request.user, case=case,
                                                                   reason=form.cleaned_data["reason"])
        except ServiceError as e:
            form.add_error("reason", e.user_message)
    response = render(request, "registry/partials/reveal.html", context)
    response["Cache-Control"] = "no-store"
    return response


@object_view(Case, action="change", lookup={"pk": "pk"}, methods=("POST",))
def case_recategorise(request, case):
    category = Category.objects.filter(pk=request.POST.get("category") or 0, active=True).first()
    try:
        if category is None:
            raise ServiceError(_("请选择类别"), field="category")
        services.case_recategorise(actor=request.user, case=case, category=category,
                                   reason=request.POST.get("reason", ""))
        messages.success(request, _("类别已调整"))
    except ServiceError as e:
        messages.error(request, e.user_message)
    return redirect("cases:detail", pk=case.pk)


def _picked(request, getter, key):
    """The registry object named by ?<key>= or the POSTed <key>, read through its scoped selector (404 if out of scope)."""
    pk = request.POST.get(key) or request.GET.get(key)
    return getter(actor=request.user, pk=pk) if pk else None


@role_view(VISIT_ROLES, methods=("GET", "POST"))
def home_visit(request):
    """入户走访: log a visit to a household of the worker's grid; a finding can be filed as a case in one step."""
    household = _picked(request, household_get, "household")
    error = ""
    if request.method == "POST":
        category = Category.objects.filter(pk=request.POST.get("category") or 0, active=True).first()
        try:
            if household is None:
                raise ServiceError(_("请选择走访的户"), field="household")
            _visit, case = home_visit_create(actor=request.user, household=household,
                                             notes=request.POST.get("notes", ""), case_category=category,
                                             case_title=request.POST.get("title", ""))
        except ServiceError as e:
            error = e.user_message
        else:
            if case is not None:
                messages.success(request, _("走访已记录，发现的问题已登记为民情 %(n)s") % {"n": case.number})
                if Case.objects.restrict(request.user).filter(pk=case.pk).exists():  # helpers don't see cases
                    return redirect("cases:detail", pk=case.pk)
                return redirect("cases:home_visit")
            messages.success(request, _("走访已记录"))
            return redirect("cases:home_visit")
    q = request.GET.get("q", "").strip()
    found = list(household_list(actor=request.user, filters={"q": q})[:10]) if q and household is None else []
    recent = (HomeVisit.objects.restrict(request.user).filter(visitor=request.user)
              .select_related("household__head", "case")[:20])
    return render(request, "cases/home_visit.html", {
        "household": household, "q": q, "found": found, "recent": recent, "error": error,
        "categories": Category.objects.filter(active=True, children__isnull=True)})


@role_view(GRID_ROLES, methods=("GET", "POST"))
def inspection(request):
    """楼栋/老旧院落检查: the four checklist items pass or fail with a note; failed items become cases."""
    building = _picked(request, building_get, "building")
    error = ""
    results = {}
    if request.method == "POST":
        results = {item: {"ok": request.POST.get(f"ok_{item}") != "0",
                          "note": request.POST.get(f"note_{item}", "").strip()} for item in c.InspectionItem.values}
        try:
            if building is None:
                raise ServiceError(_("请选择检查的楼栋"), field="building")
            _inspection, cases = inspection_record(actor=request.user, building=building, results=results)
        except ServiceError as e:
            error = e.user_message
        else:
            messages.success(request, _("检查已记录，%(n)d 项不合格已登记为民情") % {"n": len(cases)})
            return redirect("cases:inspection")
    q = request.GET.get("q", "").strip()
    found = list(building_list(actor=request.user, filters={"q": q})[:10]) if q and building is None else []
    recent = [{"inspection": i, "failed": [c.InspectionItem(k).label for k, r in i.results.items() if not r.get("ok")]}
              for i in Inspection.objects.restrict(request.user).select_related("building__estate")[:20]]
    return render(request, "cases/inspection.html", {
        "building": building, "q": q, "found": found, "recent": recent, "error": error,
        "items": [(value, label, results.get(value, {"ok": True, "note": ""})) for value, label in c.InspectionItem.choices]})
