from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "shanzhi.portal"
    label = "portal"
    verbose_name = _("居民服务")

    def ready(self):
        # Modules that use models load only once the app registry is ready.
        from shanzhi.cases.permissions import COLLECTOR_ROLES
        from shanzhi.core.demo import register_step
        from shanzhi.core.navigation import register
        from shanzhi.core.panels import register_panel
        from shanzhi.core.roles import Role
        from shanzhi.core.todo import register_todo
        from shanzhi.registry.changes import register_decided_hook

        from . import demo, panels, services, todos
        from .models import DESK_ROLES

        desk = DESK_ROLES | {Role.STREET_MANAGER}
        register("portal:bindings", _("实名认证核验"), "id", desk)
        register("portal:household", _("我的家庭"), "home", {Role.RESIDENT})
        register("portal:building", _("我的楼栋"), "building", {Role.BUILDING_CAPTAIN})
        register("portal:collect", _("代为反映"), "message-plus", COLLECTOR_ROLES)
        register_panel("core.home", "portal.resident", "portal/partials/home_panel.html", panels.resident_panel,
                       order=10)
        register_todo("portal.desk", todos.desk_todos, roles=desk, order=50)
        register_todo("portal.bind", todos.unbound_todos, order=5)
        register_step("residents", 90, demo.build)
        register_decided_hook(services.correction_decided)
