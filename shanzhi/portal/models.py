"""A resident's own way in: real-name binding requests, correction requests and binding tries.

A `BindingRequest` is what a resident's real-name binding becomes when the registry could not confirm it
at once (no person with that name and ID number, or that person already bound): the community's staff
check the resident's papers in person and approve or reject it. A correction request asks staff to change
one field of the resident's own registry record: it is a registry.ChangeRequest (source "resident"), on the same
machinery as staff proposals. Binding requests are scoped to the community (region_code) they were sent to.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shanzhi.core.masking import shown
from shanzhi.core.pii import decrypt
from shanzhi.core.roles import Role
from shanzhi.core.scoping import ScopedModel

DESK_ROLES = {Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY, Role.GRID_LEADER}


class RequestState(models.TextChoices):
    PENDING = "pending", _("待核验")
    APPROVED = "approved", _("已通过")
    REJECTED = "rejected", _("已驳回")


class BindingRequest(ScopedModel):
    # "own": the applicant, who holds no role yet (the 居民 role comes with the binding): any signed-in user
    scope_roles = {"view": DESK_ROLES | {Role.STREET_MANAGER}, "decide": DESK_ROLES}

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("申请账号"))
    name = models.CharField(_("姓名"), max_length=50)
    id_number_enc = models.CharField(_("证件号码(密文)"), max_length=200)
    id_number_hash = models.CharField(_("证件号码索引"), max_length=64, db_index=True)
    state = models.CharField(_("状态"), max_length=10, choices=RequestState.choices, default=RequestState.PENDING,
                             db_index=True)
    person = models.ForeignKey("registry.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                               verbose_name=_("绑定的居民"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(_("驳回理由"), max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("实名认证申请")
        verbose_name_plural = _("实名认证申请")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user"], condition=models.Q(state="pending"),
                                               name="one_pending_binding_per_user")]

    def __str__(self):
        return f"{self.name} {self.get_state_display()}"

    @property
    def id_number_masked(self) -> str:
        return shown("id_number", decrypt(self.id_number_enc))


class BindingAttempt(models.Model):
    """One real-name binding try (for the per-account limit and the audit trail); no personal data."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    matched = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("实名认证尝试")
        verbose_name_plural = _("实名认证尝试")

    def __str__(self):
        return f"{self.user_id} {self.created_at:%Y-%m-%d %H:%M}"


class CorrectionField(models.TextChoices):
    PHONE = "phone", _("联系电话")
    CURRENT_ADDRESS = "current_address", _("现住址")
    WORKPLACE = "workplace", _("工作单位")
    EDUCATION = "education", _("文化程度")
    MARITAL_STATUS = "marital_status", _("婚姻状况")
    EMPLOYMENT = "employment", _("就业状况")
