"""The phone app's receipts: each record a grid worker's phone queued offline carries a client-made UUID, and
the server keeps one receipt per (user, client id) — so a retry after a dropped connection gets the first
answer back instead of writing the record twice."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shanzhi.core.roles import Role

# who uses the phone app: the grid's own workers
FIELD_ROLES = frozenset({Role.GRID_WORKER, Role.GRID_LEADER})


class SyncReceipt(models.Model):
    class Status(models.TextChoices):
        DONE = "done", _("已同步")
        REFUSED = "refused", _("被退回")
        CONFLICT = "conflict", _("有冲突")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    client_id = models.UUIDField(_("客户端编号"))
    kind = models.CharField(_("类型"), max_length=30)
    status = models.CharField(_("结果"), max_length=12, choices=Status.choices)
    result = models.JSONField(_("答复"), default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("同步回执")
        constraints = [models.UniqueConstraint(fields=["user", "client_id"], name="uniq_sync_receipt")]

    def __str__(self):
        return f"{self.kind} {self.client_id} {self.status}"
