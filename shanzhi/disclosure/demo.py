"""Demo 阳光五务 entries, demo step "disclosure" (order 55): 施井's property fee ledger and its surplus
returned (seed 004), notices and service lists. Published as if reviewed; idempotent by title."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from .models import DisclosureEntry, EntryState, LedgerLine
from .services import schedule_adopt_defaults

XIYUAN, WENCHANG, SHIJING = "321002004001", "321002004002", "321002004006"
ENTRIES = [
    (SHIJING, "finance", "施井小区自管服务费收支公示", "2025年度",
     "自管小组按社区成员代表会议确定的标准收取服务费，收支按季度公示，年底结余按户返还居民。"),
    (SHIJING, "affairs", "施井小区自管小组名单及职责", "2025年度", "自管小组由楼栋长和居民代表组成，负责保洁、保安、维修。"),
    (WENCHANG, "services", "文昌花园社区老年公寓服务项目", "", "床位120张；居家养老、社区养老、机构养老、异地养老“四位一体”服务。"),
    (WENCHANG, "services", "家门口饭碗服务社", "", "职业介绍、就业援助、创业指导；承接场外加工。"),
    (XIYUAN, "party", "玺园社区党委2025年度工作报告", "2025年度", "民情收集站每日巡查，42名民情收集员。"),
    (XIYUAN, "residents", "玺园社区居民公约（修订稿）", "", "经居民代表会议讨论通过。"),
]
LEDGER = [
    (date(2025, 1, 15), "income", "86400.00", "第一季度服务费（240户×30元×12月预收）", "收据 SJ-2025-001"),
    (date(2025, 3, 31), "expense", "9000.00", "保洁服务（一季度）", "发票 0001"),
    (date(2025, 3, 31), "expense", "10800.00", "门卫值守（一季度）", "发票 0002"),
    (date(2025, 6, 30), "expense", "19800.00", "保洁、门卫（二季度）", "发票 0003-0004"),
    (date(2025, 8, 12), "expense", "6300.00", "楼道照明和水管维修", "发票 0005"),
    (date(2025, 9, 30), "expense", "19800.00", "保洁、门卫（三季度）", "发票 0006-0007"),
    (date(2025, 12, 31), "expense", "19800.00", "保洁、门卫（四季度）", "发票 0008-0009"),
    (date(2025, 12, 31), "expense", "900.00", "年底结余返还（240户，每户3.75元）", "返还签收表"),
]


def build(*, ctx) -> None:
    now = timezone.now()
    if ctx.data.get("street"):  # the street's publishing calendar, through the 系统配置 page's service
        schedule_adopt_defaults(actor=None, region_code=ctx.data["street"])
    for i, (code, category, title, period, body) in enumerate(ENTRIES):
        entry, created = DisclosureEntry.objects.get_or_create(
            region_code=code, title=title,
            defaults={"category": category, "period": period, "body": body, "state": EntryState.PUBLISHED,
                      "published_at": now - timedelta(days=10 + i), "review_note": "演示数据"})
        if created and category == "finance":
            LedgerLine.objects.bulk_create([LedgerLine(entry=entry, date=d, direction=k, amount=Decimal(a), summary=s,
                                                       document_ref=r) for d, k, a, s, r in LEDGER])
