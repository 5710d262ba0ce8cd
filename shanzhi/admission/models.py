"""社区准入: the three lists per district (versioned, public), the sender departments, the work items they push
to communities and each community's copy of an item (its delivery, which the community completes or refuses).

Scope: a list and a department belong to their district (or street); a work item to its sender's region; a
delivery to the community it reaches, so community staff see exactly their own work items.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shanzhi.core.fields import LimitedTextField
from shanzhi.core.roles import COMMUNITY_ROLES, MANAGER_ROLES, STAFF_ROLES, Role
from shanzhi.core.scoping import ScopedModel

from .choices import DeliveryState, DepartmentKind, ListKind, ListState, WorkKind, WorkState

SENDER_ROLES = {Role.STREET_MANAGER, Role.DISTRICT_MANAGER, Role.HANDLING_BODY_STAFF}
REVIEW_ROLES = {Role.DISTRICT_MANAGER}
COMMUNITY = set(COMMUNITY_ROLES)
DASHBOARD_ROLES = set(COMMUNITY_ROLES | MANAGER_ROLES)


class AdmissionList(ScopedModel):
    """One version of one of a district's three lists. Publishing a version supersedes the one before."""

    scope_roles = {"view": set(STAFF_ROLES) | SENDER_ROLES, "change": REVIEW_ROLES}

    kind = models.CharField(_("清单"), max_length=12, choices=ListKind.choices)
    number = models.PositiveIntegerField(_("版本号"), default=1)
    state = models.CharField(_("状态"), max_length=12, choices=ListState.choices, default=ListState.DRAFT)
    note = models.CharField(_("版本说明"), max_length=200, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("准入清单")
        ordering = ["region_code", "kind", "-number"]
        constraints = [models.UniqueConstraint(fields=["region_code", "kind", "number"], name="uniq_admission_list_no")]

    def __str__(self):
        return f"{self.get_kind_display()} v{self.number}"


class ListItem(models.Model):
    """An item of a list version: name, legal basis, responsible department, whether funding must follow it."""

    list = models.ForeignKey(AdmissionList, on_delete=models.CASCADE, related_name="items", verbose_name=_("清单"))
    seq = models.PositiveIntegerField(_("序号"), default=1)
    name = models.CharField(_("事项名称"), max_length=120)
    legal_basis = models.CharField(_("法律依据"), max_length=300, blank=True)
    department = models.CharField(_("责任部门"), max_length=100, blank=True)
    funding_required = models.BooleanField(_("须费随事转"), default=False)

    class Meta:
        verbose_name = _("清单事项")
        ordering = ["list", "seq", "pk"]

    def __str__(self):
        return self.name


class Department(ScopedModel):
    """A sender: a street section (region = its street) or a district department (region = the district)."""

    scope_roles = {"view": set(STAFF_ROLES) | SENDER_ROLES, "change": REVIEW_ROLES}

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=24, choices=DepartmentKind.choices)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="admission_departments",
                                     verbose_name=_("人员"))
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("派出部门")
        ordering = ["region_code", "name"]
        constraints = [models.UniqueConstraint(fields=["region_code", "name"], name="uniq_admission_department")]

    def __str__(self):
        return self.name


class WorkItem(ScopedModel):
    """工作事项 pushed by a department to communities. Listed items go out at once; unlisted ones wait for the
    district's 准入 review. Region: the sender's (street or district)."""

    scope_roles = {"view": set(MANAGER_ROLES) | SENDER_ROLES, "review": REVIEW_ROLES}

    sender = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="work_items",
                               verbose_name=_("派出部门"))
    kind = models.CharField(_("事项类型"), max_length=12, choices=WorkKind.choices)
    title = models.CharField(_("事项名称"), max_length=120)
    description = LimitedTextField(_("工作要求"), max_length=2000, blank=True)
    list_item = models.ForeignKey(ListItem, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                  verbose_name=_("清单依据"))
    deadline = models.DateField(_("完成期限"))
    funding_amount = models.DecimalField(_("随事经费(元)"), max_digits=12, decimal_places=2, null=True, blank=True)
    funding_source = models.CharField(_("经费来源"), max_length=100, blank=True)
    state = models.CharField(_("状态"), max_length=12, choices=WorkState.choices, default=WorkState.REVIEW)
    communities = models.JSONField(_("下派社区"), default=list)
    review_reason = models.CharField(_("审核意见"), max_length=300, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("审核人"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("发起人"))
    created_at = models.DateTimeField(_("发起时间"), auto_now_add=True)
    sent_at = models.DateTimeField(_("下派时间"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("工作事项")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.title

    @property
    def listed(self) -> bool:
        return self.list_item_id is not None


class Delivery(ScopedModel):
    """A work item as one community receives it. Region: the community."""

    scope_roles = {"view": DASHBOARD_ROLES, "change": COMMUNITY}

    work_item = models.ForeignKey(WorkItem, on_delete=models.CASCADE, related_name="deliveries",
                                  verbose_name=_("工作事项"))
    state = models.CharField(_("状态"), max_length=12, choices=DeliveryState.choices, default=DeliveryState.OPEN)
    # copied from the item so counts per month/sender/kind need no join
    sender = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("派出部门"))
    kind = models.CharField(_("事项类型"), max_length=12, choices=WorkKind.choices)
    listed = models.BooleanField(_("清单内"), default=True)
    sent_on = models.DateField(_("下派日期"), db_index=True)
    month = models.DateField(_("月份"), db_index=True)
    deadline = models.DateField(_("完成期限"))
    reason = models.CharField(_("拒收理由"), max_length=300, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("办理人"))
    decided_at = models.DateTimeField(_("办理时间"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("社区工作事项")
        ordering = ["deadline", "pk"]
        constraints = [models.UniqueConstraint(fields=["work_item", "region_code"], name="uniq_delivery")]
        indexes = [models.Index(fields=["region_code", "month"])]

    def __str__(self):
        return self.work_item.title
