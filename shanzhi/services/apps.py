from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    name = "shanzhi.services"
    label = "services"
    verbose_name = _("智慧社区服务")

    def ready(self):
        from shanzhi.core.dashboard import register_counter
        from shanzhi.core.demo import register_step
        from shanzhi.core.indicators import Indicator, register_indicator
        from shanzhi.core.navigation import register
        from shanzhi.core.panels import register_panel
        from shanzhi.core.schedule import Every, register_periodic

        from . import demo, indicators, panels, selectors, services
        from .models import BOOKERS, MANAGERS, RESIDENTS, STAFF, ServicePoint

        register("services:requests", _("代办服务"), "file-certificate", STAFF | RESIDENTS)
        register("services:venues", _("场地预约"), "building-community", STAFF | BOOKERS)
        register("services:map", _("便民服务地图"), "map-pin", STAFF | RESIDENTS)
        register_counter("services.open_requests", _("在办代办"),
                         lambda *, actor: selectors.request_list(actor=actor).filter(
                             state__in=("submitted", "accepted", "at_department", "result_ready")).count(),
                         STAFF, "services:requests")
        register_counter("services.pending_bookings", _("待审批场地预约"),
                         lambda *, actor: selectors.pending_bookings(actor=actor).count(), MANAGERS,
                         "services:bookings")
        for ind in indicators.INDICATORS:
            register_indicator(Indicator(**ind))
        register_periodic("services.no_shows", Every(15 * 60), lambda: services.mark_no_shows())
        register_step("services", 85, demo.build)
        register_panel("registry.household", "services.needs", "services/partials/household_needs.html",
                       panels.household_needs_panel, order=120)
        selectors.POINTS_MEMO.clear_on_change(ServicePoint)
