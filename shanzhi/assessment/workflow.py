"""The appeal (申诉) and the merit review (加减分认定), as tables."""

from django.utils.translation import gettext_lazy as _

from shanzhi.core.workflow import Transition, Workflow

from .choices import AppealState, MeritState
from .models import DISTRICT, MANAGERS

A = AppealState
DECIDED = {"decided_by": lambda obj, actor, data: actor,
           "decision": lambda obj, actor, data: str(data.get("decision") or "")[:300]}

APPEAL = Workflow(
    name="assessment.appeal",
    states=dict(A.choices),
    transitions=[
        Transition("uphold", (A.SUBMITTED,), A.UPHELD, _("申诉成立"), roles=frozenset(DISTRICT),
                   requires=("decision", "corrected_value"),
                   sets={**DECIDED, "corrected_value": lambda obj, actor, data: data["corrected_value"]}),
        Transition("dismiss", (A.SUBMITTED,), A.DISMISSED, _("申诉不成立"), roles=frozenset(DISTRICT),
                   requires=("decision",), sets=DECIDED),
    ],
    field_labels={"decision": _("复核意见"), "corrected_value": _("改正后数值")},
    conflict_message=_("该申诉已被他人处理，请刷新"),
)


def _not_own(merit, actor, data) -> tuple[bool, str]:
    if actor.pk in (merit.submitted_by_id, merit.staff_id):
        return False, _("登记人和本人不能认定自己的加减分")
    return True, ""


M = MeritState
MERIT = Workflow(
    name="assessment.merit",
    states=dict(M.choices),
    transitions=[
        Transition("approve", (M.PENDING,), M.APPROVED, _("认定"), roles=frozenset(MANAGERS), guard=_not_own,
                   sets=DECIDED),
        Transition("reject", (M.PENDING,), M.REJECTED, _("不予认定"), roles=frozenset(MANAGERS), guard=_not_own,
                   requires=("decision",), sets=DECIDED),
    ],
    field_labels={"decision": _("审核意见")},
    conflict_message=_("该记录已被他人审核，请刷新"),
)
