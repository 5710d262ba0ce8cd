from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from shanzhi.core.dashboard import register_counter


class ConfigurationConfig(AppConfig):
    """系统配置: the setup checklist, the configuration pages and the configuration file. A layer above the
    capability apps (beside analytics): it orders their services and writes nothing itself."""

    name = "shanzhi.configuration"
    label = "configuration"

    def ready(self):
        from . import selectors
        from .checklist import missing_count
        from .permissions import CONFIG_ROLES

        register_counter("configuration.missing", _("待完成的配置项"),
                         lambda *, actor: missing_count(streets=selectors.config_streets(actor=actor)),
                         CONFIG_ROLES, "configuration:checklist")
