"""The registry's state machines, as tables: a move request between communities (迁入审批) and a need's status."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shanzhi.core.workflow import Transition, Workflow

from .choices import NeedStatus
from .models import MoveRequest

M = MoveRequest.State


DECIDED = {"decided_by": lambda req, actor, data: actor, "decided_at": lambda req, actor, data: timezone.now(),
           "decision_note": lambda req, actor, data: str(data.get("reason", ""))[:300]}

MOVE_REQUEST = Workflow(
    name="registry.move_request",
    states=dict(M.choices),
    transitions=[
        Transition("approve", (M.PENDING,), M.APPROVED, _("批准迁入"), sets=DECIDED),
        Transition("reject", (M.PENDING,), M.REJECTED, _("驳回"), requires=("reason",), sets=DECIDED),
    ],
    field_labels={"reason": _("驳回理由")},
    conflict_message=_("该申请已处理"),
)

# A need may move from any status to any other (a worker records what happened); each move is one transition.
NEED = Workflow(
    name="registry.need",
    states=dict(NeedStatus.choices),
    state_field="status",
    transitions=[Transition(f"to_{s}", tuple(o for o in NeedStatus.values if o != s), s, label)
                 for s, label in NeedStatus.choices],
)
