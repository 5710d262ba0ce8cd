"""Who may do what in 项目化 (rules for core.permissions); pages show the reasons."""

from django.utils.translation import gettext_lazy as _

from shanzhi.core.permissions import rule
from shanzhi.core.roles import COMMUNITY_ROLES, MANAGER_ROLES, STAFF_ROLES

from .models import ASSESSOR, ORG_STAFF

NEED = rule("projects.need", roles=set(COMMUNITY_ROLES) | set(MANAGER_ROLES),
            reason=_("只有社区工作人员可以提出社区需求"))
PROGRAMME = rule("projects.programme", roles=MANAGER_ROLES, reason=_("只有街道或区级管理员可以设立资金项目和征集"))
APPLY = rule("projects.apply", roles=ORG_STAFF, reason=_("只有本组织的人员可以为本组织申报"), scope="member")
MANAGE = rule("projects.manage", roles=MANAGER_ROLES, reason=_("只有项目所在街道或区的管理员可以办理"))
ACCEPT = rule("projects.accept", roles=set(COMMUNITY_ROLES) | set(MANAGER_ROLES),
              reason=_("只有项目所在社区或街道的工作人员可以验收交付物"))
DELIVER = rule("projects.deliver", roles=ORG_STAFF, reason=_("只有承接组织的人员可以提交项目材料"), scope="member")
BENEFICIARY = rule("projects.beneficiary", roles=STAFF_ROLES,
                   reason=_("受益人由社区工作人员从人口库关联，社会组织只看到编号"))
ACTIVITY = rule("projects.activity", roles=set(COMMUNITY_ROLES) | {"street_manager"},
                reason=_("项目志愿活动由社区或街道工作人员发布"))
ASSESS = rule("projects.assess", roles=ASSESSOR, reason=_("只有被指派的第三方评估人员可以评估"), scope="owner")
