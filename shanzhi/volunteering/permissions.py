"""Who may do what in volunteering (rules for core.permissions)."""

from django.utils.translation import gettext_lazy as _

from shanzhi.core.permissions import rule
from shanzhi.core.roles import Role

from .models import CHANGE_ROLES

STAFF = rule("volunteering.staff", roles=CHANGE_ROLES, reason=_("您不是该区域的工作人员"))
# a resident registers themself: the person row is linked to their account
SELF = rule("volunteering.self", roles=(), reason=_("只能为本人注册志愿者，或由该区域的工作人员代为登记"),
            scope="owner")
# 志愿积分规则: the district sets the default and the ceiling, a street overrides within it
POINT_RULE = rule("volunteering.point_rule",
                  roles={Role.CITY_MANAGER, Role.DISTRICT_MANAGER, Role.STREET_MANAGER},
                  reason=_("只有区级或街道管理员可以设置志愿积分规则"))
