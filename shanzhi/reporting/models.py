"""逐级审核 of reported figures: a community's monthly report, approved by the street, then the district.

A report kind is data (`ReportKind`: a name and a list of indicator keys from `core.indicators`). A `Report` is
one version of one community's report of one kind for one month: its figures (`values`, computed through the
indicators and adjustable by the preparer while it is a draft) go up the chain in `workflow.py`. Once the
district approves, the version is a frozen snapshot: its figures never change again (`save` refuses and the
services refuse); a later correction is a new version (`number` + 1) with a reason. Department data users read
approved snapshots only (the `approved_within` scope strategy)."""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shanzhi.core.errors import ServiceError
from shanzhi.core.roles import COMMUNITY_ROLES, Role
from shanzhi.core.scope import prefixes_for_roles
from shanzhi.core.scoping import ScopedModel, prefix_q, within

PREPARER_ROLES = set(COMMUNITY_ROLES)
STREET_ROLES = {Role.STREET_MANAGER}
DISTRICT_ROLES = {Role.DISTRICT_MANAGER}
CHAIN_ROLES = PREPARER_ROLES | STREET_ROLES | DISTRICT_ROLES
READER_ROLES = {Role.DEPARTMENT_VIEWER}


class ReportState(models.TextChoices):
    DRAFT = "draft", _("编制中")
    SUBMITTED = "submitted", _("待街道审核")
    STREET_APPROVED = "street_approved", _("待区级审核")
    APPROVED = "approved", _("已审定")
    RETURNED = "returned", _("已退回")


EDITABLE_STATES = (ReportState.DRAFT, ReportState.RETURNED)


def _approved_rows(model, user, action, roles):
    prefixes = prefixes_for_roles(user, roles)
    return prefix_q(model.scope_field, prefixes) & Q(state=ReportState.APPROVED) if prefixes else None


def approved_within(actor, obj, roles) -> bool:
    """As `within`, for approved snapshots only (departments read nothing else)."""
    return getattr(obj, "state", "") == ReportState.APPROVED and within(actor, obj, roles)


approved_within.rows = _approved_rows


class ReportKind(models.Model):
    """What a monthly report holds: a list of indicator keys (`core.indicators`), in the order shown."""

    key = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    indicators = models.JSONField(_("指标"), default=list)
    requested_by = models.CharField(_("提出部门"), max_length=60, blank=True)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("报表种类")
        verbose_name_plural = _("报表种类")
        ordering = ["key"]

    def __str__(self):
        return self.name


def digest(values: dict) -> str:
    return hashlib.sha256(json.dumps(values, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


class Report(ScopedModel):
    """One version of a community's monthly report (its region code is the community's)."""

    scope_roles = {"view": CHAIN_ROLES | READER_ROLES, "change": CHAIN_ROLES}
    scope_strategies = {"view": ((within, CHAIN_ROLES), (approved_within, READER_ROLES))}

    kind = models.ForeignKey(ReportKind, on_delete=models.PROTECT, related_name="reports", verbose_name=_("报表"))
    period = models.DateField(_("月份"), help_text=_("当月第一天"))
    number = models.PositiveSmallIntegerField(_("版本"), default=1)
    previous = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="correction")
    correction_reason = models.CharField(_("更正原因"), max_length=300, blank=True)
    values = models.JSONField(_("数据"), default=dict)
    computed = models.JSONField(_("系统计算值"), default=dict)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    state = models.CharField(_("状态"), max_length=16, choices=ReportState.choices, default=ReportState.DRAFT,
                             db_index=True)
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    street_approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                           blank=True, related_name="+")
    street_approved_at = models.DateTimeField(null=True, blank=True)
    district_approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                             blank=True, related_name="+")
    approved_at = models.DateTimeField(_("审定时间"), null=True, blank=True, db_index=True)
    return_note = models.CharField(_("退回理由"), max_length=300, blank=True)
    # the digest of `values` taken at approval: the frozen snapshot's seal
    sealed = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("月报")
        verbose_name_plural = _("月报")
        ordering = ["-period", "region_code", "kind_id", "-number"]
        constraints = [models.UniqueConstraint(fields=["region_code", "kind", "period", "number"],
                                               name="uniq_report_version")]
        indexes = [models.Index(fields=["region_code", "state"]), models.Index(fields=["kind", "period", "state"])]

    def __str__(self):
        return f"{self.kind} {self.period:%Y-%m} v{self.number}"

    @property
    def frozen(self) -> bool:
        return bool(self.sealed)

    def save(self, *args, **kwargs):
        """A sealed snapshot is never written again (the workflow's conditional UPDATEs don't pass here, and
        they never touch the figures)."""
        if self.pk and type(self)._base_manager.filter(pk=self.pk).exclude(sealed="").exists():
            raise ServiceError(_("已审定的数据已冻结，不能修改；请提交更正（生成新版本）"))
        super().save(*args, **kwargs)
