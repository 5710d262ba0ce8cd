from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from shanzhi.core.dashboard import register_counter
from shanzhi.core.demo import register_step
from shanzhi.core.navigation import register
from shanzhi.core.roles import STAFF_ROLES, Role


class AssessmentConfig(AppConfig):
    name = "shanzhi.assessment"
    label = "assessment"

    def ready(self):
        from . import demo, importing, selectors

        register("assessment:index", _("考核评价"), "award", set(STAFF_ROLES) | {Role.THIRD_PARTY_ASSESSOR})
        register("assessment:my_survey", _("居民满意度测评"), "message-star", {Role.RESIDENT})
        register_counter("assessment.appeals", _("待复核申诉"),
                         lambda *, actor: selectors.appeals_for(actor=actor).filter(state="submitted").count(),
                         {Role.DISTRICT_MANAGER}, "assessment:index")
        register_step("assessment", 75, demo.build)
        importing.register()
