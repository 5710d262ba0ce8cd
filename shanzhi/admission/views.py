"""社区准入 pages: work items (push, review, a community's inbox), the lists, the 减负 dashboard, the public page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from shanzhi.core.access import object_view, public_view, role_view
from shanzhi.core.errors import ServiceError
from shanzhi.core.permissions import check
from shanzhi.core.scope import prefixes_for_roles, user_roles
from shanzhi.core.scoping import prefix_q
from shanzhi.regions.models import Region

from . import selectors, services
from .forms import DepartmentForm, ListItemForm, ListNewForm, PushForm, ReasonForm
from .models import COMMUNITY, DASHBOARD_ROLES, REVIEW_ROLES, SENDER_ROLES, AdmissionList, Delivery, WorkItem
from .workflow import DELIVERY, REVIEW

INBOX_ROLES = SENDER_ROLES | COMMUNITY


def _fail(request, e: ServiceError):
    messages.error(request, e.user_message)


def _districts(actor, roles):
    prefixes = prefixes_for_roles(actor, roles)
    codes = {p[:6] for p in prefixes if len(p) >= 6}
    return list(Region.objects.filter(code__in=codes, level="district").order_by("code"))


@role_view(INBOX_ROLES)
def index(request):
    actor = request.user
    roles = user_roles(actor)
    deliveries = list(selectors.my_deliveries(actor=actor)[:200]) if roles & DASHBOARD_ROLES else []
    return render(request, "admission/index.html", {
        "deliveries": deliveries, "handle": DELIVERY,
        "sent": list(selectors.sent_items(actor=actor)[:100]),
        "queue": list(selectors.review_queue(actor=actor)[:100]),
        "refusals": selectors.refusals_by_sender(actor=actor) if roles & DASHBOARD_ROLES else [],
        "can_push": bool(roles & SENDER_ROLES), "today": timezone.localdate()})


def _push_form(request, data=None):
    senders = selectors.sender_departments(actor=request.user)
    items = selectors.citable_items(district_codes={d.region_code[:6] for d in senders})
    return PushForm(data, senders=senders, items=items), senders


def _communities(senders):
    if not senders:
        return []
    return list(Region.objects.filter(prefix_q("code", [d.region_code for d in senders]), level="community")
                .order_by("code")[:300])


@role_view(SENDER_ROLES, methods=("GET", "POST"))
def push(request):
    form, senders = _push_form(request, request.POST if request.method == "POST" else None)
    chosen = request.POST.getlist("communities") if request.method == "POST" else []
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            item = services.work_item_push(
                actor=request.user, sender=d["sender"], kind=d["kind"], title=d["title"], deadline=d["deadline"],
                communities=chosen, list_item=d["list_item"], description=d["description"],
                funding_amount=d["funding_amount"], funding_source=d["funding_source"])
        except ServiceError as e:
            form.add_error(e.field if e.field in form.fields else None, e.user_message)
        else:
            if item.listed:
                messages.success(request, _("已下派到 %(n)d 个社区") % {"n": len(item.communities)})
            else:
                messages.warning(request, _("清单外事项已提交区准入审核，审核通过前社区看不到它"))
            return redirect("admission:item", pk=item.pk)
    return render(request, "admission/push.html", {"form": form, "communities": _communities(senders),
                                                    "chosen": set(chosen), "no_sender": not senders})


@object_view(WorkItem)
def item(request, obj):
    may_review, why = check(request.user, "admission.review", obj)
    return render(request, "admission/item.html", {
        "item": obj, "deliveries": list(obj.deliveries.order_by("region_code")),
        "may_review": may_review and obj.state == "review", "review_why": why, "review": REVIEW})


@object_view(WorkItem, action="review", methods=("POST",))
def item_review(request, obj):
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择审核结果"))
    else:
        try:
            services.work_item_review(actor=request.user, item=obj, action=form.cleaned_data["action"],
                                      reason=form.cleaned_data["reason"])
            messages.success(request, _("审核已完成"))
        except ServiceError as e:
            _fail(request, e)
    return redirect("admission:item", pk=obj.pk)


@object_view(Delivery, action="change", methods=("POST",))
def delivery_handle(request, obj):
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择办理方式"))
    else:
        try:
            services.delivery_handle(actor=request.user, delivery=obj, action=form.cleaned_data["action"],
                                     reason=form.cleaned_data["reason"])
            messages.success(request, _("已办理"))
        except ServiceError as e:
            _fail(request, e)
    return redirect("admission:index")


# --- lists and departments -------------------------------------------------------------------------------

@role_view(REVIEW_ROLES)
def lists(request):
    districts = _districts(request.user, REVIEW_ROLES)
    return render(request, "admission/lists.html", {
        "drafts": list(selectors.list_drafts(actor=request.user)), "new_form": ListNewForm(districts=districts),
        "item_form": ListItemForm(), "districts": districts,
        "current": {d.code: selectors.public_lists(d.code) for d in districts[:3]}})


@role_view(REVIEW_ROLES, methods=("POST",))
def list_new(request):
    form = ListNewForm(request.POST, districts=_districts(request.user, REVIEW_ROLES))
    if form.is_valid():
        try:
            services.list_create(actor=request.user, district_code=form.cleaned_data["district"],
                                 kind=form.cleaned_data["kind"], note=form.cleaned_data["note"])
            messages.success(request, _("已新建清单草稿版本"))
        except ServiceError as e:
            _fail(request, e)
    else:
        messages.error(request, _("请选择区和清单"))
    return redirect("admission:lists")


@object_view(AdmissionList, action="change", methods=("POST",))
def list_item_add(request, obj):
    form = ListItemForm(request.POST)
    if form.is_valid():
        try:
            services.list_item_add(actor=request.user, lst=obj, **form.cleaned_data)
            messages.success(request, _("已添加事项"))
        except ServiceError as e:
            _fail(request, e)
    else:
        messages.error(request, _("请填写事项名称"))
    return redirect("admission:lists")


@object_view(AdmissionList, action="change", methods=("POST",))
def list_publish(request, obj):
    try:
        services.list_publish(actor=request.user, lst=obj)
        messages.success(request, _("清单已发布"))
    except ServiceError as e:
        _fail(request, e)
    return redirect("admission:lists")


@role_view(REVIEW_ROLES, methods=("GET", "POST"))
def departments(request):
    prefixes = prefixes_for_roles(request.user, REVIEW_ROLES)
    regions = list(Region.objects.filter(prefix_q("code", prefixes), level__in=("district", "street"))
                   .order_by("code")[:200]) if prefixes else []
    form = DepartmentForm(request.POST or None, regions=regions)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        names = [n.strip() for n in d["members"].replace("，", ",").split(",") if n.strip()]
        users = list(get_user_model().objects.filter(username__in=names))
        try:
            services.department_create(actor=request.user, region_code=d["region"], name=d["name"], kind=d["kind"],
                                       members=users)
            messages.success(request, _("已添加部门"))
            return redirect("admission:departments")
        except ServiceError as e:
            form.add_error(e.field if e.field in form.fields else None, e.user_message)
    return render(request, "admission/departments.html", {
        "form": form, "departments": list(selectors.departments(actor=request.user).prefetch_related("members"))})


# --- 减负 dashboard and the public page ----------------------------------------------------------------------

@role_view(DASHBOARD_ROLES)
def dashboard(request):
    communities = list(selectors.dashboard_communities(actor=request.user)[:500])
    code = request.GET.get("community", "")
    chosen = next((c for c in communities if c.code == code), communities[0] if communities else None)
    figures = selectors.community_burden(actor=request.user, community_code=chosen.code,
                                         end=timezone.localdate()) if chosen else None
    return render(request, "admission/dashboard.html", {"communities": communities, "community": chosen,
                                                         "f": figures})


@public_view
def public(request):
    districts = list(Region.objects.filter(level="district").order_by("code")[:100])
    code = request.GET.get("district", "")
    district = next((d for d in districts if d.code == code), districts[0] if districts else None)
    if code and district and district.code != code:
        raise Http404
    ctx = {"districts": districts, "district": district}
    if district:
        ctx.update(lists=selectors.public_lists(district.code),
                   versions=list(selectors.public_list_versions(district.code)),
                   f=selectors.public_summary(district_code=district.code, end=timezone.localdate()))
    return render(request, "admission/public.html", ctx)
