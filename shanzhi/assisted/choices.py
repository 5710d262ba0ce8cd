from django.db import models
from django.utils.translation import gettext_lazy as _


class Method(models.TextChoices):
    ID_NUMBER = "id_number", _("核对本人身份证号")
    HOUSEHOLD_HEAD = "household_head", _("户主在场")


class Kind(models.TextChoices):
    SUPPORT = "support", _("附议议题")
    SURVEY = "survey", _("填写问卷")
    RATE = "rate", _("评价事项")
    SIGNUP = "signup", _("报名志愿活动")
    REDEEM = "redeem", _("兑换爱心超市物品")
