from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from shanzhi.core.navigation import register


class FieldConfig(AppConfig):
    name = "shanzhi.field"
    label = "field"
    verbose_name = "网格员手机端"

    def ready(self):
        from .models import FIELD_ROLES

        register("field:home", _("手机端"), "device-mobile", FIELD_ROLES, after="core:home")
