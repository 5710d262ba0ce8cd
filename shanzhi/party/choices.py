from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgLevel(models.TextChoices):
    """四级体系, from the street down to the building."""

    STREET_COMMITTEE = "street_committee", _("街道党工委")
    COMMUNITY_COMMITTEE = "community_committee", _("社区党委/党总支")
    BRANCH = "branch", _("小区/网格党支部")
    GROUP = "group", _("楼栋党小组")


class MemberCategory(models.TextChoices):
    COMMUNITY = "community", _("社区党员")
    EMPLOYED = "employed", _("在职党员")
    FLOATING = "floating", _("流动党员")
    RETIRED = "retired", _("离退休党员")


class RecordState(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已通过")
    REJECTED = "rejected", _("已驳回")
