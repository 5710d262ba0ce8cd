"""考核 pages: schemes, rounds (objects, ranking, surveys, computation, publication, exports), score entry, the
survey desk, results with drill-down and appeals, staff merits, and the public page of published results."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from weasyprint import HTML

from shanzhi.core.access import object_view, public_view, role_view
from shanzhi.core.errors import ServiceError
from shanzhi.core.export import xlsx_response
from shanzhi.core.permissions import allows
from shanzhi.core.roles import Role
from shanzhi.core.scope import prefixes_for_roles, user_roles
from shanzhi.regions.models import Region

from . import selectors, services
from .choices import Source
from .forms import (
    AnswerForm,
    AppealForm,
    AssignForm,
    DecideForm,
    DrawForm,
    IndicatorFormSet,
    MeritDecideForm,
    MeritForm,
    OnlineAnswerForm,
    RoundForm,
    SchemeForm,
    ScoreForm,
)
from .models import (
    ASSESSOR,
    COMMUNITY,
    DISTRICT,
    MANAGERS,
    VIEW,
    Appeal,
    Merit,
    Result,
    Round,
    SampleMember,
    Scheme,
    Survey,
    Target,
)

SOURCE_LABELS = dict(Source.choices)


def _fail(request, e: ServiceError):
    messages.error(request, e.user_message)


def _districts(actor):
    codes = {p[:6] for p in prefixes_for_roles(actor, DISTRICT) if len(p) >= 6}
    return list(Region.objects.filter(code__in=codes, level="district").order_by("code"))


@role_view(VIEW | ASSESSOR)
def index(request):
    actor = request.user
    return render(request, "assessment/index.html", {
        "schemes": list(selectors.scheme_list(actor=actor)[:50]), "rounds": list(selectors.round_list(actor=actor)[:50]),
        "my_targets": list(selectors.my_targets(actor=actor)[:200]),
        "ratable": list(selectors.ratable_targets(actor=actor)[:50]) if user_roles(actor) & COMMUNITY else [],
        "appeals": list(selectors.appeals_for(actor=actor)[:50]), "is_district": bool(user_roles(actor) & DISTRICT)})


@role_view(DISTRICT, methods=("GET", "POST"))
def scheme_new(request):
    form = SchemeForm(request.POST or None, districts=_districts(request.user))
    rows = IndicatorFormSet(request.POST or None, prefix="ind")
    if request.method == "POST" and form.is_valid() and rows.is_valid():
        d = form.cleaned_data
        try:
            scheme = services.scheme_save(
                actor=request.user, district_code=d["district"], name=d["name"], object_kind=d["object_kind"],
                direction=d["direction"], year=d["year"], note=d["note"],
                indicators=[{k: v for k, v in r.items() if v not in (None, "")} for r in rows.cleaned_data])
            messages.success(request, _("方案已保存"))
            return redirect("assessment:scheme", pk=scheme.pk)
        except ServiceError as e:
            form.add_error(None, e.user_message)
    return render(request, "assessment/scheme_new.html", {"form": form, "rows": rows})


@object_view(Scheme)
def scheme(request, obj):
    indicators = list(obj.indicators.all())
    total = sum(i.weight for i in indicators) or 1
    return render(request, "assessment/scheme.html", {
        "scheme": obj, "indicators": indicators, "total": total,
        "shares": [(i, i.weight * 100 / total) for i in indicators],
        "may_manage": allows(request.user, "assessment.manage", obj), "round_form": RoundForm(),
        "rounds": list(obj.rounds.all())})


@object_view(Scheme, action="change", methods=("POST",))
def round_new(request, obj):
    form = RoundForm(request.POST)
    if form.is_valid():
        try:
            rnd = services.round_create(actor=request.user, scheme=obj, **form.cleaned_data)
            messages.success(request, _("已建立考核轮次"))
            return redirect("assessment:round", pk=rnd.pk)
        except ServiceError as e:
            _fail(request, e)
    else:
        messages.error(request, _("请填写轮次名称和考核期"))
    return redirect("assessment:scheme", pk=obj.pk)


@object_view(Round)
def round_detail(request, obj):
    actor = request.user
    communities = list(selectors.survey_communities(actor=actor, round_=obj)[:300])
    return render(request, "assessment/round.html", {
        "round": obj, "results": list(selectors.ranking(actor=actor, round_=obj)),
        "targets": list(obj.targets.order_by("region_code", "pk")[:300]) if allows(actor, "assessment.manage", obj)
        else [], "surveys": list(selectors.surveys_of(actor=actor, round_=obj)),
        "may_manage": allows(actor, "assessment.manage", obj), "assign_form": AssignForm(),
        "draw_form": DrawForm(communities=communities) if communities and obj.state != "published" else None})


@object_view(Round, action="manage", methods=("POST",))
def round_compute(request, obj):
    try:
        n = services.round_compute(actor=request.user, round_=obj)
        messages.success(request, _("已计算 %(n)d 个对象的考核结果") % {"n": n})
    except ServiceError as e:
        _fail(request, e)
    return redirect("assessment:round", pk=obj.pk)


@object_view(Round, action="manage", methods=("POST",))
def round_publish(request, obj):
    try:
        services.round_publish(actor=request.user, round_=obj)
        messages.success(request, _("考核结果已公布"))
    except ServiceError as e:
        _fail(request, e)
    return redirect("assessment:round", pk=obj.pk)


@object_view(Round, action="manage", methods=("POST",))
def round_assign(request, obj):
    form = AssignForm(request.POST)
    assessor = get_user_model().objects.filter(username=request.POST.get("assessor", "")).first() \
        if form.is_valid() else None
    targets = list(obj.targets.filter(pk__in=[int(x) for x in request.POST.getlist("targets") if x.isdigit()]))
    if assessor is None or not targets:
        messages.error(request, _("请填写第三方评估人员账号并选择考核对象"))
    else:
        try:
            n = services.assessor_assign(actor=request.user, round_=obj, assessor=assessor, targets=targets,
                                         organisation=form.cleaned_data["organisation"])
            messages.success(request, _("已分配 %(n)d 个考核对象") % {"n": n})
        except ServiceError as e:
            _fail(request, e)
    return redirect("assessment:round", pk=obj.pk)


@object_view(Round)
def round_export(request, obj):
    results = list(selectors.ranking(actor=request.user, round_=obj))
    names = [r["name"] for r in results[0].detail] if results else []
    headers = [_("名次"), _("考核对象"), _("区划代码"), _("总分")] + names
    rows = ([n, r.target.label, r.region_code, float(r.total)] + [float(d["points"]) for d in r.detail]
            for n, r in enumerate(results, 1))
    return xlsx_response(f"{obj.name}.xlsx", headers, rows, sheet=_("考核结果"))


@object_view(Round, action="survey", methods=("POST",))
def survey_draw(request, obj):
    form = DrawForm(request.POST, communities=selectors.survey_communities(actor=request.user, round_=obj))
    if form.is_valid():
        d = form.cleaned_data
        try:
            survey = services.survey_draw(actor=request.user, round_=obj, community_code=d["community"],
                                          per_grid=d["per_grid"], seed=d["seed"])
            messages.success(request, _("已抽取 %(n)d 名居民") % {"n": survey.members.count()})
            return redirect("assessment:survey", pk=survey.pk)
        except ServiceError as e:
            _fail(request, e)
    else:
        messages.error(request, _("请选择社区并填写每网格抽样人数"))
    return redirect("assessment:round", pk=obj.pk)


@object_view(Survey)
def survey(request, obj):
    members = list(selectors.sample_members(actor=request.user, survey=obj))
    answered = sum(1 for m in members if hasattr(m, "answer"))
    response = render(request, "assessment/survey.html", {
        "survey": obj, "members": members, "answered": answered, "form": AnswerForm(),
        "rate": answered * 100 / len(members) if members else 0})
    response["Cache-Control"] = "no-store"
    return response


@object_view(SampleMember, action="answer", methods=("POST",))
def answer(request, obj):
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            services.answer_enter(actor=request.user, member=obj, **form.cleaned_data)
            messages.success(request, _("已录入"))
        except ServiceError as e:
            _fail(request, e)
    else:
        messages.error(request, _("请选择满意度和方式"))
    return redirect("assessment:survey", pk=obj.survey_id)


def _enterable(actor, target):
    """The indicators of the target's scheme that this actor may enter."""
    out = []
    for i in target.round.scheme.indicators.all():
        if (i.source == Source.THIRD_PARTY and allows(actor, "assessment.third_party", target)) or \
                (i.source == Source.MANUAL and allows(actor, "assessment.manage", target)) or \
                (i.source == Source.COMMUNITY_RATING and allows(actor, "assessment.rate", target)):
            out.append(i)
    return out


@object_view(Target, action="score", methods=("GET", "POST"))
def target(request, obj):
    indicators = _enterable(request.user, obj)
    if request.method == "POST":
        form = ScoreForm(request.POST)
        chosen = next((i for i in indicators if form.is_valid() and i.pk == form.cleaned_data["indicator"]), None)
        if chosen is None:
            messages.error(request, _("请填写分值"))
        else:
            try:
                services.score_enter(actor=request.user, target=obj, indicator=chosen,
                                     value=form.cleaned_data["value"], evidence=form.cleaned_data["evidence"])
                messages.success(request, _("已录入“%(n)s”") % {"n": chosen.name})
                return redirect("assessment:target", pk=obj.pk)
            except ServiceError as e:
                _fail(request, e)
    entered = {(s.indicator_id): s for s in obj.scores.filter(appeal__isnull=True, indicator__in=indicators)}
    return render(request, "assessment/target.html", {
        "target": obj, "rows": [(i, entered.get(i.pk), ScoreForm(initial={"indicator": i.pk})) for i in indicators]})


@object_view(Result)
def result(request, obj):
    actor = request.user
    may_appeal = allows(actor, "assessment.appeal", obj) and obj.current and obj.round.state != "open"
    return render(request, "assessment/result.html", {
        "result": obj, "round": obj.round, "history": list(selectors.result_history(actor=actor, result=obj)),
        "appeals": list(selectors.appeals_for(actor=actor).filter(result__target=obj.target)),
        "appeal_form": AppealForm(indicators=obj.round.scheme.indicators.all()) if may_appeal else None,
        "may_decide": allows(actor, "assessment.decide", obj), "sources": SOURCE_LABELS})


@object_view(Result)
def result_pdf(request, obj):
    html = render_to_string("assessment/result_pdf.html", {"result": obj, "round": obj.round,
                                                            "sources": SOURCE_LABELS})
    response = HttpResponse(HTML(string=html).write_pdf(), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="assessment-{obj.pk}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@object_view(Result, action="appeal", methods=("POST",))
def appeal_submit(request, obj):
    indicators = list(obj.round.scheme.indicators.all())
    form = AppealForm(request.POST, indicators=indicators)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.appeal_submit(actor=request.user, result=obj,
                                   indicator=next(i for i in indicators if str(i.pk) == d["indicator"]),
                                   reason=d["reason"], claimed_value=d["claimed_value"])
            messages.success(request, _("申诉已提交，等待区级复核"))
        except ServiceError as e:
            _fail(request, e)
    else:
        messages.error(request, _("请选择申诉指标并填写理由"))
    return redirect("assessment:result", pk=obj.pk)


@object_view(Appeal, action="decide", methods=("POST",))
def appeal_decide(request, obj):
    form = DecideForm(request.POST)
    if form.is_valid():
        try:
            services.appeal_decide(actor=request.user, appeal=obj, **form.cleaned_data)
            messages.success(request, _("已复核"))
        except ServiceError as e:
            _fail(request, e)
    else:
        messages.error(request, _("请选择复核结果"))
    current = Result.objects.filter(target_id=obj.result.target_id, current=True).first()
    return redirect("assessment:result", pk=(current or obj.result).pk)


@role_view(COMMUNITY | MANAGERS, methods=("GET", "POST"))
def merits(request):
    form = MeritForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        staff = get_user_model().objects.filter(username=d.pop("staff")).first()
        if staff is None:
            form.add_error("staff", _("没有这个账号"))
        else:
            try:
                services.merit_submit(actor=request.user, staff=staff, **d)
                messages.success(request, _("已登记，等待审核认定"))
                return redirect("assessment:merits")
            except ServiceError as e:
                form.add_error(e.field if e.field in form.fields else None, e.user_message)
    return render(request, "assessment/merits.html", {
        "form": form, "merits": list(selectors.merit_list(actor=request.user)[:200]),
        "may_decide": bool(user_roles(request.user) & MANAGERS)})


@object_view(Merit, action="decide", methods=("POST",))
def merit_decide(request, obj):
    form = MeritDecideForm(request.POST)
    if form.is_valid():
        try:
            services.merit_decide(actor=request.user, merit=obj, **form.cleaned_data)
            messages.success(request, _("已审核"))
        except ServiceError as e:
            _fail(request, e)
    else:
        messages.error(request, _("请选择审核结果"))
    return redirect("assessment:merits")


@role_view({Role.RESIDENT})
def my_survey(request):
    response = render(request, "assessment/my_survey.html", {
        "samples": list(selectors.my_samples(actor=request.user)[:20]), "form": OnlineAnswerForm()})
    response["Cache-Control"] = "no-store"
    return response


@object_view(SampleMember, action="own", methods=("POST",))
def answer_own(request, obj):
    form = OnlineAnswerForm(request.POST)
    if form.is_valid():
        try:
            services.answer_online(actor=request.user, member=obj, satisfaction=form.cleaned_data["satisfaction"])
            messages.success(request, _("感谢您的评价"))
        except ServiceError as e:
            _fail(request, e)
    else:
        messages.error(request, _("请选择满意度"))
    return redirect("assessment:my_survey")


@public_view
def public(request):
    rounds = list(selectors.public_rounds()[:50])
    rid = request.GET.get("round", "")
    chosen = next((r for r in rounds if str(r.pk) == rid), rounds[0] if rounds else None)
    if rid and (chosen is None or str(chosen.pk) != rid):
        raise Http404
    return render(request, "assessment/public.html", {
        "rounds": rounds, "round": chosen, "results": list(selectors.public_ranking(chosen)) if chosen else []})

