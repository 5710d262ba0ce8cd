"""Third-party scores imported from a spreadsheet: only assigned objects, row-level errors, dry run, idempotent."""

import io

import pytest
import xlsxwriter

from shanzhi.assessment import services
from shanzhi.assessment.importing import scores_import
from shanzhi.assessment.models import Score
from shanzhi.assessment.tests.test_assessment import COMMUNITY_SCHEME, END, START
from shanzhi.core.roles import Role

pytestmark = pytest.mark.django_db


def _xlsx(rows):
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet()
    for r, row in enumerate([["轮次编号", "区划代码", "指标", "分值", "佐证"], *rows]):
        for c, v in enumerate(row):
            ws.write_string(r, c, str(v))
    wb.close()
    return buf.getvalue()


def test_an_assessor_imports_scores_for_assigned_objects_only(world, make_user):
    manager = make_user(Role.DISTRICT_MANAGER, world.district.code)
    scheme = services.scheme_save(actor=manager, district_code=world.district.code, name="考核", object_kind="community",
                                  year=2026, indicators=COMMUNITY_SCHEME)
    rnd = services.round_create(actor=manager, scheme=scheme, name="2026", period_start=START, period_end=END)
    assessor = make_user(Role.THIRD_PARTY_ASSESSOR, world.district.code)
    mine = rnd.targets.get(region_code=world.community.code)
    services.assessor_assign(actor=manager, round_=rnd, assessor=assessor, targets=[mine])
    data = _xlsx([[rnd.pk, world.community.code, "第三方评估", "88", "报告"],
                  [rnd.pk, world.other_community.code, "第三方评估", "90", ""],
                  [rnd.pk, world.community.code, "不存在的指标", "90", ""],
                  [rnd.pk, world.community.code, "第三方评估", "abc", ""]])
    dry = scores_import(actor=assessor, data=data, filename="s.xlsx", dry_run=True)
    assert dry["created"] == 1 and dry["rejected"] == 3 and not Score.objects.exists()
    assert {e["row"] for e in dry["errors"]} == {3, 4, 5}
    assert any("没有分配给您" in e["message"] for e in dry["errors"])
    done = scores_import(actor=assessor, data=data, filename="s.xlsx", dry_run=False)
    assert done["created"] == 1 and Score.objects.get().value == 88
    again = scores_import(actor=assessor, data=data, filename="s.xlsx", dry_run=False)
    assert again["unchanged"] == 1 and again["created"] == 0 and Score.objects.get().version == 1
