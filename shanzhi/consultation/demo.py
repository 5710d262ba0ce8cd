"""Demo step "consultation" (order 50): rules, topics at every stage, meetings, 两评 and 阳光五务 entries in
曲江街道 — 文昌花园's 老年公寓 and 施井's self-managed property fees from seed 004. Idempotent."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from . import choices as c
from .models import (
    EvaluationBallot,
    EvaluationSurvey,
    ExecutionTask,
    Meeting,
    MeetingParticipant,
    OpinionRecord,
    Topic,
)
from .rules import adults_in_area, rule_for, supporters_needed
from .search import reindex_topic
from .services import evaluation_publish, rules_adopt_defaults

XIYUAN, WENCHANG, SHIJING = "321002004001", "321002004002", "321002004006"


def _topic(code, matter_type, title, state, *, description="", source=c.Source.COMMITTEE, amount=None,
           days_ago=30, **fields) -> Topic:
    rule = rule_for(code, matter_type)
    topic = Topic.objects.filter(region_code=code, title=title).first()
    if topic:
        return topic
    eligible = adults_in_area(community_code=code, building_ids=[])
    needed = supporters_needed(rule.support_mode, rule.support_value, eligible) if source in c.RESIDENT_SOURCES else 0
    topic = Topic.objects.create(region_code=code, rule=rule, title=title, description=description, state=state,
                                 source_kind=source, amount=amount, eligible_residents=eligible,
                                 supporters_needed=needed, **fields)
    Topic.objects.filter(pk=topic.pk).update(created_at=timezone.now() - timedelta(days=days_ago))
    reindex_topic(topic)
    return topic


def _tasks(topic, tree):
    if topic.tasks.exists():
        return
    for title, party, progress, children in tree:
        parent = ExecutionTask.objects.create(topic=topic, title=title, responsible_party=party, progress=progress)
        for ctitle, cparty, cprogress, weight in children:
            ExecutionTask.objects.create(topic=topic, parent=parent, title=ctitle, responsible_party=cparty,
                                         progress=cprogress, weight=weight)


def _meeting(code, kind, title, starts_at, state, topics, parties, minutes="") -> Meeting:
    meeting = Meeting.objects.filter(region_code=code, title=title).first()
    if meeting:
        return meeting
    meeting = Meeting.objects.create(region_code=code, kind=kind, title=title, starts_at=starts_at, location="社区议事厅",
                                     state=state, minutes=minutes, noticed_at=starts_at - timedelta(days=7),
                                     agenda="一、情况通报\n二、议题协商\n三、表决")
    meeting.topics.set(topics)
    for party, name, voter, checked in parties:
        MeetingParticipant.objects.create(meeting=meeting, party=party, name=name, is_voter=voter,
                                          checked_in_at=starts_at if checked else None)
    return meeting


@transaction.atomic
def build(*, ctx) -> None:
    street = ctx.data.get("street", XIYUAN[:9])
    rules_adopt_defaults(actor=None, street_code=street)  # the 系统配置 page's service
    now = timezone.now()
    six = [(p.value, f"{p.label}代表", False, True) for p in c.SIX_PARTIES]
    reps = [(c.Party.RESIDENT, f"居民代表{i + 1}", True, i < 25) for i in range(30)]

    # 文昌花园: 老年公寓, through every step to a published evaluation (seed 004)
    apartment = _topic(
        WENCHANG, "facility", "文盛宾馆改造为社区老年公寓", c.Stage.PUBLISHED, amount=Decimal("4500000"), days_ago=400,
        description="文盛宾馆噪音和油污扰民，居民建议改造为社区老年公寓，设床位120张，提供居家、社区、机构、异地养老服务。",
        resolution={"eligible": 30, "present": 25, "for": 23, "against": 1, "abstain": 1, "passed": True,
                    "quorum_needed": 21, "quorum_met": True, "base": 25, "paper": True},
        resolution_text="同意投资450万元改造文盛宾馆为社区老年公寓。", decision_reason="符合社区养老需求，纳入议程",
        evaluation_summary={"average": 4.6, "count": 86, "distribution": {"1": 0, "2": 1, "3": 4, "4": 22, "5": 59}},
        published_at=now - timedelta(days=20))
    _tasks(apartment, [("宾馆改造工程", c.Party.RESIDENTS_COMMITTEE, 0, [
        ("设计与审批", c.Party.RESIDENTS_COMMITTEE, 100, 1), ("装修改造", c.Party.CO_BUILDING_UNIT, 100, 3),
        ("消防验收", c.Party.CO_BUILDING_UNIT, 100, 1)]),
        ("运营与入住", c.Party.SOCIAL_ORG, 0, [("招募运营机构", c.Party.SOCIAL_ORG, 100, 1),
                                              ("首批老人入住", c.Party.SOCIAL_ORG, 100, 2)])])
    meeting = _meeting(WENCHANG, c.MeetingKind.REPRESENTATIVES_MEETING, "文昌花园社区居民代表会议（老年公寓）",
                       now - timedelta(days=300), c.MeetingState.CLOSED, [apartment], six + reps,
                       minutes="应到代表30人，实到25人。纸质表决：赞成23票，反对1票，弃权1票，通过。")
    Topic.objects.filter(pk=apartment.pk).update(deciding_meeting=meeting)
    _topic(WENCHANG, "livelihood_service", "家门口饭碗服务社扩大服务对象", c.Stage.REVIEW,
           source=c.Source.GRID, days_ago=5, description="建议将服务对象扩展到外来失业人员。")

    # 施井: property management abandoned, a self-managed group sets the fee (seed 004)
    fee = _topic(
        SHIJING, "property_fee", "施井小区物业弃管后成立自管小组并确定收费标准", c.Stage.IMPLEMENTATION, days_ago=200,
        description="原物业公司撤出后，由居民自管小组负责保洁、保安和维修；收费标准由社区成员代表会议确定，定期公示，年底结余返还居民。",
        resolution={"eligible": 24, "present": 20, "for": 18, "against": 1, "abstain": 1, "passed": True,
                    "quorum_needed": 17, "quorum_met": True, "base": 20, "paper": True},
        resolution_text="每户每月收取自管服务费30元，收支按季度公示，年底结余按户返还。")
    _tasks(fee, [("自管小组运行", c.Party.RESIDENTS_COMMITTEE, 0, [
        ("组建自管小组", c.Party.RESIDENTS_COMMITTEE, 100, 1), ("季度收支公示", c.Party.RESIDENTS_COMMITTEE, 75, 2),
        ("年底结余返还", c.Party.RESIDENTS_COMMITTEE, 0, 1)])])

    # 玺园: a fresh resident proposal, and a topic in its public window
    _topic(XIYUAN, "public_space", "玺园3栋门前绿地改建非机动车棚", c.Stage.PROPOSED, source=c.Source.RESIDENT_ONLINE,
           days_ago=2, description="电动车在楼道充电有火灾隐患，建议在3栋门前绿地一角建设带充电桩的车棚。")
    hours = _topic(XIYUAN, "livelihood_service", "社区活动室晚间开放时间调整", c.Stage.DELIBERATION, days_ago=6,
                   deliberation_opens_at=now - timedelta(days=3), deliberation_closes_at=now + timedelta(days=4),
                   description="上班族希望活动室晚上开放到21点。")
    if not hours.opinions.exists():
        OpinionRecord.objects.create(topic=hours, kind=c.OpinionKind.LETTER, summary="发放征求意见信120份，收回96份",
                                     for_count=81, against_count=9)
    _meeting(XIYUAN, c.MeetingKind.CONSULTATION_MEETING, "玺园社区协商议事会（活动室开放时间）",
             now + timedelta(days=6), c.MeetingState.NOTICED, [hours], six[:3] + reps[:9])

    # the other stages of 五议, so every one of them shows a topic
    _topic(SHIJING, "public_space", "施井小区增设休闲座椅和晾衣架", c.Stage.RESOLUTION, days_ago=40,
           description="群议期间居民普遍赞成，待居民代表会议表决。")
    _topic(XIYUAN, "facility", "玺园小区地下车库照明改造", c.Stage.EVALUATION, days_ago=150,
           amount=Decimal("86000"), description="改造已完工，正在组织居民评议实施效果。")
    _topic(WENCHANG, "public_space", "文昌花园中心广场改为停车场", c.Stage.REJECTED, days_ago=90,
           decision_reason="广场是居民唯一的公共活动场地，合议认为不宜改作停车场，建议另行挖潜车位。",
           description="部分居民提议将中心广场改为停车场以缓解停车难。")

    # 两评
    survey, created = EvaluationSurvey.objects.get_or_create(
        region_code=street, kind=c.EvaluationKind.COMMITTEE_ON_STREET, year=date.today().year - 1,
        defaults={"title": f"{date.today().year - 1}年度居委会评议街道", "items": ["服务指导", "减负落实", "费随事转"]})
    if created:
        for scores in ([5, 4, 3], [4, 4, 4], [5, 3, 4], [4, 5, 3]):
            EvaluationBallot.objects.create(survey=survey, scores=scores)

        EvaluationSurvey.objects.filter(pk=survey.pk).update(state=c.EvaluationState.OPEN)
        if users := ctx.data.get("users"):
            evaluation_publish(actor=users["street_manager"], survey=EvaluationSurvey.objects.get(pk=survey.pk))
    EvaluationSurvey.objects.get_or_create(
        region_code=XIYUAN, kind=c.EvaluationKind.RESIDENTS_ON_COMMITTEE, year=date.today().year,
        defaults={"title": f"{date.today().year}年度居民代表评议居委会", "items": ["为民服务", "办事公开", "协商落实"]})

    ctx.stdout(f"  consultation: {Topic.objects.count()} topics, {Meeting.objects.count()} meetings")
