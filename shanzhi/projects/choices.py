from django.db import models
from django.utils.translation import gettext_lazy as _


class ProgrammeKind(models.TextChoices):
    PURCHASE = "purchase", _("政府购买服务")
    VENTURE = "venture", _("公益创投")
    GRANT = "grant", _("直接资助")
    AWARD = "award", _("以奖代补")


class CallState(models.TextChoices):
    OPEN = "open", _("征集中")
    CLOSED = "closed", _("已截止")


class AppState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    REVIEWING = "reviewing", _("评审中")
    APPROVED = "approved", _("立项")
    APPROVED_CHANGES = "approved_changes", _("修改后立项")
    CONTRACTED = "contracted", _("已签约")
    REJECTED = "rejected", _("未立项")
    WITHDRAWN = "withdrawn", _("已撤回")


class Determination(models.TextChoices):
    APPROVE = "approve", _("立项")
    APPROVE_CHANGES = "approve_changes", _("修改后立项")
    REJECT = "reject", _("不予立项")


class ProjectState(models.TextChoices):
    CONTRACTED = "contracted", _("已签约")
    DELIVERING = "delivering", _("实施中")
    MIDTERM = "midterm", _("已中期评估")
    FINAL = "final", _("已结项评估")
    CLOSED = "closed", _("已结项")
    TERMINATED = "terminated", _("已终止")


class DeliverableState(models.TextChoices):
    PENDING = "pending", _("待提交")
    SUBMITTED = "submitted", _("待验收")
    ACCEPTED = "accepted", _("已验收")
    RETURNED = "returned", _("退回修改")


class PaymentState(models.TextChoices):
    REQUESTED = "requested", _("待审批")
    RELEASED = "released", _("已拨付")
    REFUSED = "refused", _("未拨付")


class EvaluationKind(models.TextChoices):
    MIDTERM = "midterm", _("中期评估")
    FINAL = "final", _("结项评估")


# Review and evaluation forms as data (key, label, max score).
REVIEW_CRITERIA = [
    ("need", _("需求契合度"), 30),
    ("design", _("项目设计"), 30),
    ("capacity", _("执行能力"), 20),
    ("budget", _("预算合理性"), 20),
]
EVALUATION_CRITERIA = [
    ("delivery", _("目标完成"), 40),
    ("quality", _("服务质量"), 30),
    ("money", _("资金使用"), 20),
    ("satisfaction", _("居民满意度"), 10),
]
# The application form's fields beyond the fixed ones, as data; a call may replace it.
DEFAULT_FORM = [
    {"name": "team", "label": "项目团队", "required": True},
    {"name": "risk", "label": "风险与应对", "required": False},
]
