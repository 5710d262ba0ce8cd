"""Demo step "projects" (order 82): one programme of each kind (政府购买服务、公益创投、直接资助、以奖代补) for 曲江,
needs and calls, and applications and projects in every stage — submitted, in review, rejected, approved, signed,
delivering with a payment, mid-term and final evaluated, closed. Built through the services; idempotent."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from shanzhi.core.roles import Role
from shanzhi.organisations.demo import demo_user
from shanzhi.organisations.services import member_add

from . import services
from .models import Programme

KINDS = [("purchase", "2026 年政府购买社区服务", 800_000_00), ("venture", "2026 年公益创投", 300_000_00),
         ("grant", "2026 年社区社会组织直接资助", 100_000_00), ("award", "2026 年以奖代补", 150_000_00)]
# title, organisation index, amount (fen), the stage to reach
STAGES = [
    ("长者食堂助餐服务", 0, 120_000_00, "closed"),
    ("青少年课后成长营", 1, 80_000_00, "final"),
    ("邻里互助睦邻节", 2, 20_000_00, "midterm"),
    ("困境家庭个案帮扶", 1, 60_000_00, "paid"),
    ("社区微更新议事", 0, 40_000_00, "contracted"),
    ("残障人士康复陪伴", 3, 50_000_00, "approved"),
    ("楼道文化营造", 2, 15_000_00, "rejected"),
    ("智慧助老培训", 0, 30_000_00, "reviewing"),
    ("垃圾分类督导", 2, 10_000_00, "submitted"),
]
ORDER = ["submitted", "reviewing", "rejected", "approved", "contracted", "paid", "midterm", "final", "closed"]


def _reach(stage, target):
    return ORDER.index(target) >= ORDER.index(stage)


def _review(app, reviewers, manager, target):
    r1, r2 = services.reviewers_assign(actor=manager, application=app, reviewers=reviewers)
    if target == "reviewing":
        return app
    services.review_declare(actor=reviewers[0], review=r1, conflict=False)
    services.review_submit(actor=reviewers[0], review=r1, comment="需求明确，方案可行",
                           scores={"need": 26, "design": 24, "capacity": 17, "budget": 16})
    services.review_declare(actor=reviewers[1], review=r2, conflict=True, note="曾为该组织提供督导")
    app.refresh_from_db()
    decision = "reject" if target == "rejected" else "approve"
    services.application_determine(actor=manager, application=app, decision=decision,
                                   reason="评审排名靠前" if decision == "approve" else "与已立项项目重复")
    app.refresh_from_db()
    return app


def _deliver(project, staff, ctx, target):
    users = ctx.data["users"]
    services.project_start(actor=staff, project=project)
    m1 = project.milestones.get(seq=1)
    m1 = services.milestone_submit(actor=staff, milestone=m1, report="服务方案与前期调研完成")
    services.milestone_review(actor=users["community_staff"], milestone=m1, accept=True, note="符合合同约定")
    payment = services.payment_request(actor=staff, milestone=m1)
    services.payment_release(actor=users["street_manager"], payment=payment)
    services.progress_report(actor=staff, project=project, text="本月开展服务 12 次，覆盖 40 户")
    for kind in ("midterm", "final"):
        if not _reach(kind, target):
            return
        ev = services.evaluation_assign(actor=users["street_manager"], project=project, kind=kind,
                                        assessor=ctx.data["assessor"])
        services.evaluation_submit(actor=ctx.data["assessor"], evaluation=ev, comment="目标基本达成", satisfaction=92,
                                   scores={"delivery": 36, "quality": 26, "money": 18, "satisfaction": 9})
    if target == "closed":
        project.refresh_from_db()
        m2 = project.milestones.get(seq=2)
        m2 = services.milestone_submit(actor=staff, milestone=m2, report="结项报告")
        services.milestone_review(actor=users["community_staff"], milestone=m2, accept=True)
        services.payment_release(actor=users["street_manager"], payment=services.payment_request(actor=staff,
                                                                                                 milestone=m2))
        project.refresh_from_db()
        services.project_transition(actor=users["street_manager"], project=project, action="close")


@transaction.atomic
def build(*, ctx) -> None:
    users = ctx.data.get("users", {})
    orgs = ctx.data.get("organisations")
    if not orgs or Programme.objects.filter(name=KINDS[0][1]).exists():
        ctx.stdout("  projects: skipped (no organisations, or built before)")
        return
    manager, community = users["street_manager"], ctx.data["communities"][0]
    street = ctx.data["street"]
    reviewers = [users["community_secretary"], demo_user("reviewer", "评审专家·周老师", Role.THIRD_PARTY_ASSESSOR,
                                                          ctx.data["district"])]
    staff = ctx.data["org_staff"]
    for org in orgs[1:]:  # the demo organisation account works for every demo organisation
        if not org.members.filter(user=staff).exists():
            member_add(actor=manager, organisation=org, name=staff.display_name or staff.username, user=staff)
    today = timezone.localdate()
    calls = []
    for kind, name, budget in KINDS:
        programme = services.programme_create(actor=manager, region_code=street, name=name, kind=kind, year=2026,
                                              budget_fen=budget)
        need = services.need_raise(actor=users["community_staff"], community_code=community,
                                   title=f"{name}：社区需求")
        calls.append(services.call_open(actor=manager, programme=programme, title=f"{name}项目征集",
                                        opens_on=today - timedelta(days=30), closes_on=today + timedelta(days=30),
                                        max_amount_fen=budget // 2, needs=[need]))
    for i, (title, org_i, amount, target) in enumerate(STAGES):
        app = services.application_submit(
            actor=staff, call=calls[i % 4], organisation=orgs[org_i], community_code=community, title=title,
            objectives=f"{title}：回应社区需求，提升居民获得感", activities="入户走访、集中活动、个案跟进",
            budget_lines=[{"item": "活动费用", "amount_fen": amount * 7 // 10},
                          {"item": "人员劳务", "amount_fen": amount - amount * 7 // 10}],
            amount_fen=amount, target_beneficiaries=50 + 10 * i, answers={"team": "项目主管 1 名、社工 2 名"})
        if target == "submitted":
            continue
        app = _review(app, reviewers, manager, target)
        if not _reach("contracted", target):
            continue
        half = amount // 2
        project = services.contract_sign(
            actor=manager, application=app, contract_no=f"QJ-2026-{i + 1:03d}", starts_on=today - timedelta(days=60),
            ends_on=today + timedelta(days=300),
            milestones=[{"title": "启动与调研", "deliverable": "服务方案", "due_on": today, "instalment_fen": half},
                        {"title": "结项", "deliverable": "结项报告", "due_on": today + timedelta(days=300),
                         "instalment_fen": amount - half}])
        if _reach("paid", target):
            _deliver(project, staff, ctx, target)
    ctx.stdout(f"  projects: {len(KINDS)} programmes, {len(STAGES)} applications in every stage")

