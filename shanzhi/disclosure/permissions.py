"""Who may do what in disclosure (rules for core.permissions)."""

from django.utils.translation import gettext_lazy as _

from shanzhi.core.permissions import rule

from .models import EDITOR_ROLES

EDIT = rule("disclosure.edit", roles=EDITOR_ROLES, reason=_("只有社区工作人员可以编写公开事项"), scope="community_widened")
LEDGER = rule("disclosure.ledger", roles=EDITOR_ROLES, reason=_("只有社区工作人员可以登记收支"), scope="community_widened")
