"""A user's roles and scope prefixes, read once per request (cached on the user object).

The grants themselves are rows of a higher layer (accounts.RoleGrant); accounts hands this module a
loader through `register_grant_loader` from its AppConfig.ready(), so core never imports accounts.
"""

from __future__ import annotations

from collections.abc import Callable

from .roles import ADMIN_TRIO

GrantLoader = Callable[[int], list[tuple[str, str]]]
_loader: GrantLoader | None = None


def register_grant_loader(loader: GrantLoader) -> None:
    """accounts registers the function that reads a user's (role, region_code) grants."""
    global _loader
    _loader = loader


def grants_of(user) -> list[tuple[str, str]]:
    """(role, region_code) pairs of the user's grants."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_grants_cache", None)
    if cached is None:
        if _loader is None:
            raise RuntimeError("no grant loader registered: is shanzhi.accounts installed?")
        cached = _loader(user.pk)
        user._grants_cache = cached
    return cached


def forget_grants(user) -> None:
    if hasattr(user, "_grants_cache"):
        del user._grants_cache


def user_roles(user) -> set[str]:
    return {role for role, _ in grants_of(user)}


def scope_prefixes(user, model, action: str) -> list[str]:
    allowed = model.scope_roles.get(action, set())
    return [code for role, code in grants_of(user) if role in allowed]


def prefixes_for_roles(user, roles) -> list[str]:
    return [code for role, code in grants_of(user) if role in roles]


def roles_at(user, code: str) -> set[str]:
    """Roles the user holds on a region that contains `code`."""
    return {role for role, prefix in grants_of(user) if code.startswith(prefix)}


def is_admin_only(user) -> bool:
    roles = user_roles(user)
    return bool(roles) and roles <= ADMIN_TRIO
