from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from shanzhi.core.dashboard import register_counter
from shanzhi.core.demo import register_step
from shanzhi.core.navigation import register
from shanzhi.core.panels import register_panel
from shanzhi.core.roles import STAFF_ROLES, Role


class CasesConfig(AppConfig):
    name = "shanzhi.cases"
    label = "cases"
    verbose_name = "民情"

    def ready(self):
        # Modules that use models (this app's, core.schedule's) load only once the app registry is ready.
        from shanzhi.core.schedule import Every, register_periodic
        from shanzhi.core.todo import register_todo

        from . import selectors, todos
        from .caches import connect_caches
        from .demo import build, build_responsibilities
        from .duplicates import register as register_duplicates
        from .importing import register as register_import
        from .indicators import register as register_indicators
        from .models import Case
        from .panels import household_visits_panel
        from .tasks import check_deadlines_task, rollup_task

        connect_caches()
        register_duplicates()

        register("cases:list", _("民情"), "message-report", Case.scope_roles["view"], after="regions:tree")
        register("cases:dashboard", _("民情指数"), "chart-line", STAFF_ROLES, after="cases:list")
        register("cases:patrol", _("巡查"), "walk", {Role.GRID_WORKER, Role.GRID_LEADER}, after="cases:list")
        register("cases:home_visit", _("入户走访"), "home", {Role.GRID_WORKER, Role.GRID_LEADER, Role.GRID_ASSISTANT,
                                                                Role.DEDICATED_GRID_WORKER}, after="cases:patrol")
        register("cases:inspection", _("楼栋检查"), "checklist", {Role.GRID_WORKER, Role.GRID_LEADER},
                 after="cases:home_visit")
        register("cases:my_list", _("我的反映"), "message", {Role.RESIDENT})
        register_counter("cases_open", _("在办民情"), selectors.open_count, Case.scope_roles["view"], "cases:list",
                         query="open=1")
        register_counter("cases_overdue", _("超时民情"), selectors.overdue_count, Case.scope_roles["view"], "cases:list",
                         query="light=overdue")
        register_todo("cases.staff", todos.staff_todos, roles=set(Case.scope_roles["view"]), order=20)
        register_todo("cases.mine", todos.reporter_todos, roles={Role.RESIDENT}, order=20)
        register_step("cases", 40, build)
        register_step("cases.responsibilities", 41, build_responsibilities)
        register_panel("registry.household", "cases.visits", "cases/partials/household_visits.html",
                       household_visits_panel)

        register_indicators()
        register_import()  # `shanzhi import cases`; the page is linked from the case list, not the menu

        register_periodic("cases.check_deadlines", Every(15 * 60), check_deadlines_task)
        register_periodic("cases.rollup", Every(60 * 60), rollup_task)
