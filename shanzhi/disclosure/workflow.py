"""Publishing is reviewed: draft → submitted → published by a second person (or rejected with a reason)."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shanzhi.core.workflow import Transition, Workflow

from .models import EDITOR_ROLES, REVIEWER_ROLES, EntryState


def _second_person(entry, actor, data):
    if entry.submitted_by_id == actor.pk:
        return False, _("须由提交人以外的另一人审核公开")
    return True, ""


def _actor(entry, actor, data):
    return actor


def _now(entry, actor, data):
    return timezone.now()


def _reason(entry, actor, data):
    return str(data.get("reason", ""))[:500]


WORKFLOW = Workflow(
    name="disclosure.entry",
    states=dict(EntryState.choices),
    transitions=[
        Transition("submit", (EntryState.DRAFT, EntryState.REJECTED), EntryState.SUBMITTED, _l("提交审核"),
                   roles=frozenset(EDITOR_ROLES), sets={"submitted_by": _actor}),
        Transition("approve", (EntryState.SUBMITTED,), EntryState.PUBLISHED, _l("审核通过并公开"),
                   roles=frozenset(REVIEWER_ROLES), guard=_second_person,
                   sets={"reviewed_by": _actor, "published_at": _now, "review_note": _reason}),
        Transition("reject", (EntryState.SUBMITTED,), EntryState.REJECTED, _l("退回修改"),
                   roles=frozenset(REVIEWER_ROLES), requires=("reason",),
                   sets={"reviewed_by": _actor, "review_note": _reason}),
        Transition("withdraw", (EntryState.PUBLISHED,), EntryState.WITHDRAWN, _l("撤回公开"),
                   roles=frozenset(REVIEWER_ROLES), requires=("reason",)),
    ],
    field_labels={"reason": _l("理由")},
)
