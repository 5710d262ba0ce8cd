"""项目化: community needs, funding programmes, calls, applications and review, contracts (projects) with milestones
and deliverables, payments on the money ledger, progress, beneficiaries, 社工 hours and third-party evaluation.

Scope: street and district managers own programmes (their region); community staff see the needs and projects of
their community; social_org_staff see only their organisation's applications and projects (`member`); reviewers
and assessors reach only what they are assigned (`owner`). Money is kept in fen on the ledger (`ledger=money`).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shanzhi.core.fields import LimitedTextField
from shanzhi.core.roles import COMMUNITY_ROLES, MANAGER_ROLES, STAFF_ROLES, Role
from shanzhi.core.scoping import ScopedModel, community_widened, member, owner, within

from .choices import (
    AppState,
    CallState,
    DeliverableState,
    EvaluationKind,
    PaymentState,
    ProgrammeKind,
    ProjectState,
)

ORG_STAFF = {Role.SOCIAL_ORG_STAFF}
ASSESSOR = {Role.THIRD_PARTY_ASSESSOR}
STAFF = set(STAFF_ROLES)
MANAGERS = set(MANAGER_ROLES)
REVIEWERS = set(COMMUNITY_ROLES) | MANAGERS | ASSESSOR
OWNED = {"view": STAFF | ORG_STAFF, "change": MANAGERS, "own": ORG_STAFF}
OWNED_STRATEGIES = {"view": ((within, STAFF), (member, ORG_STAFF)), "own": member}


class Need(ScopedModel):
    """A community need (社区需求) raised by community staff; calls answer needs."""

    scope_roles = {"view": STAFF | ORG_STAFF, "change": set(COMMUNITY_ROLES) | MANAGERS}
    scope_strategies = {"view": ((within, STAFF), (community_widened, ORG_STAFF))}

    title = models.CharField(_("需求"), max_length=100)
    description = LimitedTextField(_("说明"), max_length=2000, blank=True)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("社区需求")
        verbose_name_plural = _("社区需求")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.title


class Programme(ScopedModel):
    """A funding programme of a street or district, with its budget (fen) kept on the money ledger."""

    scope_roles = {"view": STAFF | ORG_STAFF, "change": MANAGERS}
    scope_strategies = {"view": ((community_widened, STAFF | ORG_STAFF),)}

    name = models.CharField(_("资金项目名称"), max_length=100)
    kind = models.CharField(_("资助方式"), max_length=10, choices=ProgrammeKind.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    budget_fen = models.BigIntegerField(_("预算（分）"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("负责人"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("资金项目")
        verbose_name_plural = _("资金项目")
        ordering = ["-year", "name", "id"]
        constraints = [models.CheckConstraint(condition=Q(budget_fen__gt=0), name="programme_budget_positive")]

    def __str__(self):
        return self.name


class Call(ScopedModel):
    """A call for applications: eligibility (grade, kinds, communities) and the application form, as data."""

    scope_roles = {"view": STAFF | ORG_STAFF, "change": MANAGERS, "apply": ORG_STAFF}
    scope_strategies = {"view": ((community_widened, STAFF | ORG_STAFF),), "apply": community_widened}

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="calls")
    title = models.CharField(_("征集标题"), max_length=120)
    description = LimitedTextField(_("说明"), max_length=4000, blank=True)
    opens_on = models.DateField(_("开始日期"))
    closes_on = models.DateField(_("截止日期"))
    min_grade = models.PositiveSmallIntegerField(_("最低等级"), default=0, help_text=_("0 不限，3 即 3A 及以上"))
    kinds = models.JSONField(_("可申报的组织类型"), default=list, blank=True, help_text=_("空：不限"))
    communities = models.JSONField(_("服务社区"), default=list, blank=True, help_text=_("区划代码；空：不限"))
    max_amount_fen = models.BigIntegerField(_("单个项目资助上限（分）"))
    form = models.JSONField(_("申报表字段"), default=list, blank=True)
    needs = models.ManyToManyField(Need, blank=True, related_name="calls", verbose_name=_("回应的社区需求"))
    state = models.CharField(_("状态"), max_length=8, choices=CallState.choices, default=CallState.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("项目征集")
        verbose_name_plural = _("项目征集")
        ordering = ["-opens_on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(closes_on__gte=models.F("opens_on")),
                                              name="call_dates_ordered")]

    def __str__(self):
        return self.title


class Application(ScopedModel):
    """An organisation's application to a call; region_code is the community it serves."""

    scope_roles = {**OWNED, "change": MANAGERS}
    scope_strategies = OWNED_STRATEGIES
    member_path = "organisation__members__user"

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="applications")
    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT,
                                     related_name="applications", verbose_name=_("申报组织"))
    title = models.CharField(_("项目名称"), max_length=120)
    objectives = LimitedTextField(_("项目目标"), max_length=3000)
    activities = LimitedTextField(_("主要活动"), max_length=3000)
    budget_lines = models.JSONField(_("预算明细"), default=list)
    amount_fen = models.BigIntegerField(_("申请金额（分）"))
    target_beneficiaries = models.PositiveIntegerField(_("计划受益人数"))
    answers = models.JSONField(_("申报表内容"), default=dict, blank=True)
    needs = models.ManyToManyField(Need, blank=True, related_name="applications", verbose_name=_("回应的社区需求"))
    topic_ref = models.CharField(_("回应的协商议题"), max_length=40, blank=True)
    state = models.CharField(_("状态"), max_length=18, choices=AppState.choices, default=AppState.SUBMITTED,
                             db_index=True)
    average = models.DecimalField(_("平均分"), max_digits=5, decimal_places=1, null=True, blank=True)
    rank = models.PositiveIntegerField(_("排名"), null=True, blank=True)
    determination_reason = models.CharField(_("决定理由"), max_length=500, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("项目申报")
        verbose_name_plural = _("项目申报")
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount_fen__gt=0), name="application_amount_positive")]
        indexes = [models.Index(fields=["-created_at", "-id"], name="projects_app_recent")]

    def __str__(self):
        return self.title


class ReviewAssignment(ScopedModel):
    """One reviewer on one application: conflict of interest first, then scores and a comment."""

    scope_roles = {"view": MANAGERS, "review": REVIEWERS}
    scope_strategies = {"view": within, "review": owner}
    owner_field = "reviewer"
    owner_path = "reviewer"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("评审人"))
    conflict = models.BooleanField(_("存在利益冲突"), null=True, blank=True, help_text=_("未声明前为空"))
    conflict_note = models.CharField(_("冲突说明"), max_length=200, blank=True)
    scores = models.JSONField(_("得分"), default=dict, blank=True)
    total = models.DecimalField(_("总分"), max_digits=5, decimal_places=1, null=True, blank=True)
    comment = LimitedTextField(_("评审意见"), max_length=2000, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("评审")
        verbose_name_plural = _("评审")
        ordering = ["application", "id"]
        constraints = [models.UniqueConstraint(fields=["application", "reviewer"], name="uniq_review_reviewer")]


class Project(ScopedModel):
    """A funded project: the contract with an organisation, its amount committed from the programme."""

    scope_roles = {**OWNED, "change": MANAGERS, "report": ORG_STAFF}
    scope_strategies = {**OWNED_STRATEGIES, "report": member}
    member_path = "organisation__members__user"

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="project")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="projects")
    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT,
                                     related_name="projects", verbose_name=_("承接组织"))
    title = models.CharField(_("项目名称"), max_length=120)
    kind = models.CharField(_("资助方式"), max_length=10, choices=ProgrammeKind.choices, db_index=True)
    contract_no = models.CharField(_("合同编号"), max_length=40, unique=True)
    amount_fen = models.BigIntegerField(_("合同金额（分）"))
    paid_fen = models.BigIntegerField(_("已拨付（分）"), default=0)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    beneficiaries = models.PositiveIntegerField(_("受益人数"), default=0)
    state = models.CharField(_("状态"), max_length=12, choices=ProjectState.choices, default=ProjectState.CONTRACTED,
                             db_index=True)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(auto_now_add=True, db_index=True)
    disclosed = models.BooleanField(_("已送公开"), default=False)
    # residents' satisfaction, asked through consultation's anonymous evaluation ballot (居民满意度测评)
    satisfaction_survey = models.ForeignKey("consultation.EvaluationSurvey", on_delete=models.SET_NULL, null=True,
                                            blank=True, related_name="+", verbose_name=_("满意度测评"))
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("项目")
        verbose_name_plural = _("项目")
        ordering = ["-signed_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount_fen__gt=0), name="project_amount_positive"),
                       models.CheckConstraint(condition=Q(paid_fen__lte=models.F("amount_fen")),
                                              name="project_not_overpaid")]
        indexes = [models.Index(fields=["region_code", "state"])]

    def __str__(self):
        return self.title


class ProjectChild(ScopedModel):
    """Rows of one project: as the project's scope (staff by region, the organisation by membership)."""

    scope_roles = {**OWNED, "change": MANAGERS}
    scope_strategies = OWNED_STRATEGIES
    member_path = "project__organisation__members__user"

    class Meta:
        abstract = True


class Milestone(ProjectChild):
    """A milestone with its deliverable and the instalment it releases once accepted."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    seq = models.PositiveSmallIntegerField(_("序号"))
    title = models.CharField(_("里程碑"), max_length=100)
    deliverable = models.CharField(_("交付物"), max_length=200)
    due_on = models.DateField(_("计划完成"))
    instalment_fen = models.BigIntegerField(_("对应拨款（分）"))
    state = models.CharField(_("状态"), max_length=10, choices=DeliverableState.choices,
                             default=DeliverableState.PENDING)
    report = LimitedTextField(_("交付说明"), max_length=3000, blank=True)
    attachment = models.CharField(_("附件"), max_length=40, blank=True, help_text=_("加密存放的上传文件标识"))
    attachment_name = models.CharField(_("附件名"), max_length=120, blank=True)
    review_note = models.CharField(_("验收意见"), max_length=300, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("里程碑")
        verbose_name_plural = _("里程碑")
        ordering = ["project", "seq"]
        constraints = [models.UniqueConstraint(fields=["project", "seq"], name="uniq_milestone_seq"),
                       models.CheckConstraint(condition=Q(instalment_fen__gte=0), name="milestone_amount")]

    def __str__(self):
        return self.title


class Payment(ProjectChild):
    """An instalment: requested against an accepted milestone, released by a manager as a ledger transfer."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="payments")
    milestone = models.ForeignKey(Milestone, on_delete=models.PROTECT, related_name="payments")
    amount_fen = models.BigIntegerField(_("金额（分）"))
    state = models.CharField(_("状态"), max_length=10, choices=PaymentState.choices, default=PaymentState.REQUESTED,
                             db_index=True)
    invoice = models.CharField(_("发票/收据"), max_length=40, blank=True, help_text=_("加密存放的上传文件标识"))
    invoice_name = models.CharField(_("发票文件名"), max_length=120, blank=True)
    transfer = models.OneToOneField("ledger.Transfer", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    released_at = models.DateTimeField(_("拨付时间"), null=True, blank=True, db_index=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("拨款")
        verbose_name_plural = _("拨款")
        ordering = ["project", "created_at", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount_fen__gt=0), name="payment_positive")]
        indexes = [models.Index(fields=["region_code", "state"])]


class ProgressReport(ProjectChild):
    """A progress report with an optional photo (encrypted upload)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="reports")
    text = LimitedTextField(_("进展"), max_length=3000)
    photo = models.CharField(_("照片"), max_length=40, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("项目进展")
        verbose_name_plural = _("项目进展")
        ordering = ["-created_at", "-id"]


class Beneficiary(ProjectChild):
    """A beneficiary of a project by pseudonym: an HMAC of the registry person's id per organisation, so the
    organisation counts and follows its beneficiaries and never sees a name, ID number or phone."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="beneficiary_rows")
    pseudonym = models.CharField(_("受益人编号"), max_length=20)
    services = models.PositiveIntegerField(_("服务次数"), default=1)
    last_served_on = models.DateField(_("最近服务"), null=True, blank=True)

    class Meta:
        verbose_name = _("受益人")
        verbose_name_plural = _("受益人")
        constraints = [models.UniqueConstraint(fields=["project", "pseudonym"], name="uniq_beneficiary")]


class CaseworkHours(ProjectChild):
    """社工 casework hours on a project."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="casework")
    worker = models.ForeignKey("organisations.OrgMember", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("社工"))
    day = models.DateField(_("日期"))
    hours = models.DecimalField(_("小时"), max_digits=4, decimal_places=1)
    note = models.CharField(_("内容"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("个案服务时长")
        verbose_name_plural = _("个案服务时长")
        constraints = [models.CheckConstraint(condition=Q(hours__gt=0, hours__lte=24), name="casework_hours_range")]


class ProjectActivity(ProjectChild):
    """A volunteer activity run under a project (volunteers sign up through volunteering's own pages)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="activity_links")
    activity = models.OneToOneField("volunteering.Activity", on_delete=models.CASCADE, related_name="project_link")

    class Meta:
        verbose_name = _("项目活动")
        verbose_name_plural = _("项目活动")


class Evaluation(ScopedModel):
    """Mid-term or final evaluation by a 第三方评估机构 assessor on a scored form."""

    scope_roles = {"view": STAFF | ORG_STAFF, "assess": ASSESSOR}
    scope_strategies = {"view": ((within, STAFF), (member, ORG_STAFF)), "assess": owner}
    member_path = "project__organisation__members__user"
    owner_field = "assessor"
    owner_path = "assessor"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="evaluations")
    kind = models.CharField(_("类型"), max_length=8, choices=EvaluationKind.choices)
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("评估人"))
    scores = models.JSONField(_("得分"), default=dict, blank=True)
    total = models.DecimalField(_("总分"), max_digits=5, decimal_places=1, null=True, blank=True)
    comment = LimitedTextField(_("评估意见"), max_length=3000, blank=True)
    satisfaction = models.DecimalField(_("居民满意度"), max_digits=4, decimal_places=1, null=True, blank=True,
                                       help_text=_("来自居民满意度问卷，百分制"))
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("项目评估")
        verbose_name_plural = _("项目评估")
        ordering = ["project", "kind"]
        constraints = [models.UniqueConstraint(fields=["project", "kind"], name="uniq_project_evaluation")]
