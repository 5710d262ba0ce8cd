"""The case workflow as a table: 上报 → 受理 → 分派 → 处置 → 办结 → 核查 → 反馈 → 评价 → 归档.

Branches: 不予受理 (reject, with reason), 联动 (dispatch to a handling body), 越级 (escalate to the
street/district level), 协助 (assisting bodies), 退回 (return, with reason), 核查不通过 (back to
handling), 合并 (a duplicate closes into its original). A dissatisfied rating reopens the case once
(`reopen`); a second one escalates it (`escalate_dissatisfied`). Both are run by the rating service,
never offered as buttons (SYSTEM_ACTIONS). A reporter whose problem is back reopens a case closed as fixed
to the same handler (`recur`, 问题复发); a handler who finds the case is not their body's business names the
responsible body and forwards it there in one step (`forward`, 非本单位职责转交) — a 'not our responsibility'
closure (`complete` with that outcome) is run as this forward.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shanzhi.core.roles import STAFF_ROLES, Role
from shanzhi.core.scope import roles_at
from shanzhi.core.workflow import Transition, Workflow
from shanzhi.registry.permissions import can_act_for

from .choices import Level, Outcome, State
from .models import CaseAssignment, CaseFollower

S = State
ACCEPT_ROLES = frozenset(STAFF_ROLES)
DISPATCH_ROLES = frozenset({Role.GRID_LEADER, Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY, Role.STREET_MANAGER,
                            Role.DISTRICT_MANAGER})
VERIFY_ROLES = DISPATCH_ROLES
ESCALATE_ROLES = frozenset(STAFF_ROLES)


def _member_of_lead(case, actor) -> bool:
    return CaseAssignment.objects.filter(case=case, active=True, body__handlingbodymember__user_id=actor.pk).exists()


def is_handler(case, actor) -> bool:
    """The grid staff member it was assigned to, or a member of a body handling it."""
    if actor is None or not actor.is_authenticated:
        return False
    return case.assignee_id == actor.pk or _member_of_lead(case, actor)


def is_reporter(case, actor) -> bool:
    if actor is None or not actor.is_authenticated:
        return False
    if case.reporter_user_id == actor.pk:
        return True
    follows = case.__dict__.setdefault("_follows", {})  # asked once per transition on offer: once per request
    if actor.pk not in follows:
        follows[actor.pk] = CaseFollower.objects.filter(case=case, user=actor).exists()
    return follows[actor.pk]


def handler_guard(case, actor, data):
    if is_handler(case, actor):
        return True, ""
    return False, str(_("只有承办人或承办单位人员可以执行此操作"))


def verifier_guard(case, actor, data):
    if roles_at(actor, case.region_code) & VERIFY_ROLES or is_reporter(case, actor):
        return True, ""
    return False, str(_("只有网格长、社区工作人员或上报人可以核查"))


def rater_guard(case, actor, data):
    if is_reporter(case, actor):
        return True, ""
    member = data.get("_on_behalf_of")  # 代办 (services.case_rate_on_behalf): the head rates their member's case
    if member is not None and member.pk == case.reporter_person_id and can_act_for(actor, member, "rate")[0]:
        return True, ""
    if case.reporter_user_id is None and roles_at(actor, case.region_code) & ACCEPT_ROLES:
        return True, ""  # a hotline or walk-in reporter rates by phone; staff record it
    return False, str(_("只有上报人可以评价"))


def escalate_guard(case, actor, data):
    if case.level >= Level.DISTRICT:
        return False, str(_("已在区级办理，不能再越级"))
    return True, ""


RECUR_WINDOW = dt.timedelta(days=90)  # after that, the same problem is a new report


def recur_guard(case, actor, data):
    if not is_reporter(case, actor):
        return False, str(_("只有上报人可以反映问题复发"))
    if case.outcome != Outcome.FIXED:
        return False, str(_("只有办结结果为“已解决”的民情可以因问题复发重办"))
    if case.completed_at and timezone.now() - case.completed_at > RECUR_WINDOW:
        return False, str(_("办结已超过 90 天，请重新反映"))
    return True, ""


def forward_guard(case, actor, data):
    if is_handler(case, actor) or roles_at(actor, case.region_code) & DISPATCH_ROLES:
        return True, ""
    return False, str(_("只有承办人、承办单位人员或派遣人员可以转交"))


def system_guard(case, actor, data):
    if data.get("_system"):
        return True, ""
    return False, str(_("由评价结果自动触发"))


HANDLING = (S.ACCEPTED, S.DISPATCHED, S.HANDLING)
WORKFLOW = Workflow(
    name="case",
    states=dict(State.choices),
    reload=False,  # guards read only versioned columns; the deadline check's alert_level is not one of them
    field_labels={"reason": str(_("原因")), "note": str(_("说明")), "assignee": str(_("处置人")),
                  "body": str(_("承办单位")), "outcome": str(_("办结结果")), "score": str(_("评分")),
                  "original": str(_("原件编号"))},
    transitions=[
        Transition("accept", (S.REPORTED,), S.ACCEPTED, _("受理"), roles=ACCEPT_ROLES),
        Transition("reject", (S.REPORTED,), S.REJECTED, _("不予受理"), roles=ACCEPT_ROLES, requires=("reason",)),
        Transition("assign", (S.ACCEPTED,), S.DISPATCHED, _("分派网格员"), roles=DISPATCH_ROLES | {Role.GRID_WORKER},
                   requires=("assignee",)),
        Transition("dispatch", (S.ACCEPTED,), S.DISPATCHED, _("联动派遣"), roles=DISPATCH_ROLES, requires=("body",)),
        Transition("assist", (S.DISPATCHED, S.HANDLING), S.HANDLING, _("增加协办单位"), roles=DISPATCH_ROLES,
                   requires=("body",)),
        Transition("escalate", HANDLING, S.ACCEPTED, _("越级上报"), roles=ESCALATE_ROLES, requires=("reason",),
                   guard=escalate_guard),
        Transition("return", (S.DISPATCHED, S.HANDLING), S.ACCEPTED, _("退回"), requires=("reason",),
                   guard=handler_guard),
        Transition("reroute", (S.DISPATCHED, S.HANDLING), S.ACCEPTED, _("改派"), roles=DISPATCH_ROLES,
                   requires=("reason",)),
        Transition("forward", (S.DISPATCHED, S.HANDLING), S.DISPATCHED, _("非本单位职责，转交"),
                   requires=("body", "reason"), guard=forward_guard),
        Transition("start", (S.DISPATCHED,), S.HANDLING, _("开始处置"), guard=handler_guard),
        Transition("progress", (S.HANDLING,), S.HANDLING, _("处置进展"), requires=("note",), guard=handler_guard),
        Transition("complete", (S.HANDLING,), S.COMPLETED, _("办结"), requires=("outcome", "note"),
                   guard=handler_guard),
        Transition("verify", (S.COMPLETED,), S.VERIFIED, _("核查通过"), guard=verifier_guard),
        Transition("verify_fail", (S.COMPLETED,), S.HANDLING, _("核查不通过"), requires=("reason",),
                   guard=verifier_guard),
        Transition("feedback", (S.VERIFIED,), S.FEEDBACK, _("反馈上报人"), roles=ACCEPT_ROLES, requires=("note",)),
        Transition("rate", (S.FEEDBACK,), S.RATED, _("评价"), requires=("score",), guard=rater_guard),
        Transition("reopen", (S.RATED,), S.HANDLING, _("不满意重办"), guard=system_guard),
        Transition("recur", (S.VERIFIED, S.FEEDBACK, S.RATED, S.ARCHIVED), S.HANDLING, _("问题复发，重新办理"),
                   requires=("note",), guard=recur_guard),
        Transition("escalate_dissatisfied", (S.RATED,), S.ACCEPTED, _("不满意越级"), guard=system_guard),
        Transition("archive", (S.RATED, S.FEEDBACK, S.REJECTED), S.ARCHIVED, _("归档"), roles=DISPATCH_ROLES),
        Transition("merge", (S.REPORTED, S.ACCEPTED, S.DISPATCHED, S.HANDLING), S.ARCHIVED, _("合并为重复件"),
                   roles=DISPATCH_ROLES, requires=("original",)),
    ],
)
SYSTEM_ACTIONS = {"reopen", "escalate_dissatisfied"}
# Actions that need a form with more than a reason (the detail page shows their own forms).
FORM_ACTIONS = {"assign", "dispatch", "assist", "complete", "rate", "merge", "progress", "feedback", "forward"}
# Actions a reporter runs from their own case page.
REPORTER_ACTIONS = {"verify", "verify_fail", "rate", "recur"}
