import datetime

from django.apps import AppConfig
from django.core import checks

from .schedule import DailyAt, register_periodic


class CoreConfig(AppConfig):
    name = "shanzhi.core"
    label = "core"
    verbose_name = "核心"

    def ready(self):
        # The app's own modules define or use its models: importable only once the registry is ready.
        from .importing import uploads_cleanup_task
        from .ratelimit import check_rates

        checks.register(check_rates, checks.Tags.security)

        register_periodic("core.imports_cleanup", DailyAt(datetime.time(3, 0)), uploads_cleanup_task)
