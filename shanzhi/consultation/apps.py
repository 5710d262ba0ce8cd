import datetime

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from shanzhi.core.dashboard import register_counter
from shanzhi.core.demo import register_step
from shanzhi.core.navigation import register
from shanzhi.core.panels import register_panel
from shanzhi.core.todo import register_todo


class ConsultationConfig(AppConfig):
    name = "shanzhi.consultation"
    label = "consultation"
    verbose_name = "社区协商"

    def ready(self):
        # Modules that use models (this app's, core.schedule's) load only once the app registry is ready.
        from shanzhi.core.schedule import DailyAt, register_periodic

        from . import selectors, todos
        from .demo import build
        from .duplicates import register as register_duplicates
        from .models import COMMITTEE_ROLES, PARTICIPANT_ROLES
        from .notify import send_daily_digests
        from .panels import case_topic_panel

        register("consultation:index", _("社区协商"), "messages", PARTICIPANT_ROLES)
        register_counter("consultation_review", _("待合议议题"), selectors.review_count, COMMITTEE_ROLES, "consultation:index")
        from .indicators import register as register_indicators
        register_indicators()
        register_step("consultation", 50, build)
        register_duplicates()
        register_todo("consultation.topics", todos.topic_todos, roles=PARTICIPANT_ROLES, order=40)
        register_panel("cases.case", "consultation.topic", "consultation/partials/case_topic.html", case_topic_panel)

        register_periodic("consultation.daily_digests", DailyAt(datetime.time(7, 0)), send_daily_digests)

