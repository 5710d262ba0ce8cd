"""Who may change the region tree (rules for core.permissions)."""

from django.utils.translation import gettext_lazy as _

from shanzhi.core.permissions import rule

from .models import Region

CHANGE = rule("regions.change", roles=Region.scope_roles["change"],
              reason=_("只有街道或区级管理员可以修改本辖区的行政区划"))
