"""Who may do what in disclosure (rules for core.permissions)."""

from django.utils.translation import gettext_lazy as _

from shanzhi.core.permissions import rule
from shanzhi.core.roles import Role

from .models import EDITOR_ROLES, REVIEWER_ROLES

EDIT = rule("disclosure.edit", roles=EDITOR_ROLES, reason=_("只有社区工作人员可以编写公开事项"), scope="community_widened")
LEDGER = rule("disclosure.ledger", roles=EDITOR_ROLES, reason=_("只有社区工作人员可以登记收支"), scope="community_widened")
# The publishing calendar is the street's (民政 rules per category): a street or district manager sets it.
SCHEDULE = rule("disclosure.schedule", roles={Role.STREET_MANAGER, Role.DISTRICT_MANAGER},
                reason=_("只有街道管理员或区级管理员可以设置公开日历"))
REVIEW = rule("disclosure.review", roles=REVIEWER_ROLES, reason=_("只有社区书记或街道管理员可以审核公开事项"),
              scope="community_widened")
