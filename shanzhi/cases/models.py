"""Grid cases (民情): configuration (categories, handling bodies, routing, deadlines), the case itself
with its history, assignments, photos and ratings, patrols and inspections, and the daily rollup.

Scope: a case's `region_code` is its grid. Staff see cases in their region; handling-body staff see
only cases assigned to their body — `Case.scope_strategy` names both, `restrict()` applies them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shanzhi.core.fields import LimitedTextField
from shanzhi.core.masking import shown
from shanzhi.core.pii import decrypt
from shanzhi.core.roles import ADMIN_TRIO, STAFF_ROLES, Role
from shanzhi.core.scoping import (
    ScopedModel,
    ScopedQuerySet,
    follower,
    handling_body,
    in_community,
    owner,
    through,
    within,
)

from . import choices as c

CASE_ROLES = {
    "view": set(STAFF_ROLES) | {Role.HANDLING_BODY_STAFF},
    "change": set(STAFF_ROLES) | {Role.HANDLING_BODY_STAFF},
    "create": set(STAFF_ROLES),
    "export": set(STAFF_ROLES),
    # the REST API's reads: staff and handling bodies as on the pages, plus department data users (tokens)
    "api": set(STAFF_ROLES) | {Role.HANDLING_BODY_STAFF, Role.DEPARTMENT_VIEWER},
    "merge": {Role.GRID_LEADER, Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY, Role.STREET_MANAGER,
              Role.DISTRICT_MANAGER},
}


class HandlingBody(models.Model):
    """承办单位: a street section, district department, property company, utility or unit."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    kind = models.CharField(_("类型"), max_length=24, choices=c.HandlerType.choices)
    region_code = models.CharField(_("服务区域代码"), max_length=20, db_index=True,
                                   help_text=_("该单位负责的区域（街道、区或社区）"))
    contact = models.CharField(_("联系方式"), max_length=100, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, through="HandlingBodyMember", related_name="bodies",
                                     verbose_name=_("人员"))
    # 职责清单: the categories the body answers for; a 'not our responsibility' closure may name it as the
    # responsible body only for these (or their sub-categories)
    categories = models.ManyToManyField("Category", blank=True, related_name="responsible_bodies",
                                        verbose_name=_("职责类别"))
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("承办单位")
        verbose_name_plural = _("承办单位")
        ordering = ["kind", "name"]

    def __str__(self):
        return self.name


class HandlingBodyMember(models.Model):
    """A user working for a handling body (the user also holds the handling_body_staff role)."""

    body = models.ForeignKey(HandlingBody, on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("承办单位人员")
        constraints = [models.UniqueConstraint(fields=["body", "user"], name="uniq_body_member")]


class Category(models.Model):
    """民情类别 (a tree). Each leaf says who normally handles it, its deadlines, whether it is public
    (offered to residents and Open311) and which extra fields a report must carry.

    `extra_fields` is a list of {"code", "label", "type": "string|number|datetime|text|singlevaluelist|
    multivaluelist", "required": bool, "values": [{"key", "name"}], "help"} — the datatypes of Open311
    service definitions, which publish it. A multivaluelist answer is stored as a list of keys.
    """

    code = models.CharField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children",
                               verbose_name=_("上级类别"))
    description = models.CharField(_("说明"), max_length=300, blank=True)
    handler_type = models.CharField(_("默认承办类型"), max_length=24, choices=c.HandlerType.choices,
                                    default=c.HandlerType.GRID)
    default_body = models.ForeignKey(HandlingBody, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("默认承办单位"))
    accept_days = models.DecimalField(_("受理时限(工作日)"), max_digits=4, decimal_places=1, default=1)
    handle_days = models.DecimalField(_("处置时限(工作日)"), max_digits=4, decimal_places=1, default=5)
    verify_days = models.DecimalField(_("核查时限(工作日)"), max_digits=4, decimal_places=1, default=2)
    is_public = models.BooleanField(_("居民可选"), default=True)
    extra_fields = models.JSONField(_("附加字段"), default=list, blank=True)
    keywords = models.CharField(_("关键词"), max_length=200, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("民情类别")
        verbose_name_plural = _("民情类别")
        ordering = ["code"]

    def __str__(self):
        return self.name


class DeadlineRule(models.Model):
    """Overrides a step's working days by category and/or handler type (the most specific rule wins)."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("类别"))
    handler_type = models.CharField(_("承办类型"), max_length=24, choices=c.HandlerType.choices, blank=True)
    step = models.CharField(_("环节"), max_length=10, choices=c.Step.choices)
    days = models.DecimalField(_("时限(工作日)"), max_digits=4, decimal_places=1)

    class Meta:
        verbose_name = _("时限规则")
        verbose_name_plural = _("时限规则")
        constraints = [models.UniqueConstraint(fields=["category", "handler_type", "step"], name="uniq_deadline_rule")]


class HolidayOverride(models.Model):
    """A day whose working status differs from the national holiday table (chinese_calendar): a local holiday,
    or a make-up working day the table does not know yet. The district sets them (系统配置 → 时限与节假日)."""

    day = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("工作日"), default=False)
    note = models.CharField(_("说明"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("节假日调整")
        verbose_name_plural = _("节假日调整")
        ordering = ["day"]

    def __str__(self):
        return f"{self.day} {self.note}"


class RoutingRule(models.Model):
    """Category × region prefix → handling body; the longest matching prefix wins."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="routes", verbose_name=_("类别"))
    region_prefix = models.CharField(_("区域代码前缀"), max_length=20)
    body = models.ForeignKey(HandlingBody, on_delete=models.CASCADE, related_name="routes", verbose_name=_("承办单位"))

    class Meta:
        verbose_name = _("派遣规则")
        verbose_name_plural = _("派遣规则")
        constraints = [models.UniqueConstraint(fields=["category", "region_prefix"], name="uniq_routing_rule")]


def deadline_light(*, state: str, due_at, yellow_at, now) -> str:
    """The traffic light of a case's current step from its bare fields (so `.values()` rows get it too)."""
    if state not in c.OPEN_STATES or not due_at:
        return c.Light.GREEN
    if now >= due_at:
        return c.Light.RED
    if yellow_at and now >= yellow_at:
        return c.Light.YELLOW
    return c.Light.GREEN


class CaseQuerySet(ScopedQuerySet):
    def overdue(self, now):
        return self.filter(due_at__lt=now, state__in=c.OPEN_STATES)


class Case(ScopedModel):
    """Region staff reach cases by region prefix; handling-body staff the cases assigned to their bodies."""

    scope_roles = CASE_ROLES
    scope_strategy = ((within, set(Role.values) - {Role.HANDLING_BODY_STAFF}),
                      (handling_body, {Role.HANDLING_BODY_STAFF}))
    assignment_relation = "assignments"

    number = models.CharField(_("编号"), max_length=20, unique=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="cases", verbose_name=_("类别"))
    channel = models.CharField(_("来源"), max_length=12, choices=c.Channel.choices)
    title = models.CharField(_("标题"), max_length=100)
    description = LimitedTextField(_("描述"), max_length=2000)
    urgency = models.CharField(_("紧急程度"), max_length=10, choices=c.Urgency.choices, default=c.Urgency.NORMAL)
    extra = models.JSONField(_("附加信息"), default=dict, blank=True)
    # location
    building = models.ForeignKey("registry.Building", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+", verbose_name=_("楼栋"))
    dwelling = models.ForeignKey("registry.Dwelling", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+", verbose_name=_("房屋"))
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lng = models.FloatField(_("经度"), null=True, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    # reporter
    reporter_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="reported_cases", verbose_name=_("上报人账号"))
    reporter_person = models.ForeignKey("registry.Person", on_delete=models.SET_NULL, null=True, blank=True,
                                        related_name="+", verbose_name=_("上报人(居民)"))
    reporter_name = models.CharField(_("上报人"), max_length=50, blank=True)
    reporter_phone_enc = models.CharField(_("联系电话(密文)"), max_length=200, blank=True)
    anonymous = models.BooleanField(_("匿名"), default=False)
    # the reporter's consent to publish the description and address (Open311 feed); without it they stay inside
    publish_consent = models.BooleanField(_("同意公开描述和地址"), default=False)
    tracking_code = models.CharField(_("查询码"), max_length=16, blank=True, db_index=True)
    # where an imported case came from: the source's own number (e.g. the 12345 work-order number), or, for a
    # row without one, a keyed hash of the row's content; either one makes re-importing the same row a no-op
    external_ref = models.CharField(_("外部编号"), max_length=64, blank=True,
                                    help_text=_("来源系统的编号，如 12345 工单号"))
    import_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    # workflow
    state = models.CharField(_("状态"), max_length=12, choices=c.State.choices, default=c.State.REPORTED, db_index=True)
    version = models.PositiveIntegerField(default=1)
    level = models.PositiveSmallIntegerField(_("责任层级"), choices=c.Level.choices, default=c.Level.GRID)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="assigned_cases", verbose_name=_("网格处置人"))
    lead_body = models.ForeignKey(HandlingBody, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                  verbose_name=_("主办单位"))
    outcome = models.CharField(_("办结结果"), max_length=24, choices=c.Outcome.choices, blank=True)
    outcome_note = LimitedTextField(_("办结说明"), max_length=1000, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("结果认定人"))
    duplicate_of = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="duplicates", verbose_name=_("重复于"))
    is_repeat = models.BooleanField(_("30日内重复投诉"), default=False)
    # jieba tokens of title and description for the duplicate engine (core.similarity), written on save
    similar_tokens = models.TextField(blank=True, default="", editable=False)
    reopen_count = models.PositiveSmallIntegerField(_("重办次数"), default=0)
    # deadlines of the current step
    step = models.CharField(_("当前环节"), max_length=10, choices=c.Step.choices, blank=True)
    step_started_at = models.DateTimeField(_("环节开始"), null=True, blank=True)
    yellow_at = models.DateTimeField(_("黄牌时间"), null=True, blank=True)
    due_at = models.DateTimeField(_("环节时限"), null=True, blank=True, db_index=True)
    due_estimated = models.BooleanField(_("时限按周末估算"), default=False,
                                        help_text=_("节假日数据未覆盖该年份，仅按周末计算工作日"))
    alert_level = models.PositiveSmallIntegerField(_("已督办级别"), default=0)
    # milestones (rollups read these)
    created_at = models.DateTimeField(_("上报时间"), db_index=True)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    accepted_on_time = models.BooleanField(null=True, blank=True)
    completed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    completed_on_time = models.BooleanField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("民情")
        verbose_name_plural = _("民情")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["region_code", "state"]), models.Index(fields=["category", "state"]),
                   models.Index(fields=["lat", "lng"])]
        constraints = [
            models.UniqueConstraint(fields=["channel", "external_ref"], condition=~Q(external_ref=""),
                                    name="uniq_case_external_ref"),
            models.UniqueConstraint(fields=["import_fingerprint"], condition=~Q(import_fingerprint=""),
                                    name="uniq_case_import_fingerprint"),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    @property
    def reporter_phone_masked(self) -> str:
        """The callback phone as staff see it (core.masking.shown); the full number only through a reveal."""
        return shown("phone", decrypt(self.reporter_phone_enc))

    @property
    def is_open(self) -> bool:
        return self.state in c.OPEN_STATES

    def light(self, now) -> str:
        """Traffic light of the current step: red past the deadline, yellow past 80 % of it."""
        return deadline_light(state=self.state, due_at=self.due_at, yellow_at=self.yellow_at, now=now)


class CaseFollower(models.Model):
    """Users who get the case's feedback besides its reporter (e.g. the reporter of a merged duplicate)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="followers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followed_cases")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "user"], name="uniq_case_follower")]


class CaseHistory(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="history")
    action = models.CharField(_("操作"), max_length=30)
    label = models.CharField(_("操作名称"), max_length=30)
    from_state = models.CharField(max_length=12, blank=True)
    to_state = models.CharField(max_length=12, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+")
    actor_name = models.CharField(max_length=50, blank=True)
    note = LimitedTextField(_("说明"), max_length=2000, blank=True)
    public = models.BooleanField(_("对上报人可见"), default=True)
    at = models.DateTimeField(_("时间"), db_index=True)
    # the response template (答复模板) the text was started from, if any
    template = models.ForeignKey("replies.ResponseTemplate", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+", verbose_name=_("答复模板"))

    class Meta:
        verbose_name = _("民情记录")
        ordering = ["at", "id"]


class CaseAssignment(models.Model):
    """Joint handling (联动): one lead body and any number of assisting bodies."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    body = models.ForeignKey(HandlingBody, on_delete=models.PROTECT, related_name="assignments")
    role = models.CharField(_("角色"), max_length=8, choices=c.AssignmentRole.choices)
    active = models.BooleanField(default=True)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["body", "active"])]


def _photo_path(instance, filename):
    return f"cases/{instance.case.created_at:%Y/%m}/{instance.case_id}/{filename}"


def _public_photo_path(instance, filename):
    return f"cases/{instance.case.created_at:%Y/%m}/{instance.case_id}/public/{filename}"


class CasePhoto(models.Model):
    """A photo of a case (its report, or a timeline entry). The original is never a public file: served only
    by the `cases:photo` view to those who may see it (`CasePhoto.objects.restrict`). What may go public is
    `public_image`, the copy a reviewer made with the faces and plates blurred (`regions`, fractions of the
    width and height, kept so the review can be redone), served by `open311:media` only while the case is
    published with its reporter's consent (`selectors.public_photos`). A photo not yet reviewed is not public."""

    scope_roles = {"view": set(Role.values) - ADMIN_TRIO}  # staff by region or body, residents by their cases
    # staff and handling bodies as `Case.objects.restrict`; a reporter or follower (as
    # `ReportedCase.objects.restrict`) the report's own photos and those of the timeline entries shown to them
    # (never the photos of an internal entry)
    scope_strategy = (through("case"),
                      through("case", "ReportedCase", when=Q(history__isnull=True) | Q(history__public=True)))

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="photos")
    history = models.ForeignKey(CaseHistory, on_delete=models.SET_NULL, null=True, blank=True, related_name="photos")
    image = models.ImageField(_("照片"), upload_to=_photo_path)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    location_stripped = models.BooleanField(_("已去除位置信息"), default=False)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    public_image = models.ImageField(_("公开照片（已打码）"), upload_to=_public_photo_path, blank=True)
    regions = models.JSONField(_("打码区域"), default=list, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("审核人"))
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    version = models.PositiveIntegerField(default=0)

    objects = ScopedQuerySet.as_manager()


class CaseRating(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="ratings")
    score = models.PositiveSmallIntegerField(_("评分"))
    comment = models.CharField(_("评价"), max_length=500, blank=True)
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    rated_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="rating_1_to_5")]

    @property
    def satisfied(self) -> bool:
        return self.score >= 4


class Supervision(models.Model):
    """督办: a yellow or red card raised by the deadline check (or by a manager)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="supervisions")
    step = models.CharField(max_length=10, choices=c.Step.choices)
    light = models.CharField(max_length=8, choices=c.Light.choices)
    note = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)


class Open311Key(models.Model):
    """An Open311 api_key: only its SHA-256 is stored; the key is printed once on creation."""

    name = models.CharField(_("名称"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.name


class Patrol(ScopedModel):
    """巡查: a grid worker's walk through the grid with its route and findings (民情日志)."""

    scope_roles = {"view": set(STAFF_ROLES), "change": set(STAFF_ROLES)}

    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("网格员"))
    started_at = models.DateTimeField(_("开始时间"))
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    route = models.JSONField(_("轨迹"), default=list, blank=True, help_text=_("[[纬度, 经度, 时间], ...]"))
    findings = LimitedTextField(_("巡查情况"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("巡查")
        ordering = ["-started_at"]


class HomeVisit(ScopedModel):
    """走访/入户: a visit to a household (by the grid's staff, or its helpers: 网格辅助员, 专属网格员)."""

    scope_roles = {"view": set(STAFF_ROLES) | {Role.GRID_ASSISTANT, Role.DEDICATED_GRID_WORKER},
                   "change": set(STAFF_ROLES)}

    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("户"))
    visitor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    visited_at = models.DateTimeField(_("走访时间"))
    notes = LimitedTextField(_("走访情况"), max_length=2000, blank=True)
    case = models.ForeignKey(Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("走访")
        ordering = ["-visited_at"]


class Inspection(ScopedModel):
    """A checklist inspection of a building or old estate; each failed item becomes a case."""

    scope_roles = {"view": set(STAFF_ROLES), "change": set(STAFF_ROLES)}

    building = models.ForeignKey("registry.Building", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("楼栋"))
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    inspected_at = models.DateTimeField(_("检查时间"))
    results = models.JSONField(_("检查结果"), default=dict, help_text=_("{item: {\"ok\": bool, \"note\": str}}"))

    class Meta:
        verbose_name = _("楼栋检查")
        ordering = ["-inspected_at"]


class DailyRollup(models.Model):
    """Per region (each grid and each ancestor) and day, the counts dashboards read instead of scanning cases.

    Each count is by the day its event happened: `reported` by created_at, `responded`/`responded_on_time`
    by accepted_at, `closed`/`closed_on_time`/`fixed` by completed_at, `rated`/`satisfied`/`score_sum`
    by the rating time; `repeat` = reports that repeat a complaint of the previous 30 days.
    """

    region_code = models.CharField(max_length=20)
    day = models.DateField()
    reported = models.PositiveIntegerField(default=0)
    responded = models.PositiveIntegerField(default=0)
    responded_on_time = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)
    closed_on_time = models.PositiveIntegerField(default=0)
    fixed = models.PositiveIntegerField(default=0)
    rated = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)
    score_sum = models.PositiveIntegerField(default=0)
    repeat = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["region_code", "day"], name="uniq_rollup_day")]
        indexes = [models.Index(fields=["day", "region_code"])]


class ReportedCase(Case):
    """The resident's view of a case they reported or follow."""

    scope_roles = {"view": set(Role.values) - ADMIN_TRIO}  # 三员分立: admins hold no resident-facing role
    scope_strategy = (owner, follower)  # their own reports and the cases they follow
    owner_path = "reporter_user"
    follower_relation = "followers"

    class Meta:
        proxy = True


class FollowableCase(Case):
    """A case a resident may follow instead of reporting it again (the duplicate engine's 关注): reached by a
    resident grant in the case's community; the view also requires an open case of a public category."""

    scope_roles = {"view": {Role.RESIDENT}}
    scope_strategy = in_community

    class Meta:
        proxy = True
