"""物业三位一体 pages: companies and their credit, complaints, 业主大会 votes, self-managed estates' books."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.db.models import F
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from shanzhi.consultation.models import Topic
from shanzhi.core.access import object_view, role_view
from shanzhi.core.errors import ServiceError
from shanzhi.core.permissions import check
from shanzhi.core.scope import prefixes_for_roles, user_roles
from shanzhi.core.scoping import prefix_q
from shanzhi.regions.models import Region
from shanzhi.registry.models import Dwelling, Estate, Person

from . import choices as c
from . import permissions as P
from . import selectors, services
from .forms import CompanyForm, VoteForm
from .models import (
    COMMITTEE,
    MANAGERS,
    PROPERTY,
    RESIDENTS,
    STAFF,
    FeeBill,
    MonthlyStatement,
    OwnersVote,
    PropertyCompany,
    RenovationProject,
    SelfManagedEstate,
    estate_ids_of,
)
from .workflow import RENOVATION

EVERYONE = STAFF | PROPERTY | COMMITTEE | RESIDENTS


def _fail(request, e: ServiceError):
    messages.error(request, e.user_message)


def _fen(value) -> int:
    try:
        return int((Decimal(str(value or "0").strip()) * 100).quantize(Decimal(1)))
    except (InvalidOperation, ValueError):
        raise ServiceError(_("金额格式不正确：%(v)s") % {"v": str(value)[:20]}, field="amount") from None


def _day(value):
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def resident_estate(user):
    person = Person.objects.filter(user=user).select_related("dwelling__building__estate").first()
    if person and person.dwelling_id and person.dwelling.building.estate_id:
        return person.dwelling.building.estate
    owned = Dwelling.objects.filter(owner__user=user, building__estate__isnull=False).select_related(
        "building__estate").first()
    return owned.building.estate if owned else None


def _estates_for(user):
    prefixes = prefixes_for_roles(user, STAFF)
    qs = Estate.objects.filter(prefix_q("region_code", prefixes)) if prefixes else Estate.objects.none()
    return list(qs.order_by("name")[:200]) + list(Estate.objects.filter(pk__in=estate_ids_of(user))[:20])


@role_view(EVERYONE)
def index(request):
    roles = user_roles(request.user)
    estate = resident_estate(request.user) if roles & RESIDENTS else None
    company = services.current_company(estate) if estate else None
    ctx = {"companies": list(selectors.company_list(actor=request.user)[:50]),
           "committees": list(selectors.committee_list(actor=request.user)[:50]),
           "votes": list(selectors.vote_list(actor=request.user)[:50]),
           "estates": list(selectors.sme_list(actor=request.user)[:50]),
           "renovations": list(selectors.renovation_list(actor=request.user)[:50]),
           "offices": list(selectors.office_list(actor=request.user)[:20]),
           "estate": estate, "company": company, "resident": bool(roles & RESIDENTS),
           "can_register": bool(roles & MANAGERS), "can_vote": bool(roles & (MANAGERS | COMMITTEE))}
    return render(request, "property/index.html", ctx)


@role_view(MANAGERS, methods=("GET", "POST"))
def company_new(request):
    prefixes = prefixes_for_roles(request.user, MANAGERS)
    regions = list(Region.objects.filter(prefix_q("code", prefixes), level__in=("street", "community"))[:100]) \
        if prefixes else []
    form = CompanyForm(request.POST or None, regions=regions)
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        d["deposit_required"] = int(d["deposit_required"] * 100)
        try:
            company = services.company_register(actor=request.user, **d)
        except ServiceError as e:
            form.add_error("uscc" if e.field == "uscc" else None, e.user_message)
        else:
            return redirect("property:company", pk=company.pk)
    return render(request, "property/form.html", {"form": form, "title": _("登记物业公司")})


@object_view(PropertyCompany)
def company_detail(request, company):
    credit = selectors.credit_of(company)
    cases = list(selectors.company_cases(company).select_related("category").order_by("-created_at")[:20])
    staff_view = bool(user_roles(request.user) & STAFF)
    return render(request, "property/company.html", {
        "company": company, "credit": credit, "cases": cases, "staff_view": staff_view,
        "contracts": list(selectors.contracts_of(actor=request.user, company=company)[:50]),
        "inspections": list(company.inspections.select_related("estate")[:20]),
        "movements": list(company.deposit_movements.all()[:20]),
        "can_deposit": check(request.user, P.DEPOSIT.action, company)[0],
        "kinds": c.DepositKind.choices})


@object_view(PropertyCompany, action="change", methods=("POST",))
def company_act(request, company):
    try:
        if request.POST.get("op") == "inspect":
            estate = Estate.objects.filter(pk=request.POST.get("estate") or 0,
                                           property_contracts__company=company).first()
            if estate is None:
                raise ServiceError(_("请选择该公司服务的小区"), field="estate")
            services.inspection_record(actor=request.user, company=company, estate=estate,
                                       date=_day(request.POST.get("date")) or timezone.localdate(),
                                       score=int(request.POST.get("score") or 0), findings=request.POST.get("findings", ""))
        else:
            services.deposit_move(actor=request.user, company=company, kind=request.POST.get("kind", ""),
                                  amount=_fen(request.POST.get("amount")), reason=request.POST.get("reason", ""))
    except (ServiceError, ValueError) as e:
        _fail(request, e if isinstance(e, ServiceError) else ServiceError(_("请填写有效的得分")))
    else:
        messages.success(request, _("已记录"))
    return redirect("property:company", pk=company.pk)


@role_view(RESIDENTS, methods=("GET", "POST"))
def complain(request):
    estate = resident_estate(request.user)
    company = services.current_company(estate) if estate else None
    if request.method == "POST":
        op = request.POST.get("op", "complain")
        try:
            if estate is None:
                raise ServiceError(_("未找到您居住的小区，请联系社区登记"))
            if op == "rate":
                services.rating_add(actor=request.user, estate=estate, score=int(request.POST.get("score") or 0),
                                    comment=request.POST.get("comment", ""))
                messages.success(request, _("感谢您的评价"))
                return redirect("property:index")
            case = services.complaint_file(actor=request.user, estate=estate, title=request.POST.get("title", ""),
                                           description=request.POST.get("description", ""))
        except (ServiceError, ValueError) as e:
            _fail(request, e if isinstance(e, ServiceError) else ServiceError(_("请选择评分")))
        else:
            messages.success(request, _("投诉已受理登记，编号 %(n)s，将转交 %(c)s 办理") % {
                "n": case.number, "c": company.name})
            return redirect("cases:my_detail", pk=case.pk)
    return render(request, "property/complain.html", {"estate": estate, "company": company})


# --- 业主大会 votes -------------------------------------------------------------------------------------------------
@role_view(MANAGERS | COMMITTEE, methods=("GET", "POST"))
def vote_new(request):
    estates = _estates_for(request.user)
    form = VoteForm(request.POST or None, estates=estates,
                    initial={"closes_on": (timezone.localdate() + dt.timedelta(days=14)).isoformat()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        estate = next((e for e in estates if str(e.pk) == d["estate"]), None)
        try:
            vote = services.vote_open(actor=request.user, estate=estate, title=d["title"], motion=d["motion"],
                                      closes_on=d["closes_on"], subject=d["subject"], payload=form.payload(),
                                      threshold=d["threshold"])
        except ServiceError as e:
            form.add_error(None, e.user_message)
        else:
            return redirect("property:vote", pk=vote.pk)
    return render(request, "property/form.html", {"form": form, "title": _("发起业主大会表决")})


@object_view(OwnersVote)
def vote_detail(request, vote):
    mine = list(Dwelling.objects.filter(owner__user=request.user, building__estate=vote.estate)
                .select_related("building")) if request.user.is_authenticated else []
    voted = set(vote.ballots.values_list("dwelling_id", flat=True))
    manage = check(request.user, P.VOTE_PAPER.action, vote)[0]
    t = services.vote_tally(vote)
    return render(request, "property/vote.html", {
        "vote": vote, "mine": [(d, d.pk in voted) for d in mine], "manage": manage, "tally": t,
        "dwellings": list(services.estate_dwellings(vote.estate).exclude(pk__in=voted).select_related("building")
                          .order_by("building__name", "room")[:300]) if manage else [],
        "choices": c.BallotChoice.choices, "open": vote.state == c.VoteState.OPEN})


@object_view(OwnersVote, roles=RESIDENTS, methods=("POST",))
def vote_ballot(request, vote):
    dwelling = Dwelling.objects.filter(pk=request.POST.get("dwelling") or 0, owner__user=request.user).first()
    try:
        if dwelling is None:
            raise ServiceError(_("只有该房屋登记的产权人可以网上表决"))
        services.ballot_cast(actor=request.user, vote=vote, dwelling=dwelling, choice=request.POST.get("choice", ""))
    except ServiceError as e:
        _fail(request, e)
    else:
        messages.success(request, _("已表决"))
    return redirect("property:vote", pk=vote.pk)


@object_view(OwnersVote, action="change", methods=("POST",))
def vote_manage(request, vote):
    try:
        if request.POST.get("op") == "close":
            vote = services.vote_close(actor=request.user, vote=vote)
            messages.success(request, vote.result_reason)
        else:
            dwelling = services.estate_dwellings(vote.estate).filter(pk=request.POST.get("dwelling") or 0).first()
            if dwelling is None:
                raise ServiceError(_("请选择本小区的房屋"), field="dwelling")
            services.ballot_paper(actor=request.user, vote=vote, dwelling=dwelling,
                                  choice=request.POST.get("choice", ""))
    except ServiceError as e:
        _fail(request, e)
    return redirect("property:vote", pk=vote.pk)


# --- self-managed estates --------------------------------------------------------------------------------------------
@object_view(SelfManagedEstate)
def sme_detail(request, sme):
    month = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    statements = list(sme.statements.select_related("disclosure", "prepared_by", "reviewed_by")[:24])
    books = selectors.reconcile_estate(sme)
    bills = FeeBill.objects.filter(estate=sme, month=timezone.localdate().replace(day=1))
    ctx = {"sme": sme, "books": books, "statements": [(s, st, c.StatementState(st).label) for s in statements
                          for st in [selectors.statement_state(s)]],
           "collections": list(sme.collections.select_related("bill__dwelling__building")[:20]),
           "expenses": list(sme.expenses.all()[:20]), "members": list(sme.members.all()),
           "unpaid": list(bills.exclude(paid=F("amount")).select_related("dwelling__building")[:300]),
           "month": month, "this_month": timezone.localdate().replace(day=1),
           "returns": list(sme.surplus_returns.order_by("-year")[:5]),
           "can_books": check(request.user, P.SME_BOOKS.action, sme)[0],
           "can_review": check(request.user, P.STATEMENT_REVIEW.action, sme)[0]}
    return render(request, "property/sme.html", ctx)


def _books_op(request, sme, op):
    p = request.POST
    if op == "bills":
        n = services.bills_generate(actor=request.user, sme=sme, month=_day(p.get("month")) or timezone.localdate())
        return _("已生成 %(n)d 张账单") % {"n": n}
    if op == "collect":
        bill = FeeBill.objects.filter(pk=p.get("bill") or 0, estate=sme).first()
        if bill is None:
            raise ServiceError(_("请选择账单"), field="bill")
        services.collection_record(actor=request.user, sme=sme, bill=bill, amount=_fen(p.get("amount")),
                                   method=p.get("method", ""), receipt_no=p.get("receipt_no", ""))
        return _("已收款并开具收据")
    if op == "expense":
        services.expense_record(actor=request.user, sme=sme, amount=_fen(p.get("amount")), payee=p.get("payee", ""),
                                purpose=p.get("purpose", ""), receipt_no=p.get("receipt_no", ""),
                                receipt_scan=request.FILES.get("receipt_scan"))
        return _("已记录支出")
    if op == "statement":
        services.statement_prepare(actor=request.user, sme=sme, month=_day(p.get("month")) or timezone.localdate())
        return _("已编制月度收支表，待另一人复核")
    if op == "review":
        statement = MonthlyStatement.objects.filter(pk=p.get("statement") or 0, estate=sme).first()
        if statement is None:
            raise ServiceError(_("请选择收支表"))
        services.statement_review(actor=request.user, statement=statement)
        return _("已复核并提交阳光五务，待审核公开")
    if op == "surplus":
        services.surplus_return(actor=request.user, sme=sme, year=int(p.get("year") or 0), total=_fen(p.get("amount")))
        return _("已按表决通过的办法返还结余")
    raise ServiceError(_("未知的操作"))


@object_view(SelfManagedEstate, action="change", methods=("POST",))
def sme_act(request, sme):
    try:
        messages.success(request, _books_op(request, sme, request.POST.get("op", "")))
    except (ServiceError, ValueError) as e:
        _fail(request, e if isinstance(e, ServiceError) else ServiceError(_("请检查填写的数字")))
    return redirect("property:estate", pk=sme.pk)


# --- 老旧院落改造 ---------------------------------------------------------------------------------------------------
@object_view(RenovationProject)
def renovation_detail(request, project):
    topics = Topic.objects.filter(region_code=project.region_code[:12]).order_by("-id")[:50] \
        if check(request.user, P.RENOVATION_EDIT.action, project)[0] else []
    return render(request, "property/renovation.html", {
        "project": project, "inspections": list(project.inspections.all()),
        "actions": RENOVATION.available(project, request.user), "topics": list(topics),
        "can_edit": check(request.user, P.RENOVATION_EDIT.action, project)[0]})


@object_view(RenovationProject, action="change", methods=("POST",))
def renovation_act(request, project):
    try:
        if request.POST.get("op") == "inspect":
            phase = request.POST.get("phase", "")
            if phase not in (c.InspectionPhase.BEFORE, c.InspectionPhase.AFTER):
                raise ServiceError(_("请选择改造前查验或改造后验收"), field="phase")
            services.inspection_record(actor=request.user, estate=project.estate, phase=phase, renovation=project,
                                       date=timezone.localdate(), score=int(request.POST.get("score") or 0),
                                       findings=request.POST.get("findings", ""))
        else:
            topic = Topic.objects.filter(pk=request.POST.get("topic") or 0,
                                         region_code=project.region_code[:12]).first()
            services.renovation_advance(actor=request.user, project=project, action=request.POST.get("action", ""),
                                        topic=topic)
    except (ServiceError, ValueError) as e:
        _fail(request, e if isinstance(e, ServiceError) else ServiceError(_("请填写有效的得分")))
    return redirect("property:renovation", pk=project.pk)
