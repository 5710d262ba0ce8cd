from django.db import models
from django.utils.translation import gettext_lazy as _


class SignUpState(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("通过")
    REJECTED = "rejected", _("驳回")
    CANCELLED = "cancelled", _("取消")


class ActivityState(models.TextChoices):
    OPEN = "open", _("招募中")
    CLOSED = "closed", _("已截止")
    CANCELLED = "cancelled", _("已取消")


class CheckKind(models.TextChoices):
    CHECK_IN = "check_in", _("签到")
    CHECK_OUT = "check_out", _("签退")


class RequestState(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("通过")
    REJECTED = "rejected", _("驳回")


class OrderState(models.TextChoices):
    FROZEN = "frozen", _("待核销")
    REDEEMED = "redeemed", _("已核销")
    CANCELLED = "cancelled", _("已取消")
