"""Who may do what in party building (rules for core.permissions)."""

from django.utils.translation import gettext_lazy as _

from shanzhi.core.permissions import rule
from shanzhi.core.roles import Role

from .models import PARTY_ROLES

CHANGE = rule("party.change", roles=PARTY_ROLES["change"], reason=_("您不是该区域的党建工作人员"))
# 党员 themselves (go-live): report 双报到 to their residence community, see their own points and 联系户
SELF = rule("party.self", roles={Role.PARTY_MEMBER}, reason=_("只有党员本人可以办理"))
