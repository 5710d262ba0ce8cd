import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TaskProgress(models.Model):
    """Progress of one long job (import, export, demo build) that the UI shows as a bar."""

    class State(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("进行中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("类型"), max_length=50)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, related_name="+")
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=300, blank=True)
    result = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("后台任务进度")
        ordering = ["-created_at"]

    @property
    def percent(self) -> int:
        if self.state == self.State.DONE:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.state in {self.State.DONE, self.State.FAILED}


class PeriodicRun(models.Model):
    """The last period in which a periodic job ran (core.schedule); the row is the job's lock."""

    name = models.CharField(max_length=100, primary_key=True)
    period = models.CharField(max_length=40, blank=True)
    ran_at = models.DateTimeField(null=True, blank=True)
    runs = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("定时任务运行记录")

    def __str__(self):
        return f"{self.name} {self.period}"


class TransitionHistory(models.Model):
    """One row per workflow transition of a record whose app keeps no history model of its own
    (meetings, move requests, store orders, evaluations, needs, disclosure entries): who moved it
    from which state to which, when, and the data the transition was given."""

    workflow = models.CharField(_("流程"), max_length=50)
    object_type = models.CharField(_("对象类型"), max_length=100)
    object_id = models.CharField(_("对象"), max_length=64)
    action = models.CharField(_("操作"), max_length=50)
    from_state = models.CharField(_("原状态"), max_length=30)
    to_state = models.CharField(_("新状态"), max_length=30)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+")
    note = models.CharField(_("说明"), max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)
    region_code = models.CharField(max_length=20, blank=True, db_index=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("流转记录")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["object_type", "object_id", "at"])]

    def __str__(self):
        return f"{self.workflow}.{self.action} {self.object_type}#{self.object_id}"


class UserPreference(models.Model):
    """How one user likes the pages shown (适老化 elder mode); read into the session at sign-in."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ui_preference")
    elder_mode = models.BooleanField(_("长辈模式"), default=False)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("界面偏好")
        verbose_name_plural = _("界面偏好")

    def __str__(self):
        return f"{self.user_id}: elder={self.elder_mode}"
