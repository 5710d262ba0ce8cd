from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "shanzhi.regions"
    label = "regions"
    verbose_name = "区域网格"

    def ready(self):
        from shanzhi.core.demo import register_step

        from .demo import build

        register_step("regions", 10, build)
