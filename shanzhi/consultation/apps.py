from django.apps import AppConfig


class ConsultationConfig(AppConfig):
    name = "shanzhi.consultation"
    label = "consultation"
    verbose_name = "社区协商"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from shanzhi.accounts.navigation import register
        from shanzhi.core.dashboard import register_counter
        from shanzhi.core.demo import register_step

        from .demo import build
        from .models import COMMITTEE_ROLES, PARTICIPANT_ROLES

        register("consultation:index", _("社区协商"), "messages", PARTICIPANT_ROLES)
        register_counter("consultation_review", _("待合议议题"), _review_count, COMMITTEE_ROLES, "consultation:index")
        register_step("consultation", 50, build)

        import datetime

        from shanzhi.core.schedule import DailyAt, register_periodic

        from .notify import send_daily_digests

        register_periodic("consultation.daily_digests", DailyAt(datetime.time(7, 0)), send_daily_digests)


def _review_count(*, actor) -> int:
    from .choices import Stage
    from .models import Topic

    return Topic.objects.restrict(actor, "view").filter(state=Stage.REVIEW).count()
