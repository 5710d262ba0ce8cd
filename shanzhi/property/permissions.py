"""Who may do what in 物业三位一体 and self-managed estates, with the reason a page shows."""

from django.utils.translation import gettext_lazy as _

from shanzhi.core.permissions import rule

from .models import COMMITTEE, MANAGERS, RESIDENTS, STAFF

COMPANY_EDIT = rule("property.company_edit", roles=MANAGERS, reason=_("只有社区或街道工作人员可以登记物业公司"))
DEPOSIT = rule("property.deposit", roles=MANAGERS - {"community_staff"},
               reason=_("只有社区书记或街道管理员可以处理信用保证金"))
INSPECT = rule("property.inspect", roles=MANAGERS, reason=_("只有社区或街道工作人员可以录入考核结果"))
RATE = rule("property.rate", roles=RESIDENTS, reason=_("只有本小区居民可以评价物业"), scope="community_widened")
COMPLAIN = rule("property.complain", roles=RESIDENTS, reason=_("只有居民可以投诉物业"), scope="community_widened")
COMMITTEE_EDIT = rule("property.committee_edit", roles=MANAGERS, reason=_("只有社区工作人员可以登记业委会"))
VOTE_OPEN = rule("property.vote_open", roles=MANAGERS | COMMITTEE, reason=_("只有社区工作人员或业委会可以发起表决"),
                 scope="in_community")
VOTE_PAPER = rule("property.vote_paper", roles=STAFF | COMMITTEE, reason=_("只有社区工作人员或业委会可以录入纸质表决票"),
                  scope="in_community")
VOTE_CAST = rule("property.vote_cast", roles=RESIDENTS, reason=_("只有本小区业主可以网上表决"), scope="community_widened")
SME_EDIT = rule("property.sme_edit", roles=MANAGERS, reason=_("只有社区工作人员可以登记自管小区"))
SME_BOOKS = rule("property.sme_books", roles=STAFF | COMMITTEE, reason=_("只有自管小组或社区工作人员可以记账"),
                 scope="in_community")
STATEMENT_REVIEW = rule("property.statement_review", roles=MANAGERS,
                        reason=_("只有社区工作人员可以复核并提交公开月度收支"), scope="in_community")
RENOVATION_EDIT = rule("property.renovation_edit", roles=MANAGERS, reason=_("只有社区或街道工作人员可以管理改造项目"))
