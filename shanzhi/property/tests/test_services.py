import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from shanzhi.cases import choices as cc
from shanzhi.cases.models import Case
from shanzhi.cases.services import case_transition, route_body
from shanzhi.consultation.testing import topic_in
from shanzhi.core.errors import NotAllowed, ServiceError
from shanzhi.core.roles import Role
from shanzhi.disclosure.models import DisclosureEntry
from shanzhi.disclosure.services import entry_transition
from shanzhi.ledger.selectors import reconcile
from shanzhi.property import choices as c
from shanzhi.property import selectors, services
from shanzhi.property.models import FeeBill, OwnersVote, SurplusShare
from shanzhi.property.testing import make_estate, valid_uscc
from shanzhi.registry.models import Dwelling

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(world, make_user):
    return make_user(Role.COMMUNITY_STAFF, world.community.code)


@pytest.fixture
def secretary(world, make_user):
    return make_user(Role.COMMUNITY_SECRETARY, world.community.code)


def _last_month():
    return (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def _owners(world, make_user, n):
    return [make_user(Role.RESIDENT, world.grid.code) for _ in range(n)]


def _adopt_fee(world, staff, estate, owners, amount=3000, basis=c.FeeBasis.PER_DWELLING):
    vote = services.vote_open(actor=staff, estate=estate, title="物业费标准", motion="每户每月30元",
                              closes_on=timezone.localdate() + dt.timedelta(days=7),
                              subject=c.VoteSubject.FEE_STANDARD, payload={"basis": basis, "amount": amount})
    for user in owners:
        d = Dwelling.objects.get(owner__user=user)
        services.ballot_cast(actor=user, vote=vote, dwelling=d, choice=c.BallotChoice.FOR)
    return services.vote_close(actor=staff, vote=OwnersVote.objects.get(pk=vote.pk))


# --- 双过半 ---------------------------------------------------------------------------------------------------
def test_an_estate_adopts_its_fee_standard_by_double_majority(world, staff, make_user):
    owners = _owners(world, make_user, 4)
    estate = make_estate(world.grid.code, dwellings=4, areas=[Decimal("60"), Decimal("90")], owners=owners)
    sme = services.sme_create(actor=staff, estate=estate, group_name="施井自管小组", started_on=dt.date(2025, 1, 1))
    vote = services.vote_open(actor=staff, estate=estate, title="物业费标准", motion="每户每月30元",
                              closes_on=timezone.localdate() + dt.timedelta(days=7),
                              subject=c.VoteSubject.FEE_STANDARD, payload={"basis": "per_dwelling", "amount": 3000})
    assert vote.eligible_count == 4 and vote.eligible_area == Decimal("300")
    dwellings = list(Dwelling.objects.filter(building__estate=estate).order_by("pk"))
    services.ballot_cast(actor=owners[0], vote=vote, dwelling=dwellings[0], choice="for")
    with pytest.raises(ServiceError, match="已经表决过"):
        services.ballot_paper(actor=staff, vote=vote, dwelling=dwellings[0], choice="against")
    with pytest.raises(ServiceError, match="产权人"):
        services.ballot_cast(actor=owners[0], vote=vote, dwelling=dwellings[1], choice="for")
    services.ballot_paper(actor=staff, vote=vote, dwelling=dwellings[1], choice="for")
    services.ballot_cast(actor=owners[2], vote=vote, dwelling=dwellings[2], choice="for")
    services.ballot_cast(actor=owners[3], vote=vote, dwelling=dwellings[3], choice="against")
    vote = services.vote_close(actor=staff, vote=OwnersVote.objects.get(pk=vote.pk))
    # 3 of 4 dwellings and 210 of 300 ㎡ agree
    assert vote.state == c.VoteState.PASSED and vote.for_count == 3 and vote.for_area == Decimal("210")
    sme.refresh_from_db()
    assert sme.fee_basis == "per_dwelling" and sme.fee_amount == 3000 and sme.fee_vote_id == vote.pk


def test_a_vote_fails_on_area(world, staff, make_user):
    owners = _owners(world, make_user, 3)
    estate = make_estate(world.grid.code, dwellings=3, areas=[Decimal("50"), Decimal("50"), Decimal("200")],
                         owners=owners)
    vote = services.vote_open(actor=staff, estate=estate, title="改造方案", motion="加装电梯",
                              closes_on=timezone.localdate() + dt.timedelta(days=7))
    ds = list(Dwelling.objects.filter(building__estate=estate).order_by("pk"))
    for user, d, choice in zip(owners, ds, ["for", "for", "against"], strict=True):
        services.ballot_cast(actor=user, vote=vote, dwelling=d, choice=choice)
    vote = services.vote_close(actor=staff, vote=OwnersVote.objects.get(pk=vote.pk))
    assert vote.state == c.VoteState.FAILED and "面积" in vote.result_reason


def test_a_vote_needs_the_floor_area_of_every_dwelling(world, staff):
    estate = make_estate(world.grid.code, dwellings=2)
    Dwelling.objects.filter(building__estate=estate).update(area=None)
    with pytest.raises(ServiceError, match="建筑面积"):
        services.vote_open(actor=staff, estate=estate, title="x", motion="x", closes_on=timezone.localdate())


# --- self-managed estate money flow ------------------------------------------------------------------------------
def test_a_year_of_the_self_managed_estate_on_the_ledger(world, staff, secretary, make_user):
    owners = _owners(world, make_user, 4)
    estate = make_estate(world.grid.code, dwellings=4, owners=owners)
    sme = services.sme_create(actor=staff, estate=estate, group_name="施井自管小组", started_on=dt.date(2025, 1, 1))
    treasurer = make_user(Role.OWNERS_COMMITTEE, world.community.code)
    services.group_member_add(actor=staff, sme=sme, name="刘会计", duty=c.Duty.TREASURER, user=treasurer)
    with pytest.raises(ServiceError, match="表决"):
        services.bills_generate(actor=treasurer, sme=sme, month=_last_month())
    _adopt_fee(world, staff, estate, owners)
    sme.refresh_from_db()
    month = _last_month()
    assert services.bills_generate(actor=treasurer, sme=sme, month=month) == 4
    assert services.bills_generate(actor=treasurer, sme=sme, month=month) == 0
    bills = list(FeeBill.objects.filter(estate=sme, month=month).order_by("pk"))
    for i, bill in enumerate(bills[:3]):
        services.collection_record(actor=treasurer, sme=sme, bill=bill, amount=3000, method="cash",
                                   receipt_no=f"R{i}", date=month + dt.timedelta(days=3))
    with pytest.raises(ServiceError, match="超过应收"):
        services.collection_record(actor=treasurer, sme=sme, bill=bills[0], amount=1, method="cash", receipt_no="R9")
    with pytest.raises(ServiceError, match="收据号"):
        services.collection_record(actor=treasurer, sme=sme, bill=bills[3], amount=100, method="cash",
                                   receipt_no="R0")
    with pytest.raises(ServiceError, match="资金不足"):
        services.expense_record(actor=treasurer, sme=sme, amount=10000, payee="保洁员", purpose="保洁工资",
                                receipt_no="F1", date=month + dt.timedelta(days=10))
    services.expense_record(actor=treasurer, sme=sme, amount=5000, payee="王师傅", purpose="更换楼道灯泡",
                            receipt_no="F2", date=month + dt.timedelta(days=10))
    with pytest.raises(ServiceError, match="票据"):
        services.expense_record(actor=treasurer, sme=sme, amount=100, payee="x", purpose="x", receipt_no="")
    books = selectors.reconcile_estate(sme)
    assert books.ok and books.fund == 4000 and books.collected == 9000 and books.spent == 5000
    assert reconcile().ok

    statement = services.statement_prepare(actor=treasurer, sme=sme, month=month)
    assert (statement.opening, statement.income, statement.expense, statement.closing) == (0, 9000, 5000, 4000)
    assert (statement.paid_dwellings, statement.dwellings) == (3, 4)
    with pytest.raises(ServiceError, match="已编制"):
        services.statement_prepare(actor=treasurer, sme=sme, month=month)
    statement = services.statement_review(actor=staff, statement=statement)
    assert selectors.statement_state(statement) == c.StatementState.SUBMITTED
    entry = DisclosureEntry.objects.get(pk=statement.disclosure_id)
    with pytest.raises(NotAllowed):  # the submitter can't approve their own disclosure
        entry_transition(actor=staff, entry=entry, action="approve")
    entry_transition(actor=secretary, entry=entry, action="approve")
    statement.refresh_from_db()
    assert selectors.statement_state(statement) == c.StatementState.PUBLISHED
    assert list(selectors.public_statements(community_code=world.community.code)) == [statement]
    assert statement.disclosure.lines.count() == 2


def test_the_preparer_cannot_review_their_own_statement(world, staff, make_user):
    owners = _owners(world, make_user, 2)
    estate = make_estate(world.grid.code, dwellings=2, owners=owners)
    sme = services.sme_create(actor=staff, estate=estate, group_name="组", started_on=dt.date(2025, 1, 1))
    statement = services.statement_prepare(actor=staff, sme=sme, month=_last_month())
    with pytest.raises(ServiceError, match="另一人"):
        services.statement_review(actor=staff, statement=statement)


def test_the_surplus_is_returned_per_dwelling_by_the_adopted_rule(world, staff, make_user):
    owners = _owners(world, make_user, 3)
    estate = make_estate(world.grid.code, dwellings=3, owners=owners, areas=[Decimal("50"), Decimal("100")])
    sme = services.sme_create(actor=staff, estate=estate, group_name="组", started_on=dt.date(2025, 1, 1))
    _adopt_fee(world, staff, estate, owners, amount=100, basis=c.FeeBasis.PER_AREA)
    vote = services.vote_open(actor=staff, estate=estate, title="结余返还", motion="按面积返还",
                              closes_on=timezone.localdate() + dt.timedelta(days=7),
                              subject=c.VoteSubject.SURPLUS_RULE, payload={"rule": "area"})
    for user in owners:
        services.ballot_cast(actor=user, vote=vote, dwelling=Dwelling.objects.get(owner__user=user), choice="for")
    services.vote_close(actor=staff, vote=OwnersVote.objects.get(pk=vote.pk))
    sme.refresh_from_db()
    assert sme.surplus_rule == "area" and sme.fee_basis == "per_area"
    month = _last_month()
    services.bills_generate(actor=staff, sme=sme, month=month)
    for i, bill in enumerate(FeeBill.objects.filter(estate=sme)):
        assert bill.amount in (5000, 10000)
        services.collection_record(actor=staff, sme=sme, bill=bill, amount=bill.amount, method="transfer",
                                   receipt_no=f"T{i}", date=month)
    with pytest.raises(ServiceError, match="不超过"):
        services.surplus_return(actor=staff, sme=sme, year=month.year, total=10 ** 9)
    ret = services.surplus_return(actor=staff, sme=sme, year=month.year, total=1001)
    shares = dict(SurplusShare.objects.filter(surplus=ret).values_list("dwelling__area", "amount"))
    assert sum(SurplusShare.objects.filter(surplus=ret).values_list("amount", flat=True)) == 1001
    assert shares[Decimal("100.00")] > shares[Decimal("50.00")]
    with pytest.raises(ServiceError, match="已返还"):
        services.surplus_return(actor=staff, sme=sme, year=month.year, total=1)
    assert selectors.reconcile_estate(sme).ok and reconcile().ok


# --- property companies, credit and deposit -------------------------------------------------------------------------
def test_an_invalid_uscc_is_refused(world, staff):
    with pytest.raises(ServiceError, match="统一社会信用代码"):
        services.company_register(actor=staff, region_code=world.community.code, name="假物业",
                                  uscc="91321002MA00000019")
    company = services.company_register(actor=staff, region_code=world.community.code, name="扬城物业",
                                        uscc=valid_uscc(42).lower())
    assert company.body.kind == cc.HandlerType.PROPERTY_COMPANY and company.uscc == valid_uscc(42)
    with pytest.raises(ServiceError, match="已登记"):
        services.company_register(actor=staff, region_code=world.community.code, name="扬城物业二",
                                  uscc=valid_uscc(42))


def test_a_complaint_becomes_a_case_routed_to_the_company_and_moves_its_credit(world, staff, make_user):
    resident = make_user(Role.RESIDENT, world.grid.code)
    estate = make_estate(world.grid.code, dwellings=1, owners=[resident])
    company = services.company_register(actor=staff, region_code=world.community.code, name="扬城物业",
                                        uscc=valid_uscc(7))
    employee = make_user(Role.HANDLING_BODY_STAFF, world.community.code)
    services.company_staff_add(actor=staff, company=company, user=employee)
    services.contract_register(actor=staff, company=company, estate=estate, starts_on=dt.date(2025, 1, 1),
                               ends_on=dt.date(2030, 1, 1))
    before = selectors.credit_of(company).score
    case = services.complaint_file(actor=resident, estate=estate, title="楼道垃圾三天没人清",
                                   description="1栋楼道垃圾堆积，无人清理")
    assert case.category.code == "property_service"
    grid_worker = make_user(Role.GRID_LEADER, world.grid.code)
    case = case_transition(actor=grid_worker, case=case, action="accept")
    assert route_body(case.category, case.region_code) == company.body
    case = case_transition(actor=grid_worker, case=case, action="dispatch", data={"body": company.body_id})
    assert case.lead_body_id == company.body_id
    assert case in Case.objects.restrict(employee, "view")
    credit = selectors.credit_of(company)
    assert credit.complaints == 1 and credit.score == before - 2
    assert selectors.complaints_count(world.community.code, timezone.localdate(),
                                      timezone.localdate() + dt.timedelta(days=1)) == 1


def test_the_deposit_never_goes_below_zero(world, secretary):
    company = services.company_register(actor=secretary, region_code=world.community.code, name="扬城物业",
                                        uscc=valid_uscc(8), deposit_required=5_000_000)
    services.deposit_move(actor=secretary, company=company, kind="pay", amount=5_000_000, reason="入驻缴纳")
    services.deposit_move(actor=secretary, company=company, kind="deduct", amount=200_000, reason="电梯困人处置超时")
    with pytest.raises(ServiceError, match="余额不足"):
        services.deposit_move(actor=secretary, company=company, kind="refund", amount=5_000_000, reason="退出")
    services.deposit_move(actor=secretary, company=company, kind="refund", amount=4_800_000, reason="合同期满退出")
    credit = selectors.credit_of(company)
    assert credit.deposit_held == 0 and credit.deductions == 1 and credit.score == 95
    assert reconcile().ok


def test_community_staff_may_not_touch_the_deposit(world, staff):
    company = services.company_register(actor=staff, region_code=world.community.code, name="物业",
                                        uscc=valid_uscc(9))
    with pytest.raises(NotAllowed):
        services.deposit_move(actor=staff, company=company, kind="pay", amount=1, reason="x")


def test_property_staff_see_only_their_company(world, staff, make_user):
    a = services.company_register(actor=staff, region_code=world.community.code, name="甲物业", uscc=valid_uscc(10))
    b = services.company_register(actor=staff, region_code=world.community.code, name="乙物业", uscc=valid_uscc(11))
    employee = make_user(Role.PROPERTY_STAFF, world.community.code)
    services.company_staff_add(actor=staff, company=a, user=employee)
    assert list(selectors.company_list(actor=employee)) == [a]
    assert set(selectors.company_list(actor=staff)) == {a, b}


def test_owners_committee_and_joint_meeting(world, staff, make_user):
    estate = make_estate(world.grid.code, dwellings=1)
    committee = services.committee_create(actor=staff, estate=estate, name="施井小区业委会",
                                          term_start=dt.date(2025, 1, 1), term_end=dt.date(2030, 1, 1))
    member_user = make_user(Role.OWNERS_COMMITTEE, world.community.code)
    services.committee_member_add(actor=staff, committee=committee, name="陈主任", position="director",
                                  user=member_user)
    assert list(selectors.committee_list(actor=member_user)) == [committee]
    other_estate = make_estate(world.grid.code, dwellings=1)
    other = services.committee_create(actor=staff, estate=other_estate, name="别的业委会",
                                      term_start=dt.date(2025, 1, 1), term_end=dt.date(2030, 1, 1))
    assert other not in selectors.committee_list(actor=member_user)
    joint = services.joint_meeting_create(actor=staff, committee=committee, company=None, title="三方联席会议",
                                          starts_at=timezone.now() + dt.timedelta(days=5), location="社区会议室")
    assert joint.meeting.participants.count() == 2


def test_renovation_stages_need_consultation_and_inspections(world, staff):
    estate = make_estate(world.grid.code, dwellings=1)
    p = services.renovation_create(actor=staff, estate=estate, title="施井老旧院落改造", budget=800000)
    p = services.renovation_advance(actor=staff, project=p, action="consult")
    with pytest.raises(NotAllowed, match="协商议题"):
        services.renovation_advance(actor=staff, project=p, action="design")
    topic = topic_in(world.community.code)
    p = services.renovation_advance(actor=staff, project=p, action="design", topic=topic)
    with pytest.raises(NotAllowed, match="改造前查验"):
        services.renovation_advance(actor=staff, project=p, action="build")
    services.inspection_record(actor=staff, estate=estate, date=timezone.localdate(), score=60, phase="before",
                               renovation=p, findings="雨污混流，屋面漏水")
    p = services.renovation_advance(actor=staff, project=p, action="build")
    p = services.renovation_advance(actor=staff, project=p, action="accept")
    services.inspection_record(actor=staff, estate=estate, date=timezone.localdate(), score=92, phase="after",
                               renovation=p)
    p = services.renovation_advance(actor=staff, project=p, action="finish")
    assert p.stage == c.RenovationStage.DONE and p.topic_id == topic.pk


def test_a_property_office_per_community(world, staff):
    office = services.office_create(actor=staff, community_code=world.community.code, name="玺园物业管理工作室",
                                    location="党群服务中心一楼", staff_names="陈书记（站长）")
    assert list(selectors.office_list(actor=staff)) == [office]
