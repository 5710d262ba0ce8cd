from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """What a template is for: the text field it fills."""

    CASE_REPLY = "case_reply", _("民情处置答复")
    FEEDBACK = "feedback", _("反馈居民")
    REJECTION = "rejection", _("不予受理/退回")
    TOPIC_ANSWER = "topic_answer", _("议题答复")
    DISCLOSURE = "disclosure", _("公开文本")


class Step(models.TextChoices):
    """The step (workflow action) a template is offered at; blank = every step of its kind."""

    ACCEPT = "accept", _("受理")
    REJECT = "reject", _("不予受理")
    DISPATCH = "dispatch", _("联动派遣")
    PROGRESS = "progress", _("处置进展")
    COMPLETE = "complete", _("办结")
    FORWARD = "forward", _("转交负责单位")
    RETURN = "return", _("退回")
    FEEDBACK = "feedback", _("反馈上报人")
    MERGE = "merge", _("合并重复件")
    TOPIC_REPLY = "topic_reply", _("议题答复")
    PUBLISH = "publish", _("公开发布")
