from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from shanzhi.core.roles import STAFF_ROLES, USER_MANAGER_ROLES, Role
from shanzhi.core.scoping import ScopedQuerySet, granted_within


class ScopedUserManager(UserManager.from_queryset(ScopedQuerySet)):
    """`User.objects.restrict(actor, "manage")`: users holding a grant inside the actor's user-management scope."""


class User(AbstractUser):
    """A platform account. Residents, staff and admins are users; what they may do comes from grants."""

    scope_roles = {"manage": set(USER_MANAGER_ROLES)}
    scope_strategy = granted_within
    grant_relation = "grants"

    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    is_demo = models.BooleanField(_("演示账号"), default=False)
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)
    # a resident's own mobile number (self-registration): encrypted, found by its blind index, never shown whole
    phone_enc = models.CharField(_("手机号(密文)"), max_length=200, blank=True)
    phone_hash = models.CharField(_("手机号索引"), max_length=64, blank=True, db_index=True)

    objects = ScopedUserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [models.UniqueConstraint(fields=["phone_hash"], condition=~models.Q(phone_hash=""),
                                               name="uniq_user_phone")]

    def __str__(self):
        return self.display_name or self.username


class RoleGrantQuerySet(ScopedQuerySet):
    pass


class RoleGrant(models.Model):
    """One role held by one user on one region node (and its subtree)."""

    scope_field = "region_code"
    scope_roles = {"view": set(USER_MANAGER_ROLES) | set(STAFF_ROLES), "change": set(USER_MANAGER_ROLES)}

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="grants", verbose_name=_("用户"))
    role = models.CharField(_("角色"), max_length=30, choices=Role.choices)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("区域"))
    region_code = models.CharField(_("区划代码"), max_length=20, db_index=True)
    granted_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    granted_at = models.DateTimeField(_("授予时间"), auto_now_add=True)

    objects = RoleGrantQuerySet.as_manager()

    class Meta:
        verbose_name = _("角色授权")
        constraints = [models.UniqueConstraint(fields=["user", "role", "region_code"], name="uniq_grant")]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.region_code}"


class PhoneCode(models.Model):
    """A one-time sign-up code sent to a phone number: only its keyed hash is stored; it expires, dies after a
    few wrong entries and is used once."""

    phone_hash = models.CharField(max_length=64, db_index=True)
    code_hash = models.CharField(max_length=64)
    purpose = models.CharField(max_length=20, default="signup")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    wrong_tries = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("短信验证码")
        verbose_name_plural = _("短信验证码")
        indexes = [models.Index(fields=["phone_hash", "purpose", "created_at"])]

    def __str__(self):
        return f"{self.purpose} {self.created_at:%Y-%m-%d %H:%M}"
