"""Organisation status as a table: 正常 ⇄ 暂停活动 → 注销."""

from django.utils.translation import gettext_lazy as _l

from shanzhi.core.roles import MANAGER_ROLES
from shanzhi.core.workflow import Transition, Workflow

from .choices import OrgStatus


def _reason(org, actor, data):
    return str(data.get("reason", ""))[:300]


WORKFLOW = Workflow(
    name="organisations.status",
    state_field="status",
    states=dict(OrgStatus.choices),
    transitions=[
        Transition("suspend", (OrgStatus.ACTIVE,), OrgStatus.SUSPENDED, _l("暂停活动"), roles=frozenset(MANAGER_ROLES),
                   requires=("reason",), sets={"status_reason": _reason}),
        Transition("reinstate", (OrgStatus.SUSPENDED,), OrgStatus.ACTIVE, _l("恢复正常"),
                   roles=frozenset(MANAGER_ROLES), requires=("reason",), sets={"status_reason": _reason}),
        Transition("deregister", (OrgStatus.ACTIVE, OrgStatus.SUSPENDED), OrgStatus.DEREGISTERED, _l("注销退出"),
                   roles=frozenset(MANAGER_ROLES), requires=("reason",), sets={"status_reason": _reason}),
    ],
    field_labels={"reason": _l("理由")},
)
