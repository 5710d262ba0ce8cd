"""Department API tokens (一次采集、多次使用): hashed, owned by a user, limited to regions and fields,
expiring and revocable. The plain token is shown once when created and never stored."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    name = models.CharField(_("名称"), max_length=100, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(_("前缀"), max_length=12, help_text=_("令牌的前几位，用于辨认"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens",
                             verbose_name=_("所属用户"))
    region_codes = models.JSONField(_("允许的区划"), default=list, blank=True,
                                    help_text=_("空表示不超出所属用户的授权范围"))
    fields = models.JSONField(_("允许的字段"), default=list, blank=True, help_text=_("空表示全部（脱敏）字段"))
    expires_at = models.DateTimeField(_("到期时间"))
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")

    def __str__(self):
        return f"{self.prefix}… ({self.user})"
