"""Pages of the sign-off chain: the list with each level's to-dos, a report's page (figures, chain, versions,
actions), the diff between two versions, and the report kinds."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from shanzhi.core.access import object_view, role_view
from shanzhi.core.errors import ServiceError
from shanzhi.core.permissions import check
from shanzhi.core.scope import prefixes_for_roles, user_roles
from shanzhi.core.scoping import COMMUNITY_CODE_LEN, prefix_q
from shanzhi.regions.choices import Level
from shanzhi.regions.models import Region

from . import selectors, services
from .forms import KindForm, PrepareForm, RoundForm
from .models import (
    CHAIN_ROLES,
    DISTRICT_ROLES,
    EDITABLE_STATES,
    PREPARER_ROLES,
    READER_ROLES,
    STREET_ROLES,
    Report,
    ReportKind,
    ReportState,
)
from .workflow import WORKFLOW

BADGE = {ReportState.DRAFT: "sz-badge-muted", ReportState.SUBMITTED: "sz-badge-info",
         ReportState.STREET_APPROVED: "sz-badge-info", ReportState.APPROVED: "sz-badge-ok",
         ReportState.RETURNED: "sz-badge-warn"}
LEVEL_STATE = {"street": ReportState.SUBMITTED, "district": ReportState.STREET_APPROVED}


def _communities(actor):
    """The communities where the actor may prepare reports (a grant below a community reaches it)."""
    prefixes = [p[:COMMUNITY_CODE_LEN] for p in prefixes_for_roles(actor, PREPARER_ROLES)]
    if not prefixes:
        return Region.objects.none()
    return Region.objects.filter(prefix_q("code", prefixes), level=Level.COMMUNITY).order_by("code")


def _kind_choices():
    return [(k.key, k.name) for k in selectors.kinds()]


def _forms(request):
    roles = user_roles(request.user)
    prepare = round_form = None
    if roles & PREPARER_ROLES:
        prepare = PrepareForm(prefix="p")
        prepare.fields["kind"].choices = _kind_choices()
        prepare.fields["community"].choices = [(r.code, r.name) for r in _communities(request.user)]
    if roles & (STREET_ROLES | DISTRICT_ROLES):
        round_form = RoundForm(prefix="r")
        round_form.fields["kind"].choices = _kind_choices()
        round_form.fields["region"].choices = [(p, p) for p in prefixes_for_roles(
            request.user, STREET_ROLES | DISTRICT_ROLES)]
        names = selectors.region_names(c for c, _ in round_form.fields["region"].choices)
        round_form.fields["region"].choices = [(c, names.get(c, c)) for c, _ in round_form.fields["region"].choices]
    return prepare, round_form


@role_view(CHAIN_ROLES | READER_ROLES)
def index(request):
    g = request.GET
    waiting = g.get("waiting", "")
    if waiting in selectors.WAITING:
        reports = selectors.waiting_for(actor=request.user, level=waiting)
    else:
        reports = selectors.report_list(actor=request.user, state=g.get("state", ""), kind=g.get("kind", ""))
    rows = list(reports.order_by("-period", "region_code", "kind__key", "-number")[:200])
    names = selectors.region_names(r.region_code for r in rows)
    prepare, round_form = _forms(request)
    groups = sorted({(r.kind_id, r.kind.name, r.period) for r in rows}, key=lambda x: (x[2], x[1]), reverse=True)
    return render(request, "reporting/index.html", {
        "rows": [(r, names.get(r.region_code, r.region_code), BADGE.get(r.state, "")) for r in rows],
        "waiting": waiting, "state": g.get("state", ""), "kind": g.get("kind", ""),
        "states": ReportState.choices, "kinds": selectors.kinds(), "prepare_form": prepare,
        "round_form": round_form, "approve_state": LEVEL_STATE.get(waiting, ""), "groups": groups,
        "counts": {lvl: selectors.waiting_for(actor=request.user, level=lvl).count() for lvl in selectors.WAITING},
    })


@role_view(PREPARER_ROLES | STREET_ROLES | DISTRICT_ROLES, methods=("POST",))
def prepare(request):
    p = request.POST
    op = p.get("op", "")
    prefix = "r" if op == "round" else "p"
    kind = ReportKind.objects.filter(key=p.get(f"{prefix}-kind", "")).first()
    try:
        if kind is None:
            raise ServiceError(_("请选择报表"), field="kind")
        if op == "round":
            made = services.reports_prepare_round(actor=request.user, kind=kind, region_code=p.get("r-region", ""),
                                                  period=p.get("r-period", ""))
            messages.success(request, _("已为 %(n)s 个社区生成月报草稿") % {"n": len(made)})
            return redirect(reverse("reporting:index") + "?waiting=prepare")
        report = services.report_prepare(actor=request.user, kind=kind, community_code=p.get("p-community", ""),
                                         period=p.get("p-period", ""))
    except ServiceError as e:
        messages.error(request, e.user_message)
        return redirect("reporting:index")
    return redirect("reporting:report", pk=report.pk)


@role_view(STREET_ROLES | DISTRICT_ROLES, methods=("POST",))
def approve_all(request):
    p = request.POST
    kind = ReportKind.objects.filter(pk=p.get("kind") if str(p.get("kind", "")).isdigit() else 0).first()
    try:
        if kind is None:
            raise ServiceError(_("请选择报表"))
        results = services.reports_approve_all(actor=request.user, kind=kind, period=p.get("period", ""),
                                               state=p.get("state", ""),
                                               reports=selectors.report_list(actor=request.user))
    except ServiceError as e:
        messages.error(request, e.user_message)
        return redirect("reporting:index")
    done = sum(1 for _r, reason in results if not reason)
    messages.success(request, _("已审核 %(done)s 份，%(failed)s 份未通过检查") % {
        "done": done, "failed": len(results) - done})
    for r, reason in results:
        if reason:
            messages.warning(request, f"{r}：{reason}")
    return redirect("reporting:index")


@object_view(Report)
def report(request, obj):
    versions = list(selectors.versions_of(actor=request.user, report=obj))
    latest = versions[-1] if versions else obj
    may_edit, edit_reason = check(request.user, "reporting.prepare", obj)
    may_correct, correct_reason = check(request.user, "reporting.correct", obj)
    return render(request, "reporting/report.html", {
        "report": obj, "community": selectors.region_names([obj.region_code]).get(obj.region_code, obj.region_code),
        "figures": selectors.figures(obj), "chain": selectors.chain(actor=request.user, report=obj),
        "versions": versions, "badge": BADGE.get(obj.state, ""),
        "transitions": WORKFLOW.available(obj, request.user),
        "editable": obj.state in EDITABLE_STATES, "may_edit": may_edit, "edit_reason": edit_reason,
        "correctable": obj.state == ReportState.APPROVED and latest.pk == obj.pk,
        "may_correct": may_correct, "correct_reason": correct_reason,
    })


@object_view(Report, action="change", methods=("POST",))
def report_act(request, obj):
    p = request.POST
    op = p.get("op", "")
    try:
        if op == "values":
            services.report_set_values(actor=request.user, report=obj, note=p.get("note", ""),
                                       values={k: p.get(f"v-{k}") for k in obj.kind.indicators if f"v-{k}" in p},
                                       expected_version=int(p["version"]) if p.get("version", "").isdigit() else None)
        elif op == "correct":
            new = services.report_correct(actor=request.user, report=obj, reason=p.get("reason", ""))
            messages.success(request, _("已生成更正版本 v%(n)s，原审定版本保持不变") % {"n": new.number})
            return redirect("reporting:report", pk=new.pk)
        else:
            services.report_transition(actor=request.user, report=obj, action=p.get("action", ""),
                                       reason=p.get("reason", ""))
    except ServiceError as e:
        messages.error(request, e.user_message)
    else:
        messages.success(request, _("已保存"))
    return redirect("reporting:report", pk=obj.pk)


@object_view(Report)
def report_diff(request, obj):
    versions = list(selectors.versions_of(actor=request.user, report=obj))
    other_pk = request.GET.get("with", "")
    other = next((v for v in versions if str(v.pk) == other_pk), None)
    if other is None:
        other = next((v for v in versions if v.number == obj.number - 1), None)
    rows = selectors.diff(other, obj) if other is not None else []
    return render(request, "reporting/diff.html", {
        "report": obj, "other": other, "rows": rows, "versions": versions,
        "community": selectors.region_names([obj.region_code]).get(obj.region_code, obj.region_code)})


@role_view(CHAIN_ROLES | READER_ROLES, methods=("GET", "POST"))
def kinds(request):
    form = KindForm(request.POST or None)
    may, reason = check(request.user, "reporting.kinds", next(iter(prefixes_for_roles(
        request.user, DISTRICT_ROLES)), ""))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        region = next(iter(prefixes_for_roles(request.user, DISTRICT_ROLES)), "")
        try:
            services.kind_create(actor=request.user, region_code=region, key=d["key"], name=d["name"],
                                 indicator_keys=d["indicators"], requested_by=d["requested_by"])
        except ServiceError as e:
            form.add_error(e.field if e.field in form.fields else None, e.user_message)
        else:
            messages.success(request, _("已添加报表种类"))
            return redirect("reporting:kinds")
    return render(request, "reporting/kinds.html", {
        "kinds": selectors.kinds(active_only=False), "form": form, "may": may, "reason": reason,
        "labels": selectors.indicator_labels()})
