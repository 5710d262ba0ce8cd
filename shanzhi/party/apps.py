from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from shanzhi.core.dashboard import register_counter
from shanzhi.core.demo import register_step
from shanzhi.core.navigation import register
from shanzhi.core.roles import Role
from shanzhi.core.todo import register_todo


class PartyConfig(AppConfig):
    name = "shanzhi.party"
    label = "party"

    def ready(self):
        # Modules that use models (this app's, core.schedule's) load only once the app registry is ready.
        from . import selectors, todos
        from .demo import build
        from .models import PARTY_ROLES

        register("party:index", _("党建引领"), "flag", PARTY_ROLES["view"])
        register("party:mine", _("我的党员服务"), "flag", {Role.PARTY_MEMBER})
        register_counter("party.pending_records", _("党员积分待审核"),
                         lambda *, actor: selectors.pending_records(actor=actor).count(), PARTY_ROLES["approve"],
                         "party:records")
        from .indicators import register as register_indicators
        register_indicators()
        register_step("party", 65, build)  # after participation (60): party members volunteer too
        register_todo("party.records", todos.record_todos, roles=PARTY_ROLES["approve"], order=70)
