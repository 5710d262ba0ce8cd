from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from shanzhi.core.dashboard import register_counter
from shanzhi.core.demo import register_step
from shanzhi.core.indicators import Indicator, register_indicator
from shanzhi.core.navigation import register
from shanzhi.core.roles import MANAGER_ROLES, STAFF_ROLES, Role


class ProjectsConfig(AppConfig):
    name = "shanzhi.projects"
    label = "projects"
    verbose_name = _("项目化")

    def ready(self):
        from . import demo, selectors

        register("projects:index", _("惠民项目"), "briefcase",
                 set(STAFF_ROLES) | {Role.SOCIAL_ORG_STAFF, Role.THIRD_PARTY_ASSESSOR})
        register("projects:dashboard", _("项目驾驶舱"), "chart-bar", MANAGER_ROLES)
        register_counter("projects.reviews", _("待评审项目"),
                         lambda *, actor: selectors.my_reviews(actor=actor).filter(submitted_at__isnull=True).count(),
                         set(STAFF_ROLES) | {Role.THIRD_PARTY_ASSESSOR}, "projects:index")
        register_counter("projects.payments", _("待审批拨款"),
                         lambda *, actor: selectors.payment_queue(actor=actor).count(), MANAGER_ROLES,
                         "projects:index")
        formula = _("签约且未终止的项目，按签约日期计入期间")
        for key, label, unit, field in [
            ("projects.count", _("惠民项目数"), _("个"), "count"),
            ("projects.amount_committed", _("项目合同金额"), _("分"), "amount_fen"),
            ("projects.beneficiaries", _("项目受益人数"), _("人"), "beneficiaries"),
        ]:
            register_indicator(Indicator(key=key, label=label, unit=unit, formula=formula, module="projects",
                                         compute=selectors.indicator(field), public=True))
        register_indicator(Indicator(key="projects.amount_paid", label=_("项目已拨付金额"), unit=_("分"),
                                     formula=_("已拨付的项目款，按拨付日期计入期间"), module="projects",
                                     compute=selectors.paid_figures, public=True))
        register_step("projects", 82, demo.build)
