"""全程代办 as a table: submitted → accepted (materials complete) → at the department → result → signed for
→ rated; the desk may send it back for missing materials, the resident may withdraw before the department has it."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shanzhi.cases.deadlines import add_working_time
from shanzhi.core.workflow import Transition, Workflow

from .choices import RequestState as S
from .models import RESIDENTS, STAFF


def _materials_complete(req, actor, data):
    missing = [m.name for m in req.materials.all() if not m.received]
    if missing:
        return False, _("材料未收齐：%(names)s") % {"names": "、".join(missing)}
    return True, ""


def _is_applicant(req, actor, data):
    if req.applicant_id != getattr(actor, "pk", None):
        return False, _("只有申请人本人可以操作")
    return True, ""


def _due(req, actor, data):
    due, _estimated = add_working_time(timezone.now(), req.item.legal_days)
    return due


def _estimated(req, actor, data):
    return add_working_time(timezone.now(), req.item.legal_days)[1]


def _on_time(req, actor, data):
    return req.due_at is None or timezone.now() <= req.due_at


def _now(req, actor, data):
    return timezone.now()


def _actor(req, actor, data):
    return actor


def _data(key, limit=300):
    return lambda req, actor, data: str(data.get(key, "")).strip()[:limit]


def _rating(req, actor, data):
    return int(data["rating"])


def _valid_rating(req, actor, data):
    ok, reason = _is_applicant(req, actor, data)
    if not ok:
        return ok, reason
    if data.get("rating") and str(data["rating"]) not in {"1", "2", "3", "4", "5"}:
        return False, _("请给出1到5星的评分")
    return True, ""


def _signature_kind(req, actor, data):
    """The form's value, when given, is one of the two ways (`requires` makes the transition ask for it)."""
    if data.get("signature_kind") and data["signature_kind"] not in {"screen", "paper"}:
        return False, _("请选择签收方式")
    return True, ""


STAFF_ROLES = frozenset(STAFF)

REQUEST = Workflow(
    name="services.request",
    states=dict(S.choices),
    transitions=[
        Transition("accept", (S.SUBMITTED,), S.ACCEPTED, _l("受理"), roles=STAFF_ROLES, guard=_materials_complete,
                   sets={"accepted_at": _now, "due_at": _due, "due_estimated": _estimated, "handler": _actor}),
        Transition("return", (S.SUBMITTED,), S.RETURNED, _l("退回补材料"), roles=STAFF_ROLES, requires=("note",)),
        Transition("resubmit", (S.RETURNED,), S.SUBMITTED, _l("重新提交"), roles=frozenset(RESIDENTS),
                   guard=_is_applicant),
        Transition("submit_department", (S.ACCEPTED,), S.AT_DEPARTMENT, _l("递交部门"), roles=STAFF_ROLES,
                   requires=("note",)),
        Transition("result", (S.AT_DEPARTMENT,), S.RESULT_READY, _l("结果已出"), roles=STAFF_ROLES,
                   requires=("note",), sets={"result": _data("note")}),
        Transition("deliver", (S.RESULT_READY,), S.DELIVERED, _l("送达签收"), roles=STAFF_ROLES,
                   requires=("signed_name", "signature_kind"), guard=_signature_kind,
                   sets={"delivered_at": _now, "completed_on_time": _on_time, "signed_name": _data("signed_name", 50),
                         "signature_kind": _data("signature_kind", 8)}),
        Transition("rate", (S.DELIVERED,), S.RATED, _l("评价"), roles=frozenset(RESIDENTS), requires=("rating",),
                   guard=_valid_rating,
                   sets={"rating": _rating, "rating_comment": _data("comment")}),
        Transition("withdraw", (S.SUBMITTED, S.RETURNED, S.ACCEPTED), S.WITHDRAWN, _l("撤回"),
                   roles=frozenset(RESIDENTS), guard=_is_applicant),
    ],
    field_labels={"note": _l("记录"), "signed_name": _l("签收人姓名"), "rating": _l("评分"),
                  "signature_kind": _l("签收方式")},
)
