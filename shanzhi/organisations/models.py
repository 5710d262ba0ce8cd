"""社会组织: the registry of social organisations, their staff and 社工 with qualifications, 孵化, annual inspection,
等级评估 (1A–5A on an indicator form), the credit record and status (暂停、注销).

Scope: staff see organisations registered in or above their region (`community_widened`); an organisation's own
staff (social_org_staff with a membership) see only their organisation (`member`); managers change them.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shanzhi.core.fields import LimitedTextField
from shanzhi.core.roles import MANAGER_ROLES, STAFF_ROLES, Role
from shanzhi.core.scoping import ScopedModel, community_widened, member, owner

from .choices import CreditSource, IncubationStage, InspectionResult, OrgKind, OrgStatus, Qualification

ORG_STAFF = {Role.SOCIAL_ORG_STAFF}
ASSESSOR = {Role.THIRD_PARTY_ASSESSOR}
ORG_ROLES = {
    "view": set(STAFF_ROLES) | ORG_STAFF | ASSESSOR,
    "change": set(MANAGER_ROLES),
    "grade": ASSESSOR | set(MANAGER_ROLES),
    "own": ORG_STAFF,
}


class OrgScoped(ScopedModel):
    """Rows of one organisation: staff by region, the organisation's members by membership."""

    scope_roles = ORG_ROLES
    scope_strategies = {
        "view": ((community_widened, set(STAFF_ROLES) | ASSESSOR), (member, ORG_STAFF)),
        "own": member,
        "grade": community_widened,
    }
    member_path = "organisation__members__user"

    class Meta:
        abstract = True


class Organisation(OrgScoped):
    """One social organisation; region_code is the street or district it is registered with."""

    member_path = "members__user"

    name = models.CharField(_("名称"), max_length=100)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True, null=True, blank=True,
                            help_text=_("备案的社区社会组织可以没有"))
    kind = models.CharField(_("类型"), max_length=16, choices=OrgKind.choices)
    legal_rep = models.CharField(_("法定代表人/负责人"), max_length=40)
    service_area = models.CharField(_("服务领域"), max_length=100, blank=True, help_text=_("如 为老服务、青少年、助残"))
    service_communities = models.ManyToManyField("regions.Region", blank=True, related_name="+",
                                                 verbose_name=_("服务社区"))
    contact_name = models.CharField(_("联系人"), max_length=40, blank=True)
    address = models.CharField(_("办公地址"), max_length=120, blank=True)
    registered_on = models.DateField(_("登记/备案日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=14, choices=OrgStatus.choices, default=OrgStatus.ACTIVE,
                              db_index=True)
    status_reason = models.CharField(_("状态说明"), max_length=300, blank=True)
    grade = models.PositiveSmallIntegerField(_("评估等级"), default=0, help_text=_("0 未评估，1–5 即 1A–5A"))
    incubation_stage = models.CharField(_("孵化阶段"), max_length=12, choices=IncubationStage.choices, blank=True,
                                        default="")
    credit_score = models.IntegerField(_("信用分"), default=100)
    # residents' complaints about its service are cases dispatched to this handling body; closing them moves the
    # credit score (organisations.complaints)
    body = models.OneToOneField("cases.HandlingBody", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="organisation", verbose_name=_("承办单位"))
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("社会组织")
        verbose_name_plural = _("社会组织")
        ordering = ["name", "id"]
        constraints = [models.CheckConstraint(condition=Q(grade__gte=0, grade__lte=5), name="org_grade_range")]

    def __str__(self):
        return self.name

    @property
    def grade_label(self) -> str:
        return f"{self.grade}A" if self.grade else str(_("未评估"))


class OrgMember(OrgScoped):
    """A member of staff or 社工; `user` links the account that signs in as social_org_staff."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="org_memberships", verbose_name=_("登录账号"))
    name = models.CharField(_("姓名"), max_length=40)
    position = models.CharField(_("岗位"), max_length=40, blank=True)
    qualification = models.CharField(_("社工资格"), max_length=14, choices=Qualification.choices, blank=True,
                                     default="")
    certificate_no = models.CharField(_("证书编号"), max_length=40, blank=True)
    certificate_expiry = models.DateField(_("证书有效期至"), null=True, blank=True)

    class Meta:
        verbose_name = _("社会组织人员")
        verbose_name_plural = _("社会组织人员")
        ordering = ["organisation", "name", "id"]
        constraints = [models.UniqueConstraint(fields=["organisation", "user"], condition=Q(user__isnull=False),
                                               name="uniq_org_member_user")]

    def __str__(self):
        return self.name


class Incubation(OrgScoped):
    """One stage of 孵化, with its mentor and dates."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="incubations")
    stage = models.CharField(_("阶段"), max_length=12, choices=IncubationStage.choices)
    mentor = models.CharField(_("导师"), max_length=60)
    started_on = models.DateField(_("开始日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("孵化记录")
        verbose_name_plural = _("孵化记录")
        ordering = ["organisation", "started_on", "id"]


class Inspection(OrgScoped):
    """年检: one result per organisation and year."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="inspections")
    year = models.PositiveSmallIntegerField(_("年度"))
    result = models.CharField(_("结论"), max_length=8, choices=InspectionResult.choices)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("年检")
        verbose_name_plural = _("年检")
        ordering = ["organisation", "-year"]
        constraints = [models.UniqueConstraint(fields=["organisation", "year"], name="uniq_org_inspection_year")]


class GradeAssessment(OrgScoped):
    """等级评估: an assessor's scores against the indicator form; the total decides the grade."""

    scope_strategies = {**OrgScoped.scope_strategies, "assess": owner}
    scope_roles = {**ORG_ROLES, "assess": ASSESSOR | set(MANAGER_ROLES)}
    owner_field = "assessor"
    owner_path = "assessor"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="assessments")
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("评估人"))
    scores = models.JSONField(_("得分"), default=dict)
    total = models.DecimalField(_("总分"), max_digits=5, decimal_places=1, default=0)
    grade = models.PositiveSmallIntegerField(_("评定等级"), default=0)
    comment = LimitedTextField(_("评语"), max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("等级评估")
        verbose_name_plural = _("等级评估")
        ordering = ["-created_at", "-id"]


class CreditRecord(OrgScoped):
    """One change of an organisation's credit score and why (project results, complaints, inspection)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="credit_records")
    source = models.CharField(_("来源"), max_length=12, choices=CreditSource.choices)
    delta = models.IntegerField(_("分值变化"))
    reason = models.CharField(_("原因"), max_length=200)
    reference = models.CharField(_("关联"), max_length=60, blank=True, help_text=_("如 project:12"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("信用记录")
        verbose_name_plural = _("信用记录")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["organisation", "source", "reference"],
                                               condition=~Q(reference=""), name="uniq_org_credit_reference")]
