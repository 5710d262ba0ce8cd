"""智慧社区+ services: the 事项 catalogue, 全程代办 requests, venues and their bookings, and the service points
of the 便民服务地图, with the record of which service met which resident need.

Two bookings of one slot can never both succeed: `Booking` has a UNIQUE (venue, date, start) constraint over
the states that hold a slot, so the database refuses the second insert whatever the timing.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shanzhi.core.fields import LimitedTextField
from shanzhi.core.roles import COMMUNITY_ROLES, STAFF_ROLES, Role
from shanzhi.core.scoping import CommunityModel, ScopedModel, owner, within

from . import choices as c

MANAGERS = frozenset(COMMUNITY_ROLES | {Role.STREET_MANAGER, Role.DISTRICT_MANAGER})
STAFF = frozenset(STAFF_ROLES)
RESIDENTS = frozenset({Role.RESIDENT})
BOOKERS = frozenset({Role.RESIDENT, Role.SOCIAL_ORG_STAFF})


class ServiceItem(CommunityModel):
    """One 事项 of the catalogue: which department decides it, what to bring, how long it may take by law,
    what it costs, where to go, and whether the community may act for the resident (代办)."""

    scope_roles = {"view": STAFF | RESIDENTS, "change": MANAGERS}
    scope_strategies = {"change": within}

    name = models.CharField(_("事项名称"), max_length=100)
    department = models.CharField(_("办理部门"), max_length=100)
    materials = LimitedTextField(_("所需材料"), max_length=2000, blank=True, help_text=_("每行一项"))
    legal_days = models.PositiveSmallIntegerField(_("法定时限(工作日)"), default=5)
    fee = models.DecimalField(_("收费(元)"), max_digits=8, decimal_places=2, default=0)
    where = models.CharField(_("办理地点"), max_length=200, blank=True)
    proxy_allowed = models.BooleanField(_("可由社区代办"), default=True)
    active = models.BooleanField(_("启用"), default=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("服务事项")
        verbose_name_plural = _("服务事项")
        ordering = ["name", "id"]

    def __str__(self):
        return self.name

    def material_names(self) -> list[str]:
        return [line.strip() for line in self.materials.splitlines() if line.strip()]


def _signature_path(instance, filename):
    return f"services/signatures/{instance.pk}/{filename[-60:]}"


class ProxyRequest(ScopedModel):
    """全程代办: a resident's (or a desk clerk's, for someone) request that the community carry a 事项 through."""

    scope_roles = {"view": STAFF | RESIDENTS, "change": STAFF, "own": RESIDENTS}
    scope_strategies = {"view": ((within, STAFF), (owner, RESIDENTS)), "own": owner}
    owner_field = "applicant"
    owner_path = "applicant"

    number = models.CharField(_("编号"), max_length=20, unique=True)
    item = models.ForeignKey(ServiceItem, on_delete=models.PROTECT, related_name="requests", verbose_name=_("事项"))
    channel = models.CharField(_("来源"), max_length=8, choices=c.Channel.choices, default=c.Channel.ONLINE)
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+", verbose_name=_("申请人账号"))
    person = models.ForeignKey("registry.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                               verbose_name=_("申请人"))
    applicant_name = models.CharField(_("申请人姓名"), max_length=50)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    state = models.CharField(_("状态"), max_length=14, choices=c.RequestState.choices,
                             default=c.RequestState.SUBMITTED, db_index=True)
    handler = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+", verbose_name=_("代办员"))
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    due_at = models.DateTimeField(_("办结时限"), null=True, blank=True, db_index=True)
    due_estimated = models.BooleanField(default=False)
    result = models.CharField(_("办理结果"), max_length=300, blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    completed_on_time = models.BooleanField(null=True, blank=True)
    signature_kind = models.CharField(_("签收方式"), max_length=8, choices=c.SignatureKind.choices, blank=True)
    signed_name = models.CharField(_("签收人"), max_length=50, blank=True)
    signature = models.FileField(_("签名"), upload_to=_signature_path, blank=True,
                                 help_text=_("屏幕签名的图像，或签收单的扫描件"))
    rating = models.PositiveSmallIntegerField(_("评分"), null=True, blank=True)
    rating_comment = models.CharField(_("评价"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True, db_index=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("代办申请")
        verbose_name_plural = _("代办申请")
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                                              name="proxy_rating_1_5")]

    def __str__(self):
        return f"{self.number} {self.item.name}"


def _scan_path(instance, filename):
    return f"services/scans/{instance.request_id}/{filename[-60:]}"


class RequestMaterial(models.Model):
    """One line of the request's materials checklist, with its scan once the desk has it."""

    request = models.ForeignKey(ProxyRequest, on_delete=models.CASCADE, related_name="materials")
    name = models.CharField(_("材料"), max_length=100)
    received = models.BooleanField(_("已收取"), default=False)
    scan = models.FileField(_("扫描件"), upload_to=_scan_path, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["request", "name"], name="uniq_request_material")]


class RequestStep(models.Model):
    """The request's timeline: every transition, and every step the clerk records on the way."""

    request = models.ForeignKey(ProxyRequest, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(_("操作"), max_length=30)
    label = models.CharField(_("环节"), max_length=40)
    from_state = models.CharField(max_length=14, blank=True)
    to_state = models.CharField(max_length=14, blank=True)
    note = models.CharField(_("记录"), max_length=300, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+")
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["at", "id"]


class Venue(CommunityModel):
    """A room of the community or a facility a unit opens to residents, with its opening rule."""

    scope_roles = {"view": STAFF | BOOKERS, "change": MANAGERS}
    scope_strategies = {"change": within}

    name = models.CharField(_("场地名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=c.VenueKind.choices)
    provider = models.CharField(_("开放单位"), max_length=100, blank=True, help_text=_("如 育才小学"))
    unit = models.ForeignKey("registry.Unit", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                             verbose_name=_("开放单位(单位库)"))
    address = models.CharField(_("地址"), max_length=200, blank=True)
    area = models.DecimalField(_("面积(㎡)"), max_digits=9, decimal_places=1, default=0)
    capacity = models.PositiveIntegerField(_("容纳人数"), default=20)
    weekdays = models.CharField(_("开放日"), max_length=7, default="1234567", help_text=_("1=周一 … 7=周日"))
    opens_at = models.TimeField(_("开放时间"), default=dt.time(8))
    closes_at = models.TimeField(_("关闭时间"), default=dt.time(21))
    slot_minutes = models.PositiveSmallIntegerField(_("每段时长(分钟)"), default=60)
    needs_approval = models.BooleanField(_("预约需审批"), default=False)
    advance_days = models.PositiveSmallIntegerField(_("可提前预约天数"), default=14)
    no_show_limit = models.PositiveSmallIntegerField(_("爽约上限(90天)"), default=3)
    rules = models.CharField(_("使用须知"), max_length=500, blank=True)
    active = models.BooleanField(_("开放"), default=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("场地")
        verbose_name_plural = _("场地")
        ordering = ["name", "id"]
        constraints = [models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")),
                                              name="venue_opens_before_close"),
                       models.CheckConstraint(condition=Q(slot_minutes__gte=15), name="venue_slot_15")]

    def __str__(self):
        return self.name


class VenueClosure(models.Model):
    """A day of the venue's calendar when it is closed (exam day, holiday, repairs)."""

    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="closures")
    date = models.DateField(_("日期"))
    reason = models.CharField(_("原因"), max_length=100)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["venue", "date"], name="uniq_venue_closure")]


class Booking(ScopedModel):
    """One slot of one venue on one day. The UNIQUE constraint over slot-holding states is the guarantee."""

    scope_roles = {"view": STAFF | BOOKERS, "decide": MANAGERS, "checkin": STAFF, "own": BOOKERS}
    scope_strategies = {"view": ((within, STAFF), (owner, BOOKERS)), "own": owner}
    owner_field = "booker"
    owner_path = "booker"

    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("场地"))
    date = models.DateField(_("日期"), db_index=True)
    start = models.TimeField(_("开始"))
    end = models.TimeField(_("结束"))
    booker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+", verbose_name=_("预约人"))
    booker_name = models.CharField(_("预约人"), max_length=50)
    organisation = models.CharField(_("组织"), max_length=100, blank=True)
    purpose = models.CharField(_("用途"), max_length=200)
    people = models.PositiveIntegerField(_("人数"), default=1)
    state = models.CharField(_("状态"), max_length=12, choices=c.BookingState.choices, db_index=True)
    checkin_token = models.CharField(max_length=32, unique=True)
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    decision_note = models.CharField(_("审批意见"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("场地预约")
        verbose_name_plural = _("场地预约")
        ordering = ["-date", "start", "id"]
        constraints = [
            models.UniqueConstraint(fields=["venue", "date", "start"], condition=Q(state__in=c.SLOT_HOLDING),
                                    name="uniq_booking_slot"),
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="booking_ends_after_start"),
        ]
        indexes = [models.Index(fields=["booker", "state", "date"])]

    def __str__(self):
        return f"{self.venue.name} {self.date} {self.start:%H:%M}"


class ServicePoint(ScopedModel):
    """A point on the 便民服务地图: clinic, elderly care, childcare, shop, repair, self-service kiosk."""

    scope_roles = {"view": STAFF, "change": MANAGERS}

    name = models.CharField(_("名称"), max_length=100)
    category = models.CharField(_("类别"), max_length=12, choices=c.PointCategory.choices)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    lat = models.FloatField(_("纬度"))
    lng = models.FloatField(_("经度"))
    hours = models.CharField(_("营业时间"), max_length=100, blank=True, help_text=_("如 周一至周五 8:30-17:30"))
    phone = models.CharField(_("服务电话"), max_length=30, blank=True, help_text=_("单位的公开服务电话"))
    description = models.CharField(_("服务内容"), max_length=300, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("服务点")
        verbose_name_plural = _("服务点")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["region_code", "active", "category"])]
        constraints = [models.CheckConstraint(condition=Q(lat__gte=-90, lat__lte=90, lng__gte=-180, lng__lte=180),
                                              name="point_on_earth")]

    def __str__(self):
        return self.name


class NeedMatch(ScopedModel):
    """A resident need (registry) matched to a service point, a 事项, a volunteer or a social organisation."""

    scope_roles = {"view": STAFF, "change": STAFF}

    need = models.ForeignKey("registry.Need", on_delete=models.CASCADE, related_name="matches")
    kind = models.CharField(_("匹配对象"), max_length=14, choices=c.MatchKind.choices)
    point = models.ForeignKey(ServicePoint, on_delete=models.SET_NULL, null=True, blank=True, related_name="matches")
    item = models.ForeignKey(ServiceItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="matches")
    person = models.ForeignKey("registry.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                               verbose_name=_("志愿者"))
    unit = models.ForeignKey("registry.Unit", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                             verbose_name=_("社会组织"))
    target_name = models.CharField(_("匹配到"), max_length=100)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    matched_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("需求匹配")
        verbose_name_plural = _("需求匹配")
        ordering = ["-created_at", "-id"]

