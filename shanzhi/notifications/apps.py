from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from shanzhi.core.dashboard import register_counter
from shanzhi.core.navigation import register
from shanzhi.core.roles import Role


class NotificationsConfig(AppConfig):
    name = "shanzhi.notifications"
    label = "notifications"
    verbose_name = "通知"

    def ready(self):
        # Modules that use models (this app's, core.schedule's) load only once the app registry is ready.
        from django.core import checks

        from .selectors import unread_count
        from .sms import check_sms_backend

        checks.register(check_sms_backend, checks.Tags.security, deploy=True)

        register("notifications:inbox", _("消息"), "bell", set(Role.values))
        register_counter("unread_notifications", _("未读消息"), unread_count, set(Role.values), "notifications:inbox")
