"""Who may do what in party building (rules for core.permissions)."""

from django.utils.translation import gettext_lazy as _

from shanzhi.core.permissions import rule

from .models import PARTY_ROLES

CHANGE = rule("party.change", roles=PARTY_ROLES["change"], reason=_("您不是该区域的党建工作人员"))
