"""The sign-up review and the 补卡 review, as tables."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shanzhi.core.scope import roles_at
from shanzhi.core.workflow import Transition, Workflow

from .choices import OrderState, RequestState, SignUpState
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
DECIDED = {"decided_by": lambda req, actor, data: actor, "decided_at": lambda req, actor, data: timezone.now()}
LATE_CHECK = Workflow(
    name="volunteering.late_check",
    states=dict(R.choices),
    transitions=[
        Transition("approve", (R.PENDING,), R.APPROVED, _("同意补卡"), guard=_organiser, sets=DECIDED),
        Transition("reject", (R.PENDING,), R.REJECTED, _("驳回"), guard=_organiser, requires=("reason",),
                   sets=DECIDED),
    ],
    field_labels={"reason": _("驳回理由")},
)


# --- store orders: 待核销 → 已核销 / 已取消 ---------------------------------------------------------------------
OS = OrderState
ORDER = Workflow(
    name="volunteering.order",
    states=dict(OS.choices),
    transitions=[
        Transition("redeem", (OS.FROZEN,), OS.REDEEMED, _("核销"), sets=DECIDED),
        Transition("cancel", (OS.FROZEN,), OS.CANCELLED, _("取消兑换"), sets=DECIDED),
    ],
    conflict_message=_("该兑换单已处理，请刷新"),
)
