from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from shanzhi.core.demo import register_step
from shanzhi.core.navigation import register
from shanzhi.core.todo import register_todo


class DisclosureConfig(AppConfig):
    name = "shanzhi.disclosure"
    label = "disclosure"
    verbose_name = "阳光五务"

    def ready(self):
        # Modules that use models (this app's, core.schedule's) load only once the app registry is ready.
        from . import todos
        from .demo import build
        from .models import EDITOR_ROLES, REVIEWER_ROLES

        register("disclosure:manage", _("阳光五务"), "sun", EDITOR_ROLES | REVIEWER_ROLES)
        from .indicators import register as register_indicators
        register_indicators()
        register_step("disclosure", 55, build)  # after consultation (50), whose results it discloses
        register_todo("disclosure.entries", todos.entry_todos, roles=EDITOR_ROLES | REVIEWER_ROLES, order=60)
