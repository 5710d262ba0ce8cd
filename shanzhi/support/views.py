"""帮教 pages: the worker's list and due visits (phone first), a record's page, the break-the-glass door, the
statistics (counts only) and the security admin's glass log. Every record page read leaves an audit row."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from shanzhi.core.access import object_view, role_view
from shanzhi.core.errors import ServiceError
from shanzhi.core.permissions import check
from shanzhi.core.roles import Role
from shanzhi.core.workflow import transition_history

from . import selectors, services
from .forms import CloseForm, GlassForm, PlanForm, RecordForm, ReviewForm, TeamForm, VisitForm
from .models import PURPOSE_ROLES, RECORD_ROLES, STATS_ROLES, GlassGrant, Record, RecordRef, Visit
from .permissions import RECORD_CLOSE, RECORD_MANAGE
from .workflow import RECORD

WORKER_ROLES = RECORD_ROLES["view"]


def _labelled(history) -> list:
    """History rows with the transition's label (the table's words, not the action's code name)."""
    labels = {t.action: t.label for t in RECORD.transitions}
    return [(h, labels.get(h.action, h.action)) for h in history]


def _private(response):
    response["Cache-Control"] = "no-store"
    return response


def _fail(request, e: ServiceError):
    messages.error(request, e.user_message)


@role_view(WORKER_ROLES)
def index(request):
    records = list(selectors.record_list(actor=request.user)[:200])
    services.record_list_read(actor=request.user, records=records)
    ctx = {"records": records, "due": list(selectors.my_due_visits(actor=request.user)[:50]),
           "may_create": bool(selectors.purpose_prefixes(actor=request.user)),
           "glass": list(selectors.my_glass(actor=request.user))}
    return _private(render(request, "support/index.html", ctx))


@role_view(PURPOSE_ROLES, methods=("GET", "POST"))
def record_new(request):
    candidates = selectors.team_candidates_for(actor=request.user)
    form = RecordForm(request.POST or None, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        person = selectors.subject_by_id_number(actor=request.user, id_number=d["id_number"])
        responsible = next((u for u in candidates if u.pk == d["responsible"]), None)
        if person is None:
            form.add_error("id_number", _("在您负责的区域内找不到此证件号码的人员，请先在人口库登记"))
        else:
            try:
                record = services.record_create(
                    actor=request.user, person=person, category=d["category"], risk=d["risk"],
                    risk_reasons=d["risk_reasons"], started_on=d["started_on"], ends_on=d["ends_on"],
                    source_document=d["source_document"], responsible=responsible)
            except ServiceError as e:
                form.add_error(e.field if e.field in form.fields else None, e.user_message)
            else:
                messages.success(request, _("帮教档案已建立"))
                return redirect("support:record", pk=record.pk)
    return _private(render(request, "support/record_form.html", {"form": form}))


@object_view(RecordRef, action="view")
def record(request, ref):
    """The record for those who reach it; for other staff of its region a refusal with the glass door."""
    rec = selectors.record_get(actor=request.user, pk=ref.pk)
    if rec is None:
        return _private(render(request, "support/refused.html", {"ref": ref, "form": GlassForm()}, status=403))
    glass = selectors.holds_glass(actor=request.user, record=rec)
    services.record_read(actor=request.user, record=rec, glass=glass)
    manage = selectors.may(actor=request.user, record=rec, action="manage")
    ctx = {"r": rec, "glass": glass, "manage": manage, "team": selectors.team_of(actor=request.user, record=rec),
           "plans": selectors.plans_of(actor=request.user, record=rec),
           "reviews": selectors.reviews_of(actor=request.user, record=rec),
           "visits": selectors.visits_of(actor=request.user, record=rec),
           "open_visit": selectors.open_visit(actor=request.user, record=rec),
           "history": _labelled(transition_history(rec)),
           "transitions": RECORD.available(rec, request.user) if manage else [],
           "manage_reason": check(request.user, RECORD_MANAGE.action, rec)[1],
           "close_reason": check(request.user, RECORD_CLOSE.action, rec)[1]}
    if manage and not glass:
        ctx.update(team_form=TeamForm(candidates=selectors.team_candidates(actor=request.user, code=rec.region_code)),
                   plan_form=PlanForm(), review_form=ReviewForm(initial={"risk_after": rec.risk}),
                   close_form=CloseForm())
    return _private(render(request, "support/record.html", ctx))


@object_view(RecordRef, action="glass", methods=("POST",))
def glass_break(request, ref):
    form = GlassForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写查阅理由（至少4个字）并选择时限"))
        return redirect("support:record", pk=ref.pk)
    try:
        services.glass_break(actor=request.user, record=ref, reason=form.cleaned_data["reason"],
                             hours=form.cleaned_data["hours"])
    except ServiceError as e:
        _fail(request, e)
    else:
        messages.warning(request, _("已开启紧急查阅，安全管理员已收到通知；您的每次查阅都会被记录"))
    return redirect("support:record", pk=ref.pk)


def _posted(request, rec, form, run, ok: str):
    if form.is_valid():
        try:
            run(form.cleaned_data)
        except ServiceError as e:
            _fail(request, e)
        else:
            messages.success(request, ok)
    else:
        messages.error(request, "；".join(str(m) for errs in form.errors.values() for m in errs))
    return redirect("support:record", pk=rec.pk)


@object_view(Record, action="manage", methods=("POST",))
def team_add(request, rec):
    candidates = selectors.team_candidates(actor=request.user, code=rec.region_code)
    form = TeamForm(request.POST, candidates=candidates)
    users = {u.pk: u for u in candidates}
    return _posted(request, rec, form, lambda d: services.team_add(
        actor=request.user, record=rec, side=d["side"], role=d["role"], name=d["name"], unit=d["unit"],
        user=users.get(d["user"])), _("已加入帮教小组"))


@object_view(Record, action="manage", methods=("POST",))
def team_remove(request, rec):
    member = selectors.team_member(actor=request.user, record=rec, pk=request.POST.get("member", ""))
    if member is None:
        messages.error(request, _("请选择要移出的成员"))
        return redirect("support:record", pk=rec.pk)
    try:
        services.team_remove(actor=request.user, member=member)
    except ServiceError as e:
        _fail(request, e)
    else:
        messages.success(request, _("已移出帮教小组"))
    return redirect("support:record", pk=rec.pk)


@object_view(Record, action="manage", methods=("POST",))
def plan_add(request, rec):
    return _posted(request, rec, PlanForm(request.POST), lambda d: services.plan_add(
        actor=request.user, record=rec, goals=d["goals"], help_kinds=d["help_kinds"], help_given=d["help_given"]),
        _("帮教方案已保存"))


@object_view(Record, action="manage", methods=("POST",))
def review_add(request, rec):
    return _posted(request, rec, ReviewForm(request.POST), lambda d: services.review_add(
        actor=request.user, record=rec, findings=d["findings"], risk_after=d["risk_after"]), _("评估已记录"))


@object_view(Record, action="manage", methods=("POST",))
def transition(request, rec):
    action = request.POST.get("action", "")
    return _posted(request, rec, CloseForm(request.POST), lambda d: services.record_transition(
        actor=request.user, record=rec, action=action, data=d), _("已办理"))


@role_view(WORKER_ROLES)
def visits(request):
    due = list(selectors.my_due_visits(actor=request.user, within_days=30)[:100])
    services.record_list_read(actor=request.user, records=[v.record for v in due])
    return _private(render(request, "support/visits.html", {"due": due}))


@object_view(Visit, action="change", methods=("GET", "POST"))
def visit_log(request, visit):
    form = VisitForm(request.POST or None)
    if visit.done_at is not None:
        messages.info(request, _("这次走访已经登记过了"))
        return redirect("support:record", pk=visit.record_id)
    if request.method == "POST" and form.is_valid():
        try:
            services.visit_log(actor=request.user, visit=visit, kind=form.cleaned_data["kind"],
                               notes=form.cleaned_data["notes"])
        except ServiceError as e:
            form.add_error(e.field if e.field in form.fields else None, e.user_message)
        else:
            messages.success(request, _("走访已登记"))
            return redirect("support:visits")
    services.record_read(actor=request.user, record=visit.record)
    return _private(render(request, "support/visit_form.html", {"visit": visit, "form": form}))


@role_view(STATS_ROLES)
def stats(request):
    return _private(render(request, "support/stats.html", {"stats": selectors.statistics(actor=request.user)}))


@role_view({Role.SECURITY_ADMIN})
def glass_log(request):
    rows = list(selectors.glass_log(actor=request.user)[:200])
    return _private(render(request, "support/glass_log.html", {"rows": rows}))


@object_view(GlassGrant, action="review", methods=("POST",))
def glass_review(request, grant):
    if request.POST.get("end"):
        services.glass_end(actor=request.user, grant=grant)
    services.glass_acknowledge(actor=request.user, grant=grant)
    messages.success(request, _("已确认"))
    return redirect(reverse("support:glass_log"))

