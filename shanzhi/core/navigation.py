"""The workbench navigation, by role. Apps add entries to MENU; each entry names the roles that see it."""

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.translation import gettext_lazy as _

from .roles import ADMIN_TRIO, STAFF_ROLES, USER_MANAGER_ROLES, WORKBENCH_ROLES, Role
from .scope import user_roles

# (url name, label, tabler icon name, roles)
MENU: list[tuple[str, str, str, frozenset]] = [
    ("core:home", _("工作台"), "home", frozenset(Role.values)),
    ("regions:tree", _("区域网格"), "map", frozenset(STAFF_ROLES)),
    ("accounts:user_list", _("用户与授权"), "users", frozenset(USER_MANAGER_ROLES)),
    ("audit:list", _("审计日志"), "shield-check", frozenset({Role.AUDIT_ADMIN})),
    ("configuration:home", _("系统配置"), "settings",
     frozenset({Role.SYSTEM_ADMIN, Role.CITY_MANAGER, Role.DISTRICT_MANAGER, Role.STREET_MANAGER})),
]


def register(url_name: str, label, icon: str, roles, after: str | None = None) -> None:
    """Apps call this from AppConfig.ready() to add their pages to the navigation."""
    entry = (url_name, label, icon, frozenset(roles))
    if any(e[0] == url_name for e in MENU):
        return
    _entries.clear()
    if after:
        for i, e in enumerate(MENU):
            if e[0] == after:
                MENU.insert(i + 1, entry)
                return
    MENU.append(entry)


_entries: dict[tuple, list[tuple[str, object, str]]] = {}  # (roles, urlconf, script prefix) -> (url, label, icon)


def _entries_for(roles: frozenset) -> list[tuple[str, object, str]]:
    """The entries these roles see, their URLs reversed once per process (the label stays lazy, translated when
    the page renders); keyed on everything the result depends on."""
    key = (roles, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())
    if key not in _entries:
        entries = []
        for name, label, icon, allowed in MENU:
            if roles & allowed:
                try:
                    entries.append((reverse(name), label, icon))
                except NoReverseMatch:
                    continue
        _entries[key] = entries
    return _entries[key]


def menu_for(request) -> list[dict]:
    path = request.path
    return [{"url": url, "label": label, "icon": icon, "active": path.startswith(url) and (url != "/" or path == "/")}
            for url, label, icon in _entries_for(frozenset(user_roles(request.user)))]


__all__ = ["MENU", "register", "menu_for", "ADMIN_TRIO", "WORKBENCH_ROLES"]
