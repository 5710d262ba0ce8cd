"""Binding requests as a workflow table: 待核验 → 已通过 | 已驳回, by community staff."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shanzhi.core.workflow import Transition, Workflow

from .models import DESK_ROLES, RequestState

S = RequestState
DECIDED = {"decided_by": lambda req, actor, data: actor, "decided_at": lambda req, actor, data: timezone.now()}
REJECTED = {**DECIDED, "reason": lambda req, actor, data: str(data.get("reason", ""))[:300]}


def _table(name: str) -> Workflow:
    return Workflow(
        name=name,
        states=dict(S.choices),
        transitions=[
            Transition("approve", (S.PENDING,), S.APPROVED, _("核验通过"), roles=frozenset(DESK_ROLES), sets=DECIDED),
            Transition("reject", (S.PENDING,), S.REJECTED, _("驳回"), roles=frozenset(DESK_ROLES),
                       requires=("reason",), sets=REJECTED),
        ],
        field_labels={"reason": _("驳回理由")},
        conflict_message=_("该申请已被他人处理，请刷新"),
    )


BINDING = _table("portal.binding")
