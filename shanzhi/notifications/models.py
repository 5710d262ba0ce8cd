from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shanzhi.core.fields import LimitedTextField


class Notification(models.Model):
    """One message in a user's in-app inbox (assignment, deadline, feedback, request to rate …)."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications",
                                  verbose_name=_("接收人"))
    kind = models.CharField(_("类型"), max_length=40, db_index=True)
    title = models.CharField(_("标题"), max_length=200)
    body = LimitedTextField(_("内容"), max_length=4000, blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=40, blank=True)
    # one message per recipient and key (e.g. one 红牌 per case and step), however often the sender runs
    dedupe_key = models.CharField(max_length=120, blank=True, default="")
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]
        constraints = [models.UniqueConstraint(fields=["recipient", "dedupe_key"], condition=~models.Q(dedupe_key=""),
                                               name="notification_once_per_key")]

    def __str__(self):
        return self.title


class Delivery(models.Model):
    """One notification through one channel (SMS, WeChat, e-mail …), sent by a background task with retries."""

    class State(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENT = "sent", _("已发送")
        SKIPPED = "skipped", _("未发送")  # the channel is not set up for this recipient (no address, no gateway)
        FAILED = "failed", _("发送失败")

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(_("渠道"), max_length=200)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)  # the exception's class, never its text
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("通知发送")
        verbose_name_plural = _("通知发送")

    def __str__(self):
        return f"{self.notification_id} {self.channel} {self.state}"


class ChannelSetting(models.Model):
    """The gateway of one delivery channel (SMS, WeChat), set on the 系统配置 page. Credentials are stored
    encrypted with the personal-data keys (core.pii, AES-GCM) and never shown again; settings win over it."""

    class Kind(models.TextChoices):
        SMS = "sms", _("短信")
        WECHAT = "wechat", _("微信模板消息")

    kind = models.CharField(_("渠道"), max_length=10, choices=Kind.choices, unique=True)
    gateway_url = models.URLField(_("网关地址"), max_length=300, blank=True)
    app_id = models.CharField(_("应用编号(AppID/账号)"), max_length=100, blank=True)
    secret_enc = models.CharField(_("密钥(密文)"), max_length=500, blank=True)
    template_id = models.CharField(_("模板编号"), max_length=100, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("通知渠道")
        verbose_name_plural = _("通知渠道")

    def __str__(self):
        return self.get_kind_display()
