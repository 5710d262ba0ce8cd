"""The core flow through services: need → programme → call → application → review (one conflict) → approval →
contract (money committed) → deliverable accepted → payment on the ledger → disclosure → evaluation → credit."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from shanzhi.consultation.services import evaluation_vote
from shanzhi.core.errors import ServiceError
from shanzhi.core.permissions import PermissionDenied
from shanzhi.core.roles import Role
from shanzhi.disclosure.models import DisclosureEntry
from shanzhi.disclosure.services import entry_transition
from shanzhi.organisations.models import Organisation
from shanzhi.organisations.services import organisation_register
from shanzhi.organisations.testing import make_org_staff
from shanzhi.projects import money, selectors, services
from shanzhi.projects.models import Project
from shanzhi.volunteering.testing import make_person

pytestmark = pytest.mark.django_db

USCC = "91110108551385082Q"


@pytest.fixture
def people(world, make_user):
    return {
        "community": make_user(Role.COMMUNITY_STAFF, world.community.code),
        "secretary": make_user(Role.COMMUNITY_SECRETARY, world.community.code),
        "street": make_user(Role.STREET_MANAGER, world.street.code),
        "reviewer1": make_user(Role.COMMUNITY_SECRETARY, world.community.code),
        "reviewer2": make_user(Role.THIRD_PARTY_ASSESSOR, world.district.code),
        "assessor": make_user(Role.THIRD_PARTY_ASSESSOR, world.district.code),
        "other_org_staff": make_user(Role.SOCIAL_ORG_STAFF, world.other_street.code),
    }


def _through_contract(world, p):
    need = services.need_raise(actor=p["community"], community_code=world.community.code, title="独居老人助餐")
    org = organisation_register(actor=p["street"], region_code=world.street.code, name="曲江为老服务中心",
                                kind="service_inst", legal_rep="钱某", uscc=USCC)
    Organisation.objects.filter(pk=org.pk).update(grade=3)
    org.refresh_from_db()
    staff = make_org_staff(org)
    programme = services.programme_create(actor=p["street"], region_code=world.street.code, name="2026 为老服务",
                                          kind="purchase", year=2026, budget_fen=30_000_00)
    call = services.call_open(actor=p["street"], programme=programme, title="助餐服务项目征集",
                              opens_on=date.today(), closes_on=date.today() + timedelta(days=20),
                              max_amount_fen=25_000_00, min_grade=2, needs=[need])
    app = services.application_submit(
        actor=staff, call=call, organisation=org, community_code=world.community.code, title="长者食堂助餐",
        objectives="让独居老人吃上热饭", activities="每日送餐", target_beneficiaries=40,
        budget_lines=[{"item": "餐费补贴", "amount_fen": 15_000_00}, {"item": "人员", "amount_fen": 5_000_00}],
        amount_fen=20_000_00, answers={"team": "三名社工"}, needs=[need])
    r1, r2 = services.reviewers_assign(actor=p["street"], application=app, reviewers=[p["reviewer1"], p["reviewer2"]])
    services.review_declare(actor=p["reviewer1"], review=r1, conflict=True, note="理事会成员")
    with pytest.raises(ServiceError):
        services.review_submit(actor=p["reviewer1"], review=r1, scores={}, comment="x")
    services.review_declare(actor=p["reviewer2"], review=r2, conflict=False)
    services.review_submit(actor=p["reviewer2"], review=r2, comment="设计合理",
                           scores={"need": 27, "design": 25, "capacity": 18, "budget": 16})
    app.refresh_from_db()
    app = services.application_determine(actor=p["street"], application=app, decision="approve", reason="需求迫切")
    app.refresh_from_db()
    project = services.contract_sign(
        actor=p["street"], application=app, contract_no="QJ-2026-001", starts_on=date.today(),
        ends_on=date.today() + timedelta(days=180),
        milestones=[{"title": "启动", "deliverable": "服务方案", "due_on": date.today(), "instalment_fen": 8_000_00},
                    {"title": "结项", "deliverable": "服务记录", "due_on": date.today(), "instalment_fen": 12_000_00}])
    return org, staff, programme, app, project


def test_core_flow_from_need_to_disclosure(world, people):
    p = people
    org, staff, programme, app, project = _through_contract(world, p)
    assert app.average == 86 and app.rank == 1
    # the applicant sees the comments, not who wrote them
    comments = selectors.review_comments(application=app)
    assert comments == [{"n": 1, "total": 86, "scores": comments[0]["scores"], "comment": "设计合理"}]
    assert money.programme_account(programme).balance == 10_000_00
    assert money.project_account(project).balance == 20_000_00

    services.project_start(actor=staff, project=project)
    m1 = project.milestones.get(seq=1)
    with pytest.raises(ServiceError):
        services.payment_request(actor=staff, milestone=m1)  # not accepted yet
    m1 = services.milestone_submit(actor=staff, milestone=m1, report="服务方案已完成")
    m1 = services.milestone_review(actor=p["community"], milestone=m1, accept=True, note="合格")
    pay = services.payment_request(actor=staff, milestone=m1)
    with pytest.raises(PermissionDenied):
        services.payment_release(actor=staff, payment=pay)
    services.payment_release(actor=p["street"], payment=pay)
    project.refresh_from_db()
    assert project.paid_fen == 8_000_00
    assert money.org_account(org).balance == 8_000_00
    assert money.reconcile()["ok"]

    # 阳光五务: the funded project (服务) and the payment (财务) wait for a second person, then publish
    entries = DisclosureEntry.objects.filter(region_code=world.community.code).order_by("pk")
    assert [e.category for e in entries] == ["services", "finance"]
    assert all(e.state == "submitted" for e in entries)
    with pytest.raises(ServiceError):
        entry_transition(actor=p["street"], entry=entries[0], action="approve")  # not the submitter
    for e in entries:
        entry_transition(actor=p["secretary"], entry=e, action="approve")
    assert DisclosureEntry.objects.filter(state="published").count() == 2

    # third-party evaluation feeds the credit record
    ev = services.evaluation_assign(actor=p["street"], project=project, kind="final", assessor=p["assessor"])
    with pytest.raises(PermissionDenied):
        services.evaluation_submit(actor=p["reviewer2"], evaluation=ev, scores={}, comment="x")
    services.evaluation_submit(actor=p["assessor"], evaluation=ev, comment="成效明显", satisfaction=96,
                               scores={"delivery": 38, "quality": 28, "money": 18, "satisfaction": 9})
    project.refresh_from_db()
    org.refresh_from_db()
    assert project.state == "final"
    assert org.credit_score == 105


def test_programme_cannot_be_overspent_by_contracts(world, people):
    p = people
    org, staff, programme, app, project = _through_contract(world, p)
    # a second application for 20,000 against 10,000 left in the programme
    app2 = services.application_submit(
        actor=staff, call=app.call, organisation=org, community_code=world.community.code, title="助浴",
        objectives="o", activities="a", target_beneficiaries=10,
        budget_lines=[{"item": "x", "amount_fen": 20_000_00}], amount_fen=20_000_00, answers={"team": "t"})
    (r,) = services.reviewers_assign(actor=p["street"], application=app2, reviewers=[p["reviewer2"]])
    services.review_declare(actor=p["reviewer2"], review=r, conflict=False)
    services.review_submit(actor=p["reviewer2"], review=r, comment="ok",
                           scores={"need": 20, "design": 20, "capacity": 10, "budget": 10})
    app2.refresh_from_db()
    services.application_determine(actor=p["street"], application=app2, decision="approve", reason="r")
    app2.refresh_from_db()
    with pytest.raises(ServiceError, match="预算余额不足"):
        services.contract_sign(actor=p["street"], application=app2, contract_no="QJ-2026-002",
                               starts_on=date.today(), ends_on=date.today(),
                               milestones=[{"title": "t", "deliverable": "d", "due_on": date.today(),
                                            "instalment_fen": 20_000_00}])
    assert not Project.objects.filter(contract_no="QJ-2026-002").exists()
    assert money.programme_account(programme).balance == 10_000_00
    assert money.reconcile()["ok"]


def test_eligibility_refuses_with_a_reason(world, people):
    p = people
    org, staff, programme, app, project = _through_contract(world, p)
    Organisation.objects.filter(pk=org.pk).update(grade=1)
    org.refresh_from_db()
    with pytest.raises(ServiceError, match="2A"):
        services.application_submit(
            actor=staff, call=app.call, organisation=org, community_code=world.community.code, title="t",
            objectives="o", activities="a", target_beneficiaries=1,
            budget_lines=[{"item": "x", "amount_fen": 100}], amount_fen=100, answers={"team": "t"})
    # staff of another organisation may not apply in its name
    with pytest.raises(PermissionDenied):
        services.application_submit(
            actor=p["other_org_staff"], call=app.call, organisation=org, community_code=world.community.code,
            title="t", objectives="o", activities="a", target_beneficiaries=1,
            budget_lines=[{"item": "x", "amount_fen": 100}], amount_fen=100, answers={"team": "t"})


def test_beneficiaries_are_pseudonymous(world, people):
    p = people
    org, staff, programme, app, project = _through_contract(world, p)
    person = make_person(world.grid.code)
    b = services.beneficiary_link(actor=p["community"], project=project, person=person)
    services.beneficiary_link(actor=p["community"], project=project, person=person)
    b.refresh_from_db()
    project.refresh_from_db()
    assert b.services == 2 and project.beneficiaries == 1
    assert b.pseudonym.startswith("B") and str(person.pk) not in b.pseudonym[1:3]
    assert b.pseudonym != services.pseudonym(org.pk + 1, person.pk)
    with pytest.raises(PermissionDenied):
        services.beneficiary_link(actor=staff, project=project, person=person)


def test_org_staff_see_only_their_organisation(world, people):
    p = people
    org, staff, programme, app, project = _through_contract(world, p)
    assert list(selectors.project_list(actor=staff)) == [project]
    assert list(selectors.project_list(actor=p["other_org_staff"])) == []
    assert list(selectors.application_list(actor=staff)) == [app]
    other_in_street = make_org_staff(Organisation.objects.create(region_code=world.street.code, name="另一家",
                                                                  kind="community", legal_rep="x"))
    assert list(selectors.project_list(actor=other_in_street)) == []
    assert list(selectors.project_list(actor=p["community"])) == [project]


def test_satisfaction_comes_from_the_residents_anonymous_ballots(world, people, make_user):
    """居民满意度 through consultation's evaluation ballot: residents of the community answer once each; the final
    evaluation takes their average, not a typed figure."""
    p = people
    _org, staff, _programme, _app, project = _through_contract(world, p)
    with pytest.raises(ServiceError, match="社区"):
        services.satisfaction_survey_open(actor=p["street"], project=project,
                                          community_code=world.other_community.code)
    with pytest.raises(PermissionDenied):
        services.satisfaction_survey_open(actor=p["other_org_staff"], project=project,
                                          community_code=world.community.code)
    project = services.satisfaction_survey_open(actor=p["street"], project=project,
                                                community_code=world.community.code)
    survey = project.satisfaction_survey
    assert survey.region_code == world.community.code and survey.kind == "residents_on_service"
    assert services.survey_satisfaction(project) == (None, 0)
    residents = [make_user(Role.RESIDENT, world.grid.code) for _ in range(3)]
    for user, scores in zip(residents, [[5, 5, 4], [4, 4, 4], [5, 4, 5]], strict=True):
        evaluation_vote(actor=user, survey=survey, scores=scores)
    with pytest.raises(ServiceError, match="已经参加"):
        evaluation_vote(actor=residents[0], survey=survey, scores=[1, 1, 1])
    outsider = make_user(Role.RESIDENT, world.other_grid.code)
    with pytest.raises((PermissionDenied, ServiceError)):
        evaluation_vote(actor=outsider, survey=survey, scores=[1, 1, 1])
    # (5+5+4 + 4+4+4 + 5+4+5) / 9 = 40/9 ≈ 4.44 → 4.44 × 20 = 88.8
    assert services.survey_satisfaction(project) == (Decimal("88.8"), 3)
    services.project_start(actor=staff, project=project)
    ev = services.evaluation_assign(actor=p["street"], project=project, kind="final", assessor=p["assessor"])
    ev = services.evaluation_submit(actor=p["assessor"], evaluation=ev, comment="成效明显", satisfaction=99,
                                    scores={"delivery": 38, "quality": 28, "money": 18, "satisfaction": 9})
    assert ev.satisfaction == Decimal("88.8")  # the typed 99 does not override the residents
