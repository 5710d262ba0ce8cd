"""Who may do what in volunteering (rules for core.permissions)."""

from django.utils.translation import gettext_lazy as _

from shanzhi.core.permissions import rule

from .models import CHANGE_ROLES

STAFF = rule("volunteering.staff", roles=CHANGE_ROLES, reason=_("您不是该区域的工作人员"))
# a resident registers themself: the person row is linked to their account
SELF = rule("volunteering.self", roles=(), reason=_("只能为本人注册志愿者，或由该区域的工作人员代为登记"),
            scope="owner")
