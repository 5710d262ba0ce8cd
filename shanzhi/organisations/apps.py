from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from shanzhi.core.demo import register_step
from shanzhi.core.navigation import register
from shanzhi.core.roles import STAFF_ROLES, Role


class OrganisationsConfig(AppConfig):
    name = "shanzhi.organisations"
    label = "organisations"
    verbose_name = _("社会组织")

    def ready(self):
        from shanzhi.core.schedule import Every, register_periodic

        from . import demo
        from .complaints import complaint_credit_sync

        register("organisations:index", _("社会组织"), "building-community",
                 set(STAFF_ROLES) | {Role.SOCIAL_ORG_STAFF, Role.THIRD_PARTY_ASSESSOR})
        register_step("organisations", 80, demo.build)
        register_periodic("organisations.complaint_credit", Every(60 * 60), complaint_credit_sync)
