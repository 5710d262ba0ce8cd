"""Who may do what in analytics (rules for core.permissions)."""

from django.utils.translation import gettext_lazy as _

from shanzhi.core.permissions import rule

from .models import INVENTORY_ROLES, MANAGE_ROLES, VIEW_ROLES

VIEW = rule("analytics.view", roles=VIEW_ROLES, reason=_("该区域不在您的工作范围内"))
MANAGE = rule("analytics.manage", roles=MANAGE_ROLES, reason=_("只有街道、区、市级管理员可以刷新汇总或生成报告"))
INVENTORY = rule("analytics.inventory", roles=INVENTORY_ROLES, reason=_("只有社区工作人员和管理员可以登记设施与人力"))
