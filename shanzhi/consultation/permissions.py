"""Who may do what in consultation (rules for core.permissions).

Consultation rules use the community-widened scope: a grant on the community or on a region inside it
(a resident's grid grant) lets the holder act on the community's topics and meetings.
"""

from django.utils.translation import gettext_lazy as _

from shanzhi.core.permissions import rule
from shanzhi.core.roles import Role

from .models import COMMITTEE_ROLES

STAFF_WRITERS = COMMITTEE_ROLES | {Role.GRID_WORKER, Role.GRID_LEADER}
RULE_EDITORS = {Role.COMMUNITY_SECRETARY, Role.STREET_MANAGER}


def _rule(action, roles, reason):
    return rule(f"consultation.{action}", roles=roles, reason=reason, scope="community_widened")


COMMITTEE = _rule("committee", COMMITTEE_ROLES, _("只有社区工作人员可以办理"))  # the staff parts of a page
RULES_EDIT = _rule("rules_edit", RULE_EDITORS, _("只有社区书记或街道管理员可以修改议事规则"))
PROPOSE_ONLINE = _rule("propose_online", {Role.RESIDENT}, _("网上提议须由本社区居民提出"))
PROPOSE_GRID = _rule("propose_grid", {Role.GRID_WORKER, Role.GRID_LEADER} | COMMITTEE_ROLES, _("网格议事须由网格员提出"))
PROPOSE_STAFF = _rule("propose_staff", COMMITTEE_ROLES, _("只有社区工作人员可以登记此来源的议题"))
SUPPORT_PAPER = _rule("support_paper", STAFF_WRITERS, _("纸质联署须由社区工作人员录入"))
COMMENT = _rule("comment", {Role.RESIDENT} | STAFF_WRITERS, _("只有本社区居民和工作人员可以发表意见"))
COMMENT_HIDE = _rule("comment_hide", COMMITTEE_ROLES, _("只有社区工作人员可以隐藏意见"))
SURVEY_CREATE = _rule("survey_create", COMMITTEE_ROLES, _("只有社区工作人员可以发起问卷"))
OPINION_RECORD = _rule("opinion_record", STAFF_WRITERS, _("只有社区工作人员可以登记意见"))
MEETING_CREATE = _rule("meeting_create", COMMITTEE_ROLES, _("只有社区工作人员可以召集会议"))
MEETING_INVITE = _rule("meeting_invite", COMMITTEE_ROLES, _("只有社区工作人员可以邀请参会"))
MEETING_REGISTER = _rule("meeting_register", {Role.RESIDENT}, _("只有本社区居民可以报名"))
MEETING_NOTICE = _rule("meeting_notice", COMMITTEE_ROLES, _("只有社区工作人员可以发布会议公告"))
MEETING_CHECK_IN = _rule("meeting_check_in", COMMITTEE_ROLES, _("只有社区工作人员可以登记签到"))
MEETING_HOLD = _rule("meeting_hold", COMMITTEE_ROLES, _("只有社区工作人员可以主持会议"))
MEETING_CLOSE = _rule("meeting_close", COMMITTEE_ROLES, _("只有社区工作人员可以结束会议"))
VOTE_RECORD = _rule("vote_record", COMMITTEE_ROLES, _("只有社区工作人员可以登记表决"))
TALLY_ENTER = _rule("tally_enter", COMMITTEE_ROLES, _("只有社区工作人员可以录入计票"))
TALLY_CLEAR = _rule("tally_clear", RULE_EDITORS, _("只有社区书记可以作废计票"))
TASK_ADD = _rule("task_add", COMMITTEE_ROLES, _("只有社区工作人员可以分解执行任务"))
TASK_PROGRESS = _rule("task_progress", COMMITTEE_ROLES, _("只有社区工作人员可以更新进度"))
MILESTONE_ADD = _rule("milestone_add", COMMITTEE_ROLES, _("只有社区工作人员可以登记节点"))
# 转为协商议题: community staff at the case's grid (a case is escalated where it lies, not widened)
CASE_TOPIC_ROLES = frozenset({Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY})
CASE_TO_TOPIC = rule("consultation.case_to_topic", roles=CASE_TOPIC_ROLES,
                     reason=_("只有社区工作人员或社区书记可以转为协商议题"))
# 两评: who may start and publish depends on the kind of evaluation
EVALUATION_BY_COMMITTEE = _rule("evaluation_by_committee", COMMITTEE_ROLES, _("您不能发起或公布这类评议"))
EVALUATION_BY_STREET = _rule("evaluation_by_street", {Role.STREET_MANAGER}, _("您不能发起或公布这类评议"))
EVALUATE_COMMITTEE = _rule("evaluate_committee", {Role.RESIDENT}, _("您不在这次评议的参评范围内"))
EVALUATE_STREET = _rule("evaluate_street", {Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY},
                        _("您不在这次评议的参评范围内"))
# The rosters (go-live): 合议 (accept, reject or merge a tabled topic) only by members of the community's
# 社区治理委员会, 评议 (rating a carried-out topic) only by its 居民代表 — not by staff, not by other residents.
REVIEW = _rule("review", {Role.GOVERNANCE_COMMITTEE}, _("合议只能由本社区治理委员会成员进行"))
RATE = _rule("rate", {Role.RESIDENT_REPRESENTATIVE}, _("评议只能由本社区居民代表进行"))

# 议事规则 are the street's to decide (a community then overrides within them): the street manager adopts the
# default catalogue for the street and edits the street's rules; a district manager may do so for its streets.
STREET_RULES = _rule("street_rules", {Role.STREET_MANAGER, Role.DISTRICT_MANAGER},
                     _("只有街道管理员或区级管理员可以采用和修改街道统一的议事规则"))
