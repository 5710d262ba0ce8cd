"""The project workflows as tables: application (申报 → 评审 → 立项决定), milestone (交付 → 验收), payment
(申请 → 拨付) and project (签约 → 实施 → 中期 → 结项)."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _l

from shanzhi.core.roles import COMMUNITY_ROLES, MANAGER_ROLES, Role
from shanzhi.core.workflow import Transition, Workflow

from .choices import AppState, DeliverableState, PaymentState, ProjectState

MANAGERS = frozenset(MANAGER_ROLES)
ACCEPTORS = frozenset(MANAGER_ROLES | COMMUNITY_ROLES)
ORG = frozenset({Role.SOCIAL_ORG_STAFF})
ASSESSOR = frozenset({Role.THIRD_PARTY_ASSESSOR})


def _reason(obj, actor, data):
    return str(data.get("reason", ""))[:500]


def _actor(obj, actor, data):
    return actor


def _now(obj, actor, data):
    return timezone.now()


APPLICATION = Workflow(
    name="projects.application",
    states=dict(AppState.choices),
    transitions=[
        Transition("start_review", (AppState.SUBMITTED,), AppState.REVIEWING, _l("开始评审"), roles=MANAGERS),
        Transition("approve", (AppState.REVIEWING,), AppState.APPROVED, _l("立项"), roles=MANAGERS,
                   requires=("reason",), sets={"determination_reason": _reason}),
        Transition("approve_changes", (AppState.REVIEWING,), AppState.APPROVED_CHANGES, _l("修改后立项"),
                   roles=MANAGERS, requires=("reason",), sets={"determination_reason": _reason}),
        Transition("reject", (AppState.SUBMITTED, AppState.REVIEWING), AppState.REJECTED, _l("不予立项"),
                   roles=MANAGERS, requires=("reason",), sets={"determination_reason": _reason}),
        Transition("contract", (AppState.APPROVED, AppState.APPROVED_CHANGES), AppState.CONTRACTED, _l("签订合同"),
                   roles=MANAGERS),
        Transition("withdraw", (AppState.SUBMITTED,), AppState.WITHDRAWN, _l("撤回申报"), roles=ORG),
    ],
    field_labels={"reason": _l("理由")},
)

MILESTONE = Workflow(
    name="projects.milestone",
    states=dict(DeliverableState.choices),
    transitions=[
        Transition("submit", (DeliverableState.PENDING, DeliverableState.RETURNED), DeliverableState.SUBMITTED,
                   _l("提交交付物"), roles=ORG, requires=("report",), sets={"report": lambda o, a, d: d["report"]}),
        Transition("accept", (DeliverableState.SUBMITTED,), DeliverableState.ACCEPTED, _l("验收通过"),
                   roles=ACCEPTORS, sets={"accepted_by": _actor, "review_note": _reason}),
        Transition("return", (DeliverableState.SUBMITTED,), DeliverableState.RETURNED, _l("退回修改"),
                   roles=ACCEPTORS, requires=("reason",), sets={"review_note": _reason}),
    ],
    field_labels={"reason": _l("意见"), "report": _l("交付说明")},
)

PAYMENT = Workflow(
    name="projects.payment",
    states=dict(PaymentState.choices),
    transitions=[
        Transition("release", (PaymentState.REQUESTED,), PaymentState.RELEASED, _l("审批拨付"), roles=MANAGERS,
                   sets={"released_by": _actor, "released_at": _now}),
        Transition("refuse", (PaymentState.REQUESTED,), PaymentState.REFUSED, _l("不予拨付"), roles=MANAGERS,
                   requires=("reason",), sets={"note": _reason}),
    ],
    field_labels={"reason": _l("理由")},
)

PROJECT = Workflow(
    name="projects.project",
    states=dict(ProjectState.choices),
    transitions=[
        Transition("start", (ProjectState.CONTRACTED,), ProjectState.DELIVERING, _l("开始实施"),
                   roles=MANAGERS | ORG | ACCEPTORS),
        Transition("midterm", (ProjectState.DELIVERING,), ProjectState.MIDTERM, _l("中期评估完成"), roles=ASSESSOR),
        Transition("final", (ProjectState.DELIVERING, ProjectState.MIDTERM), ProjectState.FINAL, _l("结项评估完成"),
                   roles=ASSESSOR),
        Transition("close", (ProjectState.FINAL,), ProjectState.CLOSED, _l("结项"), roles=MANAGERS),
        Transition("terminate", (ProjectState.CONTRACTED, ProjectState.DELIVERING, ProjectState.MIDTERM),
                   ProjectState.TERMINATED, _l("终止项目"), roles=MANAGERS, requires=("reason",)),
    ],
    field_labels={"reason": _l("理由")},
)
