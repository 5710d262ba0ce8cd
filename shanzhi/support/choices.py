"""Choices of the 帮教 app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Risk(models.TextChoices):
    LOW = "low", _("低风险")
    MEDIUM = "medium", _("中风险")
    HIGH = "high", _("高风险")


# Days between visits and between plan reviews, by risk level (the schedule the risk sets).
VISIT_EVERY_DAYS = {Risk.HIGH: 7, Risk.MEDIUM: 30, Risk.LOW: 90}
REVIEW_EVERY_DAYS = {Risk.HIGH: 30, Risk.MEDIUM: 90, Risk.LOW: 180}


class State(models.TextChoices):
    ACTIVE = "active", _("帮教中")
    CLOSING = "closing", _("待审核结案")
    CLOSED = "closed", _("已结案")


class Side(models.TextChoices):
    """多位一体: where a team member comes from."""

    JUSTICE = "justice", _("司法所")
    POLICE = "police", _("派出所")
    COMMUNITY = "community", _("社区")
    SCHOOL = "school", _("学校")
    EMPLOYER = "employer", _("工作单位")
    FAMILY = "family", _("家庭")
    OTHER = "other", _("其他")


class TeamRole(models.TextChoices):
    LEADER = "leader", _("组长")
    RESPONSIBLE = "responsible", _("帮教责任人")
    MEMBER = "member", _("成员")


class Help(models.TextChoices):
    JOB = "job", _("就业")
    SCHOOL = "school", _("就学")
    MEDICAL = "medical", _("就医")
    DIBAO = "dibao", _("低保")
    HOUSING = "housing", _("住房")
    COUNSEL = "counsel", _("心理疏导")
    LEGAL = "legal", _("法律援助")
    OTHER = "other", _("其他")


class VisitKind(models.TextChoices):
    HOME = "home", _("上门走访")
    PHONE = "phone", _("电话联系")
    TALK = "talk", _("约谈")
