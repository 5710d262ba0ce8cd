"""Roles (ARCHITECTURE §5) and what each may do, as data."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    GRID_WORKER = "grid_worker", _("网格员")
    GRID_LEADER = "grid_leader", _("网格长")
    COMMUNITY_STAFF = "community_staff", _("社区工作人员")
    COMMUNITY_SECRETARY = "community_secretary", _("社区书记")
    STREET_MANAGER = "street_manager", _("街道管理员")
    DISTRICT_MANAGER = "district_manager", _("区级管理员")
    HANDLING_BODY_STAFF = "handling_body_staff", _("承办单位人员")
    DEPARTMENT_VIEWER = "department_viewer", _("部门数据用户")
    RESIDENT = "resident", _("居民")
    SYSTEM_ADMIN = "system_admin", _("系统管理员")
    SECURITY_ADMIN = "security_admin", _("安全管理员")
    AUDIT_ADMIN = "audit_admin", _("审计管理员")
    # The seed roles that work alongside the staff (go-live issue): each sees only its own pages.
    CITY_MANAGER = "city_manager", _("市级管理员")
    GRID_ASSISTANT = "grid_assistant", _("网格辅助员")
    DEDICATED_GRID_WORKER = "dedicated_grid_worker", _("专属网格员")
    BUILDING_CAPTAIN = "building_captain", _("楼栋长")
    PARTY_MEMBER = "party_member", _("党员")
    RESIDENT_REPRESENTATIVE = "resident_representative", _("居民代表")
    GOVERNANCE_COMMITTEE = "governance_committee", _("社区治理委员会成员")
    CASE_COLLECTOR = "case_collector", _("民情收集员")
    OWNERS_COMMITTEE = "owners_committee", _("业委会成员")
    PROPERTY_STAFF = "property_staff", _("物业服务人员")
    SOCIAL_ORG_STAFF = "social_org_staff", _("社会组织人员")
    THIRD_PARTY_ASSESSOR = "third_party_assessor", _("第三方评估人员")
    SAFETY_OFFICER = "safety_officer", _("综治专干")
    ELECTION_COMMITTEE = "election_committee", _("选举委员会成员")


R = Role
ADMIN_TRIO = frozenset({R.SYSTEM_ADMIN, R.SECURITY_ADMIN, R.AUDIT_ADMIN})
GRID_ROLES = frozenset({R.GRID_WORKER, R.GRID_LEADER})
COMMUNITY_ROLES = frozenset({R.COMMUNITY_STAFF, R.COMMUNITY_SECRETARY})
MANAGER_ROLES = frozenset({R.STREET_MANAGER, R.DISTRICT_MANAGER})
# Roles that work with resident data in their region.
STAFF_ROLES = GRID_ROLES | COMMUNITY_ROLES | MANAGER_ROLES
# Roles that use the workbench at all.
WORKBENCH_ROLES = STAFF_ROLES | {R.HANDLING_BODY_STAFF}
# Community roles held by residents and partners: they see only the pages their role names.
COMMUNITY_HELPER_ROLES = frozenset({R.GRID_ASSISTANT, R.DEDICATED_GRID_WORKER, R.BUILDING_CAPTAIN, R.PARTY_MEMBER,
                                    R.RESIDENT_REPRESENTATIVE, R.GOVERNANCE_COMMITTEE, R.CASE_COLLECTOR,
                                    R.OWNERS_COMMITTEE, R.PROPERTY_STAFF})
TWO_FACTOR_ROLES = frozenset({R.STREET_MANAGER, R.DISTRICT_MANAGER, R.CITY_MANAGER, R.SAFETY_OFFICER}) | ADMIN_TRIO

# The region level at which each role is normally granted.
ROLE_LEVEL = {
    R.GRID_WORKER: "grid",
    R.GRID_LEADER: "grid",
    R.COMMUNITY_STAFF: "community",
    R.COMMUNITY_SECRETARY: "community",
    R.STREET_MANAGER: "street",
    R.DISTRICT_MANAGER: "district",
    R.HANDLING_BODY_STAFF: "street",
    R.DEPARTMENT_VIEWER: "district",
    R.RESIDENT: "grid",
    R.SYSTEM_ADMIN: "city",
    R.SECURITY_ADMIN: "city",
    R.AUDIT_ADMIN: "city",
    R.CITY_MANAGER: "city",
    R.GRID_ASSISTANT: "grid",
    R.DEDICATED_GRID_WORKER: "grid",
    R.BUILDING_CAPTAIN: "grid",
    R.PARTY_MEMBER: "community",
    R.RESIDENT_REPRESENTATIVE: "community",
    R.GOVERNANCE_COMMITTEE: "community",
    R.CASE_COLLECTOR: "community",
    R.OWNERS_COMMITTEE: "community",
    R.PROPERTY_STAFF: "community",
    R.SOCIAL_ORG_STAFF: "street",
    R.THIRD_PARTY_ASSESSOR: "district",
    R.SAFETY_OFFICER: "community",
    R.ELECTION_COMMITTEE: "community",
}

# Who may grant which roles (always only inside their own scope).
GRANTABLE_BY = {
    R.COMMUNITY_SECRETARY: frozenset({R.GRID_WORKER, R.GRID_LEADER, R.COMMUNITY_STAFF, R.RESIDENT,
                                      R.ELECTION_COMMITTEE}) | COMMUNITY_HELPER_ROLES,
    R.STREET_MANAGER: frozenset({R.GRID_WORKER, R.GRID_LEADER, R.COMMUNITY_STAFF, R.COMMUNITY_SECRETARY,
                                 R.HANDLING_BODY_STAFF, R.RESIDENT, R.SOCIAL_ORG_STAFF, R.SAFETY_OFFICER,
                                 R.ELECTION_COMMITTEE}) | COMMUNITY_HELPER_ROLES,
    R.DISTRICT_MANAGER: frozenset({R.GRID_WORKER, R.GRID_LEADER, R.COMMUNITY_STAFF, R.COMMUNITY_SECRETARY,
                                   R.STREET_MANAGER, R.HANDLING_BODY_STAFF, R.DEPARTMENT_VIEWER, R.RESIDENT,
                                   R.SOCIAL_ORG_STAFF, R.THIRD_PARTY_ASSESSOR, R.SAFETY_OFFICER,
                                   R.ELECTION_COMMITTEE}) | COMMUNITY_HELPER_ROLES,
    R.CITY_MANAGER: frozenset({R.DISTRICT_MANAGER, R.DEPARTMENT_VIEWER}),
    R.SECURITY_ADMIN: frozenset(Role.values) - {R.SECURITY_ADMIN},
}
USER_MANAGER_ROLES = frozenset(GRANTABLE_BY)
