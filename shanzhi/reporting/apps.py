from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from shanzhi.core.navigation import register
from shanzhi.core.todo import register_todo


class ReportingConfig(AppConfig):
    name = "shanzhi.reporting"
    label = "reporting"
    verbose_name = "逐级审核"

    def ready(self):
        from . import todos
        from .models import CHAIN_ROLES, READER_ROLES

        register("reporting:index", _("逐级审核"), "clipboard-check", CHAIN_ROLES | READER_ROLES)
        register_todo("reporting.chain", todos.report_todos, roles=CHAIN_ROLES, order=70)
