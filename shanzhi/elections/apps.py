from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ElectionsConfig(AppConfig):
    name = "shanzhi.elections"
    label = "elections"
    verbose_name = _("社区直选")
