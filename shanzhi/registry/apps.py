from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "shanzhi.registry"
    label = "registry"
    verbose_name = "基础信息"
