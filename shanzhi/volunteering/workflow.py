"""The sign-up review and the 补卡 review, as tables."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shanzhi.core.scope import roles_at
from shanzhi.core.workflow import Transition, Workflow

from .choices import RequestState, SignUpState
from .models import CHANGE_ROLES, Activity

S = SignUpState


def _owner_or_staff(signup, actor, data) -> tuple[bool, str]:
    if signup.volunteer.person.user_id == actor.pk or roles_at(actor, signup.region_code) & CHANGE_ROLES:
        if signup.checked_in_at:
            return False, _("已签到的报名不能取消")
        return True, ""
    return False, _("只有本人或活动所在社区的工作人员可以取消报名")


def _has_slot(signup, actor, data) -> tuple[bool, str]:
    if transaction.get_connection().in_atomic_block:
        # inside the transition: lock the activity so two approvals can't both take the last slot
        Activity.objects.select_for_update().filter(pk=signup.activity_id).first()
    taken = signup.activity.signups.filter(state=S.APPROVED).count()
    if taken >= signup.activity.slots:
        return False, _("招募名额已满")
    return True, ""


SIGNUP = Workflow(
    name="volunteering.signup",
    states=dict(S.choices),
    transitions=[
        Transition("approve", (S.PENDING,), S.APPROVED, _("通过"), roles=frozenset(CHANGE_ROLES), guard=_has_slot),
        Transition("reject", (S.PENDING,), S.REJECTED, _("驳回"), roles=frozenset(CHANGE_ROLES), requires=("reason",)),
        Transition("cancel", (S.PENDING, S.APPROVED), S.CANCELLED, _("取消"), guard=_owner_or_staff),
    ],
    field_labels={"reason": _("驳回理由")},
)


def _organiser(req, actor, data) -> tuple[bool, str]:
    if req.signup.activity.organiser_id == actor.pk or roles_at(actor, req.region_code) & CHANGE_ROLES:
        return True, ""
    return False, _("只有活动组织者或社区工作人员可以审核补卡")


R = RequestState
LATE_CHECK = Workflow(
    name="volunteering.late_check",
    states=dict(R.choices),
    transitions=[
        Transition("approve", (R.PENDING,), R.APPROVED, _("同意补卡"), guard=_organiser),
        Transition("reject", (R.PENDING,), R.REJECTED, _("驳回"), guard=_organiser, requires=("reason",)),
    ],
    field_labels={"reason": _("驳回理由")},
)
