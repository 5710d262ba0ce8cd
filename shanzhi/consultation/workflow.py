"""五议 as a workflow table: 提议 → 合议 → 群议 → 决议 → 执行 → 评议 → 公布.

Guards read the topic's consultation rule, so a blocked step always says which rule blocks it.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shanzhi.core.roles import Role
from shanzhi.core.workflow import Transition, Workflow

from . import choices as c
from .choices import EvaluationState, MeetingState, Stage
from .execution import topic_progress
from .models import COMMITTEE_ROLES, Topic, TopicHistory
from .notify import notify_followers
from .rules import Outcome, count_votes

COMMITTEE = frozenset(COMMITTEE_ROLES)
# 合议 by the governance committee's roster only (go-live): staff table the topic, the members decide
REVIEWERS = frozenset({Role.GOVERNANCE_COMMITTEE})


def _enough_supporters(topic, actor, data):
    if topic.support_count >= topic.supporters_needed:
        return True, ""
    return False, _("附议%(n)d人，规则要求%(need)d人，还差%(left)d人") % {
        "n": topic.support_count, "need": topic.supporters_needed, "left": topic.supporters_needed - topic.support_count}


def _window_over(topic, actor, data):
    closes = topic.deliberation_closes_at
    if closes and timezone.now() < closes:
        return False, _("群议期不少于%(days)d天，%(date)s后才能提交决议") % {
            "days": topic.rule.min_deliberation_days, "date": timezone.localtime(closes).strftime("%Y年%m月%d日 %H:%M")}
    if topic.rule.mandatory and not (topic.comments.filter(hidden=False).exists() or topic.opinions.exists()
                                     or topic.surveys.filter(answers__isnull=False).exists()):
        return False, _("“%(rule)s”必须协商：群议期间尚未收集到任何居民意见") % {"rule": topic.rule.name}
    return True, ""


def vote_outcome(topic) -> tuple[Outcome | None, str]:
    """The deciding meeting's result for this topic, or why there is none yet."""
    rule, meeting = topic.rule, topic.deciding_meeting
    if meeting is None:
        return None, _("尚未安排决议会议（规则要求：%(kind)s）") % {"kind": rule.get_deciding_meeting_display()}
    if meeting.kind != rule.deciding_meeting:
        return None, _("“%(rule)s”须由%(kind)s决议") % {"rule": rule.name, "kind": rule.get_deciding_meeting_display()}
    if meeting.state not in (MeetingState.HELD, MeetingState.CLOSED):
        return None, _("决议会议尚未召开")
    voters = meeting.participants.filter(is_voter=True)
    eligible = voters.count()
    tallies = list(topic.tallies.all())
    if tallies:
        if len(tallies) < 2:
            return None, _("纸质计票须由两名工作人员分别录入，目前只有1份")
        if len({t.counts() for t in tallies}) > 1:
            return None, _("两份纸质计票不一致，请核对选票后重新录入")
        present, f, a, ab = tallies[0].counts()
    else:
        present = voters.filter(checked_in_at__isnull=False).count()
        votes = list(topic.votes.values_list("choice", flat=True))
        f, a, ab = votes.count("for"), votes.count("against"), votes.count("abstain")
        if not votes:
            return None, _("尚未表决")
    try:
        outcome = count_votes(eligible=eligible, present=present, votes_for=f, votes_against=a, abstentions=ab,
                              quorum_percent=rule.quorum_percent, majority=rule.majority,
                              abstentions_count=rule.abstentions_count)
    except ValueError as e:
        return None, str(e)
    return outcome, outcome.reason


def _passed(topic, actor, data):
    outcome, reason = vote_outcome(topic)
    return (bool(outcome and outcome.passed), reason)


def _not_passed(topic, actor, data):
    outcome, reason = vote_outcome(topic)
    if outcome is None:
        return False, reason
    return (not outcome.passed, _("表决已通过，不能记为未通过"))


def _execution_done(topic, actor, data):
    if not topic.tasks.exists():
        return False, _("尚未分解执行任务")
    progress = topic_progress(topic)
    if progress < 100:
        return False, _("执行进度%(p)d%%，全部完成后才能开始评议") % {"p": progress}
    return True, ""


def _has_ratings(topic, actor, data):
    return (topic.ratings.exists(), _("还没有居民评议，不能公布结果"))


WORKFLOW = Workflow(
    name="consultation.topic",
    states=dict(Stage.choices),
    transitions=[
        Transition("table", (Stage.PROPOSED,), Stage.REVIEW, _l("提交合议"), guard=_enough_supporters),
        Transition("accept", (Stage.REVIEW,), Stage.DELIBERATION, _l("合议通过，进入群议"), roles=REVIEWERS),
        Transition("reject", (Stage.REVIEW,), Stage.REJECTED, _l("不予采纳"), roles=REVIEWERS, requires=("reason",)),
        Transition("merge", (Stage.PROPOSED, Stage.REVIEW), Stage.MERGED, _l("合并到其他议题"), roles=REVIEWERS,
                   requires=("reason", "target")),
        Transition("to_resolution", (Stage.DELIBERATION,), Stage.RESOLUTION, _l("结束群议，提交决议"), roles=COMMITTEE,
                   guard=_window_over),
        Transition("resolve", (Stage.RESOLUTION,), Stage.IMPLEMENTATION, _l("决议通过，进入执行"), roles=COMMITTEE,
                   guard=_passed),
        Transition("fail", (Stage.RESOLUTION,), Stage.FAILED, _l("决议未通过"), roles=COMMITTEE, guard=_not_passed),
        Transition("start_evaluation", (Stage.IMPLEMENTATION,), Stage.EVALUATION, _l("执行完成，开始评议"),
                   roles=COMMITTEE, guard=_execution_done),
        Transition("publish", (Stage.EVALUATION,), Stage.PUBLISHED, _l("公布评议结果"), roles=COMMITTEE,
                   guard=_has_ratings),
    ],
    field_labels={"reason": _l("理由"), "target": _l("并入的议题")},
)


def history_writer(actor, template=None):
    def write(topic, transition, before, data):
        return TopicHistory.objects.create(topic=topic, action=transition.action, label=str(transition.label),
                                           from_state=before, to_state=transition.target, actor=actor,
                                           note=str(data.get("reason", ""))[:500], template=template)

    return write


# --- meetings: 筹备 → 公告 → 召开 → 结束 ----------------------------------------------------------------------

def notice_blockers(meeting, now=None) -> list[str]:
    """Why the notice can't be published yet (empty when it can)."""
    now = now or timezone.now()
    reasons = []
    if meeting.starts_at - now < timedelta(days=meeting.notice_days):
        reasons.append(_("会议须提前%(d)d天公告（召开时间%(at)s）") % {
            "d": meeting.notice_days, "at": timezone.localtime(meeting.starts_at).strftime("%Y年%m月%d日")})
    invited = set(meeting.participants.values_list("party", flat=True))
    for topic in meeting.topics.select_related("rule"):
        missing = [str(c.Party(p).label) for p in topic.rule.parties if p not in invited]
        if missing:
            reasons.append(_("议题“%(t)s”按规则须邀请：%(m)s") % {"t": topic.title, "m": "、".join(missing)})
        if topic.rule.affected_residents and c.Party.RESIDENT not in invited:
            reasons.append(_("议题“%(t)s”按规则须有受影响楼栋的居民参加") % {"t": topic.title})
        if meeting.kind == topic.rule.deciding_meeting and not meeting.participants.filter(is_voter=True).exists():
            reasons.append(_("决议会议须有表决代表"))
    return list(dict.fromkeys(reasons))


def _notice_ready(meeting, actor, data):
    blockers = notice_blockers(meeting)
    return not blockers, "；".join(blockers)


def _time_to_hold(meeting, actor, data):
    return timezone.now() >= meeting.starts_at, _("还没到会议召开时间")


def _decide_and_notify(meeting, actor, data):
    """A deciding meeting becomes its topics' deciding meeting; followers of each topic hear of it."""
    for topic in meeting.topics.select_related("rule"):
        if topic.rule.deciding_meeting == meeting.kind:
            Topic.objects.filter(pk=topic.pk).update(deciding_meeting=meeting, version=F("version") + 1)
        notify_followers(topic=topic, message=_("会议公告：%(m)s将讨论“%(t)s”") % {"m": meeting.title, "t": topic.title},
                         actor=actor)


MEETING = Workflow(
    name="consultation.meeting",
    states=dict(MeetingState.choices),
    transitions=[
        Transition("notice", (MeetingState.DRAFT,), MeetingState.NOTICED, _l("发布会议公告"), guard=_notice_ready,
                   sets={"noticed_at": lambda m, actor, data: timezone.now()}, effect=_decide_and_notify),
        Transition("hold", (MeetingState.NOTICED,), MeetingState.HELD, _l("召开会议"), guard=_time_to_hold),
        Transition("close", (MeetingState.HELD,), MeetingState.CLOSED, _l("结束会议"), requires=("minutes",),
                   sets={"minutes": lambda m, actor, data: str(data["minutes"]).strip()}),
    ],
    field_labels={"minutes": _l("会议纪要")},
)


# --- evaluations: 评议中 → 已公布, the averages computed once at publishing -----------------------------------

def evaluation_results(survey, actor=None, data=None) -> dict:
    ballots = list(survey.ballots.values_list("scores", flat=True))
    items = [{"item": item, "average": round(sum(b[i] for b in ballots) / len(ballots), 2) if ballots else None}
             for i, item in enumerate(survey.items)]
    overall = [x["average"] for x in items if x["average"] is not None]
    return {"ballots": len(ballots), "items": items,
            "overall": round(sum(overall) / len(overall), 2) if overall else None}


EVALUATION = Workflow(
    name="consultation.evaluation",
    states=dict(EvaluationState.choices),
    transitions=[
        Transition("publish", (EvaluationState.OPEN,), EvaluationState.PUBLISHED, _l("公布评议结果"),
                   sets={"results": evaluation_results, "published_at": lambda s, actor, data: timezone.now()}),
    ],
    conflict_message=_l("评议已公布或已被修改"),
)
