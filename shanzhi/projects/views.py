"""项目化 pages: the workbench list, needs, programmes and calls (managers), applying (organisations, phone first),
review (assigned reviewers), the application's determination and contract, the project page (deliverables,
payments, progress, beneficiaries, activities, evaluation), the dashboard and the public page of a street."""

from __future__ import annotations

import mimetypes
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from urllib.parse import quote

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from shanzhi.accounts.models import User
from shanzhi.core.access import object_view, public_view, role_view
from shanzhi.core.errors import ServiceError
from shanzhi.core.permissions import check
from shanzhi.core.roles import COMMUNITY_ROLES, MANAGER_ROLES
from shanzhi.core.scope import prefixes_for_roles
from shanzhi.core.scoping import prefix_q
from shanzhi.core.uploads import upload_load
from shanzhi.organisations.choices import OrgKind
from shanzhi.organisations.models import OrgMember
from shanzhi.organisations.selectors import my_organisations
from shanzhi.regions.models import Region
from shanzhi.registry.models import Person

from . import money, selectors, services
from .choices import DEFAULT_FORM, EVALUATION_CRITERIA, REVIEW_CRITERIA, ProgrammeKind, ProjectState
from .forms import (
    ApplicationForm,
    CallFieldsForm,
    CallForm,
    DeclareForm,
    DetermineForm,
    EvaluationForm,
    NeedForm,
    ProgrammeForm,
    ScoreForm,
    form_fields_text,
)
from .models import (
    ASSESSOR,
    ORG_STAFF,
    REVIEWERS,
    STAFF,
    Application,
    Call,
    Evaluation,
    Milestone,
    Payment,
    Programme,
    Project,
    ReviewAssignment,
)
from .permissions import ACCEPT, ACTIVITY, BENEFICIARY, DELIVER, MANAGE, PROGRAMME
from .workflow import MILESTONE, PROJECT

NEED_ROLES = set(COMMUNITY_ROLES) | set(MANAGER_ROLES)


def _regions(user, roles, levels):
    prefixes = prefixes_for_roles(user, roles)
    if not prefixes:
        return []
    return list(Region.objects.filter(prefix_q("code", prefixes), level__in=levels).order_by("code")[:300])


def _fen(text) -> int:
    try:
        return int((Decimal(str(text).strip()) * 100).to_integral_value())
    except (InvalidOperation, ValueError):
        raise ServiceError(_("金额“%(v)s”不是数字") % {"v": text}) from None


def _form_error(form, e: ServiceError):
    form.add_error(e.field if e.field in form.fields else None, e.user_message)


@role_view(STAFF | ORG_STAFF | ASSESSOR)
def index(request):
    user = request.user
    return render(request, "projects/index.html", {
        "reviews": list(selectors.my_reviews(actor=user)[:20]),
        "evaluations": list(selectors.my_evaluations(actor=user)[:20]),
        "calls": list(selectors.call_list(actor=user, open_only=True)[:20]),
        "applications": list(selectors.application_list(actor=user, open_only=True)[:30]),
        "projects": list(selectors.project_list(actor=user)[:50]),
        "payments": list(selectors.payment_queue(actor=user).select_related("project", "milestone")[:20]),
        "organisations": list(my_organisations(actor=user)),
        "is_manager": bool(prefixes_for_roles(user, MANAGER_ROLES))})


@role_view(NEED_ROLES, methods=("GET", "POST"))
def needs(request):
    form = NeedForm(request.POST or None, regions=_regions(request.user, NEED_ROLES, ("community",)))
    if request.method == "POST" and form.is_valid():
        try:
            services.need_raise(actor=request.user, **form.cleaned_data)
        except ServiceError as e:
            _form_error(form, e)
        else:
            messages.success(request, _("已提出社区需求"))
            return redirect("projects:needs")
    return render(request, "projects/needs.html", {"form": form,
                                                   "needs": list(selectors.need_list(actor=request.user)[:100])})


@role_view(MANAGER_ROLES, methods=("GET", "POST"))
def programmes(request):
    form = ProgrammeForm(request.POST or None, regions=_regions(request.user, MANAGER_ROLES, ("district", "street")))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            programme = services.programme_create(actor=request.user, budget_fen=_fen(data.pop("budget_yuan")), **data)
        except ServiceError as e:
            _form_error(form, e)
        else:
            messages.success(request, _("资金项目已设立，预算已下达"))
            return redirect("projects:call_new", pk=programme.pk)
    return render(request, "projects/programmes.html", {
        "form": form, "programmes": list(selectors.programme_list(actor=request.user)[:100])})


@object_view(Programme, action="change", methods=("GET", "POST"))
def call_new(request, obj):
    needs = list(selectors.need_list(actor=request.user).filter(prefix_q("region_code", [obj.region_code]))[:100])
    form = CallForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        chosen = [n for n in needs if str(n.pk) in request.POST.getlist("needs")]
        kinds = [k for k in request.POST.getlist("kinds") if k in OrgKind.values]
        try:
            call = services.call_open(actor=request.user, programme=obj, needs=chosen, kinds=kinds,
                                      max_amount_fen=_fen(data.pop("max_amount_yuan")),
                                      form=data.pop("form_fields"), **data)
        except ServiceError as e:
            _form_error(form, e)
        else:
            messages.success(request, _("征集已发布"))
            return redirect("projects:call", pk=call.pk)
    balance = money.programme_account(obj).balance
    return render(request, "projects/call_new.html", {"programme": obj, "form": form, "balance": money.yuan(balance),
                                                      "needs": needs, "kinds": OrgKind.choices})


def _call_page(request, obj, fields_form=None):
    apps = list(selectors.application_list(actor=request.user).filter(call=obj).order_by("rank", "-created_at")[:200])
    editable = check(request.user, PROGRAMME.action, obj.programme)[0] and not obj.applications.exists()
    if editable and fields_form is None:
        fields_form = CallFieldsForm(initial={"form_fields": form_fields_text(obj.form)})
    return render(request, "projects/call.html", {"call": obj, "applications": apps, "needs": list(obj.needs.all()),
                                                  "max_amount": money.yuan(obj.max_amount_fen),
                                                  "fields_form": fields_form if editable else None})


@object_view(Call)
def call_detail(request, obj):
    return _call_page(request, obj)


@object_view(Call, action="change", methods=("POST",))
def call_fields(request, obj):
    """Edit the call's application questions (only while nobody has applied)."""
    form = CallFieldsForm(request.POST)
    if form.is_valid():
        try:
            services.call_form_update(actor=request.user, call=obj, form=form.cleaned_data["form_fields"],
                                      expected_version=int(request.POST.get("version") or 0))
        except ServiceError as e:
            _form_error(form, e)
        else:
            messages.success(request, _("申报表已更新"))
            return redirect("projects:call", pk=obj.pk)
    return _call_page(request, obj, fields_form=form)


def _budget(text: str) -> list[dict]:
    lines = []
    for i, raw in enumerate(text.splitlines(), start=1):
        raw = raw.strip()
        if not raw:
            continue
        item, _sep, amount = raw.rpartition(" ")
        if not item.strip():
            raise ServiceError(_("预算第 %(row)s 行应为“科目 金额”") % {"row": i}, field="budget")
        lines.append({"item": item.strip(), "amount_fen": _fen(amount)})
    return lines


@object_view(Call, action="apply", methods=("GET", "POST"))
def apply(request, obj):
    orgs = list(my_organisations(actor=request.user))
    communities = list(Region.objects.filter(prefix_q("code", [obj.region_code]), level="community")
                       .filter(Q(code__in=obj.communities) if obj.communities else Q()).order_by("code")[:200])
    form = ApplicationForm(request.POST or None, organisations=orgs, communities=communities,
                           extra=obj.form or DEFAULT_FORM)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        org = next(o for o in orgs if str(o.pk) == data["organisation"])
        try:
            lines = _budget(data["budget"])
            app = services.application_submit(
                actor=request.user, call=obj, organisation=org, community_code=data["community_code"],
                title=data["title"], objectives=data["objectives"], activities=data["activities"],
                budget_lines=lines, amount_fen=sum(x["amount_fen"] for x in lines),
                target_beneficiaries=data["target_beneficiaries"], needs=list(obj.needs.all()),
                answers={k[len("answer_"):]: v for k, v in data.items() if k.startswith("answer_")})
        except ServiceError as e:
            _form_error(form, e)
        else:
            messages.success(request, _("申报已提交"))
            return redirect("projects:application", pk=app.pk)
    eligibility = [(o, *services.eligibility(obj, o, obj.communities[0] if obj.communities else obj.region_code))
                   for o in orgs]
    return render(request, "projects/apply.html", {"call": obj, "form": form, "eligibility": eligibility,
                                                   "max_amount": money.yuan(obj.max_amount_fen)})


def _reviewer_choices(app):
    street = app.region_code[:9]
    return list(User.objects.filter(grants__role__in=REVIEWERS).filter(
        Q(grants__region_code__startswith=street) | Q(grants__region_code__in=[street[:6], street[:4]]))
        .exclude(org_memberships__organisation=app.organisation).distinct().order_by("username")[:100])


@object_view(Application)
def application_detail(request, obj):
    can_manage, reason = check(request.user, MANAGE.action, obj)
    reviews = list(obj.reviews.select_related("reviewer")) if can_manage else []
    return render(request, "projects/application.html", {
        "app": obj, "comments": selectors.review_comments(application=obj), "can_manage": can_manage,
        "manage_reason": reason, "reviews": reviews, "reviewers": _reviewer_choices(obj) if can_manage else [],
        "determine_form": DetermineForm(), "amount": money.yuan(obj.amount_fen),
        "lines": [{"item": x["item"], "yuan": money.yuan(x["amount_fen"])} for x in obj.budget_lines],
        "answers": [(f["label"], obj.answers.get(f["name"], "")) for f in obj.call.form],
        "project": Project.objects.filter(application=obj).first(),
        "today": timezone.localdate(), "criteria": REVIEW_CRITERIA})


def _milestone_rows(post) -> list[dict]:
    rows = []
    for i in range(1, 5):
        title = post.get(f"m{i}_title", "").strip()
        if not title:
            continue
        rows.append({"title": title, "deliverable": post.get(f"m{i}_deliverable", ""),
                     "due_on": parse_date(post.get(f"m{i}_due", "") or ""),
                     "instalment_fen": _fen(post.get(f"m{i}_yuan", "0") or "0")})
    return rows


def _application_op(request, obj):
    op = request.POST.get("op", "")
    if op == "assign":
        ids = [int(x) for x in request.POST.getlist("reviewers") if x.isdigit()]
        reviewers = [u for u in _reviewer_choices(obj) if u.pk in ids]
        if not reviewers:
            raise ServiceError(_("请选择评审人"))
        services.reviewers_assign(actor=request.user, application=obj, reviewers=reviewers)
        return _("已指派评审人"), None
    if op == "determine":
        form = DetermineForm(request.POST)
        if not form.is_valid():
            raise ServiceError(_("请选择决定并填写理由"))
        services.application_determine(actor=request.user, application=obj, **form.cleaned_data)
        return _("已作出立项决定"), None
    if op == "contract":
        starts, ends = parse_date(request.POST.get("starts_on", "")), parse_date(request.POST.get("ends_on", ""))
        if not starts or not ends:
            raise ServiceError(_("请填写实施期"))
        project = services.contract_sign(actor=request.user, application=obj,
                                         contract_no=request.POST.get("contract_no", ""), starts_on=starts,
                                         ends_on=ends, milestones=_milestone_rows(request.POST))
        return _("合同已签订，资金已锁定"), project
    raise ServiceError(_("请选择要办理的事项"))


@object_view(Application, action="view", methods=("POST",))
def application_act(request, obj):
    if request.POST.get("op") == "withdraw":
        try:
            services.application_withdraw(actor=request.user, application=obj, reason=request.POST.get("reason", ""))
            messages.success(request, _("申报已撤回"))
        except ServiceError as e:
            messages.error(request, e.user_message)
        return redirect("projects:application", pk=obj.pk)
    try:
        message, project = _application_op(request, obj)
    except ServiceError as e:
        messages.error(request, e.user_message)
        return redirect("projects:application", pk=obj.pk)
    messages.success(request, message)
    return redirect("projects:project", pk=project.pk) if project else redirect("projects:application", pk=obj.pk)


@object_view(ReviewAssignment, action="review", methods=("GET", "POST"))
def review(request, obj):
    app = obj.application
    declare = DeclareForm(request.POST if request.POST.get("op") == "declare" else None)
    score = ScoreForm(request.POST if request.POST.get("op") == "score" else None)
    if request.method == "POST":
        try:
            if declare.is_bound and declare.is_valid():
                services.review_declare(actor=request.user, review=obj, conflict=declare.cleaned_data["conflict"],
                                        note=declare.cleaned_data["conflict_note"])
                messages.success(request, _("已声明"))
                return redirect("projects:review", pk=obj.pk)
            if score.is_bound and score.is_valid():
                data = dict(score.cleaned_data)
                services.review_submit(actor=request.user, review=obj, comment=data.pop("comment"), scores=data)
                messages.success(request, _("评分已提交"))
                return redirect("projects:index")
            if not (declare.is_bound or score.is_bound):
                messages.error(request, _("请先声明利益冲突，再评分"))
        except ServiceError as e:
            messages.error(request, e.user_message)
    return render(request, "projects/review.html", {
        "review": obj, "app": app, "declare_form": declare, "score_form": score, "amount": money.yuan(app.amount_fen),
        "lines": [{"item": x["item"], "yuan": money.yuan(x["amount_fen"])} for x in app.budget_lines]})


@object_view(Project)
def project_detail(request, obj):
    user = request.user
    detail = selectors.project_detail(actor=user, project=obj)
    can = {name: check(user, rule.action, obj) for name, rule in
           {"manage": MANAGE, "accept": ACCEPT, "deliver": DELIVER, "beneficiary": BENEFICIARY,
            "activity": ACTIVITY}.items()}
    workers = list(OrgMember.objects.filter(organisation=obj.organisation_id).exclude(qualification="")) \
        if can["deliver"][0] else []
    assessors = list(User.objects.filter(grants__role__in=ASSESSOR).distinct().order_by("username")[:50]) \
        if can["manage"][0] else []
    return render(request, "projects/project.html", {
        "project": obj, **detail, "can": can, "workers": workers, "assessors": assessors,
        "amount": money.yuan(obj.amount_fen), "paid": money.yuan(obj.paid_fen),
        "remaining": money.yuan(obj.amount_fen - obj.paid_fen),
        "milestone_actions": {m.pk: MILESTONE.available(m, user) for m in detail["milestones"]},
        "project_actions": PROJECT.available(obj, user), "now": timezone.localtime(),
        "satisfaction": services.survey_satisfaction(obj),
        "survey_communities": selectors.survey_communities(obj) if can["manage"][0] else []})


def _milestone(obj, request) -> Milestone:
    m = Milestone.objects.restrict(request.user, "view").filter(project=obj, pk=request.POST.get("milestone")).first()
    if m is None:
        raise ServiceError(_("请选择里程碑"))
    return m


def _payment(obj, request) -> Payment:
    p = Payment.objects.restrict(request.user, "view").filter(project=obj, pk=request.POST.get("payment")).first()
    if p is None:
        raise ServiceError(_("请选择拨款"))
    return p


def _op_activity(request, obj):
    starts = parse_datetime(request.POST.get("starts_at", "") or "")
    if not starts:
        raise ServiceError(_("请填写活动开始时间"))
    starts = timezone.make_aware(starts) if timezone.is_naive(starts) else starts
    hours = int(request.POST.get("hours", "2") or 2)
    services.project_activity(actor=request.user, project=obj, title=request.POST.get("title", ""),
                              place=request.POST.get("place", ""), starts_at=starts,
                              ends_at=starts + timedelta(hours=max(1, min(hours, 12))),
                              slots=int(request.POST.get("slots", "10") or 10))


def _op_beneficiary(request, obj):
    person = Person.objects.restrict(request.user, "view").filter(pk=request.POST.get("person") or 0).first()
    if person is None:
        raise ServiceError(_("人口库中没有找到该人员（请输入人员编号）"))
    services.beneficiary_link(actor=request.user, project=obj, person=person)


def _op_evaluation(request, obj):
    assessor = User.objects.filter(pk=request.POST.get("assessor") or 0, grants__role__in=ASSESSOR).first()
    if assessor is None:
        raise ServiceError(_("请选择第三方评估人员"))
    services.evaluation_assign(actor=request.user, project=obj, kind=request.POST.get("kind", ""), assessor=assessor)


def _op_casework(request, obj):
    worker = OrgMember.objects.filter(pk=request.POST.get("worker") or 0, organisation=obj.organisation_id).first()
    if worker is None:
        raise ServiceError(_("请选择社工"))
    services.casework_log(actor=request.user, project=obj, worker=worker,
                          day=parse_date(request.POST.get("day", "")) or timezone.localdate(),
                          hours=request.POST.get("hours", "0"), note=request.POST.get("note", ""))


PROJECT_OPS = {
    "start": lambda r, o: services.project_start(actor=r.user, project=o),
    "submit": lambda r, o: services.milestone_submit(actor=r.user, milestone=_milestone(o, r),
                                                     report=r.POST.get("report", ""),
                                                     attachment=r.FILES.get("attachment")),
    "accept": lambda r, o: services.milestone_review(actor=r.user, milestone=_milestone(o, r), accept=True,
                                                     note=r.POST.get("reason", "")),
    "return": lambda r, o: services.milestone_review(actor=r.user, milestone=_milestone(o, r), accept=False,
                                                     note=r.POST.get("reason", "")),
    "request": lambda r, o: services.payment_request(actor=r.user, milestone=_milestone(o, r),
                                                     invoice=r.FILES.get("invoice")),
    "release": lambda r, o: services.payment_release(actor=r.user, payment=_payment(o, r)),
    "refuse": lambda r, o: services.payment_refuse(actor=r.user, payment=_payment(o, r),
                                                   reason=r.POST.get("reason", "")),
    "report": lambda r, o: services.progress_report(actor=r.user, project=o, text=r.POST.get("text", ""),
                                                    photo=r.FILES.get("photo")),
    "activity": _op_activity,
    "beneficiary": _op_beneficiary,
    "evaluation": _op_evaluation,
    "casework": _op_casework,
    "close": lambda r, o: services.project_transition(actor=r.user, project=o, action="close"),
    "survey": lambda r, o: services.satisfaction_survey_open(actor=r.user, project=o,
                                                             community_code=r.POST.get("community_code", "")),
}


@object_view(Project, action="view", methods=("POST",))
def project_act(request, obj):
    op = PROJECT_OPS.get(request.POST.get("op", ""))
    try:
        if op is None:
            raise ServiceError(_("请选择要办理的事项"))
        op(request, obj)
    except (ServiceError, ValueError) as e:
        messages.error(request, getattr(e, "user_message", _("填写的内容有误，请检查")))
    else:
        messages.success(request, _("已办理"))
    return redirect("projects:project", pk=obj.pk)


@object_view(Project)
def project_file(request, obj):
    """An attachment of the project (deliverable, invoice, progress photo), decrypted for someone who may see it;
    without one named, the list of the project's files."""
    if not request.GET.get("f"):
        return render(request, "projects/files.html", {"project": obj,
                                                       **selectors.project_files(actor=request.user, project=obj)})
    found = selectors.project_file(actor=request.user, project=obj, kind=request.GET.get("f", ""),
                                   pk=request.GET.get("id", ""))
    stored = upload_load(found[0], root=services.FILES_ROOT) if found else None
    if stored is None:
        raise Http404
    name = stored.filename or found[1]
    kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
    inline = kind.startswith("image/") or kind == "application/pdf"
    response = HttpResponse(stored.data, content_type=kind if inline else "application/octet-stream")
    response["Content-Disposition"] = f"{'inline' if inline else 'attachment'}; filename*=UTF-8''{quote(name)}"
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@object_view(Evaluation, action="assess", methods=("GET", "POST"))
def evaluation(request, obj):
    form = EvaluationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.evaluation_submit(actor=request.user, evaluation=obj, comment=data.pop("comment"),
                                       satisfaction=data.pop("survey_satisfaction"), scores=data)
        except ServiceError as e:
            _form_error(form, e)
        else:
            messages.success(request, _("评估已提交"))
            return redirect("projects:index")
    project = obj.project
    return render(request, "projects/evaluation.html", {
        "evaluation": obj, "project": project, "form": form, "criteria": EVALUATION_CRITERIA,
        "amount": money.yuan(project.amount_fen), "paid": money.yuan(project.paid_fen),
        "milestones": list(project.milestones.all())})


@role_view(MANAGER_ROLES)
def dashboard(request):
    data = selectors.dashboard(actor=request.user)
    kinds = dict(ProgrammeKind.choices)
    names = dict(Region.objects.filter(code__in=[r["region_code"] for r in data["by_community"]])
                 .values_list("code", "name"))
    return render(request, "projects/dashboard.html", {
        **data, "kinds": kinds, "names": names, "states": dict(ProjectState.choices),
        "committed": money.yuan(data["totals"]["committed_fen"]), "paid": money.yuan(data["totals"]["paid_fen"])})


@public_view
def public(request):
    streets = list(Region.objects.filter(level="street").order_by("code").values_list("code", "name")[:200])
    code = request.GET.get("street", "")
    if code not in {c for c, _n in streets}:
        code = streets[0][0] if streets else ""
    projects = list(selectors.public_projects(street_code=code)[:300]) if code else []
    totals = selectors.public_totals(street_code=code) if code else {}
    names = dict(Region.objects.filter(code__in={p.region_code[:12] for p in projects}).values_list("code", "name"))
    return render(request, "projects/public.html", {
        "streets": streets, "street": code, "projects": projects, "totals": totals, "names": names,
        "amount": money.yuan(totals.get("amount_fen")), "paid": money.yuan(totals.get("paid_fen"))})


