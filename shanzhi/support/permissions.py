"""Who may do what with 帮教 records; each refusal says why."""

from django.utils.translation import gettext_lazy as _

from shanzhi.core.permissions import rule

from .models import CLOSE_ROLES, GLASS_ROLES, PURPOSE_ROLES

RECORD_CREATE = rule("support.record.create", roles=PURPOSE_ROLES,
                     reason=_("只有综治专干、社区书记或网格长可以建立帮教档案"))
RECORD_MANAGE = rule("support.record.manage", roles=PURPOSE_ROLES,
                     reason=_("只有综治专干、社区书记或网格长可以调整帮教小组、方案和风险等级"))
RECORD_CLOSE = rule("support.record.close", roles=CLOSE_ROLES, reason=_("只有综治专干或社区书记可以审核结案"))
GLASS_BREAK = rule("support.glass.break", roles=GLASS_ROLES,
                   reason=_("只有本辖区的工作人员可以申请紧急查阅"))
