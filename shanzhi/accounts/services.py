"""Writes to users and grants. Every write is audited here."""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shanzhi.audit.services import audit_log
from shanzhi.core.errors import NotAllowed, ServiceError
from shanzhi.core.roles import ADMIN_TRIO, GRANTABLE_BY, STAFF_ROLES, Role
from shanzhi.core.scope import forget_grants, grants_of, user_roles

from .models import RoleGrant, User


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
    for actor_role, prefix in grants_of(actor):
        if role in GRANTABLE_BY.get(actor_role, ()) and region_code.startswith(prefix):
            return True, ""
    return False, _("您不能在该区域授予此角色")


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
        ok, reason = can_grant(actor, role, region.code)
        if not ok:
            raise NotAllowed(reason)
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
        ok, reason = can_grant(actor, grant.role, grant.region_code)
        if not ok:
            raise NotAllowed(reason)
    user = grant.user
    audit_log(actor=actor, action="grant.revoke", obj=user, region_code=grant.region_code,
              before={"role": grant.role, "region": grant.region_code})
    grant.delete()
    forget_grants(user)


def can_read_resident_data(user) -> bool:
    return bool(user_roles(user) & STAFF_ROLES)
