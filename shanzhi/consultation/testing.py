"""Objects for the route×role matrix: an instance of each scoped model in a given grid's community."""

from django.utils import timezone

from .models import EvaluationSurvey, Meeting, Topic
from .rules import rule_for
from .services import rules_seed_defaults


def _rule(code):
    rules_seed_defaults(actor=None, region_code=code[:9])

    return rule_for(code[:12], "other")


def topic_in(code: str, owner=None):
    return Topic.objects.create(region_code=code[:12], rule=_rule(code), title="测试议题", proposer=owner)


def meeting_in(code: str, owner=None):
    return Meeting.objects.create(region_code=code[:12], kind="consultation_meeting", title="测试会议",
                                  starts_at=timezone.now(), location="议事厅")


def evaluation_in(code: str, owner=None):
    return EvaluationSurvey.objects.create(region_code=code[:12], kind="residents_on_committee", title="测试评议",
                                           year=2026, items=["服务"])


MATRIX_FACTORIES = {Topic: topic_in, Meeting: meeting_in, EvaluationSurvey: evaluation_in}
