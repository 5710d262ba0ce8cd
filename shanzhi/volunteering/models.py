"""Volunteers, teams, activities, sign-ups with attendance, the 爱心超市 (points store) and certificates.

Scope: staff see rows in their regions (`restrict(user, "view"|"change")`); residents see the open
activities of their own community (`"join"`) and their own rows (`"own"`), both through the same
`restrict()` chokepoint (the `scope_strategies` of ParticipationModel).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shanzhi.core.fields import LimitedTextField
from shanzhi.core.roles import COMMUNITY_ROLES, GRID_ROLES, STAFF_ROLES, Role
from shanzhi.core.scoping import COMMUNITY_CODE_LEN, ScopedModel, in_community, owner

from .choices import ActivityState, CheckKind, OrderState, RequestState, SignUpState

CHANGE_ROLES = set(GRID_ROLES | COMMUNITY_ROLES | {Role.STREET_MANAGER})
OWN_ROLES = set(STAFF_ROLES) | {Role.RESIDENT}
ROLES = {"view": set(STAFF_ROLES), "change": CHANGE_ROLES, "own": OWN_ROLES, "join": {Role.RESIDENT}}


def community_prefix(code: str) -> str:
    """A grid's community (12 digits); shorter codes stay as they are."""
    return code[:COMMUNITY_CODE_LEN]


class ParticipationModel(ScopedModel):
    scope_roles = ROLES
    scope_strategies = {"own": owner, "join": in_community}  # "view" and "change": within
    owner_path = ""  # the path from a row to its owning user, for "own"

    class Meta:
        abstract = True


class Skill(models.Model):
    name = models.CharField(_("技能"), max_length=30, unique=True)

    class Meta:
        verbose_name = _("技能")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Volunteer(ParticipationModel):
    """志愿者: a registry person; staff check the real name (verified_by/at) before points are awarded."""

    owner_path = "person__user"

    person = models.OneToOneField("registry.Person", on_delete=models.PROTECT, related_name="volunteer",
                                  verbose_name=_("人员"))
    skills = models.ManyToManyField(Skill, blank=True, related_name="volunteers", verbose_name=_("技能"))
    intro = models.CharField(_("个人简介"), max_length=200, blank=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("实名核验人"))
    verified_at = models.DateTimeField(_("实名核验时间"), null=True, blank=True)
    registered_at = models.DateTimeField(_("注册时间"), auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("志愿者")
        verbose_name_plural = _("志愿者")

    def __str__(self):
        return self.person.name

    @property
    def verified(self) -> bool:
        return self.verified_at is not None


class VolunteerTeam(ParticipationModel):
    """志愿服务队, kept by a community."""

    name = models.CharField(_("队名"), max_length=60)
    description = models.CharField(_("简介"), max_length=300, blank=True)
    leader = models.ForeignKey(Volunteer, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                               verbose_name=_("队长"))
    members = models.ManyToManyField(Volunteer, blank=True, related_name="teams", verbose_name=_("队员"))
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("志愿服务队")
        verbose_name_plural = _("志愿服务队")
        constraints = [models.UniqueConstraint(fields=["region_code", "name"], name="uniq_team_name")]

    def __str__(self):
        return self.name


class Activity(ParticipationModel):
    title = models.CharField(_("活动名称"), max_length=100)
    description = LimitedTextField(_("活动内容"), max_length=5000, blank=True)
    team = models.ForeignKey(VolunteerTeam, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="activities", verbose_name=_("服务队"))
    organiser = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("组织者"))
    place = models.CharField(_("地点"), max_length=150)
    starts_at = models.DateTimeField(_("开始时间"), db_index=True)
    ends_at = models.DateTimeField(_("结束时间"))
    slots = models.PositiveIntegerField(_("招募人数"))
    points_per_hour = models.PositiveIntegerField(_("每小时积分"), default=10)
    skills = models.ManyToManyField(Skill, blank=True, related_name="activities", verbose_name=_("所需技能"))
    state = models.CharField(_("状态"), max_length=12, choices=ActivityState.choices, default=ActivityState.OPEN,
                             db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("志愿活动")
        verbose_name_plural = _("志愿活动")
        ordering = ["-starts_at"]
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")),
                                              name="activity_ends_after_start"),
                       models.CheckConstraint(condition=Q(slots__gt=0), name="activity_has_slots")]

    def __str__(self):
        return self.title

    @property
    def duration_hours(self) -> float:
        return (self.ends_at - self.starts_at).total_seconds() / 3600

    @property
    def status_label(self) -> str:
        """The state as shown: an open activity that has started or ended says so instead of 招募中."""
        if self.state == ActivityState.OPEN:
            now = timezone.now()
            if now >= self.ends_at:
                return str(_("已结束"))
            if now >= self.starts_at:
                return str(_("进行中"))
        return self.get_state_display()


class SignUp(ParticipationModel):
    """报名: reviewed by staff (workflow.SIGNUP); attendance and the points awarded for it."""

    owner_path = "volunteer__person__user"

    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="signups",
                                 verbose_name=_("活动"))
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="signups",
                                  verbose_name=_("志愿者"))
    team = models.ForeignKey(VolunteerTeam, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                             verbose_name=_("服务队"))
    state = models.CharField(_("状态"), max_length=12, choices=SignUpState.choices, default=SignUpState.PENDING,
                             db_index=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("签退时间"), null=True, blank=True)
    hours = models.DecimalField(_("服务时长(小时)"), max_digits=6, decimal_places=1, default=0)
    points = models.PositiveIntegerField(_("积分"), default=0)
    transfer = models.ForeignKey("ledger.Transfer", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+")
    created_at = models.DateTimeField(_("报名时间"), auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("报名")
        verbose_name_plural = _("报名")
        constraints = [models.UniqueConstraint(fields=["activity", "volunteer"], name="uniq_signup")]
        # rankings aggregate hours and points by volunteer over a period: covering indexes let
        # PostgreSQL answer them from the index alone
        indexes = [models.Index(fields=["region_code", "checked_out_at", "volunteer", "hours", "points"],
                                name="signup_rank_region"),
                   models.Index(fields=["team", "checked_out_at", "region_code", "volunteer", "hours", "points"],
                                name="signup_rank_team_scoped")]

    def __str__(self):
        return f"{self.volunteer} · {self.activity}"


class SignUpHistory(models.Model):
    signup = models.ForeignKey(SignUp, on_delete=models.CASCADE, related_name="history")
    action = models.CharField(max_length=30)
    label = models.CharField(max_length=30)
    from_state = models.CharField(max_length=12)
    to_state = models.CharField(max_length=12)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    note = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]


class LateCheckRequest(ParticipationModel):
    """补卡: a volunteer asks the organiser to record a missed check-in or check-out."""

    owner_path = "signup__volunteer__person__user"

    signup = models.ForeignKey(SignUp, on_delete=models.CASCADE, related_name="late_requests",
                               verbose_name=_("报名"))
    kind = models.CharField(_("补卡类型"), max_length=12, choices=CheckKind.choices)
    claimed_at = models.DateTimeField(_("实际时间"))
    reason = models.CharField(_("理由"), max_length=200)
    state = models.CharField(_("状态"), max_length=12, choices=RequestState.choices, default=RequestState.PENDING,
                             db_index=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("补卡申请")
        verbose_name_plural = _("补卡申请")


class Donation(ParticipationModel):
    """社会捐赠: goods given to the 爱心超市 by a unit, disclosed publicly."""

    unit = models.ForeignKey("registry.Unit", on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="donations", verbose_name=_("捐赠单位"))
    donor_name = models.CharField(_("捐赠方"), max_length=100)
    description = models.CharField(_("捐赠物品"), max_length=200)
    quantity = models.PositiveIntegerField(_("数量"))
    value = models.DecimalField(_("折合金额(元)"), max_digits=10, decimal_places=2, null=True, blank=True)
    received_on = models.DateField(_("接收日期"))
    public = models.BooleanField(_("公开"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("社会捐赠")
        verbose_name_plural = _("社会捐赠")
        ordering = ["-received_on", "-id"]

    def __str__(self):
        return f"{self.donor_name} · {self.description}"


class StoreItem(ParticipationModel):
    """An item of a community's 爱心超市. Stock never goes below zero (CHECK + conditional UPDATE)."""

    name = models.CharField(_("物品名称"), max_length=60)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    points_price = models.PositiveIntegerField(_("所需积分"))
    stock = models.IntegerField(_("库存"), default=0)
    per_person_limit = models.PositiveSmallIntegerField(_("每人限兑"), default=0, help_text=_("0 表示不限"))
    active = models.BooleanField(_("上架"), default=True)
    donation = models.ForeignKey(Donation, on_delete=models.SET_NULL, null=True, blank=True, related_name="items",
                                 verbose_name=_("来源捐赠"))
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("超市物品")
        verbose_name_plural = _("超市物品")
        ordering = ["points_price", "name"]
        constraints = [models.CheckConstraint(condition=Q(stock__gte=0), name="store_item_stock_not_negative"),
                       models.CheckConstraint(condition=Q(points_price__gt=0), name="store_item_price_positive")]

    def __str__(self):
        return self.name


class Order(ParticipationModel):
    """兑换: points frozen in escrow and stock reserved until staff redeem it with the code (核销) or it is cancelled."""

    owner_path = "person__user"

    item = models.ForeignKey(StoreItem, on_delete=models.PROTECT, related_name="orders", verbose_name=_("物品"))
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="store_orders",
                               verbose_name=_("兑换人"))
    quantity = models.PositiveSmallIntegerField(_("数量"), default=1)
    points = models.PositiveIntegerField(_("积分"))
    code = models.CharField(_("核销码"), max_length=12, unique=True)
    state = models.CharField(_("状态"), max_length=12, choices=OrderState.choices, default=OrderState.FROZEN,
                             db_index=True)
    freeze_transfer = models.ForeignKey("ledger.Transfer", on_delete=models.PROTECT, related_name="+")
    settle_transfer = models.ForeignKey("ledger.Transfer", on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("下单时间"), auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("兑换订单")
        verbose_name_plural = _("兑换订单")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["person", "item", "state"])]

    def __str__(self):
        return f"{self.item} × {self.quantity}"


class Certificate(ParticipationModel):
    """志愿服务证明: content frozen at issue time with its SHA-256, verified publicly by code."""

    owner_path = "volunteer__person__user"

    code = models.CharField(_("验证码"), max_length=20, unique=True)
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="certificates")
    content = models.JSONField(_("证明内容"))
    content_hash = models.CharField(_("内容摘要"), max_length=64)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    issued_at = models.DateTimeField(_("开具时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("志愿服务证明")
        verbose_name_plural = _("志愿服务证明")
        ordering = ["-issued_at"]

    def __str__(self):
        return self.code


class PointRule(models.Model):
    """志愿积分规则 of a district (the default and the ceiling) or a street (an override within the district's
    ceiling). An activity created without its own points per hour takes the rule of its street, else its
    district; the activity keeps the value it was created with. Set on 系统配置 → 志愿积分规则."""

    region_code = models.CharField(_("区域代码"), max_length=20, unique=True)
    points_per_hour = models.PositiveIntegerField(_("每小时积分"))
    max_points_per_hour = models.PositiveIntegerField(_("每小时积分上限"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("志愿积分规则")
        verbose_name_plural = _("志愿积分规则")
        ordering = ["region_code"]
        constraints = [models.CheckConstraint(condition=Q(points_per_hour__gt=0), name="point_rule_positive")]

    def __str__(self):
        return f"{self.region_code}: {self.points_per_hour}"
