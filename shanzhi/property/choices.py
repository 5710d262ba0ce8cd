from django.db import models
from django.utils.translation import gettext_lazy as _


class Qualification(models.TextChoices):
    FIRST = "first", _("一级")
    SECOND = "second", _("二级")
    THIRD = "third", _("三级")
    NONE = "none", _("无等级（已取消资质）")


class DepositKind(models.TextChoices):
    PAY = "pay", _("缴纳")
    DEDUCT = "deduct", _("扣除")
    REFUND = "refund", _("退还")


class InspectionPhase(models.TextChoices):
    ROUTINE = "routine", _("日常考核")
    BEFORE = "before", _("改造前查验")
    AFTER = "after", _("改造后验收")


class Position(models.TextChoices):
    DIRECTOR = "director", _("主任")
    DEPUTY = "deputy", _("副主任")
    MEMBER = "member", _("委员")


class VoteSubject(models.TextChoices):
    FEE_STANDARD = "fee_standard", _("物业费标准")
    SURPLUS_RULE = "surplus_rule", _("结余返还办法")
    RENOVATION = "renovation", _("改造方案")
    OTHER = "other", _("其他事项")


class Threshold(models.TextChoices):
    ORDINARY = "ordinary", _("一般事项（双过半）")
    SPECIAL = "special", _("重大事项（双四分之三）")


class VoteState(models.TextChoices):
    OPEN = "open", _("表决中")
    PASSED = "passed", _("通过")
    FAILED = "failed", _("未通过")


class BallotChoice(models.TextChoices):
    FOR = "for", _("同意")
    AGAINST = "against", _("反对")
    ABSTAIN = "abstain", _("弃权")


class BallotChannel(models.TextChoices):
    ONLINE = "online", _("网上表决")
    PAPER = "paper", _("纸质表决票")


class FeeBasis(models.TextChoices):
    PER_DWELLING = "per_dwelling", _("按户")
    PER_AREA = "per_area", _("按面积")


class SurplusRule(models.TextChoices):
    EQUAL = "equal", _("按户平均")
    AREA = "area", _("按面积")
    PAID = "paid", _("按实缴金额")


class Duty(models.TextChoices):
    LEADER = "leader", _("组长")
    TREASURER = "treasurer", _("记账")
    REVIEWER = "reviewer", _("审核")
    MEMBER = "member", _("成员")


class PayMethod(models.TextChoices):
    CASH = "cash", _("现金")
    TRANSFER = "transfer", _("转账")


class StatementState(models.TextChoices):
    DRAFT = "draft", _("待复核")
    REVIEWED = "reviewed", _("已复核")
    SUBMITTED = "submitted", _("已提交公开")
    PUBLISHED = "published", _("已公开")


class RenovationStage(models.TextChoices):
    PLANNING = "planning", _("摸底规划")
    CONSULTATION = "consultation", _("居民协商")
    DESIGN = "design", _("方案设计")
    CONSTRUCTION = "construction", _("施工")
    ACCEPTANCE = "acceptance", _("竣工验收")
    DONE = "done", _("完成")
