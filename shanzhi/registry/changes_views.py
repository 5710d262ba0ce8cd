"""Pages of the change requests (变更审核) and of the grid roster's Excel round-trip. Thin: parse, call a service or
selector of registry.changes / registry.roundtrip, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shanzhi.core.access import object_view, role_view
from shanzhi.core.errors import ConflictError, ServiceError
from shanzhi.core.importing import XLSX
from shanzhi.core.scope import roles_at

from . import changes, roundtrip
from .changes_forms import DecideForm, ProposeForm, RevealForm, RoundtripUploadForm
from .models import (
    APPROVE_ROLES,
    DIRECT_ROLES,
    PROPOSE_ROLES,
    ChangeBatch,
    ChangeRequest,
    ChangeSource,
    ChangeState,
    Dwelling,
    Household,
    Person,
)
from .workflow import CHANGE_REQUEST

LIST_ROLES = ChangeRequest.scope_roles["view"]
EDITORS = DIRECT_ROLES | PROPOSE_ROLES
MAX_UPLOAD = roundtrip.LIMITS.max_bytes


def _no_store(response):
    response["Cache-Control"] = "no-store"
    return response


@role_view(LIST_ROLES)
def change_list(request):
    state = request.GET.get("state", ChangeState.PENDING)
    source = request.GET.get("source", "")
    qs = changes.change_request_list(actor=request.user, state=state, source=source)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return _no_store(render(request, "registry/changes/list.html", {
        "page": page, "state": state, "source": source, "states": [(s, lbl) for s, lbl in ChangeState.choices
                                                                    if s != ChangeState.DRAFT],
        "sources": ChangeSource.choices}))


def _detail(request, obj, *, revealed=None, reveal_form=None, status=200):
    target = changes.target_of(obj)
    stale = obj.state == ChangeState.PENDING and changes.is_stale(obj, target)
    may_decide, reason = CHANGE_REQUEST.check(obj, request.user, "approve")
    decide = ChangeRequest.objects.restrict(request.user, "decide").filter(pk=obj.pk).exists()
    context = {
        "req": obj, "rows": changes.diff_rows(obj, target, revealed), "stale": stale, "target": target,
        "may_decide": decide and may_decide, "decide_reason": reason if not decide or not may_decide else "",
        "may_withdraw": obj.state == ChangeState.PENDING and obj.requested_by_id == request.user.pk,
        "may_reveal": any(r["sensitive"] for r in changes.diff_rows(obj)) and
        Person.objects.restrict(request.user, "reveal").filter(pk=obj.target_id).exists(),
        "reveal_form": reveal_form or RevealForm(), "target_url": _target_url(request.user, obj, target),
    }
    return _no_store(render(request, "registry/changes/detail.html", context, status=status))


def _target_url(user, obj, target) -> str:
    if target is None or not type(target).objects.restrict(user, "view").filter(pk=target.pk).exists():
        return ""
    return reverse(f"registry:{obj.target_type}", args=[target.pk])


@object_view(ChangeRequest, action="view")
def change_detail(request, obj):
    return _detail(request, obj)


@object_view(ChangeRequest, action="decide", methods=("POST",))
def change_decide(request, obj):
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择处理结果"))
        return redirect("registry:change", pk=obj.pk)
    try:
        if form.cleaned_data["decision"] == "approve":
            changes.change_approve(actor=request.user, request=obj)
            messages.success(request, _("已批准，记录已更新"))
        else:
            changes.change_reject(actor=request.user, request=obj, reason=form.cleaned_data["reason"])
            messages.success(request, _("已驳回"))
    except ConflictError as e:
        messages.error(request, e.user_message)
    except ServiceError as e:
        messages.error(request, e.user_message)
    return redirect("registry:change", pk=obj.pk)


@object_view(ChangeRequest, action="own", methods=("POST",))
def change_withdraw(request, obj):
    try:
        changes.change_withdraw(actor=request.user, request=obj)
        messages.success(request, _("已撤回"))
    except ServiceError as e:
        messages.error(request, e.user_message)
    return redirect("registry:change", pk=obj.pk)


@object_view(ChangeRequest, action="view", methods=("POST",))
def change_reveal(request, obj):
    """One full proposed number, after a reason; the service checks the reveal scope and writes the audit row."""
    form = RevealForm(request.POST)
    revealed = None
    if form.is_valid():
        try:
            value = changes.change_reveal(actor=request.user, request=obj, field=form.cleaned_data["field"],
                                          reason=form.cleaned_data["reason"])
            revealed = {form.cleaned_data["field"]: value}
        except ServiceError as e:
            form.add_error("reason", e.user_message)
            messages.error(request, e.user_message)
    return _detail(request, obj, revealed=revealed, reveal_form=form)


def _propose(request, obj):
    mode = changes.edit_mode(request.user, obj.region_code)
    form = ProposeForm(request.POST or None, obj=obj)
    if request.method == "POST" and form.is_valid():
        try:
            result = changes.change_edit(actor=request.user, target=obj, values=form.values(),
                                         note=form.cleaned_data["note"])
        except ServiceError as e:
            form.add_error(e.field if e.field in form.fields else None, e.user_message)
        else:
            if isinstance(result, ChangeRequest):
                messages.success(request, _("已提交变更申请，待社区审批后生效"))
                return redirect("registry:change", pk=result.pk)
            messages.success(request, _("已保存"))
            return redirect("registry:changes")
    return _no_store(render(request, "registry/changes/propose.html", {
        "form": form, "obj": obj, "mode": mode, "kind": changes.kind_of(obj)}))


@object_view(Person, action="propose", methods=("GET", "POST"))
def propose_person(request, obj):
    return _propose(request, obj)


@object_view(Household, action="propose", methods=("GET", "POST"))
def propose_household(request, obj):
    return _propose(request, obj)


@object_view(Dwelling, action="propose", methods=("GET", "POST"))
def propose_dwelling(request, obj):
    return _propose(request, obj)


# --- the grid roster's round-trip -------------------------------------------------------------------------------

@role_view(EDITORS, methods=("GET", "POST"))
def roundtrip_home(request):
    grids = list(roundtrip.roundtrip_grids(actor=request.user)[:500])
    form = RoundtripUploadForm(request.POST or None, request.FILES or None, grids=grids)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            form.add_error("file", _("文件过大，请拆分后再导入"))
        else:
            try:
                batch = roundtrip.roundtrip_preview(actor=request.user, region_code=form.cleaned_data["grid"],
                                                    data=upload.read(), filename=upload.name)
            except ServiceError as e:
                form.add_error("file" if e.field in (None, "file") else None, e.user_message)
            else:
                return redirect("registry:roundtrip_batch", pk=batch.pk)
    modes = {g.code: changes.edit_mode(request.user, g.code) for g in grids}
    return _no_store(render(request, "registry/changes/roundtrip.html", {
        "form": form, "grids": grids, "propose": any(m == "propose" for m in modes.values())}))


@role_view(EDITORS)
def roundtrip_export(request):
    grids = roundtrip.roundtrip_grids(actor=request.user)
    code = request.GET.get("grid") or next(iter(grids.values_list("code", flat=True)[:1]), "")
    try:
        data, _rows = roundtrip.roster_workbook(actor=request.user, region_code=code)
    except ServiceError as e:
        messages.error(request, e.user_message)
        return redirect("registry:roundtrip")
    response = HttpResponse(data, content_type=XLSX)
    name = f"roster-{code}-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return _no_store(response)


@object_view(ChangeBatch, action="own")
def roundtrip_batch(request, obj):
    rows = roundtrip.batch_rows(obj)
    problems = obj.errors
    return _no_store(render(request, "registry/changes/batch.html", {
        "batch": obj, "rows": rows, "errors": [p for p in problems if p.get("kind") == "error"],
        "conflicts": [p for p in problems if p.get("kind") == "conflict"],
        "draft": obj.state == ChangeState.DRAFT, "approver": bool(roles_at(request.user, obj.region_code)
                                                                  & APPROVE_ROLES)}))


@object_view(ChangeBatch, action="own", methods=("POST",))
def roundtrip_confirm(request, obj):
    try:
        result = roundtrip.roundtrip_confirm(actor=request.user, batch=obj)
    except ServiceError as e:
        messages.error(request, e.user_message)
    else:
        if obj.mode == "propose":
            messages.success(request, _("已提交 %(n)d 条变更申请，待社区审批后生效") % {"n": result["done"]})
        else:
            messages.success(request, _("已写入 %(n)d 行修改") % {"n": result["done"]})
        if result["failed"]:
            messages.warning(request, _("%(n)d 行因记录已被他人修改未写入") % {"n": len(result["failed"])})
    return redirect("registry:roundtrip_batch", pk=obj.pk)


@object_view(ChangeBatch, action="own", methods=("POST",))
def roundtrip_discard(request, obj):
    try:
        roundtrip.roundtrip_discard(actor=request.user, batch=obj)
        messages.success(request, _("已放弃本次导入，未写入任何内容"))
    except ServiceError as e:
        messages.error(request, e.user_message)
    return redirect("registry:roundtrip")
