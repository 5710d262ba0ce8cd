from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    PATROL = "patrol", _("网格巡查")
    RESIDENT = "resident", _("居民上报")
    ANONYMOUS = "anonymous", _("匿名上报")
    HOTLINE = "hotline", _("热线")
    WALK_IN = "walk_in", _("来访")
    OPEN311 = "open311", _("Open311接口")
    IMPORT = "import", _("批量导入")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("一般")
    URGENT = "urgent", _("紧急")
    CRITICAL = "critical", _("特急")


class State(models.TextChoices):
    REPORTED = "reported", _("已上报")
    ACCEPTED = "accepted", _("已受理")
    REJECTED = "rejected", _("不予受理")
    DISPATCHED = "dispatched", _("已分派")
    HANDLING = "handling", _("处置中")
    COMPLETED = "completed", _("已办结")
    VERIFIED = "verified", _("已核查")
    FEEDBACK = "feedback", _("已反馈")
    RATED = "rated", _("已评价")
    ARCHIVED = "archived", _("已归档")


OPEN_STATES = (State.REPORTED, State.ACCEPTED, State.DISPATCHED, State.HANDLING, State.COMPLETED)
CLOSED_STATES = (State.REJECTED, State.VERIFIED, State.FEEDBACK, State.RATED, State.ARCHIVED)


class Outcome(models.TextChoices):
    FIXED = "fixed", _("已解决")
    NOT_OUR_RESPONSIBILITY = "not_our_responsibility", _("非本单位职责")
    DUPLICATE = "duplicate", _("重复件")
    UNABLE_TO_FIX = "unable_to_fix", _("无法解决")


class HandlerType(models.TextChoices):
    GRID = "grid", _("网格自办")
    STREET_SECTION = "street_section", _("街道科室")
    DISTRICT_DEPARTMENT = "district_department", _("区职能部门")
    PROPERTY_COMPANY = "property_company", _("物业公司")
    UTILITY = "utility", _("公用事业单位")
    UNIT = "unit", _("驻区单位")
    SOCIAL_ORG = "social_org", _("社会组织")


class Step(models.TextChoices):
    ACCEPT = "accept", _("受理")
    HANDLE = "handle", _("处置")
    VERIFY = "verify", _("核查")


class Level(models.IntegerChoices):
    """Escalation level (越级): who is responsible above the grid."""

    GRID = 0, _("网格/社区")
    STREET = 1, _("街道")
    DISTRICT = 2, _("区")


class AssignmentRole(models.TextChoices):
    LEAD = "lead", _("主办")
    ASSIST = "assist", _("协办")


class Light(models.TextChoices):
    GREEN = "green", _("正常")
    YELLOW = "yellow", _("黄牌")
    RED = "red", _("红牌")


class InspectionItem(models.TextChoices):
    FIRE_ACCESS = "fire_access", _("消防通道")
    EBIKE_CHARGING = "ebike_charging", _("电动车充电")
    GAS = "gas", _("燃气")
    FACADE = "facade", _("外墙")
