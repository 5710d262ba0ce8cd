"""Party organisation (四级体系) mapped onto regions, members, 双报到, 大党委 co-building units, joint
meetings, 党员联系户 and service records with party points ("做事加分、错误减分") on the party ledger."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shanzhi.core.fields import LimitedTextField
from shanzhi.core.roles import COMMUNITY_ROLES, STAFF_ROLES, Role
from shanzhi.core.scoping import ScopedModel

from .choices import MemberCategory, OrgLevel, RecordState

PARTY_ROLES = {"view": set(STAFF_ROLES),
               "change": set(COMMUNITY_ROLES | {Role.STREET_MANAGER}),
               "approve": {Role.COMMUNITY_SECRETARY, Role.STREET_MANAGER}}


class PartyModel(ScopedModel):
    scope_roles = PARTY_ROLES
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True


class PartyOrg(PartyModel):
    """A party organisation on a region node; its region_code is that node's code."""

    name = models.CharField(_("组织名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=24, choices=OrgLevel.choices)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children",
                               verbose_name=_("上级组织"))
    building = models.ForeignKey("registry.Building", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+", verbose_name=_("楼栋"))
    is_joint_committee = models.BooleanField(_("大党委"), default=False,
                                             help_text=_("吸纳共建单位的区域化党建联合党委"))
    secretary = models.CharField(_("书记"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("党组织")
        verbose_name_plural = _("党组织")
        ordering = ["region_code", "name"]
        constraints = [models.UniqueConstraint(fields=["region_code", "name"], name="uniq_party_org_name")]

    def __str__(self):
        return self.name


class PartyMember(PartyModel):
    """A party member: a registry person in an organisation. region_code is the person's residence grid."""

    person = models.OneToOneField("registry.Person", on_delete=models.PROTECT, related_name="party_member",
                                  verbose_name=_("人员"))
    org = models.ForeignKey(PartyOrg, on_delete=models.PROTECT, related_name="members", verbose_name=_("所在组织"))
    category = models.CharField(_("党员类别"), max_length=12, choices=MemberCategory.choices,
                                default=MemberCategory.COMMUNITY, db_index=True)
    joined_on = models.DateField(_("入党日期"), null=True, blank=True)
    workplace = models.ForeignKey("registry.Unit", on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+", verbose_name=_("工作单位"))
    workplace_name = models.CharField(_("工作单位名称"), max_length=150, blank=True)
    central_household = models.ForeignKey("registry.Household", on_delete=models.SET_NULL, null=True, blank=True,
                                          related_name="+", verbose_name=_("党员中心户"))

    class Meta:
        verbose_name = _("党员")
        verbose_name_plural = _("党员")

    def __str__(self):
        return self.person.name


class DualCheckIn(PartyModel):
    """双报到: an employed member (and their workplace) registers with the residence community."""

    member = models.ForeignKey(PartyMember, on_delete=models.PROTECT, related_name="dual_check_ins",
                               verbose_name=_("党员"))
    community_code = models.CharField(_("报到社区"), max_length=20, db_index=True)
    unit_name = models.CharField(_("所在单位"), max_length=150)
    service_wish = models.CharField(_("服务意向"), max_length=200, blank=True)
    checked_in_on = models.DateField(_("报到日期"))

    class Meta:
        verbose_name = _("双报到")
        verbose_name_plural = _("双报到")
        constraints = [models.UniqueConstraint(fields=["member", "community_code"], name="uniq_dual_check_in")]


class CoBuildingUnit(PartyModel):
    """共建单位 of a community's 大党委."""

    joint_committee = models.ForeignKey(PartyOrg, on_delete=models.PROTECT, related_name="co_building_units",
                                        verbose_name=_("大党委"))
    unit = models.ForeignKey("registry.Unit", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                             verbose_name=_("驻区单位"))
    name = models.CharField(_("单位名称"), max_length=150)
    commitments = models.CharField(_("共建事项"), max_length=300, blank=True)
    joined_on = models.DateField(_("加入日期"))

    class Meta:
        verbose_name = _("共建单位")
        verbose_name_plural = _("共建单位")
        constraints = [models.UniqueConstraint(fields=["joint_committee", "name"], name="uniq_co_building_unit")]

    def __str__(self):
        return self.name


class JointMeeting(PartyModel):
    """联席会议 of a 大党委 with its co-building units, with resolutions."""

    joint_committee = models.ForeignKey(PartyOrg, on_delete=models.PROTECT, related_name="meetings",
                                        verbose_name=_("大党委"))
    held_on = models.DateField(_("会议日期"))
    topic = models.CharField(_("议题"), max_length=200)
    units = models.ManyToManyField(CoBuildingUnit, blank=True, related_name="meetings", verbose_name=_("参会单位"))
    attendees = models.ManyToManyField(PartyMember, blank=True, related_name="meetings", verbose_name=_("参会党员"))
    resolutions = LimitedTextField(_("会议决议"), max_length=5000, help_text=_("每行一条"))

    class Meta:
        verbose_name = _("联席会议")
        verbose_name_plural = _("联席会议")
        ordering = ["-held_on"]

    def resolution_list(self) -> list[str]:
        return [r.strip() for r in self.resolutions.splitlines() if r.strip()]


class MemberHousehold(PartyModel):
    """党员联系户: a household a member serves."""

    member = models.ForeignKey(PartyMember, on_delete=models.CASCADE, related_name="served_households",
                               verbose_name=_("党员"))
    household = models.ForeignKey("registry.Household", on_delete=models.CASCADE, related_name="+",
                                  verbose_name=_("联系户"))

    class Meta:
        verbose_name = _("党员联系户")
        constraints = [models.UniqueConstraint(fields=["member", "household"], name="uniq_member_household")]


class ServiceRecord(PartyModel):
    """A member's service (加分) or fault (减分); approved records move party points through the ledger."""

    member = models.ForeignKey(PartyMember, on_delete=models.PROTECT, related_name="service_records",
                               verbose_name=_("党员"))
    description = models.CharField(_("事项"), max_length=200)
    points = models.IntegerField(_("积分"), help_text=_("正数加分，负数减分"))
    happened_on = models.DateField(_("日期"))
    state = models.CharField(_("状态"), max_length=12, choices=RecordState.choices, default=RecordState.PENDING,
                             db_index=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    transfer = models.ForeignKey("ledger.Transfer", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+")

    class Meta:
        verbose_name = _("党员积分记录")
        verbose_name_plural = _("党员积分记录")
        ordering = ["-happened_on", "-id"]
        constraints = [models.CheckConstraint(condition=~Q(points=0), name="service_record_nonzero")]
