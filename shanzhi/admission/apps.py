from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from shanzhi.core.dashboard import register_counter
from shanzhi.core.demo import register_step
from shanzhi.core.navigation import register


class AdmissionConfig(AppConfig):
    name = "shanzhi.admission"
    label = "admission"

    def ready(self):
        from . import demo, indicators, selectors
        from .models import COMMUNITY, DASHBOARD_ROLES, REVIEW_ROLES, SENDER_ROLES

        register("admission:index", _("工作事项准入"), "clipboard-check", SENDER_ROLES | COMMUNITY)
        register("admission:dashboard", _("减负监测"), "trending-down", DASHBOARD_ROLES)
        register("admission:lists", _("准入清单"), "list-check", REVIEW_ROLES)
        register_counter("admission.review", _("待准入审核事项"),
                         lambda *, actor: selectors.review_queue(actor=actor).count(), REVIEW_ROLES,
                         "admission:index")
        register_counter("admission.open", _("待办社区工作事项"),
                         lambda *, actor: selectors.my_deliveries(actor=actor, state="open").count(), COMMUNITY,
                         "admission:index")
        indicators.register()
        register_step("admission", 70, demo.build)
