"""Who may do what with cases, and which handling bodies a case may go to."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shanzhi.core.errors import ServiceError
from shanzhi.core.permissions import rule
from shanzhi.core.roles import GRID_ROLES, STAFF_ROLES, Role
from shanzhi.core.scoping import code_in_scope

PATROL = rule("cases.patrol", roles=GRID_ROLES, reason=_("只有本网格的网格员或网格长可以登记"))
# staff channels (hotline, patrol, ...): a staff role at the case's grid
# who files a case for someone else: the grid's staff, and the helpers beside them (go-live): 民情收集员 at a
# 民情收集站 of their community, 网格辅助员 and 专属网格员 in their grid
COLLECTOR_ROLES = frozenset({Role.CASE_COLLECTOR, Role.GRID_ASSISTANT, Role.DEDICATED_GRID_WORKER})
STAFF_CHANNEL = rule("cases.staff_channel", roles=set(STAFF_ROLES) | COLLECTOR_ROLES,
                     reason=_("只有该网格的工作人员可以登记此类来源的民情"))
RECATEGORISE = rule("cases.recategorise", roles=STAFF_ROLES, reason=_("您没有在此区域调整类别的角色"))


def body_covers(body, case) -> tuple[bool, str]:
    """A handling body may take a case only if its service area (region code) contains the case's region."""
    if body.region_code and code_in_scope(case.region_code, [body.region_code]):
        return True, ""
    return False, str(_("%(body)s 的服务区域不含本民情所在区域，不能派遣给该单位") % {"body": body.name})


def require_body_covers(body, case, *, field: str = "body") -> None:
    allowed, reason = body_covers(body, case)
    if not allowed:
        raise ServiceError(reason, field=field)
