"""The registry's state machines, as tables: a move request between communities (迁入审批) and a need's status."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shanzhi.core.workflow import Transition, Workflow

from .choices import NeedStatus
from .models import APPROVE_ROLES, DIRECT_ROLES, ChangeState, MoveRequest

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


# --- change requests (issue 22.6): 待确认 (an import's preview) → 待审批 → 已生效 | 已驳回, or 已撤回 ------------------
CS = ChangeState
CHANGE_DECIDED = {"decided_by": lambda req, actor, data: actor, "decided_at": lambda req, actor, data: timezone.now()}

CHANGE_REQUEST = Workflow(
    name="registry.change_request",
    states=dict(CS.choices),
    transitions=[
        # the proposer confirms an import's preview: its rows go to the community for approval
        Transition("submit", (CS.DRAFT,), CS.PENDING, _("提交审批")),
        # a direct editor confirms an import's preview: the row is written at once (by the service)
        Transition("apply", (CS.DRAFT,), CS.APPROVED, _("确认写入"), roles=DIRECT_ROLES, sets=CHANGE_DECIDED),
        Transition("approve", (CS.PENDING,), CS.APPROVED, _("批准"), roles=APPROVE_ROLES, sets=CHANGE_DECIDED),
        Transition("reject", (CS.PENDING,), CS.REJECTED, _("驳回"), roles=APPROVE_ROLES, requires=("reason",),
                   sets={**CHANGE_DECIDED, "reason": lambda req, actor, data: str(data.get("reason", ""))[:300]}),
        Transition("withdraw", (CS.DRAFT, CS.PENDING), CS.WITHDRAWN, _("撤回")),
    ],
    field_labels={"reason": _("驳回理由")},
    conflict_message=_("该申请已被他人处理，请刷新"),
)
