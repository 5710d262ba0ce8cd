from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "shanzhi.core"
    label = "core"
    verbose_name = "核心"

    def ready(self):
        from django.core import checks

        from .ratelimit import check_rates

        checks.register(check_rates, checks.Tags.security)
