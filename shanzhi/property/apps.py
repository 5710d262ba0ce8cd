from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PropertyConfig(AppConfig):
    name = "shanzhi.property"
    label = "property"
    verbose_name = _("物业三位一体")

    def ready(self):
        from shanzhi.core.demo import register_step
        from shanzhi.core.indicators import Indicator, register_indicator
        from shanzhi.core.navigation import register

        from . import demo, selectors
        from .importing import register as register_importer
        from .models import COMMITTEE, PROPERTY, RESIDENTS, STAFF

        register("property:index", _("物业与自管"), "building-estate", STAFF | PROPERTY | COMMITTEE | RESIDENTS)

        def complaints(codes, start, end):
            return {code: selectors.complaints_count(code, start, end) for code in codes}

        register_indicator(Indicator(
            key="property.complaints", label=_("物业投诉"), unit=_("件"), module="property", compute=complaints,
            formula=_("期间内居民对物业服务的投诉（物业服务类民情案件）数"), higher_is_better=False, public=True))
        register_step("property", 86, demo.build)
        register_importer()
