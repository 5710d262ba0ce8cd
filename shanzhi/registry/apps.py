from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "shanzhi.registry"
    label = "registry"
    verbose_name = "基础信息"

    def ready(self):
        from shanzhi.core.demo import register_step

        from .demo import build

        register_step("registry", 30, build)
