import datetime

from django.apps import AppConfig
from django.core import checks


class CoreConfig(AppConfig):
    name = "shanzhi.core"
    label = "core"
    verbose_name = "核心"

    def ready(self):
        # Modules that use models (this app's, core.schedule's) load only once the app registry is ready.
        from shanzhi.audit import partitioning

        from . import checks as _checks  # noqa: F401 - registers the key checks
        from .importing import uploads_cleanup_task
        from .ratelimit import check_rates
        from .schedule import DailyAt, register_periodic

        checks.register(check_rates, checks.Tags.security)

        from django.contrib.auth.signals import user_logged_in

        from .preferences import load_into_session

        user_logged_in.connect(load_into_session, dispatch_uid="core.preferences.load_into_session")

        register_periodic("core.imports_cleanup", DailyAt(datetime.time(3, 0)), uploads_cleanup_task)
        # monthly partitions (PostgreSQL): the months ahead, and old months archived
        register_periodic("partitions.create", DailyAt(datetime.time(2, 0)), partitioning.create_future)
        register_periodic("partitions.archive", DailyAt(datetime.time(2, 30)), partitioning.archive_old)
