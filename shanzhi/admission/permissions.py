"""Who may do what in 社区准入 (rules for core.permissions)."""

from django.utils.translation import gettext_lazy as _

from shanzhi.core.permissions import rule
from shanzhi.core.roles import Role

from .models import COMMUNITY, REVIEW_ROLES

MANAGE_LISTS = rule("admission.manage_lists", roles=REVIEW_ROLES, reason=_("只有本区的区级管理员可以维护准入清单"))
REVIEW = rule("admission.review", roles=REVIEW_ROLES, reason=_("只有本区的区级管理员可以进行准入审核"))
# a manager sends as a section or department of their own region; department staff only as their own department
SEND_AS_MANAGER = rule("admission.send_manager", roles={Role.STREET_MANAGER, Role.DISTRICT_MANAGER},
                       reason=_("只能以本人所在区域的科室或部门名义下派工作事项"))
HANDLE = rule("admission.handle", roles=COMMUNITY, reason=_("只有本社区的工作人员可以办理或拒收工作事项"))
