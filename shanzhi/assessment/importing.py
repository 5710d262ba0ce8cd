"""Third-party scores from a spreadsheet (第三方评估导入): one row per assessed object and indicator. Each row goes
through `score_enter`, so an assessor reaches only the objects assigned to them; a dry run writes nothing; a
commit writes the valid rows and reports the others by row and column; the same file again changes nothing."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shanzhi.audit.services import audit_log
from shanzhi.core.errors import ServiceError
from shanzhi.core.importing import Col, Importer, parse_rows, register_importer, template_workbook
from shanzhi.core.roles import Role

from .choices import Source
from .models import SchemeIndicator, Target
from .services import score_enter

KIND = "assessment_scores"
COLUMNS = [
    Col("轮次编号", "round", "考核轮次页地址中的编号", required=True, kind="int", example="12"),
    Col("区划代码", "code", "考核对象的区划代码", required=True, max_length=20, example="321002004001"),
    Col("指标", "indicator", "方案中的指标名称（第三方评估类）", required=True, max_length=100, example="第三方评估"),
    Col("分值", "value", "0–100", required=True, kind="decimal", example="86.5"),
    Col("佐证", "evidence", "评估依据", max_length=1000, example="实地查看台账，随机访谈居民12人"),
]


def import_template() -> bytes:
    return template_workbook("第三方评估导入", COLUMNS)


def _row(actor, values) -> str:
    """Enter one row; the outcome (created / updated / unchanged) or ServiceError."""
    target = (Target.objects.restrict(actor, "score").filter(round_id=values["round"], region_code=values["code"])
              .select_related("round").first())
    if target is None:
        raise ServiceError(_("没有分配给您的这个考核对象"), field="区划代码")
    indicator = SchemeIndicator.objects.filter(scheme_id=target.round.scheme_id, name=values["indicator"],
                                               source__in=(Source.THIRD_PARTY, Source.MANUAL)).first()
    if indicator is None:
        raise ServiceError(_("方案中没有名为“%(n)s”的第三方评估或人工录入指标") % {"n": values["indicator"]},
                           field="指标")
    before = target.scores.filter(indicator=indicator, rater_code="", appeal__isnull=True).first()
    score = score_enter(actor=actor, target=target, indicator=indicator, value=values["value"],
                        evidence=values.get("evidence") or "")
    if before is None:
        return "created"
    return "unchanged" if before.version == score.version else "updated"


def scores_import(*, actor, data: bytes, filename: str, region_code: str = "", dry_run: bool,
                  progress_id=None) -> dict:
    table = IMPORTER.read(data, filename)
    report = {"kind": KIND, "dry_run": dry_run, "rows": len(table.rows), "created": 0, "updated": 0,
              "unchanged": 0, "rejected": 0, "errors": []}
    with transaction.atomic():
        for row_no, values, problems in parse_rows(COLUMNS, table, progress_id=progress_id):
            if not problems:
                try:
                    with transaction.atomic():
                        report[_row(actor, values)] += 1
                except ServiceError as e:
                    problems = [(e.field if e.field in {c.header for c in COLUMNS} else "", e.user_message)]
            for header, message in problems:
                report["errors"].append({"row": row_no, "field": header, "message": message})
            report["rejected"] += bool(problems)
        if dry_run:
            transaction.set_rollback(True)
    if not dry_run:
        audit_log(actor=actor, action="assessment.scores.import", object_repr=filename[:200],
                  after={k: report[k] for k in ("rows", "created", "updated", "rejected")})
    return report


IMPORTER = Importer(
    kind=KIND, label=_l("第三方评估得分"), run=scores_import, template=import_template, needs_region=False,
    summary=(("created", _l("新增")), ("updated", _l("更新")), ("unchanged", _l("未变")), ("rejected", _l("有错误"))),
    roles=frozenset({Role.THIRD_PARTY_ASSESSOR, Role.DISTRICT_MANAGER}), columns=lambda: COLUMNS,
    done_url="assessment:index")


def register() -> None:
    register_importer(IMPORTER)
