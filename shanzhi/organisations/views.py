"""Organisation pages: the registry (staff, the organisation's own staff, assessors), registration, status,
members, incubation, inspection, grading, and the public directory."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from shanzhi.core.access import object_view, public_view, role_view
from shanzhi.core.errors import ServiceError
from shanzhi.core.permissions import check
from shanzhi.core.roles import MANAGER_ROLES, Role
from shanzhi.core.scope import prefixes_for_roles
from shanzhi.core.scoping import prefix_q
from shanzhi.regions.models import Region

from . import selectors, services
from .choices import GRADE_INDICATORS, OrgKind
from .complaints import complaint_file
from .forms import (
    ComplaintForm,
    CreditForm,
    GradeForm,
    IncubationForm,
    InspectionForm,
    MemberForm,
    OrganisationForm,
)
from .models import ORG_ROLES, Organisation
from .permissions import GRADE, MANAGE
from .workflow import WORKFLOW


@public_view
def directory(request):
    kind = request.GET.get("kind", "")
    kind = kind if kind in OrgKind.values else ""
    return render(request, "organisations/directory.html", {
        "organisations": list(selectors.public_directory(kind=kind)[:300]), "kinds": OrgKind.choices, "kind": kind})


@role_view({Role.RESIDENT}, methods=("GET", "POST"))
def complain(request, pk):
    """A resident's complaint about an organisation in the public directory serving their community."""
    organisation = get_object_or_404(selectors.public_directory(), pk=pk)
    form = ComplaintForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = complaint_file(actor=request.user, organisation=organisation, **form.cleaned_data)
        except ServiceError as e:
            form.add_error(None, e.user_message)
        else:
            messages.success(request, _("投诉已提交，社区将核实办理，您可以在“我的民情”中跟进"))
            return redirect("cases:detail", pk=case.pk)
    return render(request, "organisations/complain.html", {"organisation": organisation, "form": form})


@role_view(ORG_ROLES["view"])
def index(request):
    orgs = selectors.organisation_list(actor=request.user).prefetch_related(None)
    return render(request, "organisations/index.html", {
        "organisations": list(orgs[:200]),
        "expiring": list(selectors.expiring_certificates(actor=request.user)[:20]),
        "can_register": bool(prefixes_for_roles(request.user, MANAGER_ROLES))})


def _regions(user):
    prefixes = prefixes_for_roles(user, MANAGER_ROLES)
    if not prefixes:
        return []
    return list(Region.objects.filter(prefix_q("code", prefixes), level__in=("district", "street")).order_by("code"))


@role_view(MANAGER_ROLES, methods=("GET", "POST"))
def new(request):
    form = OrganisationForm(request.POST or None, regions=_regions(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            org = services.organisation_register(actor=request.user, **form.cleaned_data)
        except ServiceError as e:
            form.add_error(e.field if e.field in form.fields else None, e.user_message)
        else:
            messages.success(request, _("已登记"))
            return redirect("organisations:detail", pk=org.pk)
    return render(request, "organisations/new.html", {"form": form})


@object_view(Organisation)
def detail(request, obj):
    can_manage, manage_reason = check(request.user, MANAGE.action, obj)
    can_grade, grade_reason = check(request.user, GRADE.action, obj)
    return render(request, "organisations/detail.html", {
        "org": obj, **selectors.organisation_detail(actor=request.user, organisation=obj),
        "can_manage": can_manage, "manage_reason": manage_reason, "can_grade": can_grade,
        "grade_reason": grade_reason, "transitions": WORKFLOW.available(obj, request.user),
        "member_form": MemberForm(), "incubation_form": IncubationForm(), "inspection_form": InspectionForm(),
        "credit_form": CreditForm()})


def _op(request, obj):
    op = request.POST.get("op", "")
    if op == "member":
        form = MemberForm(request.POST)
        if form.is_valid():
            services.member_add(actor=request.user, organisation=obj, **form.cleaned_data)
            return _("已添加人员")
    elif op == "incubation":
        form = IncubationForm(request.POST)
        if form.is_valid():
            services.incubation_record(actor=request.user, organisation=obj, **form.cleaned_data)
            return _("已记录孵化阶段")
    elif op == "inspection":
        form = InspectionForm(request.POST)
        if form.is_valid():
            services.inspection_record(actor=request.user, organisation=obj, **form.cleaned_data)
            return _("已登记年检")
    elif op == "credit":
        form = CreditForm(request.POST)
        if form.is_valid():
            services.credit_manual(actor=request.user, organisation=obj, **form.cleaned_data)
            return _("已记录信用")
    elif op in ("suspend", "reinstate", "deregister"):
        services.organisation_transition(actor=request.user, organisation=obj, action=op,
                                         reason=request.POST.get("reason", ""))
        return _("状态已更新")
    else:
        raise ServiceError(_("请选择要办理的事项"))
    raise ServiceError(_("请检查填写的内容：%(errors)s") % {"errors": "；".join(
        f"{form.fields[k].label}{'，'.join(v)}" if k in form.fields else "，".join(v) for k, v in form.errors.items())})


@object_view(Organisation, action="view", methods=("POST",))
def act(request, obj):
    try:
        messages.success(request, _op(request, obj))
    except ServiceError as e:
        messages.error(request, e.user_message)
    return redirect("organisations:detail", pk=obj.pk)


@object_view(Organisation, action="grade", methods=("GET", "POST"))
def grade(request, obj):
    form = GradeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        comment = data.pop("comment", "")
        try:
            row = services.grade_assess(actor=request.user, organisation=obj, scores=data, comment=comment)
        except ServiceError as e:
            form.add_error(e.field if e.field in form.fields else None, e.user_message)
        else:
            messages.success(request, _("等级评估已提交：%(total)s 分，评定 %(grade)s") % {
                "total": row.total, "grade": f"{row.grade}A" if row.grade else _("未达等级")})
            return redirect("organisations:detail", pk=obj.pk)
    return render(request, "organisations/grade.html", {"org": obj, "form": form, "indicators": GRADE_INDICATORS})
