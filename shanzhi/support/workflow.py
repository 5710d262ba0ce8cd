"""The 帮教 record's life as a table: 帮教中 → 待审核结案 → 已结案 (or back to 帮教中 when the review refuses)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shanzhi.core.workflow import Transition, Workflow

from .choices import State
from .models import CLOSE_ROLES, PURPOSE_ROLES

S = State

RECORD = Workflow(
    name="support.record",
    states=dict(State.choices),
    field_labels={"reason": _("结案原因"), "review": _("审核意见")},
    transitions=[
        Transition("request_close", (S.ACTIVE,), S.CLOSING, _("申请结案"), roles=frozenset(PURPOSE_ROLES),
                   requires=("reason",), sets={"close_reason": lambda r, a, d: d["reason"].strip()[:300]}),
        Transition("approve_close", (S.CLOSING,), S.CLOSED, _("审核通过结案"), roles=frozenset(CLOSE_ROLES),
                   requires=("review",), sets={"close_review": lambda r, a, d: d["review"].strip()[:500],
                                               "closed_on": lambda r, a, d: timezone.localdate()}),
        Transition("reject_close", (S.CLOSING,), S.ACTIVE, _("退回继续帮教"), roles=frozenset(CLOSE_ROLES),
                   requires=("review",), sets={"close_review": lambda r, a, d: d["review"].strip()[:500]}),
    ],
)
