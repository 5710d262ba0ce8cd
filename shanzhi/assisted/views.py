"""代办参与 pages: the desk's start form and sessions, the printable receipt, the review queue, and the resident's
own history with its dispute button."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from shanzhi.core.access import object_view, role_view
from shanzhi.core.errors import ServiceError
from shanzhi.core.roles import Role
from shanzhi.core.scope import prefixes_for_roles
from shanzhi.regions.models import Region

from . import selectors, services
from .forms import ActForm, DisputeForm, ReviewForm, RuleForm, StartForm
from .models import ASSIST_ROLES, REVIEW_ROLES, AssistedSession
from .permissions import can_dispute_for, can_review

RESIDENT = {Role.RESIDENT}


@role_view(ASSIST_ROLES, methods=("GET", "POST"))
def index(request):
    """Start a session (identity checked in person) and the actor's recent sessions."""
    form = StartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            session = services.session_start(actor=request.user, method=d["method"], name=d["name"],
                                             id_number=d["id_number"], head_name=d["head_name"])
        except ServiceError as e:
            form.add_error(e.field if e.field in form.fields else None, e.user_message)
        else:
            messages.success(request, _("身份核验通过，代办已开始。"))
            return redirect("assisted:session", pk=session.pk)
    codes = prefixes_for_roles(request.user, ASSIST_ROLES)
    return render(request, "assisted/index.html", {
        "form": form, "sessions": selectors.my_sessions(actor=request.user),
        "usage": selectors.usage_today(actor=request.user, region_code=max(codes, key=len) if codes else "")})


@object_view(AssistedSession, action="view")
def session(request, obj):
    return render(request, "assisted/session.html", {
        "s": obj, "open": obj.is_open(), "mine": obj.staff_id == request.user.pk,
        "choices": selectors.session_choices(actor=request.user, session=obj),
        "actions": selectors.session_actions(actor=request.user, session=obj),
        "can_dispute": can_dispute_for(request.user, obj)[0], "can_review": can_review(request.user, obj)[0],
        "dispute_form": DisputeForm(), "review_form": ReviewForm()})


@object_view(AssistedSession, action="act", methods=("POST",))
def act(request, obj):
    form = ActForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择要代办的事项和内容"))
        return redirect("assisted:session", pk=obj.pk)
    d = form.cleaned_data
    try:
        action = services.session_act(actor=request.user, session=obj, kind=d["kind"], target_id=d["target"],
                                      option=d["option"], score=d["score"], comment=d["comment"])
    except ServiceError as e:
        messages.error(request, e.user_message)
    else:
        messages.success(request, _("已代为办理：%(a)s") % {"a": action})
    return redirect("assisted:session", pk=obj.pk)


@object_view(AssistedSession, action="act", methods=("POST",))
def end(request, obj):
    try:
        services.session_end(actor=request.user, session=obj)
    except ServiceError as e:
        messages.error(request, e.user_message)
    else:
        messages.success(request, _("本次代办已结束，请打印回执交居民留存。"))
    return redirect("assisted:session", pk=obj.pk)


@object_view(AssistedSession, action="view")
def receipt(request, obj):
    return render(request, "assisted/receipt.html", {
        "s": obj, "actions": selectors.session_actions(actor=request.user, session=obj)})


def _dispute(request, action):
    form = DisputeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请写明异议理由"))
        return
    try:
        action = services.action_dispute(actor=request.user, action=action, reason=form.cleaned_data["reason"])
    except ServiceError as e:
        messages.error(request, e.user_message)
    else:
        messages.success(request, _("异议已登记：%(note)s。本次代办已交社区复核。") % {"note": action.revert_note})


@object_view(AssistedSession, action="dispute", methods=("POST",))
def dispute(request, obj):
    """A dispute the resident brings on paper (the receipt) to the desk, recorded by another staff member."""
    pk = str(request.POST.get("action", ""))
    action = obj.actions.filter(pk=int(pk)).first() if pk.isdigit() and len(pk) < 18 else None
    if action is None:
        messages.error(request, _("请选择有异议的事项"))
    else:
        _dispute(request, action)
    return redirect("assisted:session", pk=obj.pk)


@object_view(AssistedSession, action="review", methods=("POST",))
def review(request, obj):
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写复核意见"))
        return redirect("assisted:session", pk=obj.pk)
    try:
        services.session_review(actor=request.user, session=obj, note=form.cleaned_data["note"])
    except ServiceError as e:
        messages.error(request, e.user_message)
    else:
        messages.success(request, _("复核已完成"))
    return redirect("assisted:review")


@role_view(REVIEW_ROLES, methods=("GET", "POST"))
def review_list(request):
    """The flagged sessions awaiting review, and the region's limits (代办限额)."""
    codes = prefixes_for_roles(request.user, REVIEW_ROLES)
    regions = Region.objects.filter(code__in=codes).order_by("code")
    form = RuleForm(request.POST or None, regions=regions)
    if request.method == "POST" and form.is_valid():
        try:
            services.assist_rule_set(actor=request.user, **form.cleaned_data)
        except ServiceError as e:
            form.add_error(e.field if e.field in form.fields else None, e.user_message)
        else:
            messages.success(request, _("代办限额已保存"))
            return redirect("assisted:review")
    return render(request, "assisted/review.html", {
        "queue": selectors.review_queue(actor=request.user), "form": form,
        "limits": [(r, services.limits_for(r.code)) for r in regions]})


# --- the resident's own history (/me/assisted/) -----------------------------------------------------------

@role_view(RESIDENT)
def mine(request):
    return render(request, "assisted/mine.html", {"sessions": selectors.my_assisted(actor=request.user),
                                                  "form": DisputeForm()})


@role_view(RESIDENT, methods=("POST",))
def mine_dispute(request):
    pk = str(request.POST.get("action", ""))
    if not (pk.isdigit() and len(pk) < 18):
        messages.error(request, _("请选择有异议的事项"))
        return redirect("assisted_me:mine")
    action = selectors.my_action(actor=request.user, pk=int(pk))
    if action is None:  # not one of the resident's own
        raise Http404
    _dispute(request, action)
    return redirect("assisted_me:mine")

