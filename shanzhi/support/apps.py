from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from shanzhi.core.dashboard import register_counter
from shanzhi.core.demo import register_step
from shanzhi.core.navigation import register
from shanzhi.core.roles import Role


class SupportConfig(AppConfig):
    name = "shanzhi.support"
    label = "support"
    verbose_name = _("特殊人群帮教")

    def ready(self):
        # Modules that use models load only once the app registry is ready.
        from shanzhi.core.schedule import Every, register_periodic
        from shanzhi.core.todo import register_todo

        from . import demo, selectors, services, todos
        from .models import RECORD_ROLES, STATS_ROLES

        register("support:index", _("特殊人群帮教"), "shield-lock", RECORD_ROLES["view"])
        register("support:stats", _("帮教统计"), "chart-bar", STATS_ROLES)
        register("support:glass_log", _("紧急查阅记录"), "alert-triangle", {Role.SECURITY_ADMIN})
        # the counter reaches only the worker's own due visits: no record is counted for anyone outside them
        register_counter("support.overdue", _("逾期帮教走访"), lambda *, actor: selectors.overdue_count(actor=actor),
                         RECORD_ROLES["change"], "support:visits")
        register_counter("support.glass_unseen", _("待确认的紧急查阅"),
                         lambda *, actor: selectors.glass_log(actor=actor, unseen_only=True).count(),
                         {Role.SECURITY_ADMIN}, "support:glass_log")
        register_todo("support.visits", todos.due_visits, roles=RECORD_ROLES["change"])
        register_periodic("support.alerts", Every(3600), services.support_alerts)
        register_step("support", 75, demo.build)
