"""Who may do what with cases, and which handling bodies a case may go to."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shanzhi.core.errors import ServiceError
from shanzhi.core.permissions import rule
from shanzhi.core.roles import GRID_ROLES, STAFF_ROLES, Role
from shanzhi.core.scope import user_roles
from shanzhi.core.scoping import code_in_scope

PATROL = rule("cases.patrol", roles=GRID_ROLES, reason=_("只有本网格的网格员或网格长可以登记"))
# 入户走访 (go-live): the grid's helpers log visits in their grid too
VISIT_ROLES = frozenset(GRID_ROLES | {Role.GRID_ASSISTANT, Role.DEDICATED_GRID_WORKER})
VISIT = rule("cases.home_visit", roles=VISIT_ROLES, reason=_("只有本网格的网格员或网格辅助员可以登记走访"))
# staff channels (hotline, patrol, ...): a staff role at the case's grid
# who files a case for someone else: the grid's staff, and the helpers beside them (go-live): 民情收集员 at a
# 民情收集站 of their community, 网格辅助员 and 专属网格员 in their grid
COLLECTOR_ROLES = frozenset({Role.CASE_COLLECTOR, Role.GRID_ASSISTANT, Role.DEDICATED_GRID_WORKER})
STAFF_CHANNEL = rule("cases.staff_channel", roles=set(STAFF_ROLES) | COLLECTOR_ROLES,
                     reason=_("只有该网格的工作人员可以登记此类来源的民情"))
# 照片打码 (privacy-safe publishing): the staff of the case's area make a photo's blurred public copy
PHOTO_REVIEW = rule("cases.photo_review", roles=STAFF_ROLES, reason=_("只有本区域的工作人员可以为照片打码后公开"))
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


def body_responsible(body, case) -> tuple[bool, str]:
    """The body's responsibility list (职责清单) names the case's category or one of its parents."""
    codes = set(body.categories.values_list("pk", flat=True))
    category = case.category
    while category is not None:
        if category.pk in codes:
            return True, ""
        category = category.parent
    return False, str(_("%(b)s 的职责清单中没有“%(c)s”，请选择负责此类事项的单位") % {
        "b": body.name, "c": case.category.name})


# --- configuration (系统配置) ------------------------------------------------------------------------
# Categories and their deadlines are the district's defaults, the same for every street (a resident's report
# and the Open311 feed read one tree): the system admin and district or city managers set them.
CONFIG_DEFAULTS = rule("cases.config_defaults", roles={Role.SYSTEM_ADMIN, Role.CITY_MANAGER, Role.DISTRICT_MANAGER},
                       reason=_("民情类别和时限是全区统一的默认值，只有系统管理员或区级管理员可以修改"))
# Handling bodies and routing rules belong to the area they serve: a street manager keeps those of their
# street, the district those of the district; nobody writes outside their grant.
CONFIG_AREA = rule("cases.config_area", roles={Role.SYSTEM_ADMIN, Role.CITY_MANAGER, Role.DISTRICT_MANAGER,
                                               Role.STREET_MANAGER},
                   reason=_("您只能配置本人管辖区域内的承办单位和派遣规则"))


def can_edit_defaults(actor) -> tuple[bool, str]:
    """Installation-wide defaults: any grant of a role named by CONFIG_DEFAULTS (they hold no region)."""
    if actor is not None and user_roles(actor) & CONFIG_DEFAULTS.roles:
        return True, ""
    return False, str(CONFIG_DEFAULTS.reason)


def route_allowed(body, region_prefix: str) -> tuple[bool, str]:
    """What the district allows a street: a routing rule may send cases only to a body whose service area
    covers the rule's whole area (the street's own sections, or a district department)."""
    if body.region_code and region_prefix.startswith(body.region_code):
        return True, ""
    return False, str(_("%(body)s 的服务区域不覆盖 %(code)s，不能作为该区域的承办单位") % {
        "body": body.name, "code": region_prefix})
