"""Writes to users and grants. Every write is audited here."""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from shanzhi.audit.services import audit_log
from shanzhi.core.errors import NotAllowed, ServiceError
from shanzhi.core.permissions import check, require
from shanzhi.core.roles import ADMIN_TRIO, GRANTABLE_BY, STAFF_ROLES, TWO_FACTOR_ROLES, Role
from shanzhi.core.scope import forget_grants, grants_of, user_roles
from shanzhi.notifications.services import notify
from shanzhi.regions.models import Region

from .models import RoleGrant, User
from .permissions import GRANT


def _check_trio(existing_roles: set[str], new_role: str) -> None:
    """三员分立: the three admin roles are never combined, and an admin holds no resident-data role."""
    if new_role in ADMIN_TRIO:
        others = (existing_roles - {new_role})
        if others & ADMIN_TRIO:
            raise ServiceError(_("三员分立：系统管理员、安全管理员、审计管理员不能由同一用户兼任。"), field="role")
        if others:
            raise ServiceError(_("三员分立：管理员账号不能同时持有业务角色。"), field="role")
    elif existing_roles & ADMIN_TRIO:
        raise ServiceError(_("三员分立：管理员账号不能同时持有业务角色。"), field="role")


def can_grant(actor, role: str, region_code: str) -> tuple[bool, str]:
    """(allowed, reason) for granting or revoking `role` on `region_code` (the accounts.grant.<role> rule)."""
    if role not in GRANT:
        return False, _("您不能在该区域授予此角色")
    return check(actor, GRANT[role].action, region_code)


def grantable_roles(actor) -> list[str]:
    """Roles the actor may grant somewhere in their scope, in the order of Role."""
    allowed = set().union(*(GRANTABLE_BY.get(role, ()) for role, _code in grants_of(actor)))
    return [r for r in Role.values if r in allowed]


def can_manage_user(actor, user) -> tuple[bool, str]:
    """The actor may change an account only if they could have granted every role it holds."""
    if actor.pk == user.pk:
        return False, _("不能停用或启用自己的账号")
    for role, code in grants_of(user):
        ok, _reason = can_grant(actor, role, code)
        if not ok:
            return False, _("该用户持有您无权管理的角色，请联系上级管理员")
    return True, ""


@transaction.atomic
def user_create(*, actor, username: str, password: str | None, display_name: str = "", is_demo: bool = False,
                email: str = "") -> User:
    username = username.strip()
    if not username:
        raise ServiceError(_("请填写用户名"), field="username")
    if User.objects.filter(username__iexact=username).exists():
        raise ServiceError(_("用户名“%(u)s”已存在") % {"u": username}, field="username")
    user = User(username=username, display_name=display_name.strip(), is_demo=is_demo, email=email)
    if password:
        try:
            password_validation.validate_password(password, user)
        except Exception as e:  # ValidationError with a list of messages
            raise ServiceError("；".join(getattr(e, "messages", [str(e)])), field="password")
        user.set_password(password)
        user.password_changed_at = timezone.now()
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    audit_log(actor=actor, action="user.create", obj=user, after={"username": username, "display_name": display_name})
    return user


@transaction.atomic
def user_set_password(*, actor, user: User, password: str, validate: bool = True) -> None:
    if validate:
        try:
            password_validation.validate_password(password, user)
        except Exception as e:
            raise ServiceError("；".join(getattr(e, "messages", [str(e)])), field="new_password1")
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "password_changed_at"])
    audit_log(actor=actor, action="user.password_change", obj=user)


@transaction.atomic
def user_set_active(*, actor, user: User, active: bool, reason: str = "") -> None:
    ok, why = can_manage_user(actor, user)
    if not ok:
        raise NotAllowed(why)
    user.is_active = active
    user.save(update_fields=["is_active"])
    audit_log(actor=actor, action="user.activate" if active else "user.deactivate", obj=user, reason=reason)


@transaction.atomic
def grant_add(*, actor, user: User, role: str, region, check_actor: bool = True) -> RoleGrant:
    if role not in Role.values:
        raise ServiceError(_("未知角色“%(r)s”") % {"r": role}, field="role")
    if check_actor:
        require(actor, GRANT[role].action, region.code)
    # lock the user row so two concurrent grants can't both pass the 三员分立 check
    User.objects.select_for_update().filter(pk=user.pk).first()
    existing = set(RoleGrant.objects.filter(user=user).values_list("role", flat=True))
    _check_trio(existing, role)
    grant, created = RoleGrant.objects.get_or_create(
        user=user, role=role, region_code=region.code, defaults={"region": region, "granted_by": actor}
    )
    if created:
        audit_log(actor=actor, action="grant.add", obj=user, region_code=region.code,
                  after={"role": role, "region": region.code})
    forget_grants(user)
    return grant


@transaction.atomic
def grant_revoke(*, actor, grant: RoleGrant, check_actor: bool = True) -> None:
    if check_actor:
        require(actor, GRANT[grant.role].action, grant.region_code)
    user = grant.user
    audit_log(actor=actor, action="grant.revoke", obj=user, region_code=grant.region_code,
              before={"role": grant.role, "region": grant.region_code})
    grant.delete()
    forget_grants(user)


def _region(code: str) -> Region:
    region = Region.objects.filter(code=(code or "").strip()).first()
    if region is None:
        raise ServiceError(_("区域代码不存在"), field="region_code")
    return region


@transaction.atomic
def user_create_with_grant(*, actor, username: str, password: str, display_name: str, role: str,
                           region_code: str) -> User:
    """A new account holding one role in one region (the user-management page's form), all or nothing."""
    region = _region(region_code)
    ok, reason = can_grant(actor, role, region.code)
    if not ok:
        raise ServiceError(reason, field="role")
    user = user_create(actor=actor, username=username, password=password, display_name=display_name)
    grant_add(actor=actor, user=user, role=role, region=region)
    return user


def grant_add_at(*, actor, user: User, role: str, region_code: str) -> RoleGrant:
    """`grant_add` for a region given by its code (as typed in a form)."""
    return grant_add(actor=actor, user=user, role=role, region=_region(region_code))


# --- sign-in events --------------------------------------------------------------------------------------
SIGN_IN_ACTIONS = frozenset({"login", "login.failed", "logout", "session.timeout", "otp.verify", "otp.failed"})


def sign_in_record(*, actor=None, action: str, username: str = "") -> None:
    """The audit row of a sign-in step; a failed password names the typed user name only (never the password)."""
    if action not in SIGN_IN_ACTIONS:
        raise ValueError(action)
    audit_log(actor=actor, action=action, actor_name=username[:150])


# --- two-factor devices --------------------------------------------------------------------------------------
# A user enrols their first authenticator with the password alone: the account is new, or an administrator
# reset its devices (`device_reset`) — both flows an administrator started. Once a device is confirmed, adding,
# replacing or removing one needs this session to be verified with it, so a stolen password alone never
# yields a second factor. Every change is audited and the owner told in the inbox (even when they made it).

def needs_two_factor(user) -> bool:
    return bool(user_roles(user) & TWO_FACTOR_ROLES)


def has_device(user) -> bool:
    return any(True for _d in devices_for_user(user, confirmed=True))


def is_verified(actor) -> bool:
    """True when the actor's session was verified with one of their devices: django-otp's middleware sets
    `otp_device` on the request's user (None when not verified)."""
    return getattr(actor, "otp_device", None) is not None


def can_change_devices(actor) -> tuple[bool, str]:
    if not has_device(actor) or is_verified(actor):
        return True, ""
    return False, _("请先输入现有设备的动态验证码完成验证，再添加、更换或移除验证设备。")


def _security_notice(user, *, actor, title: str) -> None:
    notify(recipients=[user], kind="account.security", title=title, url=reverse("accounts:otp_devices"),
           body=_("如果这不是您本人的操作，请立即修改密码并联系安全管理员。"), actor=actor, security=True)


@transaction.atomic
def device_start(*, actor) -> TOTPDevice:
    """The pending (unconfirmed) authenticator whose QR code the setup page shows; made once, then reused."""
    ok, reason = can_change_devices(actor)
    if not ok:
        raise NotAllowed(reason)
    device = TOTPDevice.objects.filter(user=actor, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=actor, name="TOTP", confirmed=False)


def device_enrol(*, actor, token: str) -> TOTPDevice:
    """Confirm the pending authenticator with one code; it replaces the actor's earlier authenticator apps."""
    ok, reason = can_change_devices(actor)
    if not ok:
        raise NotAllowed(reason)
    device = TOTPDevice.objects.filter(user=actor, confirmed=False).first()
    if device is None:
        raise ServiceError(_("请重新打开启用页面扫描二维码。"), field="token")
    # checked outside the transaction below: django-otp's throttling counts a wrong code on the device row
    if not device.verify_token((token or "").strip()):
        raise ServiceError(_("验证码不正确，请核对手机时间后重试。"), field="token")
    with transaction.atomic():
        old = list(TOTPDevice.objects.select_for_update().filter(user=actor, confirmed=True).exclude(pk=device.pk))
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        for d in old:
            d.delete()
        audit_log(actor=actor, action="otp.replace" if old else "otp.enrol", obj=actor,
                  before={"devices": [d.persistent_id for d in old]} if old else None,
                  after={"device": device.persistent_id})
        _security_notice(actor, actor=actor, title=_("您的账号更换了动态验证码设备") if old
                         else _("您的账号启用了动态验证码设备"))
    return device


@transaction.atomic
def device_remove(*, actor, persistent_id: str) -> None:
    """Remove one of the actor's own confirmed devices; the last one of a role that needs 2FA stays."""
    ok, reason = can_change_devices(actor)
    if not ok:
        raise NotAllowed(reason)
    devices = {d.persistent_id: d for d in devices_for_user(actor, confirmed=True, for_verify=True)}
    device = devices.get(persistent_id)
    if device is None:
        raise ServiceError(_("找不到该验证设备，请刷新页面。"))
    if len(devices) == 1 and needs_two_factor(actor):
        raise ServiceError(_("您的角色必须使用动态验证码，不能移除唯一的验证设备；如需更换，请添加新设备，它将替换旧设备。"))
    device.delete()
    audit_log(actor=actor, action="otp.remove", obj=actor, before={"device": persistent_id})
    _security_notice(actor, actor=actor, title=_("您的账号移除了一个动态验证码设备"))


@transaction.atomic
def device_reset(*, actor, user: User, reason: str) -> int:
    """An administrator removes all of a user's devices (a lost phone); the user enrols anew at next sign-in."""
    ok, why = can_manage_user(actor, user)
    if not ok:
        raise NotAllowed(why)
    if not reason.strip():
        raise ServiceError(_("请填写重置原因"), field="reason")
    removed = [d.persistent_id for d in devices_for_user(user, confirmed=None)]
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    audit_log(actor=actor, action="otp.reset", obj=user, before={"devices": removed}, reason=reason.strip())
    _security_notice(user, actor=actor, title=_("管理员重置了您的动态验证码设备，请在下次登录时重新绑定"))
    return len(removed)


def can_read_resident_data(user) -> bool:
    return bool(user_roles(user) & STAFF_ROLES)
