from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistedConfig(AppConfig):
    name = "shanzhi.assisted"
    label = "assisted"
    verbose_name = _("代办参与")

    def ready(self):
        # Modules that use models load only once the app registry is ready.
        from shanzhi.core.navigation import register
        from shanzhi.core.panels import register_panel
        from shanzhi.core.roles import Role
        from shanzhi.core.todo import register_todo
        from shanzhi.registry.permissions import register_proxy_authority

        from . import panels, todos
        from .context import session_authority
        from .models import ASSIST_ROLES, REVIEW_ROLES

        register_proxy_authority(session_authority)
        register("assisted:index", _("代办参与"), "user-check", ASSIST_ROLES)
        register("assisted:review", _("代办复核"), "shield-check", REVIEW_ROLES)
        register("assisted_me:mine", _("代办记录"), "user-check", {Role.RESIDENT})
        register_panel("core.home", "assisted.resident", "assisted/partials/home_panel.html", panels.resident_panel,
                       order=20)
        register_todo("assisted.review", todos.review_todos, roles=REVIEW_ROLES, order=60)
