"""The 准入 review of an unlisted work item and a community's handling of a work item, as tables."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shanzhi.core.workflow import Transition, Workflow

from .choices import DeliveryState, WorkState
from .models import COMMUNITY, REVIEW_ROLES

W = WorkState
D = DeliveryState
REVIEWED = {"reviewed_by": lambda item, actor, data: actor,
            "review_reason": lambda item, actor, data: str(data.get("reason") or "")[:300]}

REVIEW = Workflow(
    name="admission.review",
    states=dict(W.choices),
    transitions=[
        Transition("approve", (W.REVIEW,), W.SENT, _("准入通过"), roles=frozenset(REVIEW_ROLES),
                   sets={**REVIEWED, "sent_at": lambda item, actor, data: timezone.now()}),
        Transition("reject", (W.REVIEW,), W.REJECTED, _("准入驳回"), roles=frozenset(REVIEW_ROLES),
                   requires=("reason",), sets=REVIEWED),
    ],
    field_labels={"reason": _("驳回理由")},
    conflict_message=_("该事项已被他人审核，请刷新"),
)


def _unlisted_only(delivery, actor, data) -> tuple[bool, str]:
    if delivery.listed:
        return False, _("清单内事项不能拒收，如有困难请与派出部门协商")
    return True, ""


DECIDED = {"decided_by": lambda d, actor, data: actor, "decided_at": lambda d, actor, data: timezone.now(),
           "reason": lambda d, actor, data: str(data.get("reason") or "")[:300]}

DELIVERY = Workflow(
    name="admission.delivery",
    states=dict(D.choices),
    transitions=[
        Transition("done", (D.OPEN,), D.DONE, _("办结"), roles=frozenset(COMMUNITY), sets=DECIDED),
        Transition("refuse", (D.OPEN,), D.REFUSED, _("拒收"), roles=frozenset(COMMUNITY), requires=("reason",),
                   guard=_unlisted_only, sets=DECIDED),
    ],
    field_labels={"reason": _("拒收理由")},
    conflict_message=_("该事项已被他人办理，请刷新"),
)
