"""帮教 (support for special populations): records, their 帮教小组, plans, reviews, visits and break-glass grants.

Access (ARCHITECTURE §6, issue 17): a record is seen by the purpose-bound roles in its region (综治专干, 社区书记,
网格长), by the platform users on its 帮教小组, and — for a limited time, with a reason, the security admin
alerted — by staff who break the glass. Nothing here is exported, offered by the API, searched or counted for
other roles. Every row below a record reaches exactly the records the actor reaches (`through`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shanzhi.core.fields import LimitedTextField
from shanzhi.core.roles import STAFF_ROLES, Role
from shanzhi.core.scoping import ScopedModel, member_of, through, within
from shanzhi.registry.models import Person

from . import choices as c

# The purpose-bound roles: 综治专干 does the work; the 社区书记 answers for it; the 网格长 leads the grid's visits
# and gets the overdue alerts (as registry's SPECIAL_ROLES already decided for the old records).
PURPOSE_ROLES = frozenset({Role.SAFETY_OFFICER, Role.COMMUNITY_SECRETARY, Role.GRID_LEADER})
# Who may close a record (the review): the accountable roles, not the grid.
CLOSE_ROLES = frozenset({Role.SAFETY_OFFICER, Role.COMMUNITY_SECRETARY})
# Statistics (counts only, small cells suppressed) also reach the street and district managers who plan the work.
STATS_ROLES = frozenset(PURPOSE_ROLES | {Role.STREET_MANAGER, Role.DISTRICT_MANAGER})
# Platform users that may sit on a 帮教小组 (司法所 and 派出所 staff hold handling-body or social-org grants).
TEAM_ROLES = frozenset(STAFF_ROLES | {Role.SAFETY_OFFICER, Role.HANDLING_BODY_STAFF, Role.SOCIAL_ORG_STAFF,
                                      Role.GRID_ASSISTANT, Role.DEDICATED_GRID_WORKER})
# Staff who may break the glass on a record in their region (everyone else never learns it exists).
GLASS_ROLES = frozenset(STAFF_ROLES | {Role.SAFETY_OFFICER})


def _glass_live() -> Q:
    return Q(expires_at__gt=timezone.now())


on_team = member_of("team", Q(active=True))
glass_holder = member_of("glass_grants", _glass_live)

RECORD_ROLES = {
    "view": set(PURPOSE_ROLES | TEAM_ROLES | GLASS_ROLES),
    "change": set(PURPOSE_ROLES | TEAM_ROLES),
    "manage": set(PURPOSE_ROLES),
    "close": set(CLOSE_ROLES),
}


class Category(models.Model):
    """A 帮教 category as data (刑满释放、社区矫正 …): the 综治 office adds its own."""

    code = models.SlugField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=40, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("帮教类别")
        verbose_name_plural = _("帮教类别")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.name


class Record(ScopedModel):
    """One person's 帮教 case. region_code is the person's grid."""

    scope_roles = RECORD_ROLES
    scope_strategies = {
        "view": ((within, PURPOSE_ROLES), (on_team, TEAM_ROLES), (glass_holder, GLASS_ROLES)),
        "change": ((within, PURPOSE_ROLES), (on_team, TEAM_ROLES)),
        "manage": within,
        "close": within,
    }

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("人员"))
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+", verbose_name=_("类别"))
    risk = models.CharField(_("风险等级"), max_length=8, choices=c.Risk.choices, default=c.Risk.MEDIUM)
    risk_reasons = LimitedTextField(_("风险评估理由"), max_length=2000)
    started_on = models.DateField(_("帮教开始"))
    ends_on = models.DateField(_("预计结束"), null=True, blank=True)
    source_document = models.CharField(_("来源文书"), max_length=120,
                                       help_text=_("如：社区矫正决定书、释放证明书的文号"))
    responsible = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("帮教责任人"))
    state = models.CharField(_("状态"), max_length=10, choices=c.State.choices, default=c.State.ACTIVE,
                             db_index=True)
    next_review_on = models.DateField(_("下次方案评估"), null=True, blank=True)
    close_reason = models.CharField(_("结案原因"), max_length=300, blank=True)
    close_review = models.CharField(_("结案审核意见"), max_length=500, blank=True)
    closed_on = models.DateField(_("结案日期"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("帮教记录")
        verbose_name_plural = _("帮教记录")
        ordering = ["-started_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["person", "category"], condition=~Q(state="closed"),
                                    name="support_one_open_record_per_category"),
        ]

    def __str__(self):
        # never the person's name: this string reaches the audit log and notifications
        return f"BJ{self.pk:06d}" if self.pk else "BJ"

    @property
    def reference(self) -> str:
        return str(self)


class RecordRef(Record):
    """The same rows, reached by region only: the 'break the glass' door for staff outside the team. Pages
    built on it show the reference and nothing of the person."""

    scope_roles = {"view": set(GLASS_ROLES), "glass": set(GLASS_ROLES)}
    scope_strategies = {}
    scope_strategy = within

    class Meta:
        proxy = True


class TeamMember(models.Model):
    """A member of the 帮教小组: a platform user, or a name and unit (a parent, a teacher, an employer)."""

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="team")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+", verbose_name=_("平台用户"))
    name = models.CharField(_("姓名"), max_length=50)
    unit = models.CharField(_("单位"), max_length=100, blank=True)
    side = models.CharField(_("来自"), max_length=12, choices=c.Side.choices)
    role = models.CharField(_("组内职责"), max_length=12, choices=c.TeamRole.choices, default=c.TeamRole.MEMBER)
    active = models.BooleanField(_("在组"), default=True)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("帮教小组成员")
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["record", "user"], condition=Q(user__isnull=False, active=True),
                                               name="support_team_user_once")]

    def __str__(self):
        return self.name


class ScopedChild(ScopedModel):
    """Rows below a record: the actor reaches them exactly when they reach the record."""

    scope_roles = RECORD_ROLES
    scope_strategy = through("record")

    class Meta:
        abstract = True


class Plan(ScopedChild):
    """A support plan: goals and the help given (就业、就学、就医、低保 …)."""

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="plans")
    goals = LimitedTextField(_("帮教目标"), max_length=2000)
    help_kinds = models.JSONField(_("帮扶措施"), default=list, blank=True)
    help_given = LimitedTextField(_("已落实帮扶"), max_length=2000, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("帮教方案")
        ordering = ["-created_at", "-pk"]

    def help_labels(self) -> list[str]:
        labels = dict(c.Help.choices)
        return [str(labels.get(k, k)) for k in self.help_kinds]


class Review(ScopedChild):
    """A scheduled review of the plan; it may change the risk level (and so the schedule)."""

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField(_("评估日期"))
    risk_before = models.CharField(max_length=8, choices=c.Risk.choices)
    risk_after = models.CharField(_("评估后风险"), max_length=8, choices=c.Risk.choices)
    findings = LimitedTextField(_("评估意见"), max_length=2000)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = _("方案评估")
        ordering = ["-reviewed_on", "-pk"]


class Visit(ScopedChild):
    """A due visit (走访) and, once done, what was found."""

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="visits")
    due_on = models.DateField(_("应访日期"), db_index=True)
    responsible = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("走访责任人"))
    done_at = models.DateTimeField(_("走访时间"), null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+")
    kind = models.CharField(_("方式"), max_length=8, choices=c.VisitKind.choices, blank=True)
    notes = LimitedTextField(_("走访情况"), max_length=2000, blank=True)
    overdue_alerted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("帮教走访")
        ordering = ["due_on", "pk"]
        constraints = [models.UniqueConstraint(fields=["record"], condition=Q(done_at__isnull=True),
                                               name="support_one_open_visit")]

    @property
    def overdue(self) -> bool:
        return self.done_at is None and self.due_on < timezone.localdate()


class GlassGrant(ScopedModel):
    """Break the glass: a staff member outside the team reads a record for a stated reason, until a time.
    The security admin of the region sees every one (scope `within`)."""

    scope_roles = {"view": {Role.SECURITY_ADMIN}, "review": {Role.SECURITY_ADMIN}}

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="glass_grants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("理由"), max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("有效至"), db_index=True)
    seen_by_security = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                         blank=True, related_name="+")
    seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("紧急查阅")
        ordering = ["-created_at", "-pk"]

    @property
    def live(self) -> bool:
        return self.expires_at > timezone.now()
