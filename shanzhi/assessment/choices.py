from django.db import models
from django.utils.translation import gettext_lazy as _


class ObjectKind(models.TextChoices):
    COMMUNITY = "community", _("社区")
    STREET = "street", _("街道")
    DEPARTMENT = "department", _("部门")
    STAFF = "staff", _("社区工作者")


class Direction(models.TextChoices):
    TOP_DOWN = "top_down", _("上级考核")
    BOTTOM_UP = "bottom_up", _("社区评议（双向考核）")


class Source(models.TextChoices):
    COMPUTED = "computed", _("平台数据")
    SURVEY = "survey", _("居民评价")
    THIRD_PARTY = "third_party", _("第三方评估")
    MANUAL = "manual", _("人工录入（附佐证）")
    MERIT = "merit", _("做事加分、错误减分")
    COMMUNITY_RATING = "community_rating", _("社区评价")


class RoundState(models.TextChoices):
    OPEN = "open", _("进行中")
    COMPUTED = "computed", _("已计算")
    PUBLISHED = "published", _("已公布")


class AppealState(models.TextChoices):
    SUBMITTED = "submitted", _("待复核")
    UPHELD = "upheld", _("申诉成立")
    DISMISSED = "dismissed", _("申诉不成立")


class MeritKind(models.TextChoices):
    PLUS = "plus", _("做事加分")
    MINUS = "minus", _("错误减分")


class MeritState(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已认定")
    REJECTED = "rejected", _("不予认定")


class Channel(models.TextChoices):
    ONLINE = "online", _("线上")
    PHONE = "phone", _("电话")
    DOOR = "door", _("入户")
