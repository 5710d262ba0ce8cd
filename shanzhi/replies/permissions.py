"""Who uses and who manages response templates."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shanzhi.core.permissions import check, rule
from shanzhi.core.roles import STAFF_ROLES, Role

# community staff manage their community's templates, a street its communities', a district the district's
MANAGE_ROLES = frozenset({Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY, Role.STREET_MANAGER,
                          Role.DISTRICT_MANAGER})
USE_ROLES = frozenset(STAFF_ROLES | {Role.HANDLING_BODY_STAFF})

MANAGE = rule("replies.manage", roles=MANAGE_ROLES, reason=_("只有社区、街道或区级工作人员可以管理本辖区的答复模板"))


def can_manage(actor, template) -> tuple[bool, str]:
    """A template of the actor's own area; the system defaults (no region) are the installation's."""
    if not template.region_code:
        return False, str(_("系统默认模板由系统维护，可复制后修改"))
    return check(actor, MANAGE.action, template.region_code)
