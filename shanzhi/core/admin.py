"""Django admin is for system configuration by the system admin only, never for resident data."""

from django.contrib import admin

from shanzhi.core.roles import Role
from shanzhi.core.scope import user_roles


def _has_permission(request) -> bool:
    user = request.user
    return bool(user.is_active and user.is_authenticated and Role.SYSTEM_ADMIN in user_roles(user)
                and getattr(user, "is_verified", lambda: False)())


admin.site.has_permission = _has_permission
