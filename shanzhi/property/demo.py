"""Demo step "property" (order 86): a property company serving 玺园 with complaints routed to it, its deposit and
credit; an owners' committee with a 三方联席会议; and 施井's self-managed estate (seed 004): a fee standard and a
surplus rule adopted by 双过半, a year of bills, receipted collections and expenses, monthly statements on 阳光五务
and last year's surplus returned — all through the services. Idempotent."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone
from stdnum.cn import uscc

from shanzhi.accounts.demo import step_logins
from shanzhi.accounts.models import RoleGrant, User
from shanzhi.cases.services import case_transition
from shanzhi.disclosure.services import entry_transition
from shanzhi.regions.models import Region
from shanzhi.registry.models import Dwelling, Estate, Person

from . import choices as c
from . import services
from .models import (
    FeeBill,
    MonthlyStatement,
    OwnersCommittee,
    OwnersVote,
    PropertyCompany,
    PropertyOffice,
    RenovationProject,
    SelfManagedEstate,
)
from .selectors import fund_balance

SHIJING = "321002004006"
LOGINS = ["demo_property", "demo_owners_committee", "demo_shijing_staff", "demo_shijing_treasurer"]
EXPENSES = [("保洁员工资", "保洁员老周", 0.45), ("楼道照明电费", "供电公司", 0.08), ("绿化修剪", "园林养护队", 0.12),
            ("下水道疏通", "王师傅", 0.06)]


def _user(username: str, name: str, role: str, code: str) -> User:
    """A demo user of this step; `build` gives it a password in var/demo-logins.json (accounts.demo.step_logins)."""
    user, created = User.objects.get_or_create(username=username, defaults={"display_name": name})
    if created:
        user.set_unusable_password()
        user.save()
    region = Region.objects.get(code=code)
    RoleGrant.objects.get_or_create(user=user, role=role, region_code=code, defaults={"region": region})
    return user


def _company(manager, secretary, resident, street, rng) -> PropertyCompany | None:
    person = Person.objects.filter(user=resident).select_related("dwelling__building__estate").first()
    estate = person.dwelling.building.estate if person and person.dwelling_id else None
    if estate is None:
        return None
    company = PropertyCompany.objects.filter(name="扬州恒安物业").first()
    if company:
        return company
    body = "91321002MA1MHA001"
    company = services.company_register(actor=manager, region_code=street, name="扬州恒安物业",
                                        uscc=body + uscc.calc_check_digit(body), qualification=c.Qualification.SECOND,
                                        contact_name="何经理", service_phone="0514-87000000",
                                        address="曲江街道文昌中路88号", deposit_required=5_000_000)
    staff = _user("demo_property", "恒安物业·小何", "property_staff", estate.region_code[:12])
    RoleGrant.objects.get_or_create(user=staff, role="handling_body_staff", region_code=street,
                                    defaults={"region": Region.objects.get(code=street)})
    services.company_staff_add(actor=manager, company=company, user=staff, position="客服主管")
    today = timezone.localdate()
    for e in Estate.objects.filter(region_code=estate.region_code).exclude(self_management__isnull=False)[:2] \
            or [estate]:
        services.contract_register(actor=manager, company=company, estate=e, starts_on=dt.date(today.year - 2, 1, 1),
                                   ends_on=dt.date(today.year + 1, 12, 31), fee_note="住宅每平方米每月0.8元")
    if not company.contracts.filter(estate=estate).exists():
        services.contract_register(actor=manager, company=company, estate=estate, starts_on=dt.date(today.year - 2, 1, 1),
                                   ends_on=dt.date(today.year + 1, 12, 31))
    services.deposit_move(actor=manager, company=company, kind=c.DepositKind.PAY, amount=5_000_000, reason="入驻缴纳")
    services.deposit_move(actor=manager, company=company, kind=c.DepositKind.DEDUCT, amount=200_000,
                          reason="电梯困人30分钟未到场处置")
    for days, score, findings in ((90, 86, "消防通道有杂物"), (20, 74, "垃圾清运不及时，绿化缺养护")):
        services.inspection_record(actor=secretary, company=company, estate=estate, score=score, findings=findings,
                                   date=today - dt.timedelta(days=days))
    _complaints(company, estate, resident)
    return company


def _complaints(company, estate, resident):
    leader = User.objects.filter(username="grid_leader").first()
    texts = [("楼道垃圾三天没人清", "2栋楼道垃圾堆积，气味很大"), ("电梯经常停运", "3栋电梯本周停了两次"),
             ("门禁坏了没人修", "东门门禁损坏一周")]
    for i, (title, description) in enumerate(texts):
        case = services.complaint_file(actor=resident, estate=estate, title=title, description=description)
        if leader is None or i == 2:
            continue
        case = case_transition(actor=leader, case=case, action="accept")
        case_transition(actor=leader, case=case, action="dispatch", data={"body": company.body_id})


def _committee(secretary, company, estate):
    if not PropertyOffice.objects.filter(region_code=estate.region_code[:12]).exists():
        services.office_create(actor=secretary, community_code=estate.region_code, name="玺园社区物业管理工作室",
                               location="玺园社区党群服务中心一楼", hours="周一至周五 9:00-17:00",
                               staff_names="陈书记（站长）、何经理（恒安物业）、陈建国（业委会）")
    if OwnersCommittee.objects.filter(estate=estate).exists():
        return
    today = timezone.localdate()
    committee = services.committee_create(actor=secretary, estate=estate, name=f"{estate.name}业主委员会",
                                          term_start=dt.date(today.year - 1, 6, 1),
                                          term_end=dt.date(today.year + 4, 5, 31))
    chair = _user("demo_owners_committee", "业委会·陈主任", "owners_committee", estate.region_code[:12])
    for name, position, user in (("陈建国", c.Position.DIRECTOR, chair), ("林秀英", c.Position.DEPUTY, None),
                                 ("黄志强", c.Position.MEMBER, None)):
        services.committee_member_add(actor=secretary, committee=committee, name=name, position=position, user=user)
    services.joint_meeting_create(actor=secretary, committee=committee, company=company, title="三方联席会议：电梯维保",
                                  starts_at=timezone.now() + dt.timedelta(days=6), location="玺园社区议事厅",
                                  agenda="电梯停运投诉处置；维保合同续签")


def _vote(clerk, estate, title, subject, payload, rng, share_for=0.8):
    vote = OwnersVote.objects.filter(estate=estate, subject=subject).first()
    if vote:
        return vote
    vote = services.vote_open(actor=clerk, estate=estate, title=title, motion=title, subject=subject,
                              payload=payload, closes_on=timezone.localdate())
    for d in services.estate_dwellings(estate).order_by("pk"):
        if rng.random() < 0.85:
            choice = c.BallotChoice.FOR if rng.random() < share_for else rng.choice(
                [c.BallotChoice.AGAINST, c.BallotChoice.ABSTAIN])
            services.ballot_paper(actor=clerk, vote=vote, dwelling=d, choice=choice)
    return services.vote_close(actor=clerk, vote=vote)


def _months(n: int) -> list[dt.date]:
    first = timezone.localdate().replace(day=1)
    out = []
    for _ in range(n):
        first = (first - dt.timedelta(days=1)).replace(day=1)
        out.append(first)
    return sorted(out)


def _year_of_books(sme, treasurer, rng):
    if FeeBill.objects.filter(estate=sme).exists():
        return
    receipt = 0
    for month in _months(12):
        services.bills_generate(actor=treasurer, sme=sme, month=month)
        bills = list(FeeBill.objects.filter(estate=sme, month=month).order_by("pk"))
        income = 0
        for bill in bills:
            if rng.random() < 0.9:
                receipt += 1
                services.collection_record(actor=treasurer, sme=sme, bill=bill, amount=bill.amount,
                                           method=rng.choice([c.PayMethod.CASH, c.PayMethod.TRANSFER]),
                                           receipt_no=f"SJ{receipt:05d}",
                                           date=month + dt.timedelta(days=rng.randint(0, 20)))
                income += bill.amount
        for n, (purpose, payee, share) in enumerate(EXPENSES):
            amount = int(income * share * rng.uniform(0.8, 1.1))
            if amount > 0 and (n < 2 or rng.random() < 0.4):
                services.expense_record(actor=treasurer, sme=sme, amount=amount, payee=payee, purpose=purpose,
                                        receipt_no=f"FP{month:%y%m}{n}", date=month + dt.timedelta(days=25))


def _statements(sme, treasurer, clerk, approver):
    months = _months(12)
    for i, month in enumerate(months):
        st = MonthlyStatement.objects.filter(estate=sme, month=month).first() or services.statement_prepare(
            actor=treasurer, sme=sme, month=month)
        if i == len(months) - 1 or st.state != c.StatementState.DRAFT:
            continue
        st = services.statement_review(actor=clerk, statement=st)
        if i < len(months) - 2:
            entry_transition(actor=approver, entry=st.disclosure, action="approve")


def _shijing(manager, rng):
    estate = Estate.objects.filter(region_code=SHIJING).order_by("id").first()
    if estate is None or not services.estate_dwellings(estate).exists():
        return None
    sme = SelfManagedEstate.objects.filter(estate=estate).first()
    clerk = _user("demo_shijing_staff", "施井社区·吴社工", "community_staff", SHIJING)
    treasurer = _user("demo_shijing_treasurer", "施井自管小组·刘会计", "owners_committee", SHIJING)
    if sme is None:
        services.estate_dwellings(estate).filter(area__isnull=True).update(area=60)
        sme = services.sme_create(actor=manager, estate=estate, group_name="施井自管小组",
                                  started_on=timezone.localdate().replace(day=1) - dt.timedelta(days=400))
        for name, duty, user in (("孙组长", c.Duty.LEADER, None), ("刘会计", c.Duty.TREASURER, treasurer),
                                 ("马大姐", c.Duty.REVIEWER, None)):
            services.group_member_add(actor=manager, sme=sme, name=name, duty=duty, user=user)
    _vote(clerk, estate, "物业费标准：每户每月30元", c.VoteSubject.FEE_STANDARD,
          {"basis": c.FeeBasis.PER_DWELLING, "amount": 3000}, rng)
    _vote(clerk, estate, "年终结余按户平均返还", c.VoteSubject.SURPLUS_RULE, {"rule": c.SurplusRule.EQUAL}, rng)
    sme.refresh_from_db()
    _year_of_books(sme, treasurer, rng)
    _statements(sme, treasurer, clerk, manager)
    last_year = timezone.localdate().year - 1
    if not sme.surplus_returns.filter(year=last_year).exists() and FeeBill.objects.filter(
            estate=sme, month__year=last_year).exists():
        fund = fund_balance(sme)
        if fund > 0:
            services.surplus_return(actor=treasurer, sme=sme, year=last_year, total=fund // 4)
    if not RenovationProject.objects.filter(region_code=SHIJING).exists():
        other = Estate.objects.filter(region_code=SHIJING).exclude(pk=estate.pk).order_by("id").first() or estate
        project = services.renovation_create(actor=manager, estate=other, title=f"{other.name}老旧院落改造",
                                             budget=1_800_000, scope_note="雨污分流、屋面防水、加装路灯")
        services.renovation_advance(actor=manager, project=project, action="consult")
    return sme


@transaction.atomic
def build(*, ctx) -> None:
    users = ctx.data.get("users") or {}
    manager, secretary, resident = users.get("street_manager"), users.get("community_secretary"), users.get("resident")
    if not (manager and secretary and resident):
        return
    rng = random.Random(f"{ctx.seed}-property")
    company = _company(manager, secretary, resident, ctx.data["street"], rng)
    if company is not None:
        contract = company.contracts.select_related("estate").first()
        _committee(secretary, company, contract.estate)
    sme = _shijing(manager, rng)
    dwellings = Dwelling.objects.filter(building__estate=sme.estate).count() if sme else 0
    logins = step_logins("property", LOGINS)
    ctx.stdout(f"  property: company {'yes' if company else 'no'}, 施井 self-managed estate of {dwellings} dwellings, "
               f"{len(logins)} demo logins")
