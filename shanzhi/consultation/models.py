"""Community consultation (社区协商): rules as data, topics through 五议, meetings, votes, execution, 两评.

Topics, meetings and rules belong to a community (region_code = the 12-digit community code, or the street
code for street-wide rules and 两评 of the street). The `community_widened` strategy (core.scoping.CommunityModel) widens grid-level grants to
their community and lets everyone see rows of the regions above their grants (street rules), so a resident
granted on a grid sees the topics of the whole community.
"""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shanzhi.core.fields import LimitedTextField
from shanzhi.core.roles import STAFF_ROLES, Role
from shanzhi.core.scoping import CommunityModel

from . import choices as c

COMMITTEE_ROLES = {Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY, Role.STREET_MANAGER}
# the rosters: 合议 by the governance committee's members, 评议 by the residents' representatives (go-live)
ROSTER_ROLES = {Role.GOVERNANCE_COMMITTEE, Role.RESIDENT_REPRESENTATIVE}
PARTICIPANT_ROLES = set(STAFF_ROLES) | {Role.RESIDENT} | ROSTER_ROLES


class ConsultationRule(CommunityModel):
    """议事规则 for one matter type. A community's rule overrides its street's rule of the same matter type."""

    scope_roles = {"view": PARTICIPANT_ROLES, "change": {Role.COMMUNITY_SECRETARY, Role.STREET_MANAGER}}

    matter_type = models.SlugField(_("事项类型"), max_length=40)
    name = models.CharField(_("事项名称"), max_length=60)
    description = models.CharField(_("说明"), max_length=300, blank=True)
    amount_threshold = models.DecimalField(_("金额起点(元)"), max_digits=12, decimal_places=2, null=True, blank=True)
    mandatory = models.BooleanField(_("必须协商"), default=True)
    support_mode = models.CharField(_("附议门槛方式"), max_length=10, choices=c.SupportMode.choices,
                                    default=c.SupportMode.ABSOLUTE)
    support_value = models.DecimalField(_("附议门槛"), max_digits=7, decimal_places=2, default=10,
                                        validators=[MinValueValidator(0)])
    parties = models.JSONField(_("参与方"), default=list, blank=True)
    affected_residents = models.BooleanField(_("受影响楼栋居民参与"), default=True)
    deciding_meeting = models.CharField(_("决议会议"), max_length=30, choices=c.MeetingKind.choices,
                                        default=c.MeetingKind.REPRESENTATIVES_MEETING)
    quorum_percent = models.PositiveSmallIntegerField(_("到会比例(%)"), default=50,
                                                      validators=[MinValueValidator(1), MaxValueValidator(100)])
    majority = models.CharField(_("表决规则"), max_length=12, choices=c.Majority.choices, default=c.Majority.SIMPLE)
    abstentions_count = models.BooleanField(_("弃权计入表决基数"), default=True)
    min_deliberation_days = models.PositiveSmallIntegerField(_("群议最少天数"), default=7)
    notice_days = models.PositiveSmallIntegerField(_("会议提前公告天数"), default=3)
    version = models.PositiveIntegerField(default=1)
    # A rule that topics started under is never changed in place: an edit retires it and adds the next version,
    # so each topic keeps the rule it started under (Topic.rule).
    retired = models.BooleanField(_("已被新版本取代"), default=False)

    class Meta:
        verbose_name = _("议事规则")
        verbose_name_plural = _("议事规则")
        constraints = [models.UniqueConstraint(fields=["region_code", "matter_type"], condition=models.Q(retired=False),
                                               name="uniq_rule_matter")]
        ordering = ["matter_type"]

    def __str__(self):
        return self.name

    def party_labels(self) -> list[str]:
        return [str(c.Party(p).label) for p in self.parties if p in c.Party.values]


class Topic(CommunityModel):
    """议题, moving through 五议."""

    scope_roles = {"view": PARTICIPANT_ROLES, "change": COMMITTEE_ROLES | {Role.GRID_WORKER, Role.GRID_LEADER}}

    title = models.CharField(_("议题"), max_length=120)
    description = LimitedTextField(_("内容"), max_length=5000, blank=True)
    rule = models.ForeignKey(ConsultationRule, on_delete=models.PROTECT, related_name="topics",
                             verbose_name=_("议事规则"))
    amount = models.DecimalField(_("涉及金额(元)"), max_digits=12, decimal_places=2, null=True, blank=True)
    source_kind = models.CharField(_("来源"), max_length=20, choices=c.Source.choices, default=c.Source.RESIDENT_ONLINE)
    # a generic reference to where the topic came from (e.g. a case id); no hard FK to other apps
    source_id = models.CharField(_("来源编号"), max_length=40, blank=True)
    proposer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+", verbose_name=_("提议人"))
    affected_buildings = models.ManyToManyField("registry.Building", blank=True, related_name="+",
                                                verbose_name=_("受影响楼栋"))
    state = models.CharField(_("阶段"), max_length=16, choices=c.Stage.choices, default=c.Stage.PROPOSED,
                             db_index=True)
    supporters_needed = models.PositiveIntegerField(_("所需附议人数"), default=0)
    eligible_residents = models.PositiveIntegerField(_("受影响区域成年居民"), default=0)
    support_count = models.PositiveIntegerField(_("附议人数"), default=0)
    deliberation_opens_at = models.DateTimeField(_("群议开始"), null=True, blank=True)
    deliberation_closes_at = models.DateTimeField(_("群议最早结束"), null=True, blank=True)
    merged_into = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="merged",
                                    verbose_name=_("并入议题"))
    decision_reason = models.CharField(_("合议意见"), max_length=500, blank=True)
    deciding_meeting = models.ForeignKey("Meeting", on_delete=models.SET_NULL, null=True, blank=True,
                                         related_name="decided_topics", verbose_name=_("决议会议"))
    resolution = models.JSONField(_("表决结果"), default=dict, blank=True)
    resolution_text = LimitedTextField(_("决议内容"), max_length=5000, blank=True)
    evaluation_summary = models.JSONField(_("评议结果"), default=dict, blank=True)
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("议题")
        verbose_name_plural = _("议题")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["region_code", "state"])]

    def __str__(self):
        return self.title


class TopicHistory(models.Model):
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="history")
    action = models.CharField(max_length=30)
    label = models.CharField(max_length=60)
    from_state = models.CharField(max_length=16)
    to_state = models.CharField(max_length=16)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+")
    note = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField(auto_now_add=True)
    # the response template (答复模板) the text was started from, if any
    template = models.ForeignKey("replies.ResponseTemplate", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+", verbose_name=_("答复模板"))

    class Meta:
        ordering = ["at", "id"]


class Support(models.Model):
    """附议 / 联署: one per registry person and topic (online or from a paper signature sheet)."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="supports")
    person = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=10, choices=c.Channel.choices)
    sheet_ref = models.CharField(_("联署表编号"), max_length=40, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["topic", "person"], name="uniq_support_per_person")]


class Comment(models.Model):
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+")
    stance = models.CharField(_("立场"), max_length=10, choices=c.Stance.choices, default=c.Stance.NEUTRAL)
    body = LimitedTextField(_("意见"), max_length=2000)
    hidden = models.BooleanField(default=False)
    hidden_reason = models.CharField(max_length=200, blank=True)
    hidden_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+")
    report_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]


class CommentReport(models.Model):
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["comment", "reporter"], name="uniq_comment_report")]


class Survey(models.Model):
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="surveys")
    question = models.CharField(_("问题"), max_length=200)
    options = models.JSONField(_("选项"), default=list)
    created_at = models.DateTimeField(auto_now_add=True)


class SurveyAnswer(models.Model):
    """One resident's answer: their own (`user`), or a household member's entered by the head (代办: `person`
    without `user`, `entered_by` the head). One answer per account and one per registry person."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="answers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", null=True,
                             blank=True)
    person = models.ForeignKey("registry.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    option = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["survey", "user"], name="uniq_survey_answer"),
                       models.UniqueConstraint(fields=["survey", "person"], name="uniq_survey_answer_person")]


class OpinionRecord(models.Model):
    """Opinions gathered offline during 群议: letters, 恳谈 and hearings, home visits."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="opinions")
    kind = models.CharField(_("方式"), max_length=10, choices=c.OpinionKind.choices)
    summary = models.CharField(_("意见摘要"), max_length=500)
    for_count = models.PositiveIntegerField(_("赞成"), default=0)
    against_count = models.PositiveIntegerField(_("反对"), default=0)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)


class Follow(models.Model):
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    mode = models.CharField(max_length=10, choices=c.FollowMode.choices, default=c.FollowMode.IMMEDIATE)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["topic", "user"], name="uniq_follow")]


class DigestItem(models.Model):
    """A followed topic's news waiting for the user's daily digest (immediate news goes straight to the inbox)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="+")
    message = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]


class SearchToken(models.Model):
    """jieba tokens of a topic and its visible comments, for Chinese full-text search on any database."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=40, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["topic", "token"], name="uniq_topic_token")]


class Meeting(CommunityModel):
    scope_roles = {"view": PARTICIPANT_ROLES, "change": COMMITTEE_ROLES}

    kind = models.CharField(_("会议类型"), max_length=30, choices=c.MeetingKind.choices)
    title = models.CharField(_("会议名称"), max_length=120)
    starts_at = models.DateTimeField(_("召开时间"))
    location = models.CharField(_("地点"), max_length=120)
    agenda = LimitedTextField(_("议程"), max_length=5000, blank=True)
    materials = LimitedTextField(_("会议材料"), max_length=20000, blank=True)
    topics = models.ManyToManyField(Topic, blank=True, related_name="meetings", verbose_name=_("议题"))
    state = models.CharField(_("状态"), max_length=10, choices=c.MeetingState.choices, default=c.MeetingState.DRAFT,
                             db_index=True)
    notice_days = models.PositiveSmallIntegerField(_("提前公告天数"), default=3)
    noticed_at = models.DateTimeField(_("公告时间"), null=True, blank=True)
    minutes = LimitedTextField(_("会议纪要"), max_length=20000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("会议")
        verbose_name_plural = _("会议")
        ordering = ["-starts_at", "-id"]

    def __str__(self):
        return self.title


class MeetingParticipant(models.Model):
    """An invitation (by party), a resident's registration, check-in; voters are the representatives."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="participants")
    party = models.CharField(_("参与方"), max_length=24, choices=c.Party.choices)
    name = models.CharField(_("姓名/单位"), max_length=80)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+")
    is_voter = models.BooleanField(_("有表决权"), default=False)
    registered = models.BooleanField(_("自行报名"), default=False)
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)

    class Meta:
        ordering = ["party", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], condition=Q(user__isnull=False),
                                               name="uniq_meeting_user")]


class Vote(models.Model):
    """One vote per representative and topic (DB constraint)."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="votes")
    representative = models.ForeignKey(MeetingParticipant, on_delete=models.CASCADE, related_name="votes")
    choice = models.CharField(max_length=10, choices=c.VoteChoice.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["topic", "representative"], name="uniq_vote_per_rep")]


class PaperTally(models.Model):
    """A paper count entered independently by two different staff; the counts must match."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="tallies")
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    present = models.PositiveIntegerField(_("到会代表"))
    votes_for = models.PositiveIntegerField(_("赞成"))
    votes_against = models.PositiveIntegerField(_("反对"))
    abstentions = models.PositiveIntegerField(_("弃权"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["topic", "entered_by"], name="uniq_tally_per_staff")]

    def counts(self) -> tuple[int, int, int, int]:
        return (self.present, self.votes_for, self.votes_against, self.abstentions)


class ExecutionTask(models.Model):
    """执行: a tree of tasks; leaves carry progress, parents roll up their children by weight."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="tasks")
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="children")
    title = models.CharField(_("任务"), max_length=120)
    responsible_party = models.CharField(_("责任方"), max_length=24, choices=c.Party.choices,
                                         default=c.Party.RESIDENTS_COMMITTEE)
    responsible = models.CharField(_("责任人/单位"), max_length=80, blank=True)
    weight = models.PositiveSmallIntegerField(_("权重"), default=1, validators=[MinValueValidator(1)])
    progress = models.PositiveSmallIntegerField(_("进度(%)"), default=0, validators=[MaxValueValidator(100)])
    due_date = models.DateField(_("计划完成"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["id"]


class Milestone(models.Model):
    task = models.ForeignKey(ExecutionTask, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("节点"), max_length=120)
    due_date = models.DateField(_("日期"), null=True, blank=True)
    done = models.BooleanField(_("已完成"), default=False)

    class Meta:
        ordering = ["due_date", "id"]


class Rating(models.Model):
    """评议: a resident's rating of how the decision was carried out."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="ratings")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["topic", "user"], name="uniq_rating"),
                       models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="rating_score_range")]


class EvaluationSurvey(CommunityModel):
    """两评: an anonymous survey; ballots carry no identity, EvaluationVoter only records who has voted."""

    scope_roles = {"view": PARTICIPANT_ROLES, "change": COMMITTEE_ROLES}

    kind = models.CharField(_("类型"), max_length=30, choices=c.EvaluationKind.choices)
    title = models.CharField(_("标题"), max_length=120)
    year = models.PositiveSmallIntegerField(_("年度"))
    items = models.JSONField(_("评议项目"), default=list)
    state = models.CharField(_("状态"), max_length=10, choices=c.EvaluationState.choices,
                             default=c.EvaluationState.OPEN)
    results = models.JSONField(_("汇总结果"), default=dict, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("两评")
        ordering = ["-year", "-id"]

    def __str__(self):
        return self.title


class EvaluationBallot(models.Model):
    """No user, no timestamp and a random key, so a ballot can't be matched to its voter by order."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(EvaluationSurvey, on_delete=models.CASCADE, related_name="ballots")
    scores = models.JSONField(default=list)


class EvaluationVoter(models.Model):
    survey = models.ForeignKey(EvaluationSurvey, on_delete=models.CASCADE, related_name="voters")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["survey", "user"], name="uniq_evaluation_voter")]
