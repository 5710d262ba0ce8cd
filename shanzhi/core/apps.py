from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "shanzhi.core"
    label = "core"
    verbose_name = "核心"

    def ready(self):
        from django.core import checks

        from . import checks as _checks  # noqa: F401 - registers the key checks
        from .ratelimit import check_rates

        checks.register(check_rates, checks.Tags.security)

        import datetime

        from .importing import uploads_cleanup_task
        from .schedule import DailyAt, register_periodic

        register_periodic("core.imports_cleanup", DailyAt(datetime.time(3, 0)), uploads_cleanup_task)
