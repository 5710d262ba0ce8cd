"""Every write of 物业三位一体 and self-managed estates. Money moves only through the ledger core."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.cn import uscc as uscc_check
from stdnum.exceptions import ValidationError as StdnumError

from shanzhi.audit.services import audit_log
from shanzhi.cases import choices as case_choices
from shanzhi.cases.models import Category, HandlingBody, HandlingBodyMember, RoutingRule
from shanzhi.cases.services import case_create
from shanzhi.consultation import choices as cc
from shanzhi.consultation.services import meeting_create, meeting_invite
from shanzhi.core.errors import ServiceError
from shanzhi.core.permissions import require
from shanzhi.core.roles import Role
from shanzhi.core.scope import roles_at
from shanzhi.core.writes import clean_or_refuse, create_audited, versioned_update
from shanzhi.disclosure.services import entry_create, entry_transition, ledger_line_add
from shanzhi.ledger.choices import Ledger, TransferKind
from shanzhi.ledger.models import Transfer
from shanzhi.ledger.services import system_account, transfer_create
from shanzhi.registry.models import Dwelling, Person

from . import choices as c
from . import permissions as P
from .models import (
    Collection,
    CommitteeMember,
    CompanyStaff,
    DepositMovement,
    Expense,
    FeeBill,
    GroupMember,
    Inspection,
    JointMeeting,
    MonthlyStatement,
    OwnerBallot,
    OwnersCommittee,
    OwnersVote,
    PropertyCompany,
    PropertyOffice,
    RenovationProject,
    ResidentRating,
    SelfManagedEstate,
    ServiceContract,
    SurplusReturn,
    SurplusShare,
)
from .rules import Tally, decide, split
from .workflow import RENOVATION

PROPERTY_CATEGORY = "property_service"


def _insufficient(e: ServiceError) -> bool:
    """The ledger refused the debit for want of balance: its only error on the amount once the amount is > 0."""
    return getattr(e, "field", None) == "amount"


def yuan(fen: int) -> str:
    return f"{Decimal(fen) / 100:.2f}"


# --- property companies -----------------------------------------------------------------------------------------
def _valid_uscc(value: str) -> str:
    try:
        return uscc_check.validate(value)
    except StdnumError:
        raise ServiceError(_("统一社会信用代码“%(v)s”无效，请核对18位代码及校验位") % {"v": value[:20]},
                           field="uscc") from None


@transaction.atomic
def company_register(*, actor, region_code: str, name: str, uscc: str, qualification: str = c.Qualification.NONE,
                     contact_name: str = "", service_phone: str = "", address: str = "",
                     deposit_required: int = 0) -> PropertyCompany:
    """Register a property company with the street; it becomes a handling body cases can be routed to."""
    require(actor, P.COMPANY_EDIT.action, region_code)
    code = _valid_uscc(uscc.strip().upper())
    if PropertyCompany.objects.filter(uscc=code).exists():
        raise ServiceError(_("该统一社会信用代码已登记"), field="uscc")
    body = HandlingBody.objects.filter(name=name.strip()).first() or HandlingBody.objects.create(
        name=name.strip()[:100], kind=case_choices.HandlerType.PROPERTY_COMPANY, region_code=region_code,
        contact=service_phone[:100])
    return create_audited(PropertyCompany, actor=actor, action="property.company_register", region_code=region_code,
                          name=name.strip(), uscc=code, qualification=qualification, contact_name=contact_name,
                          service_phone=service_phone, address=address, body=body,
                          deposit_required=deposit_required, duplicate_message=_("该统一社会信用代码已登记"),
                          duplicate_field="uscc")


@transaction.atomic
def company_staff_add(*, actor, company: PropertyCompany, user, position: str = "") -> CompanyStaff:
    """A company employee: sees their company's estates here and, as a member of its handling body, its cases."""
    require(actor, P.COMPANY_EDIT.action, company)
    staff, _created = CompanyStaff.objects.get_or_create(company=company, user=user, defaults={"position": position})
    if company.body_id:
        HandlingBodyMember.objects.get_or_create(body_id=company.body_id, user=user)
    audit_log(actor=actor, action="property.company_staff_add", obj=company, after={"user": user.pk})
    return staff


def property_category() -> Category:
    """The case category of complaints about property service (created on first use)."""
    category, _created = Category.objects.get_or_create(
        code=PROPERTY_CATEGORY, defaults={"name": _("物业服务"), "handler_type": case_choices.HandlerType.PROPERTY_COMPANY,
                                          "is_public": True, "keywords": "物业 保洁 绿化 电梯 门禁"})
    return category


@transaction.atomic
def contract_register(*, actor, company: PropertyCompany, estate, starts_on: dt.date, ends_on: dt.date,
                      fee_note: str = "") -> ServiceContract:
    """The company serves the estate; complaints about property service there are routed to it."""
    require(actor, P.COMPANY_EDIT.action, estate)
    contract = create_audited(ServiceContract, actor=actor, action="property.contract_register",
                              region_code=estate.region_code, company=company, estate=estate, starts_on=starts_on,
                              ends_on=ends_on, fee_note=fee_note)
    if company.body_id:
        RoutingRule.objects.update_or_create(category=property_category(), region_prefix=estate.region_code,
                                             defaults={"body_id": company.body_id})
    return contract


def current_company(estate, on: dt.date | None = None) -> PropertyCompany | None:
    on = on or timezone.localdate()
    contract = (ServiceContract.objects.filter(estate=estate, starts_on__lte=on, ends_on__gte=on)
                .select_related("company").order_by("-starts_on").first())
    return contract.company if contract else None


@transaction.atomic
def complaint_file(*, actor, estate, title: str, description: str):
    """A resident's complaint about the company serving their estate becomes a case in the property category,
    routed (by the contract's routing rule) to the company's handling body."""
    require(actor, P.COMPLAIN.action, estate)
    company = current_company(estate)
    if company is None:
        raise ServiceError(_("该小区目前没有在管的物业公司"))
    person = Person.objects.filter(user=actor).first()
    code = person.region_code if person and len(person.region_code) == 15 else ""
    if not code:
        raise ServiceError(_("您的账号尚未关联到网格内的居民信息，请联系社区"))
    return case_create(actor=actor, category=property_category(), channel=case_choices.Channel.RESIDENT,
                       title=title, description=description, region_code=code, reporter_person=person,
                       address=estate.name, extra={})


@transaction.atomic
def inspection_record(*, actor, estate, date: dt.date, score: int, findings: str = "",
                      company: PropertyCompany | None = None, phase: str = c.InspectionPhase.ROUTINE,
                      renovation: RenovationProject | None = None) -> Inspection:
    require(actor, P.INSPECT.action, estate)
    if not 0 <= int(score) <= 100:
        raise ServiceError(_("得分须在0到100之间"), field="score")
    return create_audited(Inspection, actor=actor, action="property.inspection", region_code=estate.region_code,
                          company=company, estate=estate, date=date, score=int(score), findings=findings,
                          phase=phase, renovation=renovation, inspector=actor)


def _quarter(day: dt.date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


@transaction.atomic
def rating_add(*, actor, estate, score: int, comment: str = "") -> ResidentRating:
    require(actor, P.RATE.action, estate)
    company = current_company(estate)
    if company is None:
        raise ServiceError(_("该小区目前没有在管的物业公司"))
    if not 1 <= int(score) <= 5:
        raise ServiceError(_("请给出1到5星的评分"), field="score")
    try:
        with transaction.atomic():
            rating = ResidentRating.objects.create(company=company, estate=estate, user=actor,
                                                   period=_quarter(timezone.localdate()), score=int(score),
                                                   comment=comment.strip()[:300])
    except IntegrityError:
        raise ServiceError(_("本季度您已评价过该物业公司")) from None
    audit_log(actor=actor, action="property.rating", obj=company, after={"score": int(score)})
    return rating


# --- 信用保证金 on the ledger ---------------------------------------------------------------------------------------
def _deposit_accounts(company: PropertyCompany):
    payer = system_account(ledger=Ledger.DEPOSIT, key=f"deposit:{company.pk}:payer", name=f"{company.name}（缴款方）",
                           region_code=company.region_code, allow_negative=True)
    held = system_account(ledger=Ledger.DEPOSIT, key=f"deposit:{company.pk}:held", name=f"{company.name}（保证金）",
                          region_code=company.region_code, allow_negative=False)
    forfeit = system_account(ledger=Ledger.DEPOSIT, key=f"deposit:forfeit:{company.region_code}",
                             name=_("扣除的保证金"), region_code=company.region_code, allow_negative=False)
    return payer, held, forfeit


DEPOSIT_KINDS = {c.DepositKind.PAY: TransferKind.DEPOSIT_PAY, c.DepositKind.DEDUCT: TransferKind.DEPOSIT_DEDUCT,
                 c.DepositKind.REFUND: TransferKind.DEPOSIT_REFUND}


@transaction.atomic
def deposit_move(*, actor, company: PropertyCompany, kind: str, amount: int, reason: str) -> DepositMovement:
    """Pay in, deduct (with its reason) or refund the 信用保证金. The held account never goes below zero."""
    require(actor, P.DEPOSIT.action, company)
    if kind not in DEPOSIT_KINDS:
        raise ServiceError(_("未知的保证金操作"), field="kind")
    if int(amount) <= 0:
        raise ServiceError(_("金额必须大于零"), field="amount")
    if not reason.strip():
        raise ServiceError(_("请填写事由"), field="reason")
    payer, held, forfeit = _deposit_accounts(company)
    source, target = {c.DepositKind.PAY: (payer, held), c.DepositKind.DEDUCT: (held, forfeit),
                      c.DepositKind.REFUND: (held, payer)}[kind]
    n = DepositMovement.objects.filter(company=company).count()
    try:
        transfer = transfer_create(actor=actor, source=source, target=target, amount=int(amount),
                                   kind=DEPOSIT_KINDS[kind], idempotency_key=f"deposit:{company.pk}:{n + 1}",
                                   memo=reason.strip()[:200])
    except ServiceError as e:
        if _insufficient(e):
            raise ServiceError(_("保证金余额不足 %(a)s 元") % {"a": yuan(int(amount))}, field="amount") from None
        raise
    movement = DepositMovement.objects.create(company=company, kind=kind, amount=int(amount),
                                              reason=reason.strip()[:200], transfer=transfer, actor=actor)
    audit_log(actor=actor, action=f"property.deposit_{kind}", obj=company, after={"amount": int(amount)},
              reason=reason[:200])
    return movement


def office_create(*, actor, community_code: str, name: str, location: str, hours: str = "",
                  staff_names: str = "") -> PropertyOffice:
    """物业管理工作室: the community's desk for property matters."""
    require(actor, P.COMPANY_EDIT.action, community_code)
    return create_audited(PropertyOffice, actor=actor, action="property.office_create",
                          region_code=community_code[:12], name=name.strip(), location=location.strip(),
                          hours=hours.strip(), staff_names=staff_names.strip())


# --- owners' committees ---------------------------------------------------------------------------------------------
@transaction.atomic
def committee_create(*, actor, estate, name: str, term_start: dt.date, term_end: dt.date) -> OwnersCommittee:
    require(actor, P.COMMITTEE_EDIT.action, estate)
    if term_end <= term_start:
        raise ServiceError(_("任期结束须晚于开始"), field="term_end")
    return create_audited(OwnersCommittee, actor=actor, action="property.committee_create",
                          region_code=estate.region_code, estate=estate, name=name.strip(), term_start=term_start,
                          term_end=term_end)


@transaction.atomic
def committee_member_add(*, actor, committee: OwnersCommittee, name: str, position: str = c.Position.MEMBER,
                         user=None, term_start=None, term_end=None) -> CommitteeMember:
    require(actor, P.COMMITTEE_EDIT.action, committee)
    member = CommitteeMember(committee=committee, name=name.strip(), position=position, user=user,
                             term_start=term_start or committee.term_start, term_end=term_end or committee.term_end)
    clean_or_refuse(member, exclude=["committee", "user"])
    member.save()
    audit_log(actor=actor, action="property.committee_member_add", obj=committee, after={"position": position})
    return member


@transaction.atomic
def joint_meeting_create(*, actor, committee: OwnersCommittee, company: PropertyCompany | None, title: str,
                         starts_at, location: str, agenda: str = "") -> JointMeeting:
    """三方联席会议: a consultation meeting with the residents' committee, the owners' committee and the company."""
    meeting = meeting_create(actor=actor, community_code=committee.region_code,
                             kind=cc.MeetingKind.COORDINATION_MEETING, title=title, starts_at=starts_at,
                             location=location, agenda=agenda)
    meeting_invite(actor=actor, meeting=meeting, party=cc.Party.RESIDENTS_COMMITTEE, name=_("居委会"), is_voter=True)
    meeting_invite(actor=actor, meeting=meeting, party=cc.Party.OWNERS_COMMITTEE, name=committee.name, is_voter=True)
    if company is not None:
        meeting_invite(actor=actor, meeting=meeting, party=cc.Party.PROPERTY_COMPANY, name=company.name,
                       is_voter=True)
    joint = JointMeeting.objects.create(committee=committee, company=company, meeting=meeting)
    audit_log(actor=actor, action="property.joint_meeting", obj=committee, after={"meeting": meeting.pk})
    return joint


# --- 业主大会 votes (双过半) -------------------------------------------------------------------------------------------
def estate_dwellings(estate):
    return Dwelling.objects.filter(building__estate=estate)


@transaction.atomic
def vote_open(*, actor, estate, title: str, motion: str, closes_on: dt.date, subject: str = c.VoteSubject.OTHER,
              payload: dict | None = None, threshold: str = c.Threshold.ORDINARY) -> OwnersVote:
    """Open a vote; the roll (dwellings and their floor area) is taken from the registry now."""
    require(actor, P.VOTE_OPEN.action, estate)
    agg = estate_dwellings(estate).aggregate(n=Count("id"), area=Sum("area"))
    count = agg["n"]
    if not count:
        raise ServiceError(_("该小区在房屋库中没有房屋，无法发起表决"))
    missing = estate_dwellings(estate).filter(area__isnull=True).count()
    if missing:
        raise ServiceError(_("有%(n)d套房屋未登记建筑面积，请先在房屋库补全") % {"n": missing})
    _check_payload(subject, payload or {})
    return create_audited(OwnersVote, actor=actor, action="property.vote_open", region_code=estate.region_code,
                          estate=estate, title=title.strip(), motion=motion.strip(), subject=subject,
                          payload=payload or {}, threshold=threshold, closes_on=closes_on, eligible_count=count,
                          eligible_area=agg["area"] or 0, created_by=actor)


def _check_payload(subject: str, payload: dict) -> None:
    if subject == c.VoteSubject.FEE_STANDARD:
        if payload.get("basis") not in c.FeeBasis.values or int(payload.get("amount") or 0) <= 0:
            raise ServiceError(_("物业费标准须写明计费方式和大于零的金额"), field="payload")
    if subject == c.VoteSubject.SURPLUS_RULE and payload.get("rule") not in c.SurplusRule.values:
        raise ServiceError(_("结余返还办法须选择按户、按面积或按实缴"), field="payload")


def _ballot(*, actor, vote: OwnersVote, dwelling, choice: str, channel: str) -> OwnerBallot:
    if vote.state != c.VoteState.OPEN:
        raise ServiceError(_("表决已结束"))
    if timezone.localdate() > vote.closes_on:
        raise ServiceError(_("表决已过截止日期"))
    if choice not in c.BallotChoice.values:
        raise ServiceError(_("请选择同意、反对或弃权"), field="choice")
    if dwelling.building.estate_id != vote.estate_id:
        raise ServiceError(_("该房屋不属于本小区"), field="dwelling")
    try:
        with transaction.atomic():
            ballot = OwnerBallot.objects.create(vote=vote, dwelling=dwelling, area=dwelling.area or 0, choice=choice,
                                                channel=channel, cast_by=actor)
    except IntegrityError:
        raise ServiceError(_("%(d)s已经表决过") % {"d": f"{dwelling.building.name}{dwelling.room}"}) from None
    audit_log(actor=actor, action="property.ballot", obj=vote, after={"channel": channel})
    return ballot


@transaction.atomic
def ballot_cast(*, actor, vote: OwnersVote, dwelling, choice: str) -> OwnerBallot:
    """An owner votes online for a dwelling they own (one ballot per dwelling)."""
    require(actor, P.VOTE_CAST.action, vote)
    owner = dwelling.owner
    if owner is None or owner.user_id != actor.pk:
        raise ServiceError(_("只有该房屋登记的产权人可以网上表决"), field="dwelling")
    return _ballot(actor=actor, vote=vote, dwelling=dwelling, choice=choice, channel=c.BallotChannel.ONLINE)


@transaction.atomic
def ballot_paper(*, actor, vote: OwnersVote, dwelling, choice: str) -> OwnerBallot:
    """A paper ballot (表决票) entered by staff or the committee."""
    require(actor, P.VOTE_PAPER.action, vote)
    return _ballot(actor=actor, vote=vote, dwelling=dwelling, choice=choice, channel=c.BallotChannel.PAPER)


def vote_tally(vote: OwnersVote) -> Tally:
    """Both tallies of the ballots cast: dwellings (一个专有部分按一人计算) and floor area."""
    voted_count, voted_area, for_count, for_area = 0, Decimal(0), 0, Decimal(0)
    for r in vote.ballots.values("choice").annotate(n=Count("id"), area=Sum("area")).order_by():
        voted_count += r["n"]
        voted_area += r["area"] or 0
        if r["choice"] == c.BallotChoice.FOR:
            for_count, for_area = r["n"], r["area"] or Decimal(0)
    return Tally(vote.eligible_count, vote.eligible_area, voted_count, voted_area, for_count, for_area)


@transaction.atomic
def vote_close(*, actor, vote: OwnersVote) -> OwnersVote:
    """Count both tallies, decide by 双过半 and, when passed, adopt what was voted (fee standard, surplus rule)."""
    require(actor, P.VOTE_OPEN.action, vote)
    if vote.state != c.VoteState.OPEN:
        raise ServiceError(_("表决已结束"))
    t = vote_tally(vote)
    d = decide(t, vote.threshold)
    vote = versioned_update(vote, vote.version, actor=actor, action="property.vote_close", validate=False,
                            where={"state": c.VoteState.OPEN},
                            state=c.VoteState.PASSED if d.passed else c.VoteState.FAILED, voted_count=t.voted_count,
                            voted_area=t.voted_area, for_count=t.for_count, for_area=t.for_area,
                            result_reason=d.reason[:300], decided_at=timezone.now())
    if d.passed:
        _adopt(actor, vote)
    return vote


def _adopt(actor, vote: OwnersVote) -> None:
    sme = SelfManagedEstate.objects.filter(estate_id=vote.estate_id).first()
    if sme is None:
        return
    if vote.subject == c.VoteSubject.FEE_STANDARD:
        versioned_update(sme, sme.version, actor=actor, action="property.fee_standard_adopt", validate=False,
                         fee_basis=vote.payload["basis"], fee_amount=int(vote.payload["amount"]), fee_vote=vote)
    elif vote.subject == c.VoteSubject.SURPLUS_RULE:
        versioned_update(sme, sme.version, actor=actor, action="property.surplus_rule_adopt", validate=False,
                         surplus_rule=vote.payload["rule"], surplus_vote=vote)


# --- self-managed estates ---------------------------------------------------------------------------------------------
@transaction.atomic
def sme_create(*, actor, estate, group_name: str, started_on: dt.date) -> SelfManagedEstate:
    require(actor, P.SME_EDIT.action, estate)
    sme = create_audited(SelfManagedEstate, actor=actor, action="property.sme_create", region_code=estate.region_code,
                         estate=estate, group_name=group_name.strip(), started_on=started_on,
                         duplicate_message=_("该小区已登记为自管小区"), duplicate_field="estate")
    for kind in ("fees", "fund", "expenses", "returned"):
        _account(sme, kind)
    return sme


@transaction.atomic
def group_member_add(*, actor, sme: SelfManagedEstate, name: str, duty: str = c.Duty.MEMBER, user=None) -> GroupMember:
    require(actor, P.SME_EDIT.action, sme)
    member = GroupMember.objects.create(estate=sme, name=name.strip()[:50], duty=duty, user=user)
    audit_log(actor=actor, action="property.group_member_add", obj=sme, after={"duty": duty})
    return member


ACCOUNT_NAMES = {"fees": "物业费收入", "fund": "小组资金", "expenses": "支出", "returned": "结余返还"}


def _account(sme: SelfManagedEstate, kind: str):
    return system_account(ledger=Ledger.ESTATE, key=sme.account_key(kind),
                          name=f"{sme.group_name} · {ACCOUNT_NAMES[kind]}", region_code=sme.region_code,
                          allow_negative=kind == "fees")


def _books_check(actor, sme: SelfManagedEstate) -> None:
    """Staff of the community, or a member of this estate's 自管小组."""
    require(actor, P.SME_BOOKS.action, sme)
    staff = roles_at(actor, sme.region_code) & (P.STAFF - {Role.OWNERS_COMMITTEE})
    if not staff and not sme.members.filter(user=actor).exists():
        raise ServiceError(_("只有本小区自管小组成员可以记账"))


def _bill_amount(sme: SelfManagedEstate, area) -> int:
    if sme.fee_basis == c.FeeBasis.PER_AREA:
        return int((Decimal(area or 0) * sme.fee_amount).quantize(Decimal(1)))
    return sme.fee_amount


@transaction.atomic
def bills_generate(*, actor, sme: SelfManagedEstate, month: dt.date) -> int:
    """Bill every dwelling for `month` by the adopted standard. Running it again adds nothing."""
    _books_check(actor, sme)
    if not sme.fee_basis or not sme.fee_amount:
        raise ServiceError(_("收费标准尚未经业主表决通过，不能出账"))
    month = month.replace(day=1)
    dwellings = estate_dwellings(sme.estate).values_list("pk", "area")
    bills = [FeeBill(estate=sme, dwelling_id=pk, month=month, amount=_bill_amount(sme, area)) for pk, area in dwellings]
    before = FeeBill.objects.filter(estate=sme, month=month).count()
    FeeBill.objects.bulk_create(bills, ignore_conflicts=True, batch_size=500)
    made = FeeBill.objects.filter(estate=sme, month=month).count() - before
    audit_log(actor=actor, action="property.bills_generate", obj=sme, after={"month": str(month), "bills": made})
    return made


@transaction.atomic
def collection_record(*, actor, sme: SelfManagedEstate, bill: FeeBill, amount: int, method: str, receipt_no: str,
                      date: dt.date | None = None) -> Collection:
    """Receive money against a bill, with a receipt; the fee moves from income into the group's fund."""
    _books_check(actor, sme)
    amount = int(amount)
    if bill.estate_id != sme.pk:
        raise ServiceError(_("账单不属于本小区"), field="bill")
    if amount <= 0:
        raise ServiceError(_("金额必须大于零"), field="amount")
    if method not in c.PayMethod.values:
        raise ServiceError(_("请选择现金或转账"), field="method")
    if not receipt_no.strip():
        raise ServiceError(_("请填写收据号"), field="receipt_no")
    if FeeBill.objects.filter(pk=bill.pk, paid__lte=F("amount") - amount).update(paid=F("paid") + amount) != 1:
        raise ServiceError(_("收款超过应收：该户本月应收 %(d)s 元，已收 %(p)s 元") % {
            "d": yuan(bill.amount), "p": yuan(FeeBill.objects.get(pk=bill.pk).paid)}, field="amount")
    try:
        with transaction.atomic():
            col = Collection.objects.create(estate=sme, bill=bill, amount=amount, method=method,
                                            receipt_no=receipt_no.strip()[:30], date=date or timezone.localdate(),
                                            collected_by=actor)
    except IntegrityError:
        raise ServiceError(_("收据号 %(r)s 已使用") % {"r": receipt_no.strip()[:30]}, field="receipt_no") from None
    col.transfer = transfer_create(actor=actor, source=_account(sme, "fees"), target=_account(sme, "fund"),
                                   amount=amount, kind=TransferKind.FEE, idempotency_key=f"sme:{sme.pk}:col:{col.pk}",
                                   memo=_("收据 %(r)s") % {"r": col.receipt_no})
    col.save(update_fields=["transfer"])
    audit_log(actor=actor, action="property.collection", obj=sme, after={"amount": amount, "method": method})
    return col


@dataclass(frozen=True)
class CollectionItem:
    """One line of a batch of receipts (a day's cash book or a bank statement): `row` names it in messages."""

    row: int
    bill: FeeBill
    amount: int
    method: str
    receipt_no: str
    date: dt.date | None = None


def _batch_problems(sme: SelfManagedEstate, items: list[CollectionItem]) -> list[tuple[int, str, str]]:
    """(row, field, message) for every line that can't be receipted; the bills' balances count the batch's own
    earlier lines, so two lines for one bill can't together exceed what is due."""
    problems, seen, due = [], {}, {}
    taken = set(Collection.objects.filter(estate=sme, receipt_no__in=[i.receipt_no.strip() for i in items])
                .values_list("receipt_no", flat=True))
    for i in items:
        receipt = i.receipt_no.strip()[:30]
        left = due.setdefault(i.bill.pk, i.bill.amount - i.bill.paid)
        if i.bill.estate_id != sme.pk:
            problems.append((i.row, "bill", _("账单不属于本小区")))
        elif int(i.amount) <= 0:
            problems.append((i.row, "amount", _("金额必须大于零")))
        elif i.method not in c.PayMethod.values:
            problems.append((i.row, "method", _("请选择现金或转账")))
        elif not receipt:
            problems.append((i.row, "receipt_no", _("请填写收据号")))
        elif receipt in taken or receipt in seen:
            problems.append((i.row, "receipt_no", _("收据号 %(r)s 已使用") % {"r": receipt}))
        elif int(i.amount) > left:
            problems.append((i.row, "amount", _("收款超过应收：该户本月还应收 %(d)s 元") % {"d": yuan(left)}))
        else:
            seen[receipt] = i.row
            due[i.bill.pk] = left - int(i.amount)
    return problems


@transaction.atomic
def collections_record_batch(*, actor, sme: SelfManagedEstate, items: list[CollectionItem],
                             idempotency_key: str) -> list[Collection]:
    """Receipt many collections at once, all or none: every line is checked first (the message names its row);
    the bills are paid with the same conditional update as one at a time; the money moves fees → fund in one
    ledger transfer (a 收款凭证 covering the batch's receipts). Sending the same batch again changes nothing."""
    _books_check(actor, sme)
    key = f"sme:{sme.pk}:batch:{idempotency_key}"[:120]
    if Transfer.objects.filter(idempotency_key=key).exists():
        return list(Collection.objects.filter(transfer__idempotency_key=key))
    if not items:
        raise ServiceError(_("没有要登记的收款"))
    problems = _batch_problems(sme, items)
    if problems:
        row, field, message = problems[0]
        raise ServiceError(_("第%(row)d行：%(m)s") % {"row": row, "m": message}, field=field)
    today = timezone.localdate()
    for i in items:
        if FeeBill.objects.filter(pk=i.bill.pk, paid__lte=F("amount") - int(i.amount)).update(
                paid=F("paid") + int(i.amount)) != 1:
            raise ServiceError(_("第%(row)d行：收款超过应收，账单已被他人更新，请刷新后重试") % {"row": i.row},
                               field="amount")
    total = sum(int(i.amount) for i in items)
    transfer = transfer_create(actor=actor, source=_account(sme, "fees"), target=_account(sme, "fund"), amount=total,
                               kind=TransferKind.FEE, idempotency_key=key,
                               memo=_("批量收款 %(n)d 笔") % {"n": len(items)})
    cols = Collection.objects.bulk_create([
        Collection(estate=sme, bill=i.bill, amount=int(i.amount), method=i.method, receipt_no=i.receipt_no.strip()[:30],
                   date=i.date or today, collected_by=actor, transfer=transfer) for i in items], batch_size=500)
    audit_log(actor=actor, action="property.collection_batch", obj=sme, after={"count": len(items), "amount": total})
    return cols


@transaction.atomic
def expense_record(*, actor, sme: SelfManagedEstate, amount: int, payee: str, purpose: str, receipt_no: str,
                   date: dt.date | None = None, receipt_scan=None) -> Expense:
    """Pay an expense from the group's fund, with its receipt; refused when the fund has less (never negative)."""
    _books_check(actor, sme)
    amount = int(amount)
    if amount <= 0:
        raise ServiceError(_("金额必须大于零"), field="amount")
    if not receipt_no.strip() and receipt_scan is None:
        raise ServiceError(_("支出须有票据：请填写票据号或上传票据照片"), field="receipt_no")
    exp = Expense(estate=sme, amount=amount, payee=payee.strip(), purpose=purpose.strip(),
                  receipt_no=receipt_no.strip(), date=date or timezone.localdate(), recorded_by=actor)
    if receipt_scan is not None:
        exp.receipt_scan = receipt_scan
    clean_or_refuse(exp, exclude=["estate", "recorded_by", "transfer"])
    exp.save()
    try:
        exp.transfer = transfer_create(actor=actor, source=_account(sme, "fund"), target=_account(sme, "expenses"),
                                       amount=amount, kind=TransferKind.EXPENSE,
                                       idempotency_key=f"sme:{sme.pk}:exp:{exp.pk}", memo=purpose.strip()[:200])
    except ServiceError as e:
        if _insufficient(e):
            raise ServiceError(_("小组资金不足：现有 %(b)s 元，不能支出 %(a)s 元") % {
                "b": yuan(_account(sme, "fund").balance), "a": yuan(amount)}, field="amount") from None
        raise
    exp.save(update_fields=["transfer"])
    audit_log(actor=actor, action="property.expense", obj=sme, after={"amount": amount})
    return exp


def _month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    start = month.replace(day=1)
    end = (start + dt.timedelta(days=32)).replace(day=1)
    return start, end


def _sum(qs, field="amount") -> int:
    return int(qs.aggregate(s=Sum(field))["s"] or 0)


def statement_figures(sme: SelfManagedEstate, month: dt.date) -> dict:
    start, end = _month_bounds(month)
    cols, exps = Collection.objects.filter(estate=sme), Expense.objects.filter(estate=sme)
    rets = SurplusShare.objects.filter(surplus__estate=sme)
    opening = _sum(cols.filter(date__lt=start)) - _sum(exps.filter(date__lt=start)) \
        - _sum(rets.filter(surplus__created_at__date__lt=start))
    income = _sum(cols.filter(date__gte=start, date__lt=end))
    expense = _sum(exps.filter(date__gte=start, date__lt=end))
    returned = _sum(rets.filter(surplus__created_at__date__gte=start, surplus__created_at__date__lt=end))
    bills = FeeBill.objects.filter(estate=sme, month=start)
    return {"month": start, "opening": opening, "income": income, "expense": expense, "returned": returned,
            "closing": opening + income - expense - returned, "bills_due": _sum(bills),
            "paid_dwellings": bills.filter(paid=F("amount")).count(), "dwellings": bills.count()}


@transaction.atomic
def statement_prepare(*, actor, sme: SelfManagedEstate, month: dt.date) -> MonthlyStatement:
    """The month's statement from the receipted collections and expenses (the treasurer's draft)."""
    _books_check(actor, sme)
    figures = statement_figures(sme, month)
    if figures["month"] >= timezone.localdate().replace(day=1):
        raise ServiceError(_("只能编制已结束月份的收支表"), field="month")
    if figures["closing"] < 0:
        raise ServiceError(_("期末结余为负，请核对收支记录"))
    return create_audited(MonthlyStatement, actor=actor, action="property.statement_prepare", estate=sme,
                          prepared_by=actor, duplicate_message=_("该月收支表已编制"), duplicate_field="month",
                          **figures)


@transaction.atomic
def statement_review(*, actor, statement: MonthlyStatement) -> MonthlyStatement:
    """A second person checks the draft and submits it to 阳光五务 (where another person approves it)."""
    sme = statement.estate
    require(actor, P.STATEMENT_REVIEW.action, sme)
    if statement.prepared_by_id == actor.pk:
        raise ServiceError(_("须由编制人以外的另一人复核"))
    if statement.state != c.StatementState.DRAFT:
        raise ServiceError(_("该收支表已复核"))
    label = f"{statement.month:%Y年%m月}"
    entry = entry_create(actor=actor, community_code=sme.region_code, category="finance",
                         title=_("%(g)s %(m)s物业收支公开") % {"g": sme.group_name, "m": label},
                         body=_("期初结余 %(o)s 元；本月收入 %(i)s 元（%(p)d/%(n)d户已缴）；本月支出 %(e)s 元；"
                                "结余返还 %(r)s 元；期末结余 %(c)s 元。") % {
                             "o": yuan(statement.opening), "i": yuan(statement.income), "e": yuan(statement.expense),
                             "r": yuan(statement.returned), "c": yuan(statement.closing),
                             "p": statement.paid_dwellings, "n": statement.dwellings},
                         period=label)
    start, end = _month_bounds(statement.month)
    if statement.income:
        ledger_line_add(actor=actor, entry=entry, date=end - dt.timedelta(days=1), direction="income",
                        amount=Decimal(statement.income) / 100, summary=_("物业费收入"))
    for exp in Expense.objects.filter(estate=sme, date__gte=start, date__lt=end).order_by("date", "id")[:200]:
        ledger_line_add(actor=actor, entry=entry, date=exp.date, direction="expense", amount=Decimal(exp.amount) / 100,
                        summary=exp.purpose[:120], document_ref=exp.receipt_no[:60])
    entry.refresh_from_db()
    entry = entry_transition(actor=actor, entry=entry, action="submit")
    return versioned_update(statement, statement.version, actor=actor, action="property.statement_review",
                            validate=False, where={"state": c.StatementState.DRAFT}, state=c.StatementState.SUBMITTED,
                            reviewed_by=actor, disclosure=entry)


@transaction.atomic
def surplus_return(*, actor, sme: SelfManagedEstate, year: int, total: int) -> SurplusReturn:
    """Return `total` fen of the year's surplus to the dwellings by the adopted rule, in one ledger transfer."""
    _books_check(actor, sme)
    if not sme.surplus_rule:
        raise ServiceError(_("结余返还办法尚未经业主表决通过"))
    total = int(total)
    fund = _account(sme, "fund")
    if total <= 0 or total > fund.balance:
        raise ServiceError(_("返还金额须大于零且不超过小组资金 %(b)s 元") % {"b": yuan(fund.balance)}, field="total")
    weights = _surplus_weights(sme, year)
    if not weights:
        raise ServiceError(_("本年度没有账单，无法按户返还"))
    shares = split(total, weights)
    transfer = transfer_create(actor=actor, source=fund, target=_account(sme, "returned"), amount=total,
                               kind=TransferKind.SURPLUS, idempotency_key=f"sme:{sme.pk}:surplus:{year}",
                               memo=_("%(y)d年度结余返还") % {"y": year})
    try:
        with transaction.atomic():
            ret = SurplusReturn.objects.create(estate=sme, year=year, total=total, rule=sme.surplus_rule,
                                               transfer=transfer, created_by=actor)
    except IntegrityError:
        raise ServiceError(_("%(y)d年度的结余已返还") % {"y": year}) from None
    SurplusShare.objects.bulk_create([SurplusShare(surplus=ret, dwelling_id=k, amount=v) for k, v in shares.items()],
                                     batch_size=1000)
    audit_log(actor=actor, action="property.surplus_return", obj=sme, after={"year": year, "total": total})
    return ret


def _surplus_weights(sme: SelfManagedEstate, year: int) -> dict:
    bills = FeeBill.objects.filter(estate=sme, month__year=year)
    if sme.surplus_rule == c.SurplusRule.PAID:
        return dict(bills.values("dwelling_id").annotate(s=Sum("paid")).values_list("dwelling_id", "s"))
    ids = set(bills.values_list("dwelling_id", flat=True))
    if sme.surplus_rule == c.SurplusRule.AREA:
        return {pk: area or 0 for pk, area in Dwelling.objects.filter(pk__in=ids).values_list("pk", "area")}
    return dict.fromkeys(ids, 1)


# --- 老旧院落改造 -------------------------------------------------------------------------------------------------------
def renovation_create(*, actor, estate, title: str, budget: int = 0, scope_note: str = "") -> RenovationProject:
    require(actor, P.RENOVATION_EDIT.action, estate)
    return create_audited(RenovationProject, actor=actor, action="property.renovation_create",
                          region_code=estate.region_code, estate=estate, title=title.strip(), budget=budget,
                          scope_note=scope_note.strip())


def renovation_advance(*, actor, project: RenovationProject, action: str, reason: str = "",
                       topic=None) -> RenovationProject:
    require(actor, P.RENOVATION_EDIT.action, project)
    extra = {"topic": topic} if topic is not None else None
    data = {"reason": reason, "topic": topic.pk if topic is not None else ""}
    return RENOVATION.apply(obj=project, actor=actor, action=action, data=data, extra_updates=extra)
