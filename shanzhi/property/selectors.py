"""Every read of 物业三位一体 and self-managed estates, with the actor (public reads say so in their name)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Avg, Count, Q, QuerySet, Sum
from django.utils import timezone

from shanzhi.cases.models import Case, CaseRating
from shanzhi.disclosure.models import EntryState
from shanzhi.ledger.choices import Ledger
from shanzhi.ledger.models import Account

from . import choices as c
from .models import (
    Collection,
    DepositMovement,
    Expense,
    Inspection,
    MonthlyStatement,
    OwnersCommittee,
    OwnersVote,
    PropertyCompany,
    PropertyOffice,
    RenovationProject,
    ResidentRating,
    SelfManagedEstate,
    ServiceContract,
    SurplusShare,
)

CREDIT_YEAR = dt.timedelta(days=365)


def company_list(*, actor) -> QuerySet[PropertyCompany]:
    return PropertyCompany.objects.restrict(actor, "view")


def contracts_of(*, actor, company: PropertyCompany) -> QuerySet[ServiceContract]:
    return ServiceContract.objects.restrict(actor, "view").filter(company=company).select_related("estate")


def company_cases(company: PropertyCompany) -> QuerySet[Case]:
    """The complaints routed to the company: cases its handling body leads or was assigned."""
    if not company.body_id:
        return Case.objects.none()
    return Case.objects.filter(Q(lead_body_id=company.body_id) | Q(assignments__body_id=company.body_id)).distinct()


@dataclass
class Credit:
    score: int
    grade: str
    complaints: int
    on_time: int
    late: int
    open: int
    poor_ratings: int
    inspection_avg: float | None
    resident_avg: float | None
    deductions: int
    deposit_held: int
    lines: list = field(default_factory=list)


def credit_of(company: PropertyCompany, *, now=None) -> Credit:
    """The credit record over the last year: 100, −2 per complaint, +1 per complaint closed on time, −2 per one
    closed late, −1 per case rated 1–2 stars, ± the inspections' distance from 80 (÷5), ± residents' average
    rating from 3 (×5), −5 per deposit deduction; between 0 and 100. A ≥ 90, B ≥ 75, C ≥ 60, else D."""
    now = now or timezone.now()
    since = now - CREDIT_YEAR
    cases = company_cases(company).filter(created_at__gte=since)
    agg = Case.objects.filter(pk__in=cases.values("pk")).aggregate(
        n=Count("id"), on_time=Count("id", filter=Q(completed_on_time=True)),
        late=Count("id", filter=Q(completed_on_time=False)), open=Count("id", filter=Q(completed_at__isnull=True)))
    poor = CaseRating.objects.filter(case__in=cases.values("pk"), score__lte=2).count()
    insp = Inspection.objects.filter(company=company, date__gte=since.date()).aggregate(a=Avg("score"), n=Count("id"))
    res = ResidentRating.objects.filter(company=company, created_at__gte=since).aggregate(a=Avg("score"))
    deductions = DepositMovement.objects.filter(company=company, kind=c.DepositKind.DEDUCT, at__gte=since).count()
    lines = [("complaints", -2 * agg["n"]), ("on_time", agg["on_time"]), ("late", -2 * agg["late"]),
             ("poor_ratings", -poor)]
    if insp["a"] is not None:
        lines.append(("inspections", round((insp["a"] - 80) / 5 * min(insp["n"], 4))))
    if res["a"] is not None:
        lines.append(("residents", round((res["a"] - 3) * 5)))
    lines.append(("deductions", -5 * deductions))
    score = max(0, min(100, 100 + sum(v for _k, v in lines)))
    grade = "A" if score >= 90 else "B" if score >= 75 else "C" if score >= 60 else "D"
    held = Account.objects.filter(ledger=Ledger.DEPOSIT, key=f"deposit:{company.pk}:held").values_list(
        "balance", flat=True).first() or 0
    return Credit(score, grade, agg["n"], agg["on_time"], agg["late"], agg["open"], poor,
                  None if insp["a"] is None else round(insp["a"], 1), None if res["a"] is None else round(res["a"], 2),
                  deductions, held, lines)


def complaints_count(prefix: str, start: dt.date, end: dt.date) -> int:
    return Case.objects.filter(category__code="property_service", region_code__startswith=prefix,
                               created_at__date__gte=start, created_at__date__lt=end).count()


def committee_list(*, actor) -> QuerySet[OwnersCommittee]:
    return OwnersCommittee.objects.restrict(actor, "view").select_related("estate")


def vote_list(*, actor) -> QuerySet[OwnersVote]:
    return OwnersVote.objects.restrict(actor, "view").select_related("estate")


def sme_list(*, actor) -> QuerySet[SelfManagedEstate]:
    return SelfManagedEstate.objects.restrict(actor, "view").select_related("estate")


def office_list(*, actor) -> QuerySet[PropertyOffice]:
    return PropertyOffice.objects.restrict(actor, "view")


def renovation_list(*, actor) -> QuerySet[RenovationProject]:
    return RenovationProject.objects.restrict(actor, "view").select_related("estate")


def fund_balance(sme: SelfManagedEstate) -> int:
    return Account.objects.filter(ledger=Ledger.ESTATE, key=sme.account_key("fund")).values_list(
        "balance", flat=True).first() or 0


@dataclass
class EstateBooks:
    ok: bool
    fund: int
    collected: int
    spent: int
    returned: int
    problems: list


def reconcile_estate(sme: SelfManagedEstate) -> EstateBooks:
    """The group's books against the ledger: fund = collections − expenses − returns; every collection and
    expense has its transfer; the income account mirrors the collections; nothing negative."""
    accounts = dict(Account.objects.filter(ledger=Ledger.ESTATE, key__startswith=f"sme:{sme.pk}:")
                    .values_list("key", "balance"))
    collected = int(Collection.objects.filter(estate=sme).aggregate(s=Sum("amount"))["s"] or 0)
    spent = int(Expense.objects.filter(estate=sme).aggregate(s=Sum("amount"))["s"] or 0)
    returned = int(SurplusShare.objects.filter(surplus__estate=sme).aggregate(s=Sum("amount"))["s"] or 0)
    fund = accounts.get(sme.account_key("fund"), 0)
    problems = []
    if fund != collected - spent - returned:
        problems.append(f"资金余额 {fund} ≠ 收入 {collected} − 支出 {spent} − 返还 {returned}")
    if accounts.get(sme.account_key("fees"), 0) != -collected:
        problems.append("收入账户与收款记录不符")
    if accounts.get(sme.account_key("expenses"), 0) != spent:
        problems.append("支出账户与支出记录不符")
    if accounts.get(sme.account_key("returned"), 0) != returned:
        problems.append("返还账户与返还明细不符")
    if Collection.objects.filter(estate=sme, transfer__isnull=True).exists() or \
            Expense.objects.filter(estate=sme, transfer__isnull=True).exists():
        problems.append("有收支记录没有对应的记账凭证")
    if fund < 0:
        problems.append("资金余额为负")
    return EstateBooks(not problems, fund, collected, spent, returned, problems)


def statement_state(statement: MonthlyStatement) -> str:
    """The statement's state, published once its 阳光五务 entry is published."""
    if statement.disclosure_id and statement.disclosure.state == EntryState.PUBLISHED:
        return c.StatementState.PUBLISHED
    return statement.state


def public_statements(*, community_code: str):
    return MonthlyStatement.objects.filter(estate__region_code__startswith=community_code,
                                           disclosure__state=EntryState.PUBLISHED).select_related("estate")
