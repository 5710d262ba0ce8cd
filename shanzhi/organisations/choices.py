from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgKind(models.TextChoices):
    SOCIAL_GROUP = "social_group", _("社会团体")
    SERVICE_INSTITUTION = "service_inst", _("社会服务机构")
    FOUNDATION = "foundation", _("基金会")
    COMMUNITY_FILED = "community", _("社区社会组织（备案）")


class OrgStatus(models.TextChoices):
    ACTIVE = "active", _("正常")
    SUSPENDED = "suspended", _("暂停活动")
    DEREGISTERED = "deregistered", _("已注销")


class Qualification(models.TextChoices):
    NONE = "", _("无")
    ASSISTANT = "assistant", _("助理社会工作师")
    SOCIAL_WORKER = "social_worker", _("社会工作师")
    SENIOR = "senior", _("高级社会工作师")


class IncubationStage(models.TextChoices):
    NONE = "", _("未入孵")
    ENTERED = "entered", _("入壳孵化")
    INCUBATING = "incubating", _("陪伴成长")
    GRADUATED = "graduated", _("出壳")


class InspectionResult(models.TextChoices):
    PASS = "pass", _("合格")
    BASIC = "basic", _("基本合格")
    FAIL = "fail", _("不合格")


class CreditSource(models.TextChoices):
    EVALUATION = "evaluation", _("项目评估")
    COMPLAINT = "complaint", _("投诉核实")
    INSPECTION = "inspection", _("年检")
    GRADING = "grading", _("等级评估")
    MANUAL = "manual", _("人工记录")


# 等级评估 indicator form (key, label, max score): the assessor scores each, the total decides the grade.
GRADE_INDICATORS = [
    ("governance", _("内部治理"), 25),
    ("work", _("业务工作"), 35),
    ("finance", _("财务管理"), 20),
    ("reputation", _("社会评价"), 20),
]
# lowest total for each grade, best first
GRADE_THRESHOLDS = [(90, 5), (80, 4), (70, 3), (60, 2), (50, 1)]


def grade_for(total: float) -> int:
    for low, grade in GRADE_THRESHOLDS:
        if total >= low:
            return grade
    return 0
