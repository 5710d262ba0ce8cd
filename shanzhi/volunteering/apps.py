from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from shanzhi.core.dashboard import register_counter
from shanzhi.core.demo import register_step
from shanzhi.core.navigation import register
from shanzhi.core.roles import STAFF_ROLES, Role
from shanzhi.core.todo import register_todo


class VolunteeringConfig(AppConfig):
    name = "shanzhi.volunteering"
    label = "volunteering"

    def ready(self):
        # Modules that use models (this app's, core.schedule's) load only once the app registry is ready.
        from . import demo, selectors, todos

        register("volunteering:my", _("我的志愿"), "heart", {Role.RESIDENT})
        register("volunteering:store", _("爱心超市"), "gift", {Role.RESIDENT})
        register("volunteering:index", _("志愿服务"), "heart-handshake", STAFF_ROLES)
        register_counter("volunteering.unverified", _("待核验志愿者"),
                         lambda *, actor: selectors.volunteer_list(actor=actor, pending_only=True).count(),
                         STAFF_ROLES, "volunteering:volunteers")
        register_counter("volunteering.open_orders", _("爱心超市待核销"),
                         lambda *, actor: selectors.open_orders(actor=actor).count(), STAFF_ROLES,
                         "volunteering:redeem_desk")
        from .indicators import register as register_indicators
        register_indicators()
        register_step("participation", 60, demo.build)
        register_todo("volunteering.staff", todos.staff_todos, roles=STAFF_ROLES, order=60)
        register_todo("volunteering.resident", todos.resident_todos, roles={Role.RESIDENT}, order=60)
