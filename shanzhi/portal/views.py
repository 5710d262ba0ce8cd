"""The resident's own pages (phone first) and the community desk's queues of binding and correction requests."""

from django.contrib import messages
from django.contrib.auth import logout
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from shanzhi.cases.permissions import COLLECTOR_ROLES
from shanzhi.core.access import login_view, object_view, role_view
from shanzhi.core.errors import ServiceError
from shanzhi.core.roles import Role

from . import selectors, services
from .forms import BindForm, CollectForm, CorrectionForm, DecideForm
from .models import DESK_ROLES, BindingRequest

RESIDENT = {Role.RESIDENT}
DESK_VIEW = DESK_ROLES | {Role.STREET_MANAGER}


@login_view(methods=("GET", "POST"))
def bind(request):
    """实名认证: name + ID number + community. The answer for a number not found and for one already bound
    is the same page with the same sentence."""
    if selectors.person_of(request.user) is not None:
        messages.info(request, _("您已完成实名认证。"))
        return redirect("core:home")
    form = BindForm(request.POST or None, communities=selectors.communities_for_binding())
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            outcome, _obj = services.binding_submit(actor=request.user, name=d["name"], id_number=d["id_number"],
                                                    community_code=d["community"])
        except ServiceError as e:
            form.add_error(e.field if e.field in form.fields else None, e.user_message)
        else:
            if outcome == "bound":
                messages.success(request, _("实名认证成功，您现在可以参与社区事务了。"))
                return redirect("core:home")
            messages.info(request, _("未能自动完成实名认证，已提交社区人工核验。请携带本人身份证件到社区服务站办理，"
                                     "核验通过后即可使用全部功能。"))
            return redirect("portal:bind")
    return render(request, "portal/bind.html", {"form": form,
                                                "pending": selectors.my_binding_request(actor=request.user)})


@role_view(RESIDENT)
def household(request):
    me, members = selectors.my_household(actor=request.user)
    return render(request, "portal/household.html", {
        "me": me, "members": members, "form": CorrectionForm(),
        "corrections": selectors.my_corrections(actor=request.user)})


@role_view(RESIDENT, methods=("POST",))
def correction_new(request):
    form = CorrectionForm(request.POST)
    if form.is_valid():
        try:
            services.correction_submit(actor=request.user, **form.cleaned_data)
        except ServiceError as e:
            messages.error(request, e.user_message)
        else:
            messages.success(request, _("更正申请已提交，社区核实后会通知您。"))
    else:
        messages.error(request, _("请选择更正项目并填写更正后的内容。"))
    return redirect("portal:household")


@login_view
def account(request):
    return render(request, "portal/account.html", {"me": selectors.person_of(request.user)})


@role_view(RESIDENT, methods=("POST",))
def unbind(request):
    try:
        services.binding_release(actor=request.user)
    except ServiceError as e:
        messages.error(request, e.user_message)
    else:
        messages.success(request, _("已解除实名绑定。居民信息库中的登记信息不受影响。"))
    return redirect("portal:account")


@login_view(methods=("POST",))
def delete(request):
    if request.POST.get("confirm") != "1":
        messages.error(request, _("请勾选确认后再注销账号。"))
        return redirect("portal:account")
    services.account_delete(actor=request.user)
    logout(request)
    return redirect("accounts:login")


@role_view({Role.BUILDING_CAPTAIN})
def building(request):
    return render(request, "portal/building.html", {"roster": selectors.building_roster(actor=request.user)})


# --- the community desk ----------------------------------------------------------------------------------

@role_view(DESK_VIEW)
def bindings(request):
    state = request.GET.get("state", "pending")
    page = Paginator(selectors.binding_request_list(actor=request.user, state=state), 25).get_page(
        request.GET.get("page"))
    return render(request, "portal/bindings.html", {"page": page, "state": state})


def _decide(request, obj, approve, reject, back):
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择处理结果"))
        return redirect(back)
    try:
        if form.cleaned_data["decision"] == "approve":
            approve(actor=request.user, request=obj)
            messages.success(request, _("已核验通过"))
        else:
            reject(actor=request.user, request=obj, reason=form.cleaned_data["reason"])
            messages.success(request, _("已驳回"))
    except ServiceError as e:
        messages.error(request, e.user_message)
    return redirect(back)


@object_view(BindingRequest, action="decide", methods=("POST",))
def binding_decide(request, obj):
    return _decide(request, obj, services.binding_approve, services.binding_reject, "portal:bindings")


@role_view(DESK_VIEW)
def corrections(request):
    """Residents' correction requests are decided on the registry's 变更审核 page (same machinery as staff
    proposals); the old address leads there."""
    return redirect(reverse("registry:changes") + "?source=resident")


@role_view(COLLECTOR_ROLES, methods=("GET", "POST"))
def collect(request):
    """代为反映: a 民情收集员 at a 民情收集站, or a grid helper, files a case heard from a resident."""
    form = CollectForm(request.POST or None, grids=selectors.collect_grids(actor=request.user),
                       categories=selectors.collect_categories())
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_collect(actor=request.user, **form.cleaned_data)
        except ServiceError as e:
            form.add_error(e.field if e.field in form.fields else None, e.user_message)
        else:
            messages.success(request, _("已登记民情 %(n)s，查询码 %(t)s（请告知反映人）") % {
                "n": case.number, "t": case.tracking_code})
            return redirect("portal:collect")
    return render(request, "portal/collect.html", {
        "form": form, "recent": selectors.my_collected(actor=request.user),
        "units": selectors.my_units(actor=request.user)})


def _proxy_support(request, p) -> str:
    topic = selectors.topic_list(actor=request.user).filter(pk=p.get("topic") or 0).first()
    if topic is None:
        raise ServiceError(_("请选择议题"))
    services.proxy_support(actor=request.user, person_id=p.get("person") or 0, topic=topic)
    return _("已代为附议")


def _proxy_redeem(request, p) -> str:
    item = selectors.store_items(actor=request.user).filter(pk=p.get("item") or 0).first()
    if item is None:
        raise ServiceError(_("请选择物品"))
    order = services.proxy_redeem(actor=request.user, person_id=p.get("person") or 0, item=item)
    return _("已代为兑换，核销码 %(c)s") % {"c": order.code}


def _proxy_signup(request, p) -> str:
    activity = selectors.open_activities(actor=request.user).filter(pk=p.get("activity") or 0).first()
    if activity is None:
        raise ServiceError(_("请选择活动"))
    services.proxy_signup(actor=request.user, person_id=p.get("person") or 0, activity=activity)
    return _("已代为报名“%(t)s”，请等待审核") % {"t": activity.title}


def _proxy_rate(request, p) -> str:
    member = next((m for m in selectors.proxy_members(actor=request.user) if str(m.pk) == p.get("person")), None)
    case = next((c for c in (member.to_rate if member else []) if str(c.pk) == p.get("case")), None)
    if case is None:
        raise ServiceError(_("请选择要评价的事项"))
    try:
        score = int(p.get("score") or 0)
    except ValueError:
        score = 0
    services.proxy_rate(actor=request.user, person_id=member.pk, case=case, score=score,
                        comment=(p.get("comment") or "")[:500])
    return _("已代为评价")


def _proxy_survey(request, p) -> str:
    survey = next((x for x in selectors.proxy_choices(actor=request.user)["surveys"] if str(x.pk) == p.get("survey")),
                  None)
    if survey is None:
        raise ServiceError(_("请选择问卷"))
    try:
        option = int(p.get("option", ""))
    except ValueError:
        option = -1
    services.proxy_survey(actor=request.user, person_id=p.get("person") or 0, survey=survey, option=option)
    return _("已代为填写问卷")


PROXY_OPS = {"survey": _proxy_survey, "support": _proxy_support, "redeem": _proxy_redeem, "signup": _proxy_signup, "rate": _proxy_rate}


@role_view(RESIDENT, methods=("GET", "POST"))
def proxy(request):
    """代办: a household head supports a topic, redeems points, signs up for an activity or rates a case for a
    member who has no account. The member is named in the form's body (never in the URL) and checked by
    registry.can_act_for."""
    if request.method == "POST":
        op = PROXY_OPS.get(request.POST.get("op", ""))
        try:
            if op is None:
                raise ServiceError(_("请选择代办事项"))
            messages.success(request, op(request, request.POST))
        except ServiceError as e:
            messages.error(request, e.user_message)
        return redirect("portal:proxy")
    return render(request, "portal/proxy.html", {"members": selectors.proxy_members(actor=request.user),
                                                 **selectors.proxy_choices(actor=request.user)})
