from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from shanzhi.core.dashboard import register_counter
from shanzhi.core.demo import register_step
from shanzhi.core.navigation import register
from shanzhi.core.roles import MANAGER_ROLES, STAFF_ROLES, Role


class ProjectsConfig(AppConfig):
    name = "shanzhi.projects"
    label = "projects"
    verbose_name = _("项目化")

    def ready(self):
        from . import demo, indicators, selectors

        register("projects:index", _("惠民项目"), "briefcase",
                 set(STAFF_ROLES) | {Role.SOCIAL_ORG_STAFF, Role.THIRD_PARTY_ASSESSOR})
        register("projects:dashboard", _("项目驾驶舱"), "chart-bar", MANAGER_ROLES)
        register_counter("projects.reviews", _("待评审项目"),
                         lambda *, actor: selectors.my_reviews(actor=actor).filter(submitted_at__isnull=True).count(),
                         set(STAFF_ROLES) | {Role.THIRD_PARTY_ASSESSOR}, "projects:index")
        register_counter("projects.payments", _("待审批拨款"),
                         lambda *, actor: selectors.payment_queue(actor=actor).count(), MANAGER_ROLES,
                         "projects:index")
        indicators.register()
        register_step("projects", 82, demo.build)
