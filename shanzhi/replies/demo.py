"""Demo step "replies" (order 42): a few system default response templates (idempotent)."""

from __future__ import annotations

from .models import ResponseTemplate
from .services import template_create

DEFAULTS = [
    # kind, step, title, body
    ("rejection", "reject", "不属于受理范围", "您反映的{编号}“{标题}”不属于社区受理范围，建议拨打 12345 热线反映。"),
    ("rejection", "return", "信息不全退回", "{编号}缺少具体位置，请补充门牌号后重新派遣。"),
    ("case_reply", "dispatch", "限时办理", "请于{期限}前办结{编号}（{类别}），办结时上传现场照片。"),
    ("case_reply", "complete", "已修复", "{编号}所反映问题已于{日期}处理完毕，现场已恢复正常。"),
    ("case_reply", "forward", "转交职能部门", "经现场核实，{编号}属其他单位职责，已转交负责单位办理。"),
    ("feedback", "feedback", "办结反馈", "您好，您反映的“{标题}”已由{承办单位}处理完毕，请您评价办理结果。"),
    ("topic_answer", "topic_reply", "议题答复", "感谢您对{标题}的关注，社区已列入协商议程，结果将在公开栏公示。"),
    ("disclosure", "publish", "公开说明", "现将{标题}有关情况公示如下，如有异议请于公示期内向社区反映。"),
]


def build(*, ctx) -> None:
    for kind, step, title, body in DEFAULTS:
        if not ResponseTemplate.objects.filter(region_code="", kind=kind, title=title).exists():
            template_create(actor=None, region_code="", kind=kind, step=step, title=title, body=body)
