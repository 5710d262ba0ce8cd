"""阳光五务: what a community discloses (党务、事务、居务、财务、服务), published only after review."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from shanzhi.core.fields import LimitedTextField
from shanzhi.core.roles import STAFF_ROLES, Role
from shanzhi.core.scoping import CommunityModel

EDITOR_ROLES = {Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY, Role.STREET_MANAGER}
REVIEWER_ROLES = {Role.COMMUNITY_SECRETARY, Role.STREET_MANAGER}


class Category(models.TextChoices):
    PARTY = "party", _("党务")
    AFFAIRS = "affairs", _("事务")
    RESIDENTS = "residents", _("居务")
    FINANCE = "finance", _("财务")
    SERVICES = "services", _("服务")


class EntryState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审核")
    PUBLISHED = "published", _("已公开")
    REJECTED = "rejected", _("已退回")
    WITHDRAWN = "withdrawn", _("已撤回")


class Direction(models.TextChoices):
    INCOME = "income", _("收入")
    EXPENSE = "expense", _("支出")


class DisclosureEntry(CommunityModel):
    scope_roles = {"view": set(STAFF_ROLES), "change": EDITOR_ROLES}

    category = models.CharField(_("类别"), max_length=12, choices=Category.choices, db_index=True)
    title = models.CharField(_("标题"), max_length=120)
    body = LimitedTextField(_("内容"), max_length=20000, blank=True)
    period = models.CharField(_("期间"), max_length=30, blank=True, help_text=_("如 2025年度、2026年第三季度"))
    state = models.CharField(_("状态"), max_length=10, choices=EntryState.choices, default=EntryState.DRAFT,
                             db_index=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    review_note = models.CharField(_("审核意见"), max_length=300, blank=True)
    published_at = models.DateTimeField(_("公开时间"), null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # the response template (答复模板) the text was started from, if any
    template = models.ForeignKey("replies.ResponseTemplate", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+", verbose_name=_("答复模板"))
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("公开事项")
        verbose_name_plural = _("公开事项")
        ordering = ["-published_at", "-created_at", "-id"]
        indexes = [models.Index(fields=["region_code", "state", "category"])]

    def __str__(self):
        return self.title


class LedgerLine(models.Model):
    """One income or expense line of a finance disclosure, with its voucher (凭证) reference."""

    entry = models.ForeignKey(DisclosureEntry, on_delete=models.CASCADE, related_name="lines")
    date = models.DateField(_("日期"))
    direction = models.CharField(_("收支"), max_length=8, choices=Direction.choices)
    amount = models.DecimalField(_("金额(元)"), max_digits=12, decimal_places=2)
    summary = models.CharField(_("摘要"), max_length=120)
    document_ref = models.CharField(_("凭证"), max_length=60, blank=True)

    class Meta:
        ordering = ["date", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="ledger_amount_positive")]


class PublishingSchedule(models.Model):
    """阳光五务 publishing calendar of a street (a community may set its own): each category is published every
    `every_months` months by day `due_day` (e.g. 财务 monthly by the 10th). Set on 系统配置 → 公开日历."""

    region_code = models.CharField(_("区域代码"), max_length=20, db_index=True)
    category = models.CharField(_("类别"), max_length=12, choices=Category.choices)
    every_months = models.PositiveSmallIntegerField(_("每几个月公开一次"), default=1,
                                                    validators=[MinValueValidator(1), MaxValueValidator(12)])
    due_day = models.PositiveSmallIntegerField(_("截止日"), default=10,
                                               validators=[MinValueValidator(1), MaxValueValidator(28)])
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("公开日历")
        verbose_name_plural = _("公开日历")
        ordering = ["region_code", "category"]
        constraints = [models.UniqueConstraint(fields=["region_code", "category"], name="uniq_publishing_schedule")]

    def __str__(self):
        return f"{self.get_category_display()} / {self.every_months}"
