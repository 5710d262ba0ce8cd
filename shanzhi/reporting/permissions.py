"""Who may do what in reporting (rules for core.permissions); the chain's steps are in workflow.py."""

from django.utils.translation import gettext_lazy as _

from shanzhi.core.permissions import rule

from .models import DISTRICT_ROLES, PREPARER_ROLES, STREET_ROLES

PREPARE = rule("reporting.prepare", roles=PREPARER_ROLES, reason=_("只有社区工作人员可以编制本社区的月报"))
CORRECT = rule("reporting.correct", roles=PREPARER_ROLES, reason=_("只有社区工作人员可以提交更正"))
ROUND = rule("reporting.round", roles=STREET_ROLES | DISTRICT_ROLES,
             reason=_("只有街道或区级管理员可以为辖区社区统一生成月报"))
KINDS = rule("reporting.kinds", roles=DISTRICT_ROLES, reason=_("只有区级管理员可以设置报表种类"))
