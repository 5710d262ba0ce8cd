"""Who may do what in 考核 (rules for core.permissions)."""

from django.utils.translation import gettext_lazy as _

from shanzhi.core.permissions import rule

from .models import ASSESSOR, COMMUNITY, DISTRICT, MANAGERS

MANAGE = rule("assessment.manage", roles=DISTRICT, reason=_("只有本区的区级管理员可以管理考核方案和轮次"))
SURVEY = rule("assessment.survey", roles=COMMUNITY | DISTRICT, reason=_("只有本社区工作人员或区级管理员可以组织居民评价"),
              scope="community_widened")
ANSWER = rule("assessment.answer", roles=COMMUNITY | MANAGERS, reason=_("只有本社区工作人员可以录入居民评价"))
THIRD_PARTY = rule("assessment.third_party", roles=ASSESSOR, reason=_("只能为分配给您的考核对象录入第三方评分"),
                   scope="follower")
RATE = rule("assessment.rate", roles=COMMUNITY, reason=_("只有辖区内社区可以评价街道和部门"),
            scope="community_widened")
APPEAL = rule("assessment.appeal", roles=COMMUNITY, reason=_("只有被考核社区的工作人员可以申诉"))
DECIDE = rule("assessment.decide", roles=DISTRICT, reason=_("只有本区的区级管理员可以复核申诉"))
MERIT = rule("assessment.merit", roles=COMMUNITY | MANAGERS,
             reason=_("只能为本辖区的工作人员登记加减分"))
MERIT_DECIDE = rule("assessment.merit_decide", roles=MANAGERS, reason=_("只有街道或区级管理员可以认定加减分"))
