"""Who may do what with social organisations (rules for core.permissions)."""

from django.utils.translation import gettext_lazy as _

from shanzhi.core.permissions import rule
from shanzhi.core.roles import MANAGER_ROLES

from .models import ASSESSOR, ORG_STAFF

REGISTER = rule("organisations.register", roles=MANAGER_ROLES, reason=_("只有街道或区级管理员可以登记社会组织"))
MANAGE = rule("organisations.manage", roles=MANAGER_ROLES, reason=_("只有登记该组织的街道或区级管理员可以管理它"),
              scope="community_widened")
GRADE = rule("organisations.grade", roles=ASSESSOR | set(MANAGER_ROLES),
             reason=_("只有第三方评估人员或管理员可以开展等级评估"), scope="community_widened")
OWN = rule("organisations.own", roles=ORG_STAFF, reason=_("只有本组织的人员可以为本组织操作"), scope="member")
