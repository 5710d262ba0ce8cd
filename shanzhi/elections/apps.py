from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from shanzhi.core.demo import register_step
from shanzhi.core.navigation import register


class ElectionsConfig(AppConfig):
    name = "shanzhi.elections"
    label = "elections"
    verbose_name = _("社区直选")

    def ready(self):
        from . import demo
        from .models import FOLLOWERS

        register("elections:index", _("社区直选"), "checkbox", FOLLOWERS)
        register_step("elections", 78, demo.build)
