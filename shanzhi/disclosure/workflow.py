"""Publishing is reviewed: draft → submitted → published by a second person (or rejected with a reason)."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shanzhi.audit.services import audit_log
from shanzhi.core.privacy import counts
from shanzhi.core.workflow import Transition, Workflow

from .models import EDITOR_ROLES, REVIEWER_ROLES, EntryState
from .privacy import entry_findings


def _second_person(entry, actor, data):
    if entry.submitted_by_id == actor.pk:
        return False, _("须由提交人以外的另一人审核公开")
    return True, ""


def _no_personal_data(entry, actor, data):
    """Published only without findings of the privacy scan, or with an explicit override and its reason."""
    ok, reason = _second_person(entry, actor, data)
    if not ok:
        return ok, reason
    found = entry_findings(entry)
    if not found or (data.get("override") and str(data.get("reason", "")).strip()):
        return True, ""
    return False, _("发现 %(n)s 处个人信息（身份证号、电话或姓名），请遮盖后再公开；确需公开须填写理由") % {
        "n": len(found)}


def _override_audited(entry, actor, data):
    if data.get("override"):
        found = entry_findings(entry)
        if found:  # counts by kind only: the found text never reaches the log
            audit_log(actor=actor, action="disclosure.privacy_override", obj=entry, after=counts(found),
                      reason=str(data.get("reason", ""))[:500])


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
                   roles=frozenset(REVIEWER_ROLES), guard=_no_personal_data, effect=_override_audited,
                   sets={"reviewed_by": _actor, "published_at": _now, "review_note": _reason}),
        Transition("reject", (EntryState.SUBMITTED,), EntryState.REJECTED, _l("退回修改"),
                   roles=frozenset(REVIEWER_ROLES), requires=("reason",),
                   sets={"reviewed_by": _actor, "review_note": _reason}),
        Transition("withdraw", (EntryState.PUBLISHED,), EntryState.WITHDRAWN, _l("撤回公开"),
                   roles=frozenset(REVIEWER_ROLES), requires=("reason",)),
    ],
    field_labels={"reason": _l("理由")},
)
