"""Demo: 帮教 records at each risk level in the first demo community, made through the services by the
综治专干, with their 帮教小组 (多位一体), plans, a review, done visits, one overdue visit alerted, and one closed
record. Only the purpose-bound roles and the teams see them."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from shanzhi.accounts.models import RoleGrant, User
from shanzhi.registry import choices as rc
from shanzhi.registry.models import Person

from . import choices as c
from . import services
from .models import Category, Record, Visit

CASES = [  # category, risk, reasons, source, team (side, name, unit), plan (goals, help kinds, given)
    ("corrections", c.Risk.HIGH, "缓刑考验期内，曾两次未按时报到；无固定工作", "扬广矫决字〔2026〕第031号",
     [("justice", "司法所 周所长", "曲江司法所"), ("police", "派出所 吴警官", "曲江派出所"), ("family", "母亲", "")],
     ("按时报到，稳定就业", ["job", "counsel"], "已推荐至社区物业保洁岗位")),
    ("released", c.Risk.MEDIUM, "刑满释放一年内，家庭关系紧张", "释放证明书 扬监释字 2025-118",
     [("justice", "司法所 周所长", "曲江司法所"), ("employer", "车间主任", "扬州某机械厂")],
     ("稳定工作，修复家庭关系", ["job", "dibao"], "已申请临时救助")),
    ("mental", c.Risk.HIGH, "严重精神障碍，近期停药，监护人年迈", "区精神卫生中心 随访管理通知 2026-07",
     [("community", "社区医生", "曲江社区卫生服务中心"), ("family", "父亲（监护人）", "")],
     ("规律服药，按月随访", ["medical", "dibao"], "已落实免费服药")),
    ("youth", c.Risk.LOW, "辍学在家，结交社会闲散人员", "学校转介单 2026-09",
     [("school", "班主任 陈老师", "扬州市某中学"), ("family", "母亲", "")],
     ("复学或职业培训", ["school", "counsel"], "已联系职业学校")),
    ("drug", c.Risk.MEDIUM, "社区康复期第二年，尿检阴性", "社区康复决定书 扬广公（禁）决字 2025-044",
     [("police", "派出所 吴警官", "曲江派出所")], ("保持操守，定期检测", ["counsel", "job"], "")),
    ("idle", c.Risk.LOW, "长期无业，夜间滞留网吧", "网格排查 2026-10", [], ("就业技能培训", ["job"], "")),
]


def _people(grid: str, n: int) -> list[Person]:
    """Adults of the grid first (its 网格长 sees them), then of its community."""
    adults = Person.objects.filter(status=rc.PersonStatus.LIVING, birth_date__lte=dt.date(2006, 1, 1)).order_by("pk")
    chosen = list(adults.filter(region_code=grid)[:n])
    if len(chosen) < n:
        chosen += list(adults.filter(region_code__startswith=grid[:12]).exclude(region_code=grid)[: n - len(chosen)])
    return chosen


def build(*, ctx) -> None:
    users = {u.username: u for u in User.objects.filter(is_demo=True)} | ctx.data.get("users", {})
    officer, worker = users.get("safety_officer"), users.get("grid_worker")
    secretary = users.get("community_secretary")
    if not (officer and worker and secretary):
        ctx.stdout("  support: demo users missing, skipped")
        return
    grid = (ctx.data.get("grids") or [RoleGrant.objects.filter(user=worker).values_list("region_code", flat=True).first()])[0]
    if Record.objects.filter(region_code__startswith=grid).exists():
        ctx.stdout("  support: already built")
        return
    services.categories_ensure()
    people = _people(grid, len(CASES))
    records = []
    for person, (code, risk, reasons, source, team, plan) in zip(people, CASES, strict=False):
        record = services.record_create(actor=officer, person=person, category=Category.objects.get(code=code),
                                        risk=risk, risk_reasons=reasons, source_document=source, responsible=worker,
                                        started_on=timezone.localdate() - dt.timedelta(days=120))
        for side, name, unit in team:
            services.team_add(actor=officer, record=record, side=side, name=name, unit=unit)
        services.plan_add(actor=officer, record=record, goals=plan[0], help_kinds=plan[1], help_given=plan[2])
        records.append(record)
    if len(records) < len(CASES):
        ctx.stdout("  support: too few residents for the demo records")
        return
    visit = Visit.objects.get(record=records[1], done_at__isnull=True)
    services.visit_log(actor=worker, visit=visit, kind=c.VisitKind.HOME, notes="在家，情绪平稳，已找到临时工作")
    services.review_add(actor=officer, record=records[3], findings="复学意向明确，风险下降", risk_after=c.Risk.LOW)
    # the demo's clock: the first record's visit fell due a week ago and was not made
    Visit.objects.filter(record=records[0], done_at__isnull=True).update(due_on=timezone.localdate() - dt.timedelta(days=7))
    alerted = services.overdue_alerts()
    last = services.record_transition(actor=officer, record=records[-1], action="request_close",
                                      data={"reason": "已稳定就业，经评估解除重点帮教"})
    services.record_transition(actor=secretary, record=last, action="approve_close",
                               data={"review": "同意结案，转为一般关注"})
    ctx.stdout(f"  support: {len(records)} 帮教 records, {alerted} overdue visit alerted, 1 closed")
