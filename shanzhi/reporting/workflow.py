"""The sign-off chain as a table: a community prepares and submits, the street approves (or returns it), the
district approves (or returns it) and the approval seals the figures."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _l

from shanzhi.core.workflow import Transition, Workflow

from .models import DISTRICT_ROLES, EDITABLE_STATES, PREPARER_ROLES, STREET_ROLES, ReportState, digest


def _actor(report, actor, data):
    return actor


def _now(report, actor, data):
    return timezone.now()


def _reason(report, actor, data):
    return str(data.get("reason", ""))[:300]


def _seal(report, actor, data):
    return digest(report.values)


S = ReportState
WORKFLOW = Workflow(
    name="reporting.report",
    states=dict(ReportState.choices),
    transitions=[
        Transition("submit", tuple(EDITABLE_STATES), S.SUBMITTED, _l("提交街道审核"), roles=frozenset(PREPARER_ROLES),
                   sets={"prepared_by": _actor, "submitted_at": _now, "return_note": ""}),
        Transition("street_approve", (S.SUBMITTED,), S.STREET_APPROVED, _l("街道审核通过"),
                   roles=frozenset(STREET_ROLES), sets={"street_approved_by": _actor, "street_approved_at": _now}),
        Transition("street_return", (S.SUBMITTED,), S.RETURNED, _l("街道退回"), roles=frozenset(STREET_ROLES),
                   requires=("reason",), sets={"return_note": _reason}),
        Transition("district_approve", (S.STREET_APPROVED,), S.APPROVED, _l("区级审定并冻结"),
                   roles=frozenset(DISTRICT_ROLES),
                   sets={"district_approved_by": _actor, "approved_at": _now, "sealed": _seal}),
        Transition("district_return", (S.STREET_APPROVED,), S.RETURNED, _l("区级退回"),
                   roles=frozenset(DISTRICT_ROLES), requires=("reason",),
                   sets={"return_note": _reason, "street_approved_by": None, "street_approved_at": None}),
    ],
    field_labels={"reason": _l("理由")},
)
