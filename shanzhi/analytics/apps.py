import datetime as dt

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from shanzhi.core.demo import register_step
from shanzhi.core.navigation import register


class AnalyticsConfig(AppConfig):
    name = "shanzhi.analytics"
    label = "analytics"
    verbose_name = "民生大数据"

    def ready(self):
        # Modules that use models (this app's, core.schedule's) load only once the app registry is ready.
        from shanzhi.core.schedule import DailyAt, Every, register_periodic

        from . import permissions  # noqa: F401  (declares the rules)
        from .demo import build
        from .indicators import register as register_indicators
        from .models import VIEW_ROLES
        from .staleness import connect as connect_staleness
        from .tasks import monthly_reports_on_the_first, refresh_task

        register_indicators()
        connect_staleness()
        register("analytics:dashboard", _("民生大数据"), "chart-dots", VIEW_ROLES, after="cases:dashboard")
        register("analytics:pivot", _("透视分析"), "table", VIEW_ROLES, after="analytics:dashboard")
        register("analytics:reports", _("月度报告"), "file-text", VIEW_ROLES, after="analytics:pivot")
        register_step("analytics", 90, build)
        # the current month's rollups every hour (only changed cells are written); last month's reports on the 1st
        register_periodic("analytics.refresh", Every(60 * 60), refresh_task)
        register_periodic("analytics.monthly_reports", DailyAt(dt.time(6, 30)), monthly_reports_on_the_first)

