"""Every write of the consultation app. Keyword-only, one transaction, full_clean, audit row."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, F
from django.utils import timezone
from django.utils.translation import gettext as _

from shanzhi.accounts.models import RoleGrant
from shanzhi.audit.services import audit_log
from shanzhi.cases.services import case_lock, case_record_topic
from shanzhi.core.errors import NotAllowed, ServiceError
from shanzhi.core.permissions import require
from shanzhi.core.pii import blind_index
from shanzhi.core.roles import Role
from shanzhi.core.scope import roles_at
from shanzhi.core.scoping import COMMUNITY_CODE_LEN
from shanzhi.core.writes import clean_or_refuse, create_audited, save_audited, versioned_update
from shanzhi.registry.models import Building, Person
from shanzhi.registry.permissions import can_act_for

from . import choices as c
from . import permissions as P
from .catalogue import DEFAULT_RULES
from .duplicates import check_target, move_to_survivor
from .models import (
    COMMITTEE_ROLES,
    Comment,
    CommentReport,
    ConsultationRule,
    EvaluationBallot,
    EvaluationSurvey,
    EvaluationVoter,
    ExecutionTask,
    Follow,
    Meeting,
    MeetingParticipant,
    Milestone,
    OpinionRecord,
    PaperTally,
    Rating,
    Support,
    Survey,
    SurveyAnswer,
    Topic,
    TopicHistory,
    Vote,
)
from .notify import notify, notify_followers
from .rules import adult_persons, adults_in_area, rule_for, supporters_needed
from .search import reindex_topic
from .templating import fill, template_for
from .workflow import EVALUATION, MEETING, WORKFLOW, history_writer, notice_blockers, vote_outcome  # noqa: F401  (notice_blockers: views)


def committee_users(code: str):
    """Who hears that a topic awaits 合议: the community's staff and the governance committee that holds it."""
    grants = RoleGrant.objects.filter(role__in=COMMITTEE_ROLES | {Role.GOVERNANCE_COMMITTEE}).select_related("user")
    return [g.user for g in grants if code.startswith(g.region_code)]


# --- rules -------------------------------------------------------------------------------------------------
@transaction.atomic
def rules_seed_defaults(*, actor, region_code: str) -> int:
    """Adopt the default catalogue for a street or community; existing rules are left as they are."""
    made = 0
    for spec in DEFAULT_RULES:
        rule, created = ConsultationRule.objects.get_or_create(
            region_code=region_code, matter_type=spec["matter_type"], retired=False,
            defaults={k: v for k, v in spec.items() if k != "matter_type"})
        if created:
            rule.full_clean()
            made += 1
    if made:
        audit_log(actor=actor, action="consultation.rules_seed", object_repr=region_code, region_code=region_code,
                  after={"rules": made})
    return made


RULE_FIELDS = ["name", "description", "amount_threshold", "mandatory", "support_mode", "support_value", "parties",
               "affected_residents", "deciding_meeting", "quorum_percent", "majority", "abstentions_count",
               "min_deliberation_days", "notice_days"]


@transaction.atomic
def rule_override(*, actor, community_code: str, matter_type: str, **fields) -> ConsultationRule:
    """A community's own version of a rule (copied from the street's, then changed)."""
    require(actor, P.RULES_EDIT.action, community_code)
    base = rule_for(community_code, matter_type)
    if base is None:
        raise ServiceError(_("没有这一事项类型的议事规则"), field="matter_type")
    unknown = set(fields) - set(RULE_FIELDS)
    if unknown:
        raise ServiceError(_("未知字段：%(f)s") % {"f": "、".join(sorted(unknown))})
    after = {k: str(v) for k, v in fields.items()}
    rule = ConsultationRule.objects.filter(region_code=community_code, matter_type=matter_type, retired=False).first()
    if rule is None:
        return create_audited(ConsultationRule, actor=actor, action="consultation.rule_override", audit_after=after,
                              region_code=community_code, matter_type=matter_type,
                              **{**{f: getattr(base, f) for f in RULE_FIELDS}, **fields})
    return rule_change(rule, actor=actor, action="consultation.rule_override",
                       before={f: str(getattr(rule, f)) for f in fields}, after=after, **fields)


def rule_change(rule: ConsultationRule, *, actor, action: str, before: dict, after: dict, **fields) -> ConsultationRule:
    """Change a rule: in place while no topic uses it; otherwise the rule is retired (its topics keep it) and the
    next version takes its place. Both with the optimistic version check and a before/after audit row."""
    if not rule.topics.exists():
        return versioned_update(rule, rule.version, actor=actor, action=action, before=before, after=after, **fields)
    versioned_update(rule, rule.version, actor=actor, action=action, audit=False, validate=False, retired=True)
    values = {**{f: getattr(rule, f) for f in RULE_FIELDS}, **fields}
    new = ConsultationRule(region_code=rule.region_code, matter_type=rule.matter_type, version=rule.version, **values)
    clean_or_refuse(new)
    new.save(force_insert=True)
    audit_log(actor=actor, action=action, obj=new, region_code=new.region_code, before=before,
              after={**after, "version": new.version, "replaces": rule.pk})
    return new


def rules_adopt_defaults(*, actor, street_code: str) -> int:
    """The street adopts the default catalogue (系统配置); rules it already has stay as they are."""
    if actor is not None:
        require(actor, P.STREET_RULES.action, street_code)
    return rules_seed_defaults(actor=actor, region_code=street_code)


@transaction.atomic
def street_rule_set(*, actor, street_code: str, matter_type: str, **fields) -> ConsultationRule:
    """Create or change a street's own rule of one matter type (before/after audited, optimistic version)."""
    if actor is not None:
        require(actor, P.STREET_RULES.action, street_code)
    unknown = set(fields) - set(RULE_FIELDS)
    if unknown:
        raise ServiceError(_("未知字段：%(f)s") % {"f": "、".join(sorted(unknown))})
    rule = ConsultationRule.objects.select_for_update().filter(region_code=street_code, matter_type=matter_type,
                                                               retired=False).first()
    after = {k: str(v) for k, v in fields.items()}
    if rule is None:
        if not fields.get("name"):
            raise ServiceError(_("请填写事项名称"), field="name")
        return create_audited(ConsultationRule, actor=actor, action="consultation.street_rule_create",
                              audit_after=after, region_code=street_code, matter_type=matter_type, **fields)
    changed = {k: v for k, v in fields.items() if str(getattr(rule, k)) != str(v)}
    if not changed:
        return rule
    return rule_change(rule, actor=actor, action="consultation.street_rule_update",
                       before={f: str(getattr(rule, f)) for f in changed},
                       after={k: str(v) for k, v in changed.items()}, **changed)


# --- topics --------------------------------------------------------------------------------------------------
def _person_of(actor):
    return Person.objects.filter(user_id=actor.pk).first()


def _in_area(topic: Topic, person) -> bool:
    building_ids = list(topic.affected_buildings.values_list("pk", flat=True))
    return adult_persons(community_code=topic.region_code, building_ids=building_ids).filter(pk=person.pk).exists()


def _verified_resident(actor, topic: Topic):
    person = _person_of(actor)
    if person is None:
        raise NotAllowed(_("您的账号尚未与居民信息关联，请到社区核验身份"))
    if not _in_area(topic, person):
        raise NotAllowed(_("只有受影响区域内的成年居民可以参与"))
    return person


@transaction.atomic
def topic_create(*, actor, community_code: str, matter_type: str, title: str, description: str = "",
                 source_kind: str = c.Source.RESIDENT_ONLINE, source_id: str = "", building_ids=(),
                 amount: Decimal | None = None) -> Topic:
    community_code = community_code[:COMMUNITY_CODE_LEN]
    if source_kind == c.Source.RESIDENT_ONLINE:
        require(actor, P.PROPOSE_ONLINE.action, community_code)
    elif source_kind == c.Source.GRID:
        require(actor, P.PROPOSE_GRID.action, community_code)
    else:
        require(actor, P.PROPOSE_STAFF.action, community_code)
    rule = rule_for(community_code, matter_type)
    if rule is None:
        raise ServiceError(_("本社区没有这一事项类型的议事规则"), field="matter_type")

    buildings = list(Building.objects.filter(pk__in=list(building_ids)))
    if any(not b.region_code.startswith(community_code) for b in buildings):
        raise ServiceError(_("受影响楼栋须在本社区内"), field="building_ids")
    eligible = adults_in_area(community_code=community_code, building_ids=[b.pk for b in buildings])
    needed = supporters_needed(rule.support_mode, rule.support_value, eligible) \
        if source_kind in c.RESIDENT_SOURCES else 0
    topic = Topic(region_code=community_code, rule=rule, title=title.strip(), description=description.strip(),
                  source_kind=source_kind, source_id=str(source_id or ""), proposer=actor, amount=amount,
                  supporters_needed=needed, eligible_residents=eligible)
    topic.full_clean(exclude=["rule", "deciding_meeting", "merged_into"])
    topic.save()
    topic.affected_buildings.set(buildings)
    TopicHistory.objects.create(topic=topic, action="propose", label=_("提议"), from_state="", to_state=topic.state,
                                actor=actor)
    audit_log(actor=actor, action="consultation.topic_create", obj=topic,
              after={"matter_type": matter_type, "source": source_kind, "needed": needed})
    Follow.objects.get_or_create(topic=topic, user=actor)
    reindex_topic(topic)
    if source_kind == c.Source.RESIDENT_ONLINE and (person := _person_of(actor)) and _in_area(topic, person):
        Support.objects.create(topic=topic, person=person, channel=c.Channel.ONLINE, entered_by=actor)
        Topic.objects.filter(pk=topic.pk).update(support_count=F("support_count") + 1)
    return _maybe_table(Topic.objects.get(pk=topic.pk), actor)


def topic_from_case(*, actor, case_id, community_code: str, matter_type: str, title: str,
                    description: str = "") -> Topic:
    """A case (民情) escalated into consultation; the case is referenced generically, without a foreign key."""
    return topic_create(actor=actor, community_code=community_code, matter_type=matter_type, title=title,
                        description=description, source_kind=c.Source.CASE, source_id=str(case_id))


@transaction.atomic
def case_to_topic(*, actor, case, matter_type: str, title: str, description: str = "") -> Topic:
    """转为协商议题: escalate a case into a consultation topic of its community, once; the case's
    timeline and the audit log record it (cases.services.case_record_topic)."""
    require(actor, P.CASE_TO_TOPIC.action, case)
    case = case_lock(case=case)
    if Topic.objects.filter(source_kind=c.Source.CASE, source_id=str(case.pk)).exists():
        raise ServiceError(_("该民情已转为协商议题"))
    topic = topic_from_case(actor=actor, case_id=case.pk, community_code=case.region_code,
                            matter_type=matter_type, title=title or case.title, description=description)
    case_record_topic(actor=actor, case=case, topic_id=topic.pk, topic_title=topic.title, matter_type=matter_type)
    return topic


def _maybe_table(topic: Topic, actor) -> Topic:
    if topic.state != c.Stage.PROPOSED or topic.support_count < topic.supporters_needed:
        return topic
    topic = WORKFLOW.apply(obj=topic, actor=actor, action="table", history=history_writer(actor))
    notify(users=committee_users(topic.region_code),
           message=_("议题“%(t)s”已达到附议门槛，请社区治理委员会合议") % {"t": topic.title}, topic=topic, actor=actor)
    notify_followers(topic=topic, message=_("议题“%(t)s”进入合议") % {"t": topic.title}, actor=actor)
    return topic


def _add_support(*, actor, topic: Topic, person, channel: str, sheet_ref: str = "") -> Topic:
    if topic.state != c.Stage.PROPOSED:
        raise ServiceError(_("只有提议阶段的议题可以附议"))
    try:
        with transaction.atomic():
            Support.objects.create(topic=topic, person=person, channel=channel, sheet_ref=sheet_ref, entered_by=actor)
    except IntegrityError:
        raise ServiceError(_("%(name)s已经附议过这个议题") % {"name": person.name})
    Topic.objects.filter(pk=topic.pk).update(support_count=F("support_count") + 1)
    audit_log(actor=actor, action="consultation.support", obj=topic, after={"channel": channel})
    return _maybe_table(Topic.objects.get(pk=topic.pk), actor)


@transaction.atomic
def support_online(*, actor, topic: Topic) -> Topic:
    person = _verified_resident(actor, topic)
    return _add_support(actor=actor, topic=topic, person=person, channel=c.Channel.ONLINE)


@transaction.atomic
def support_on_behalf(*, actor, topic: Topic, person: Person) -> Topic:
    """代办: a household head supports a topic in the name of a member of their household who has no account
    (registry.permissions.can_act_for). The support is the member's; `entered_by` and the audit row name the head."""
    ok, reason = can_act_for(actor, person, "support")
    if not ok:
        raise NotAllowed(reason)
    if not _in_area(topic, person):
        raise NotAllowed(_("%(name)s不是受影响区域内的成年在住居民") % {"name": person.name})
    topic = _add_support(actor=actor, topic=topic, person=person, channel=c.Channel.ONLINE)
    audit_log(actor=actor, action="consultation.support_on_behalf", obj=topic, after={"person": person.pk})
    return topic


@transaction.atomic
def support_paper(*, actor, topic: Topic, name: str, id_number: str, sheet_ref: str = "") -> Topic:
    """A signature from a paper sheet, checked against the registry by name and ID number."""
    require(actor, P.SUPPORT_PAPER.action, topic)
    person = Person.objects.filter(id_number_hash=blind_index(id_number.strip().upper(), purpose="id_number")).first()
    if person is None or person.name != name.strip():
        raise ServiceError(_("姓名与身份证号在居民信息库中对不上，请核对联署表"), field="id_number")
    if not _in_area(topic, person):
        raise ServiceError(_("%(name)s不是受影响区域内的成年在住居民") % {"name": person.name}, field="id_number")
    return _add_support(actor=actor, topic=topic, person=person, channel=c.Channel.PAPER, sheet_ref=sheet_ref)


def _may_withdraw_for(actor, topic: Topic, person) -> None:
    """The person themselves (their bound account) or the topic community's staff, e.g. when a resident disputes
    what was entered in their name (代办参与)."""
    own = getattr(actor, "is_authenticated", False) and person.user_id == actor.pk
    if not own and not roles_at(actor, topic.region_code) & COMMITTEE_ROLES:
        raise NotAllowed(_("只有本人或社区工作人员可以撤回"))


@transaction.atomic
def support_withdraw(*, actor, topic: Topic, person: Person, reason: str = "") -> Topic:
    """Withdraw a person's 附议 while the topic still gathers supporters; the count goes down with it."""
    _may_withdraw_for(actor, topic, person)
    topic = Topic.objects.select_for_update().get(pk=topic.pk)
    if topic.state != c.Stage.PROPOSED:
        raise ServiceError(_("议题已进入下一阶段，附议不能撤回"))
    deleted, _rows = Support.objects.filter(topic=topic, person=person).delete()
    if not deleted:
        raise ServiceError(_("%(name)s没有附议过这个议题") % {"name": person.name})
    Topic.objects.filter(pk=topic.pk).update(support_count=F("support_count") - 1)
    audit_log(actor=actor, action="consultation.support_withdraw", obj=topic, after={"person": person.pk},
              reason=reason[:200])
    return Topic.objects.get(pk=topic.pk)


@transaction.atomic
def survey_answer_withdraw(*, actor, survey: Survey, person: Person, reason: str = "") -> None:
    """Withdraw a person's survey answer while the survey is open (群议)."""
    topic = Topic.objects.get(pk=survey.topic_id)
    _may_withdraw_for(actor, topic, person)
    if topic.state != c.Stage.DELIBERATION:
        raise ServiceError(_("问卷已结束，答卷不能撤回"))
    deleted, _rows = SurveyAnswer.objects.filter(survey=survey, person=person).delete()
    if not deleted:
        raise ServiceError(_("%(name)s没有回答过这个问卷") % {"name": person.name})
    audit_log(actor=actor, action="consultation.survey_answer_withdraw", obj=topic,
              after={"person": person.pk, "survey": survey.pk}, reason=reason[:200])


@transaction.atomic
def topic_transition(*, actor, topic: Topic, action: str, reason: str = "", target: Topic | None = None,
                     template=None) -> Topic:
    """One step of 五议. `template`: the id of the response template the reason was started from (checked,
    its placeholders filled, recorded on the step's history)."""
    used = template_for(actor=actor, topic=topic, action=action, pk=template)
    if used is not None:
        reason = fill(reason, topic)
    extra = {}
    now = timezone.now()
    if action == "accept":
        extra = {"deliberation_opens_at": now,
                 "deliberation_closes_at": now + timedelta(days=topic.rule.min_deliberation_days),
                 "decision_reason": reason}
    elif action in ("reject", "merge"):
        extra = {"decision_reason": reason}
        if action == "merge":
            check_target(topic, target)
            extra["merged_into"] = target
    elif action in ("resolve", "fail"):
        outcome, _reason = vote_outcome(topic)
        if outcome:
            extra = {"resolution": {"quorum_needed": outcome.quorum_needed, "quorum_met": outcome.quorum_met,
                                    "base": outcome.base, "passed": outcome.passed, **_counts(topic)},
                     "resolution_text": reason}
    elif action == "publish":
        agg = topic.ratings.aggregate(avg=Avg("score"), n=Count("id"))
        dist = dict(topic.ratings.values_list("score").annotate(n=Count("id")).order_by())
        extra = {"published_at": now, "evaluation_summary": {
            "average": round(float(agg["avg"] or 0), 2), "count": agg["n"],
            "distribution": {str(s): dist.get(s, 0) for s in range(1, 6)}}}
    data = {"reason": reason, "target": str(target.pk) if target else ""}
    topic = WORKFLOW.apply(obj=topic, actor=actor, action=action, data=data,
                           history=history_writer(actor, template=used), extra_updates=extra)
    if action == "merge":  # supporters, followers and a history line move to the surviving topic
        move_to_survivor(actor=actor, topic=topic, target=target)
        topic.refresh_from_db(fields=["support_count"])
        _maybe_table(Topic.objects.get(pk=target.pk), actor)
    notify_followers(topic=topic, message=_("议题“%(t)s”：%(s)s") % {"t": topic.title, "s": topic.get_state_display()},
                     actor=actor)
    return topic


def _counts(topic: Topic) -> dict:
    tally = topic.tallies.first()
    meeting = topic.deciding_meeting
    eligible = meeting.participants.filter(is_voter=True).count() if meeting else 0
    if tally:
        return {"eligible": eligible, "present": tally.present, "for": tally.votes_for,
                "against": tally.votes_against, "abstain": tally.abstentions, "paper": True}
    votes = list(topic.votes.values_list("choice", flat=True))
    present = meeting.participants.filter(is_voter=True, checked_in_at__isnull=False).count() if meeting else 0
    return {"eligible": eligible, "present": present, "for": votes.count("for"), "against": votes.count("against"),
            "abstain": votes.count("abstain"), "paper": False}


# --- 群议 --------------------------------------------------------------------------------------------------
OPEN_FOR_COMMENTS = {c.Stage.PROPOSED, c.Stage.REVIEW, c.Stage.DELIBERATION}


@transaction.atomic
def comment_add(*, actor, topic: Topic, body: str, stance: str = c.Stance.NEUTRAL) -> Comment:
    if topic.state not in OPEN_FOR_COMMENTS:
        raise ServiceError(_("议题已进入%(s)s阶段，不再接受意见") % {"s": topic.get_state_display()})
    require(actor, P.COMMENT.action, topic)
    comment = Comment(topic=topic, author=actor, body=body.strip(), stance=stance)
    comment.full_clean()
    comment.save()
    reindex_topic(topic)
    audit_log(actor=actor, action="consultation.comment_add", obj=topic, after={"comment": comment.pk})
    notify_followers(topic=topic, message=_("“%(t)s”有新的意见") % {"t": topic.title}, actor=actor)
    return comment


@transaction.atomic
def comment_report(*, actor, comment: Comment, reason: str) -> None:
    if not reason.strip():
        raise ServiceError(_("请说明举报理由"), field="reason")
    try:
        with transaction.atomic():
            CommentReport.objects.create(comment=comment, reporter=actor, reason=reason.strip()[:200])
    except IntegrityError:
        raise ServiceError(_("您已经举报过这条意见"))
    Comment.objects.filter(pk=comment.pk).update(report_count=F("report_count") + 1)
    audit_log(actor=actor, action="consultation.comment_report", obj=comment.topic, reason=reason)


@transaction.atomic
def comment_hide(*, actor, comment: Comment, reason: str) -> None:
    require(actor, P.COMMENT_HIDE.action, comment.topic)
    if not reason.strip():
        raise ServiceError(_("隐藏意见须说明理由"), field="reason")
    comment.hidden, comment.hidden_reason, comment.hidden_by = True, reason.strip()[:200], actor
    comment.save(update_fields=["hidden", "hidden_reason", "hidden_by"])
    reindex_topic(comment.topic)
    audit_log(actor=actor, action="consultation.comment_hide", obj=comment.topic, reason=reason)


@transaction.atomic
def survey_create(*, actor, topic: Topic, question: str, options: list[str]) -> Survey:
    require(actor, P.SURVEY_CREATE.action, topic)
    options = [o.strip() for o in options if o.strip()]
    if len(options) < 2:
        raise ServiceError(_("问卷至少需要两个选项"), field="options")
    survey = Survey(topic=topic, question=question.strip(), options=options)
    save_audited(survey, actor=actor, action="consultation.survey_create", audit_obj=topic)
    return survey


@transaction.atomic
def survey_answer(*, actor, survey: Survey, option: int) -> SurveyAnswer:
    topic = Topic.objects.get(pk=survey.topic_id)
    if topic.state != c.Stage.DELIBERATION:
        raise ServiceError(_("问卷只在群议阶段开放"))
    person = _verified_resident(actor, topic)
    return _answer_save(survey, option, user=actor, person=person, message=_("您已经回答过这个问卷"))


def _answer_save(survey: Survey, option: int, *, user, person, message: str, entered_by=None) -> SurveyAnswer:
    if not 0 <= option < len(survey.options):
        raise ServiceError(_("请选择一个选项"), field="option")
    try:
        with transaction.atomic():
            return SurveyAnswer.objects.create(survey=survey, user=user, person=person, option=option,
                                               entered_by=entered_by or user)
    except IntegrityError:
        raise ServiceError(message) from None


@transaction.atomic
def survey_answer_on_behalf(*, actor, survey: Survey, person: Person, option: int) -> SurveyAnswer:
    """代办: a household head answers for a member of their household who has no account
    (registry.permissions.can_act_for). The answer is the member's; `entered_by` and the audit row name the head."""
    ok, reason = can_act_for(actor, person, "survey")
    if not ok:
        raise NotAllowed(reason)
    topic = Topic.objects.get(pk=survey.topic_id)
    if topic.state != c.Stage.DELIBERATION:
        raise ServiceError(_("问卷只在群议阶段开放"))
    if not _in_area(topic, person):
        raise NotAllowed(_("%(name)s不是受影响区域内的成年在住居民") % {"name": person.name})
    answer = _answer_save(survey, option, user=None, person=person, entered_by=actor,
                          message=_("%(name)s已经回答过这个问卷") % {"name": person.name})
    audit_log(actor=actor, action="consultation.survey_answer_on_behalf", obj=topic,
              after={"person": person.pk, "survey": survey.pk})
    return answer


@transaction.atomic
def opinion_record(*, actor, topic: Topic, kind: str, summary: str, for_count: int = 0,
                   against_count: int = 0) -> OpinionRecord:
    require(actor, P.OPINION_RECORD.action, topic)
    if topic.state != c.Stage.DELIBERATION:
        raise ServiceError(_("只能在群议阶段登记意见"))
    rec = OpinionRecord(topic=topic, kind=kind, summary=summary.strip(), for_count=for_count,
                        against_count=against_count, recorded_by=actor)
    save_audited(rec, actor=actor, action="consultation.opinion_record", audit_obj=topic, after={"kind": kind})
    return rec


@transaction.atomic
def follow_set(*, actor, topic: Topic, mode: str | None) -> None:
    if mode is None:
        Follow.objects.filter(topic=topic, user=actor).delete()
        return
    if mode not in c.FollowMode.values:
        raise ServiceError(_("未知的通知方式"))
    Follow.objects.update_or_create(topic=topic, user=actor, defaults={"mode": mode})


# --- meetings ----------------------------------------------------------------------------------------------
@transaction.atomic
def meeting_create(*, actor, community_code: str, kind: str, title: str, starts_at, location: str,
                   agenda: str = "", materials: str = "", topics=()) -> Meeting:
    community_code = community_code[:COMMUNITY_CODE_LEN]
    require(actor, P.MEETING_CREATE.action, community_code)
    topics = list(topics)
    if any(t.region_code != community_code for t in topics):
        raise ServiceError(_("只能安排本社区的议题"), field="topics")
    notice_days = max([t.rule.notice_days for t in topics] or [3])
    meeting = Meeting(region_code=community_code, kind=kind, title=title.strip(), starts_at=starts_at,
                      location=location.strip(), agenda=agenda, materials=materials, notice_days=notice_days)
    meeting.full_clean()
    meeting.save()
    meeting.topics.set(topics)
    audit_log(actor=actor, action="consultation.meeting_create", obj=meeting)
    return meeting


@transaction.atomic
def meeting_invite(*, actor, meeting: Meeting, party: str, name: str, is_voter: bool = False,
                   user=None) -> MeetingParticipant:
    require(actor, P.MEETING_INVITE.action, meeting)
    if meeting.state == c.MeetingState.CLOSED:
        raise ServiceError(_("会议已结束"))
    p = MeetingParticipant(meeting=meeting, party=party, name=name.strip(), is_voter=is_voter, user=user)
    p.full_clean(exclude=["meeting", "user"])
    p.save()
    audit_log(actor=actor, action="consultation.meeting_invite", obj=meeting, after={"party": party})
    return p


@transaction.atomic
def meeting_register(*, actor, meeting: Meeting) -> MeetingParticipant:
    if meeting.state != c.MeetingState.NOTICED:
        raise ServiceError(_("会议公告后才能报名"))
    require(actor, P.MEETING_REGISTER.action, meeting)
    person = _person_of(actor)
    try:
        with transaction.atomic():
            return MeetingParticipant.objects.create(meeting=meeting, party=c.Party.RESIDENT, user=actor,
                                                     registered=True, name=person.name if person else str(actor))
    except IntegrityError:
        raise ServiceError(_("您已报名"))


def meeting_notice(*, actor, meeting: Meeting) -> Meeting:
    """会议公告: publish the notice N days ahead; a deciding meeting becomes its topics' deciding meeting
    (the table's `notice` transition: its guard lists what still blocks the notice)."""
    require(actor, P.MEETING_NOTICE.action, meeting)
    return MEETING.apply(obj=meeting, actor=actor, action="notice")


@transaction.atomic
def meeting_check_in(*, actor, participant: MeetingParticipant) -> None:
    meeting = Meeting.objects.get(pk=participant.meeting_id)
    require(actor, P.MEETING_CHECK_IN.action, meeting)
    if meeting.state not in (c.MeetingState.NOTICED, c.MeetingState.HELD):
        raise ServiceError(_("会议公告后、结束前才能签到"))
    MeetingParticipant.objects.filter(pk=participant.pk, checked_in_at__isnull=True).update(checked_in_at=timezone.now())
    audit_log(actor=actor, action="consultation.meeting_check_in", obj=meeting, after={"participant": participant.pk})


def meeting_hold(*, actor, meeting: Meeting) -> Meeting:
    require(actor, P.MEETING_HOLD.action, meeting)
    return MEETING.apply(obj=meeting, actor=actor, action="hold")


def meeting_close(*, actor, meeting: Meeting, minutes: str) -> Meeting:
    require(actor, P.MEETING_CLOSE.action, meeting)
    return MEETING.apply(obj=meeting, actor=actor, action="close", data={"minutes": minutes})


# --- 决议 --------------------------------------------------------------------------------------------------
@transaction.atomic
def vote_record(*, actor, topic: Topic, representative: MeetingParticipant, choice: str) -> Vote:
    require(actor, P.VOTE_RECORD.action, topic)
    if topic.state != c.Stage.RESOLUTION:
        raise ServiceError(_("议题不在决议阶段"))
    if representative.meeting_id != topic.deciding_meeting_id:
        raise ServiceError(_("只有决议会议的代表可以表决"))
    if Meeting.objects.get(pk=topic.deciding_meeting_id).state != c.MeetingState.HELD:
        raise ServiceError(_("决议会议召开期间才能表决"))
    if not representative.is_voter or representative.checked_in_at is None:
        raise ServiceError(_("%(n)s不是已签到的表决代表") % {"n": representative.name})
    if choice not in c.VoteChoice.values:
        raise ServiceError(_("请选择赞成、反对或弃权"))
    if topic.tallies.exists():
        raise ServiceError(_("本议题已按纸质选票计票"))
    try:
        with transaction.atomic():
            vote = Vote.objects.create(topic=topic, representative=representative, choice=choice, recorded_by=actor)
    except IntegrityError:
        raise ServiceError(_("%(n)s已经表决过") % {"n": representative.name})
    audit_log(actor=actor, action="consultation.vote", obj=topic, after={"representative": representative.pk})
    return vote


@transaction.atomic
def tally_enter(*, actor, topic: Topic, present: int, votes_for: int, votes_against: int,
                abstentions: int) -> PaperTally:
    """Each of two staff enters the paper count independently; vote_outcome compares them."""
    require(actor, P.TALLY_ENTER.action, topic)
    if topic.state != c.Stage.RESOLUTION:
        raise ServiceError(_("议题不在决议阶段"))
    if topic.votes.exists():
        raise ServiceError(_("本议题已按代表逐一表决"))
    if votes_for + votes_against + abstentions > present:
        raise ServiceError(_("票数合计不能多于到会代表"), field="present")
    try:
        with transaction.atomic():
            tally = PaperTally.objects.create(topic=topic, entered_by=actor, present=present, votes_for=votes_for,
                                              votes_against=votes_against, abstentions=abstentions)
    except IntegrityError:
        raise ServiceError(_("您已录入过计票，须由另一名工作人员再录一次"))
    audit_log(actor=actor, action="consultation.tally", obj=topic,
              after={"present": present, "for": votes_for, "against": votes_against, "abstain": abstentions})
    return tally


@transaction.atomic
def tally_clear(*, actor, topic: Topic) -> None:
    require(actor, P.TALLY_CLEAR.action, topic)
    topic.tallies.all().delete()
    audit_log(actor=actor, action="consultation.tally_clear", obj=topic)


# --- 执行 and 评议 -----------------------------------------------------------------------------------------------
@transaction.atomic
def task_add(*, actor, topic: Topic, title: str, parent: ExecutionTask | None = None,
             responsible_party: str = c.Party.RESIDENTS_COMMITTEE, responsible: str = "", weight: int = 1,
             due_date=None) -> ExecutionTask:
    require(actor, P.TASK_ADD.action, topic)
    if topic.state != c.Stage.IMPLEMENTATION:
        raise ServiceError(_("决议通过后才能安排执行任务"))
    if parent is not None and parent.topic_id != topic.pk:
        raise ServiceError(_("上级任务不属于本议题"), field="parent")
    task = ExecutionTask(topic=topic, parent=parent, title=title.strip(), responsible_party=responsible_party,
                         responsible=responsible.strip(), weight=weight, due_date=due_date)
    task.full_clean(exclude=["topic", "parent"])
    task.save()
    audit_log(actor=actor, action="consultation.task_add", obj=topic, after={"task": task.title})
    return task


@transaction.atomic
def task_progress_set(*, actor, task: ExecutionTask, progress: int) -> ExecutionTask:
    topic = Topic.objects.get(pk=task.topic_id)
    require(actor, P.TASK_PROGRESS.action, topic)
    if topic.state != c.Stage.IMPLEMENTATION:
        raise ServiceError(_("议题不在执行阶段"))
    if task.children.exists():
        raise ServiceError(_("上级任务的进度由下级任务汇总，不能直接修改"))
    if not 0 <= progress <= 100:
        raise ServiceError(_("进度须在0到100之间"), field="progress")
    versioned_update(task, task.version, actor=actor, action="consultation.task_progress", validate=False,
                     conflict_message=_("任务已被他人更新，请刷新后重试"), progress=progress)
    notify_followers(topic=topic, message=_("“%(t)s”执行进度更新") % {"t": topic.title}, actor=actor)
    return task


@transaction.atomic
def milestone_add(*, actor, task: ExecutionTask, title: str, due_date=None, done: bool = False) -> Milestone:
    require(actor, P.MILESTONE_ADD.action, task.topic)
    m = Milestone(task=task, title=title.strip(), due_date=due_date, done=done)
    m.full_clean(exclude=["task"])
    m.save()
    audit_log(actor=actor, action="consultation.milestone_add", obj=task.topic, after={"milestone": m.title})
    return m


@transaction.atomic
def rating_add(*, actor, topic: Topic, score: int, comment: str = "") -> Rating:
    if topic.state != c.Stage.EVALUATION:
        raise ServiceError(_("议题不在评议阶段"))
    require(actor, P.RATE.action, topic)  # the residents' representatives' roster only
    if not 1 <= int(score) <= 5:
        raise ServiceError(_("评分须为1到5分"), field="score")
    try:
        with transaction.atomic():
            rating = Rating.objects.create(topic=topic, user=actor, score=int(score), comment=comment.strip()[:300])
    except IntegrityError:
        raise ServiceError(_("您已经评议过"))
    audit_log(actor=actor, action="consultation.rating", obj=topic)
    return rating


# --- 两评 --------------------------------------------------------------------------------------------------
EVALUATORS = {c.EvaluationKind.RESIDENTS_ON_COMMITTEE: P.EVALUATE_COMMITTEE,
              c.EvaluationKind.COMMITTEE_ON_STREET: P.EVALUATE_STREET,
              c.EvaluationKind.RESIDENTS_ON_SERVICE: P.EVALUATE_COMMITTEE}
EVALUATION_RUNNERS = {c.EvaluationKind.RESIDENTS_ON_COMMITTEE: P.EVALUATION_BY_COMMITTEE,
                      c.EvaluationKind.COMMITTEE_ON_STREET: P.EVALUATION_BY_STREET,
                      c.EvaluationKind.RESIDENTS_ON_SERVICE: P.EVALUATION_BY_COMMITTEE}


@transaction.atomic
def evaluation_create(*, actor, region_code: str, kind: str, title: str, year: int,
                      items: list[str]) -> EvaluationSurvey:
    require(actor, EVALUATION_RUNNERS[kind].action, region_code)
    items = [i.strip() for i in items if i.strip()]
    if not items:
        raise ServiceError(_("至少需要一个评议项目"), field="items")
    survey = EvaluationSurvey(region_code=region_code, kind=kind, title=title.strip(), year=year, items=items)
    save_audited(survey, actor=actor, action="consultation.evaluation_create")
    return survey


@transaction.atomic
def evaluation_vote(*, actor, survey: EvaluationSurvey, scores: list[int]) -> None:
    """Anonymous: the ballot has no voter; EvaluationVoter only stops a second ballot."""
    if survey.state != c.EvaluationState.OPEN:
        raise ServiceError(_("评议已结束"))
    require(actor, EVALUATORS[survey.kind].action, survey)
    if len(scores) != len(survey.items) or any(not 1 <= int(s) <= 5 for s in scores):
        raise ServiceError(_("请为每一项打1到5分"), field="scores")
    try:
        with transaction.atomic():
            EvaluationVoter.objects.create(survey=survey, user=actor)
    except IntegrityError:
        raise ServiceError(_("您已经参加过这次评议"))
    EvaluationBallot.objects.create(survey=survey, scores=[int(s) for s in scores])
    audit_log(actor=actor, action="consultation.evaluation_vote", object_repr=survey.title,
              region_code=survey.region_code)


@transaction.atomic
def evaluation_publish(*, actor, survey: EvaluationSurvey) -> EvaluationSurvey:
    require(actor, EVALUATION_RUNNERS[survey.kind].action, survey)
    return EVALUATION.apply(obj=survey, actor=actor, action="publish")
