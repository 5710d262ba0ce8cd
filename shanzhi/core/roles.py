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


R = Role
ADMIN_TRIO = frozenset({R.SYSTEM_ADMIN, R.SECURITY_ADMIN, R.AUDIT_ADMIN})
GRID_ROLES = frozenset({R.GRID_WORKER, R.GRID_LEADER})
COMMUNITY_ROLES = frozenset({R.COMMUNITY_STAFF, R.COMMUNITY_SECRETARY})
MANAGER_ROLES = frozenset({R.STREET_MANAGER, R.DISTRICT_MANAGER})
# Roles that work with resident data in their region.
STAFF_ROLES = GRID_ROLES | COMMUNITY_ROLES | MANAGER_ROLES
# Roles that use the workbench at all.
WORKBENCH_ROLES = STAFF_ROLES | {R.HANDLING_BODY_STAFF}
TWO_FACTOR_ROLES = frozenset({R.STREET_MANAGER, R.DISTRICT_MANAGER}) | ADMIN_TRIO

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
}

# Who may grant which roles (always only inside their own scope).
GRANTABLE_BY = {
    R.COMMUNITY_SECRETARY: frozenset({R.GRID_WORKER, R.GRID_LEADER, R.COMMUNITY_STAFF, R.RESIDENT}),
    R.STREET_MANAGER: frozenset({R.GRID_WORKER, R.GRID_LEADER, R.COMMUNITY_STAFF, R.COMMUNITY_SECRETARY,
                                 R.HANDLING_BODY_STAFF, R.RESIDENT}),
    R.DISTRICT_MANAGER: frozenset({R.GRID_WORKER, R.GRID_LEADER, R.COMMUNITY_STAFF, R.COMMUNITY_SECRETARY,
                                   R.STREET_MANAGER, R.HANDLING_BODY_STAFF, R.DEPARTMENT_VIEWER, R.RESIDENT}),
    R.SECURITY_ADMIN: frozenset(Role.values) - {R.SECURITY_ADMIN},
}
USER_MANAGER_ROLES = frozenset(GRANTABLE_BY)
