"""考核: schemes as data (weighted indicators, each with a data source and a scoring rule), rounds over the objects a
scheme assesses, the inputs (scores entered by third parties, managers and communities; a sampled resident survey;
staff merits) and the results, which keep every earlier version when an appeal changes them.

Scope: schemes and rounds belong to their district; an assessed object (target) and its results to the object's
region (a community's code, a street's, a department's, a staff member's community), so a community sees its own
results; third-party assessors reach only the targets assigned to them (the `follower` strategy over assignments).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shanzhi.core.fields import LimitedTextField
from shanzhi.core.roles import COMMUNITY_ROLES, MANAGER_ROLES, STAFF_ROLES, Role
from shanzhi.core.scoping import ScopedModel, community_widened, follower, owner, within

from .choices import AppealState, Channel, Direction, MeritKind, MeritState, ObjectKind, RoundState, Source

ASSESSOR = {Role.THIRD_PARTY_ASSESSOR}
DISTRICT = {Role.DISTRICT_MANAGER}
MANAGERS = set(MANAGER_ROLES)
COMMUNITY = set(COMMUNITY_ROLES)
VIEW = set(STAFF_ROLES)


class Scheme(ScopedModel):
    """An assessment scheme of a district: what object kind it assesses and its weighted indicators."""

    scope_roles = {"view": VIEW | ASSESSOR, "change": DISTRICT}

    name = models.CharField(_("方案名称"), max_length=100)
    object_kind = models.CharField(_("考核对象"), max_length=12, choices=ObjectKind.choices)
    direction = models.CharField(_("考核方向"), max_length=12, choices=Direction.choices, default=Direction.TOP_DOWN)
    year = models.PositiveIntegerField(_("年度"))
    note = models.CharField(_("说明"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("考核方案")
        ordering = ["-year", "name"]

    def __str__(self):
        return self.name


class SchemeIndicator(models.Model):
    """One indicator: weight, data source and the linear rule mapping its value to 0–100 points (`worst` → 0,
    `best` → 100, clamped)."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="indicators")
    seq = models.PositiveIntegerField(_("序号"), default=1)
    name = models.CharField(_("指标"), max_length=100)
    weight = models.DecimalField(_("权重"), max_digits=6, decimal_places=2)
    source = models.CharField(_("数据来源"), max_length=20, choices=Source.choices)
    indicator_key = models.CharField(_("平台指标"), max_length=80, blank=True)
    best = models.DecimalField(_("满分值"), max_digits=12, decimal_places=4)
    worst = models.DecimalField(_("零分值"), max_digits=12, decimal_places=4)
    rule = models.CharField(_("评分规则"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("考核指标")
        ordering = ["scheme", "seq", "pk"]

    def __str__(self):
        return self.name


class Round(ScopedModel):
    """考核轮次: one scheme applied to its objects over a period."""

    scope_roles = {"view": VIEW | ASSESSOR, "manage": DISTRICT, "survey": COMMUNITY | DISTRICT}
    scope_strategies = {"view": ((within, VIEW), (community_widened, COMMUNITY)),
                        "survey": ((within, DISTRICT), (community_widened, COMMUNITY))}

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="rounds", verbose_name=_("考核方案"))
    name = models.CharField(_("轮次名称"), max_length=100)
    period_start = models.DateField(_("考核期起"))
    period_end = models.DateField(_("考核期止（不含）"))
    state = models.CharField(_("状态"), max_length=12, choices=RoundState.choices, default=RoundState.OPEN)
    computed_at = models.DateTimeField(_("计算时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("考核轮次")
        ordering = ["-period_start", "-pk"]

    def __str__(self):
        return self.name


class Target(ScopedModel):
    """An object a round assesses (考核对象). Region: the object's own."""

    scope_roles = {"view": VIEW | ASSESSOR, "score": DISTRICT | ASSESSOR | COMMUNITY}
    scope_strategies = {
        "view": ((within, VIEW), (follower, ASSESSOR)),
        "score": ((within, DISTRICT), (follower, ASSESSOR), (community_widened, COMMUNITY)),
    }
    follower_relation = "assignments"

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="targets")
    kind = models.CharField(_("考核对象"), max_length=12, choices=ObjectKind.choices)
    label = models.CharField(_("名称"), max_length=100)
    department = models.ForeignKey("admission.Department", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+")

    class Meta:
        verbose_name = _("考核对象")
        ordering = ["round", "region_code", "pk"]

    def __str__(self):
        return self.label


class Assignment(models.Model):
    """A third-party assessor assigned to a target."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organisation = models.CharField(_("评估机构"), max_length=100, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["target", "user"], name="uniq_assessment_assignment")]


class Score(models.Model):
    """An entered value of one indicator for one target: by a third party, a manager (with evidence), a
    community rating a street or department (`rater_code`), or an upheld appeal's correction (`appeal`)."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="scores")
    indicator = models.ForeignKey(SchemeIndicator, on_delete=models.CASCADE, related_name="+")
    rater_code = models.CharField(_("评价社区"), max_length=20, blank=True)
    appeal = models.ForeignKey("Appeal", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    value = models.DecimalField(_("分值"), max_digits=12, decimal_places=4)
    evidence = LimitedTextField(_("佐证"), max_length=1000, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("考核得分录入")
        constraints = [models.UniqueConstraint(fields=["target", "indicator", "rater_code"],
                                               condition=models.Q(appeal__isnull=True), name="uniq_assessment_score")]


class Survey(ScopedModel):
    """A resident evaluation of one community in a round: a reproducible stratified sample (seed stored)."""

    scope_roles = {"view": COMMUNITY | MANAGERS, "answer": COMMUNITY | MANAGERS}

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="surveys")
    seed = models.BigIntegerField(_("抽样种子"))
    per_grid = models.PositiveIntegerField(_("每网格抽样人数"))
    population = models.PositiveIntegerField(_("成年居民数"), default=0)
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    drawn_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("居民评价抽样")
        constraints = [models.UniqueConstraint(fields=["round", "region_code"], name="uniq_assessment_survey")]


class SampleMember(ScopedModel):
    """A sampled adult resident (region: their grid). Answers never show who gave them. A sampled resident with
    an account answers online (`own`)."""

    scope_roles = {"view": COMMUNITY | MANAGERS, "answer": COMMUNITY | MANAGERS, "own": {Role.RESIDENT}}
    scope_strategies = {"own": owner}
    owner_path = "person__user"

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["survey", "person"], name="uniq_sample_member")]
        ordering = ["region_code", "pk"]


class Answer(models.Model):
    """One answer per sampled person (1–5 satisfaction), entered online or by staff after a call or a visit."""

    member = models.OneToOneField(SampleMember, on_delete=models.CASCADE, related_name="answer")
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="answers")
    satisfaction = models.PositiveSmallIntegerField(_("满意度（1–5）"))
    channel = models.CharField(_("方式"), max_length=8, choices=Channel.choices)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(satisfaction__gte=1, satisfaction__lte=5),
                                              name="assessment_answer_1_5")]


class Result(ScopedModel):
    """A target's computed score; a recomputation adds a new number and keeps the old one (current=False)."""

    scope_roles = {"view": VIEW | ASSESSOR, "appeal": COMMUNITY}
    scope_strategies = {"view": ((within, VIEW), (community_widened, COMMUNITY))}

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="results")
    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="results")
    number = models.PositiveIntegerField(_("版本"), default=1)
    current = models.BooleanField(default=True)
    total = models.DecimalField(_("总分"), max_digits=7, decimal_places=2)
    detail = models.JSONField(_("明细"), default=list)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    computed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("考核结果")
        ordering = ["-total", "region_code"]
        constraints = [models.UniqueConstraint(fields=["target", "number"], name="uniq_result_number")]
        indexes = [models.Index(fields=["round", "current"])]


class Appeal(ScopedModel):
    """申诉 against one indicator of a result; decided by the district."""

    scope_roles = {"view": COMMUNITY | MANAGERS, "decide": DISTRICT}

    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="appeals")
    indicator = models.ForeignKey(SchemeIndicator, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("申诉指标"))
    reason = LimitedTextField(_("申诉理由"), max_length=1000)
    claimed_value = models.DecimalField(_("主张分值"), max_digits=12, decimal_places=4, null=True, blank=True)
    state = models.CharField(_("状态"), max_length=12, choices=AppealState.choices, default=AppealState.SUBMITTED)
    decision = models.CharField(_("复核意见"), max_length=300, blank=True)
    corrected_value = models.DecimalField(_("改正后数值"), max_digits=12, decimal_places=4, null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("考核申诉")
        ordering = ["-created_at"]


class Merit(ScopedModel):
    """做事加分、错误减分 for a staff member, counted once approved. Region: the staff member's community."""

    scope_roles = {"view": VIEW, "decide": MANAGERS}

    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("工作人员"))
    kind = models.CharField(_("类别"), max_length=8, choices=MeritKind.choices)
    points = models.PositiveSmallIntegerField(_("分值"))
    reason = models.CharField(_("事由"), max_length=300)
    evidence = models.CharField(_("佐证"), max_length=300, blank=True)
    occurred_on = models.DateField(_("发生日期"))
    state = models.CharField(_("状态"), max_length=12, choices=MeritState.choices, default=MeritState.PENDING)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decision = models.CharField(_("审核意见"), max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("加减分记录")
        ordering = ["-occurred_on", "-pk"]

    @property
    def signed_points(self) -> int:
        return self.points if self.kind == MeritKind.PLUS else -self.points
