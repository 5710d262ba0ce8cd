from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RepliesConfig(AppConfig):
    name = "shanzhi.replies"
    label = "replies"
    verbose_name = "答复模板"

    def ready(self):
        from shanzhi.core.demo import register_step
        from shanzhi.core.navigation import register

        from .demo import build
        from .permissions import MANAGE_ROLES

        register("replies:list", _("答复模板"), "template", MANAGE_ROLES, after="configuration:home")
        register_step("replies", 42, build)
