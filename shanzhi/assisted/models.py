"""代办参与: staff at a community desk or a grid worker on a visit act for a resident who has no account or no
phone, after checking identity in person. A session names both people, is time-limited and audited; every action
taken in it is recorded here with the record it made in the owning app (a support, an answer, a rating, a
sign-up, an order), so the resident sees it in their own history and can dispute it."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shanzhi.core.roles import COMMUNITY_ROLES, GRID_ROLES, Role
from shanzhi.core.scoping import ScopedModel, owner

from . import choices as c

# who may open a session and act in it: the grid and the community desk
ASSIST_ROLES = set(GRID_ROLES | COMMUNITY_ROLES)
# who reviews flagged sessions (and records a resident's dispute brought on paper)
REVIEW_ROLES = {Role.COMMUNITY_SECRETARY, Role.STREET_MANAGER}
DISPUTE_ROLES = set(COMMUNITY_ROLES) | {Role.STREET_MANAGER}
VIEW_ROLES = ASSIST_ROLES | REVIEW_ROLES

# used when no AssistRule covers the region
DEFAULT_LIMITS = {"session_minutes": 30, "sessions_per_day": 20, "actions_per_day": 60}


class AssistRule(models.Model):
    """代办限额 of a district, street or community: how long a session lasts and how many sessions and actions
    one staff member may take a day. The rule with the longest code that the resident's region starts with wins;
    without one, DEFAULT_LIMITS."""

    region_code = models.CharField(_("区域代码"), max_length=20, unique=True)
    session_minutes = models.PositiveSmallIntegerField(_("每次代办时限（分钟）"), default=30,
                                                       validators=[MinValueValidator(5), MaxValueValidator(240)])
    sessions_per_day = models.PositiveSmallIntegerField(_("每人每日代办次数上限"), default=20,
                                                        validators=[MinValueValidator(1), MaxValueValidator(500)])
    actions_per_day = models.PositiveSmallIntegerField(_("每人每日代办事项上限"), default=60,
                                                       validators=[MinValueValidator(1), MaxValueValidator(2000)])
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("代办限额")
        verbose_name_plural = _("代办限额")
        ordering = ["region_code"]

    def __str__(self):
        return f"{self.region_code}: {self.session_minutes}min"


class AssistedSession(ScopedModel):
    """One visit: the staff member, the registry person acted for, how identity was checked (and the household
    head present, if that was the way), when it opens and closes; a dispute flags it for review."""

    scope_roles = {"view": VIEW_ROLES, "act": ASSIST_ROLES, "dispute": DISPUTE_ROLES, "review": REVIEW_ROLES,
                   "own": {Role.RESIDENT}}
    scope_strategies = {"own": owner}
    owner_path = "person__user"
    owner_field = "person_user"  # core.scoping.owner on one object: `person_user_id` below

    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("经办人"))
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("被代办居民"))
    method = models.CharField(_("核验方式"), max_length=20, choices=c.Method.choices)
    head = models.ForeignKey("registry.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=_("在场户主"))
    receipt_code = models.CharField(_("回执编号"), max_length=12, unique=True)
    started_at = models.DateTimeField(_("开始时间"), db_index=True)
    expires_at = models.DateTimeField(_("截止时间"))
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    flagged = models.BooleanField(_("待复核"), default=False, db_index=True)
    flag_reason = models.CharField(_("复核原因"), max_length=500, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(_("复核意见"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("代办会话")
        verbose_name_plural = _("代办会话")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["staff", "started_at"])]

    def __str__(self):
        return f"代办 {self.receipt_code}"

    def is_open(self, now=None) -> bool:
        return self.ended_at is None and (now or timezone.now()) < self.expires_at

    @property
    def person_user_id(self):
        return self.person.user_id


class AssistedAction(models.Model):
    """One act in a session, pointing at what it made in the owning app (`record_id`: the Support, SurveyAnswer,
    CaseRating, SignUp or Order) and at what it was about (`target_id`: the topic, survey, case, activity, item)."""

    session = models.ForeignKey(AssistedSession, on_delete=models.CASCADE, related_name="actions")
    kind = models.CharField(_("事项"), max_length=10, choices=c.Kind.choices)
    target_id = models.PositiveBigIntegerField()
    target_label = models.CharField(_("内容"), max_length=200)
    record_id = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    disputed_at = models.DateTimeField(_("提出异议时间"), null=True, blank=True)
    disputed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    dispute_reason = models.CharField(_("异议理由"), max_length=300, blank=True)
    reverted = models.BooleanField(_("已撤回"), default=False)
    revert_note = models.CharField(_("处理结果"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("代办事项")
        verbose_name_plural = _("代办事项")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.get_kind_display()}：{self.target_label}"
