from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from shanzhi.accounts.models import User
from shanzhi.audit.models import AuditEvent
from shanzhi.consultation import services as s
from shanzhi.consultation.execution import topic_progress
from shanzhi.consultation.models import DigestItem, EvaluationBallot, Support, Topic, Vote
from shanzhi.consultation.notify import send_daily_digests
from shanzhi.consultation.rules import effective_rules
from shanzhi.consultation.search import search
from shanzhi.consultation.workflow import WORKFLOW
from shanzhi.core.errors import NotAllowed, ServiceError
from shanzhi.core.roles import Role
from shanzhi.core.testing import make_user
from shanzhi.core.workflow import transition_history
from shanzhi.notifications.models import Notification
from shanzhi.registry.models import Household, Person
from shanzhi.registry.testing import household_in

pytestmark = pytest.mark.django_db


def test_community_rule_overrides_street_rule(env):
    street_rule = effective_rules(env.code)["property_fee"]
    assert street_rule.region_code == env.world.street.code
    env.rule("property_fee", quorum_percent=80)
    rules = effective_rules(env.code)
    assert rules["property_fee"].region_code == env.code and rules["property_fee"].quorum_percent == 80
    assert rules["facility"].region_code == env.world.street.code  # others still inherited
    assert len(rules) == 6


def test_percent_threshold_counts_adults_of_affected_buildings(env):
    env.rule("public_space", support_mode="percent", support_value=25)
    topic = s.topic_create(actor=env.residents[0], community_code=env.code, matter_type="public_space",
                           title="绿地改造", building_ids=[env.building.pk])
    assert topic.eligible_residents == 10  # the child and the other building don't count
    assert topic.supporters_needed == 3  # ⌈25% × 10⌉
    assert topic.support_count == 1  # the proposer supports their own proposal


def test_threshold_moves_topic_to_review_and_notifies_committee(env):
    topic = env.topic(support=3)
    assert topic.state == "proposed"
    ok, reason = WORKFLOW.check(topic, env.secretary, "table")
    assert not ok and "还差2人" in reason
    topic = s.support_online(actor=env.residents[1], topic=topic)
    assert topic.state == "proposed"
    topic = s.support_online(actor=env.residents[2], topic=topic)
    assert topic.state == "review"
    assert Notification.objects.filter(recipient=env.secretary, kind="consultation", object_id=str(topic.pk),
                                       url=f"/consultation/topics/{topic.pk}/").exists()
    assert list(topic.history.values_list("action", flat=True)) == ["propose", "table"]


def test_one_support_per_person(env):
    topic = env.topic(support=5)
    with pytest.raises(ServiceError, match="已经附议"):
        s.support_online(actor=env.residents[0], topic=topic)
    with pytest.raises(IntegrityError), transaction.atomic():
        Support.objects.create(topic=topic, person=env.persons[0], channel="paper")


def test_support_only_from_affected_area(env):
    topic = env.topic(support=5)
    with pytest.raises(NotAllowed, match="受影响区域"):
        s.support_online(actor=env.outsider_user, topic=topic)


def test_paper_signatures_checked_against_registry(env):
    topic = env.topic(support=3)
    with pytest.raises(ServiceError, match="对不上"):
        s.support_paper(actor=env.staff, topic=topic, name="居民1", id_number="32100219700101002X")
    topic = s.support_paper(actor=env.staff, topic=topic, name="居民1", id_number="32100219700101001x",
                            sheet_ref="联署表-01")
    assert topic.support_count == 2
    with pytest.raises(ServiceError, match="已经附议"):
        s.support_paper(actor=env.staff, topic=topic, name="居民1", id_number="32100219700101001X")
    with pytest.raises(NotAllowed):
        s.support_paper(actor=env.residents[3], topic=topic, name="居民2", id_number="32100219700101002X")


def test_review_reject_needs_reason_and_merge_needs_target(env):
    topic = env.topic(support=1, title="A")
    other = env.topic(support=1, title="B")
    assert topic.state == "review"
    with pytest.raises(ServiceError, match="理由"):
        s.topic_transition(actor=env.committee, topic=topic, action="reject")
    with pytest.raises(NotAllowed):
        s.topic_transition(actor=env.residents[0], topic=topic, action="reject", reason="x")
    topic = s.topic_transition(actor=env.committee, topic=topic, action="merge", reason="同一件事", target=other)
    assert topic.state == "merged" and topic.merged_into == other


def test_deliberation_window_blocks_resolution(env):
    topic = env.to_deliberation(env.topic(support=2))
    assert topic.state == "deliberation"
    ok, reason = WORKFLOW.check(topic, env.secretary, "to_resolution")
    assert not ok and "群议期不少于10天" in reason
    Topic.objects.filter(pk=topic.pk).update(deliberation_closes_at=timezone.now() - timedelta(seconds=1))
    topic.refresh_from_db()
    ok, reason = WORKFLOW.check(topic, env.secretary, "to_resolution")
    assert not ok and "尚未收集到任何居民意见" in reason
    s.opinion_record(actor=env.staff, topic=topic, kind="letter", summary="发放征求意见信50份", for_count=40,
                     against_count=5)
    assert WORKFLOW.check(topic, env.secretary, "to_resolution") == (True, "")


def test_meeting_notice_requires_parties_and_advance_days(env):
    topic = env.to_resolution(env.topic(support=2))
    m = s.meeting_create(actor=env.staff, community_code=env.code, kind="representatives_meeting", title="代表会议",
                         starts_at=timezone.now() + timedelta(days=2), location="议事厅", topics=[topic])
    blockers = s.notice_blockers(m)
    assert any("提前5天" in b for b in blockers)
    assert any("物业公司" in b for b in blockers)
    assert any("表决代表" in b for b in blockers)
    with pytest.raises(NotAllowed):
        s.meeting_notice(actor=env.staff, meeting=m)


def test_full_pipeline_with_electronic_votes(env):
    topic = env.to_resolution(env.topic(support=2))
    ok, reason = WORKFLOW.check(topic, env.secretary, "resolve")
    assert not ok and "尚未安排决议会议" in reason
    meeting, reps = env.deciding_meeting(topic, voters=5)
    topic.refresh_from_db()
    assert topic.deciding_meeting == meeting
    for r in reps[:4]:
        s.meeting_check_in(actor=env.staff, participant=r)
    for r in reps[:4]:
        r.refresh_from_db()
    with pytest.raises(ServiceError, match="不是已签到"):
        s.vote_record(actor=env.staff, topic=topic, representative=reps[4], choice="for")
    # quorum 50% of 5 = 3; simple majority
    for r, choice in zip(reps[:4], ["for", "for", "against", "abstain"], strict=True):
        s.vote_record(actor=env.staff, topic=topic, representative=r, choice=choice)
    with pytest.raises(ServiceError, match="已经表决过"):
        s.vote_record(actor=env.staff, topic=topic, representative=reps[0], choice="against")
    with pytest.raises(IntegrityError), transaction.atomic():
        Vote.objects.create(topic=topic, representative=reps[0], choice="for")
    ok, reason = WORKFLOW.check(topic, env.secretary, "resolve")
    # abstentions count in the base: 2 for of 4 is not more than half
    assert not ok and "未达到过半数" in reason
    topic = s.topic_transition(actor=env.secretary, topic=topic, action="fail", reason="未获通过")
    assert topic.state == "failed" and topic.resolution["for"] == 2 and topic.resolution["passed"] is False


def test_paper_tallies_two_staff_and_mismatch_blocks(env):
    topic = env.to_resolution(env.topic(support=2))
    env.deciding_meeting(topic, voters=5)
    topic.refresh_from_db()
    s.tally_enter(actor=env.staff, topic=topic, present=5, votes_for=4, votes_against=1, abstentions=0)
    with pytest.raises(ServiceError, match="另一名"):
        s.tally_enter(actor=env.staff, topic=topic, present=5, votes_for=4, votes_against=1, abstentions=0)
    assert "只有1份" in WORKFLOW.check(topic, env.secretary, "resolve")[1]
    s.tally_enter(actor=env.secretary, topic=topic, present=5, votes_for=3, votes_against=2, abstentions=0)
    ok, reason = WORKFLOW.check(topic, env.secretary, "resolve")
    assert not ok and "不一致" in reason
    s.tally_clear(actor=env.secretary, topic=topic)
    s.tally_enter(actor=env.staff, topic=topic, present=5, votes_for=4, votes_against=1, abstentions=0)
    s.tally_enter(actor=env.secretary, topic=topic, present=5, votes_for=4, votes_against=1, abstentions=0)
    topic = s.topic_transition(actor=env.secretary, topic=topic, action="resolve", reason="同意改造")
    assert topic.state == "implementation" and topic.resolution["passed"] is True


def test_execution_rollup_evaluation_and_publish(env):
    topic = env.to_resolution(env.topic(support=2))
    env.deciding_meeting(topic, voters=3)
    topic.refresh_from_db()
    s.tally_enter(actor=env.staff, topic=topic, present=3, votes_for=3, votes_against=0, abstentions=0)
    s.tally_enter(actor=env.secretary, topic=topic, present=3, votes_for=3, votes_against=0, abstentions=0)
    topic = s.topic_transition(actor=env.secretary, topic=topic, action="resolve")
    root = s.task_add(actor=env.staff, topic=topic, title="停车位改造")
    a = s.task_add(actor=env.staff, topic=topic, title="设计", parent=root, weight=1)
    b = s.task_add(actor=env.staff, topic=topic, title="施工", parent=root, weight=3, responsible_party="property_company")
    s.task_progress_set(actor=env.staff, task=a, progress=100)

    assert topic_progress(topic) == 25
    with pytest.raises(ServiceError, match="汇总"):
        s.task_progress_set(actor=env.staff, task=root, progress=50)
    ok, reason = WORKFLOW.check(topic, env.secretary, "start_evaluation")
    assert not ok and "执行进度25%" in reason
    s.task_progress_set(actor=env.staff, task=b, progress=100)
    topic = s.topic_transition(actor=env.secretary, topic=topic, action="start_evaluation")
    assert "还没有居民评议" in WORKFLOW.check(topic, env.secretary, "publish")[1]
    s.rating_add(actor=env.representatives[1], topic=topic, score=5)
    s.rating_add(actor=env.representatives[2], topic=topic, score=4)
    with pytest.raises(ServiceError, match="已经评议"):
        s.rating_add(actor=env.representatives[2], topic=topic, score=1)
    topic = s.topic_transition(actor=env.secretary, topic=topic, action="publish")
    assert topic.state == "published" and topic.evaluation_summary["average"] == 4.5


def test_comment_moderation_and_search(env):
    topic = env.topic(support=5, title="文昌花园老年公寓改造")
    c1 = s.comment_add(actor=env.residents[1], topic=topic, body="支持建设养老床位", stance="for")
    found = search(Topic.objects.all(), "老年公寓")
    assert list(found) == [topic]
    assert list(search(Topic.objects.all(), "养老")) == [topic]
    s.comment_report(actor=env.residents[2], comment=c1, reason="广告")
    with pytest.raises(ServiceError):
        s.comment_report(actor=env.residents[2], comment=c1, reason="广告")
    with pytest.raises(NotAllowed):
        s.comment_hide(actor=env.residents[2], comment=c1, reason="广告")
    s.comment_hide(actor=env.staff, comment=c1, reason="与议题无关")
    assert list(search(Topic.objects.all(), "养老")) == []


def test_follow_digest(env):
    topic = env.topic(support=5)
    s.follow_set(actor=env.residents[3], topic=topic, mode="digest")
    s.comment_add(actor=env.residents[1], topic=topic, body="好", stance="for")
    s.comment_add(actor=env.residents[2], topic=topic, body="好", stance="for")
    assert DigestItem.objects.filter(user=env.residents[3], topic=topic).count() == 2
    assert not Notification.objects.filter(recipient=env.residents[3]).exists()
    immediate = Notification.objects.filter(recipient=env.residents[0], kind="consultation")  # the proposer
    # two comments, one unread alert: the same alert is not stored twice while the first is unread
    assert immediate.count() == 1 and immediate[0].url == f"/consultation/topics/{topic.pk}/"
    assert send_daily_digests() == 1
    digest = Notification.objects.get(recipient=env.residents[3])
    assert digest.kind == "consultation.digest" and digest.body.count("有新的意见") == 2
    assert not DigestItem.objects.exists()
    assert send_daily_digests() == 0


def test_two_evaluations_are_anonymous_and_single(env):
    survey = s.evaluation_create(actor=env.secretary, region_code=env.code, kind="residents_on_committee",
                                 title="2026年度居民代表评议居委会", year=2026, items=["为民服务", "财务公开"])
    s.evaluation_vote(actor=env.residents[0], survey=survey, scores=[5, 4])
    s.evaluation_vote(actor=env.residents[1], survey=survey, scores=[3, 4])
    with pytest.raises(ServiceError, match="已经参加"):
        s.evaluation_vote(actor=env.residents[1], survey=survey, scores=[1, 1])
    with pytest.raises(NotAllowed):
        s.evaluation_vote(actor=env.staff, survey=survey, scores=[1, 1])
    assert {f.name for f in EvaluationBallot._meta.get_fields()} == {"id", "survey", "scores"}
    survey = s.evaluation_publish(actor=env.secretary, survey=survey)
    assert survey.results["ballots"] == 2 and survey.results["items"][0]["average"] == 4.0


def test_surveys_during_deliberation_one_answer_each(env):
    topic = env.topic(support=2)
    with pytest.raises(ServiceError, match="两个选项"):
        s.survey_create(actor=env.staff, topic=topic, question="车棚位置？", options=["东侧"])
    survey = s.survey_create(actor=env.staff, topic=topic, question="车棚位置？", options=["东侧", "西侧"])
    with pytest.raises(ServiceError, match="群议阶段"):
        s.survey_answer(actor=env.residents[1], survey=survey, option=0)
    topic = env.to_deliberation(topic)
    s.survey_answer(actor=env.residents[1], survey=survey, option=1)
    with pytest.raises(ServiceError, match="已经回答"):
        s.survey_answer(actor=env.residents[1], survey=survey, option=0)
    with pytest.raises(NotAllowed):
        s.survey_answer(actor=env.outsider_user, survey=survey, option=0)


def test_residents_register_for_noticed_meetings(env):
    topic = env.to_resolution(env.topic(support=2))
    m = s.meeting_create(actor=env.staff, community_code=env.code, kind="sentiment_forum", title="民情恳谈会",
                         starts_at=timezone.now() + timedelta(days=6), location="议事厅", topics=[topic])
    with pytest.raises(ServiceError, match="公告后"):
        s.meeting_register(actor=env.residents[1], meeting=m)
    s.meeting_invite(actor=env.staff, meeting=m, party="property_company", name="物业公司")
    s.meeting_invite(actor=env.staff, meeting=m, party="owners_committee", name="业委会")
    s.meeting_invite(actor=env.staff, meeting=m, party="party_org", name="社区党委")
    s.meeting_invite(actor=env.staff, meeting=m, party="residents_committee", name="居委会")
    with pytest.raises(NotAllowed, match="受影响楼栋的居民"):
        s.meeting_notice(actor=env.staff, meeting=m)
    s.meeting_invite(actor=env.staff, meeting=m, party="resident", name="1栋楼栋长")
    m = s.meeting_notice(actor=env.staff, meeting=m)
    p = s.meeting_register(actor=env.residents[1], meeting=m)
    assert p.party == "resident" and p.registered and p.name == "居民1"
    with pytest.raises(ServiceError, match="已报名"):
        s.meeting_register(actor=env.residents[1], meeting=m)
    with pytest.raises(NotAllowed):
        s.meeting_hold(actor=env.staff, meeting=m)  # not yet time
    topic.refresh_from_db()
    assert topic.deciding_meeting is None  # a 恳谈会 does not decide a public space change


def test_meeting_steps_run_on_the_table_with_history_and_audit(env):
    topic = env.to_resolution(env.topic(support=2))
    m, _reps = env.deciding_meeting(topic)
    with pytest.raises(ServiceError, match="会议纪要"):
        s.meeting_close(actor=env.staff, meeting=m, minutes="  ")
    m = s.meeting_close(actor=env.staff, meeting=m, minutes="  同意改造  ")
    m.refresh_from_db()
    assert m.state == "closed" and m.minutes == "同意改造" and m.noticed_at is not None
    steps = [(h.action, h.from_state, h.to_state) for h in transition_history(m)]
    assert steps == [("notice", "draft", "noticed"), ("hold", "noticed", "held"), ("close", "held", "closed")]
    assert set(AuditEvent.objects.filter(object_id=str(m.pk), action__startswith="consultation.meeting.")
               .values_list("action", flat=True)) == {f"consultation.meeting.{a}" for a in ("notice", "hold", "close")}
    with pytest.raises(NotAllowed):
        s.meeting_close(actor=env.staff, meeting=m, minutes="再次")


def test_the_staff_member_who_tables_a_topic_is_not_told_of_it(env):
    topic = env.topic(support=2)
    for i in range(1, 4):
        if topic.state != "proposed":
            break
        topic = s.support_paper(actor=env.staff, topic=topic, name=f"居民{i}", id_number=f"32100219700101{i:03d}X")
    assert topic.state != "proposed"
    told = set(Notification.objects.filter(title__contains="已达到附议门槛").values_list("recipient_id", flat=True))
    assert env.secretary.pk in told  # the rest of the committee hears of it
    assert env.committee.pk in told  # and so does the governance committee, whose 合议 it is
    assert env.staff.pk not in told  # the one who entered the last signature does not


# --- the rosters (go-live): 合议 only by the governance committee, 评议 only by the representatives -----------

@pytest.mark.parametrize("who", ["secretary", "staff", "resident"])
def test_review_is_the_governance_committees_alone(env, who):
    topic = env.topic(support=1)
    actor = env.residents[0] if who == "resident" else getattr(env, who)
    with pytest.raises(NotAllowed, match="角色"):
        s.topic_transition(actor=actor, topic=topic, action="accept", reason="符合规则")
    topic = s.topic_transition(actor=env.committee, topic=topic, action="accept", reason="符合规则")
    assert topic.state == "deliberation"


def test_a_committee_member_of_another_community_may_not_review(env):
    topic = env.topic(support=1)
    outsider = make_user(Role.GOVERNANCE_COMMITTEE, env.world.other_community.code)
    with pytest.raises(NotAllowed):
        s.topic_transition(actor=outsider, topic=topic, action="accept", reason="x")


@pytest.mark.parametrize("who", ["secretary", "staff", "resident"])
def test_rating_is_the_representatives_alone(env, who):
    topic = env.topic(support=1)
    Topic.objects.filter(pk=topic.pk).update(state="evaluation")
    topic.refresh_from_db()
    actor = env.residents[1] if who == "resident" else getattr(env, who)
    with pytest.raises(NotAllowed, match="居民代表"):
        s.rating_add(actor=actor, topic=topic, score=5)
    s.rating_add(actor=env.representatives[0], topic=topic, score=5)
    assert topic.ratings.count() == 1


def test_a_household_head_supports_for_an_elder_without_account(env):
    """代办 (go-live): the head's support is recorded in the elder's name; a stranger may not."""
    head = env.persons[0]
    household = household_in(env.world.grid.code, dwelling=head.dwelling)
    Person.objects.filter(pk=head.pk).update(household=household, relation_to_head="head")
    Household.objects.filter(pk=household.pk).update(head=head)
    elder = Person.objects.create(region_code=env.world.grid.code, name="李奶奶", birth_date=date(1940, 1, 1),
                                  dwelling=head.dwelling, household=household, relation_to_head="parent")
    topic = env.topic(support=5)
    with pytest.raises(NotAllowed):
        s.support_on_behalf(actor=env.residents[1], topic=topic, person=elder)
    head_user = User.objects.get(pk=env.residents[0].pk)
    topic = s.support_on_behalf(actor=head_user, topic=topic, person=elder)
    assert Support.objects.filter(topic=topic, person=elder, entered_by=head_user).exists()
    assert AuditEvent.objects.filter(action="consultation.support_on_behalf").exists()
