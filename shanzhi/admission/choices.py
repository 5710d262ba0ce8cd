from django.db import models
from django.utils.translation import gettext_lazy as _


class ListKind(models.TextChoices):
    DUTY = "duty", _("依法履行职责事项清单")
    ASSIST = "assist", _("依法协助政府工作事项清单")
    NEGATIVE = "negative", _("负面清单")


class ListState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("现行")
    SUPERSEDED = "superseded", _("已废止")


class DepartmentKind(models.TextChoices):
    STREET_SECTION = "street_section", _("街道科室")
    DISTRICT_DEPARTMENT = "district_department", _("区级部门")


class WorkKind(models.TextChoices):
    LEDGER = "ledger", _("台账")
    REPORT = "report", _("报表")
    CERTIFICATE = "certificate", _("证明")
    INSPECTION = "inspection", _("检查评比")
    ACTIVITY = "activity", _("活动")


class WorkState(models.TextChoices):
    REVIEW = "review", _("待准入审核")
    SENT = "sent", _("已下派")
    REJECTED = "rejected", _("准入驳回")


class DeliveryState(models.TextChoices):
    OPEN = "open", _("待办理")
    DONE = "done", _("已完成")
    REFUSED = "refused", _("社区拒收")
