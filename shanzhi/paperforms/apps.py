from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from shanzhi.core.navigation import register
from shanzhi.core.roles import COMMUNITY_ROLES, GRID_ROLES


class PaperformsConfig(AppConfig):
    name = "shanzhi.paperforms"
    label = "paperforms"
    verbose_name = _("纸质表录入")

    def ready(self):
        register("paperforms:scan", _("扫码录入纸质表"), "qrcode", GRID_ROLES | COMMUNITY_ROLES)
