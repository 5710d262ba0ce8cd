"""Demo step "admission" (order 70): the three lists of the demo district, two sender departments and two months
of work items for the first communities — a refused unlisted one, a rejected one and a rising 评比 count —
all through the services. Idempotent: a district that has lists is left as it is."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from .choices import DepartmentKind, ListKind, WorkKind
from .models import AdmissionList
from .services import (
    delivery_handle,
    department_create,
    list_create,
    list_item_add,
    list_publish,
    work_item_push,
    work_item_review,
)

LISTS = {
    ListKind.DUTY: [("社区居民委员会换届选举组织", "《城市居民委员会组织法》第八条", "区民政局", False),
                    ("居民公约修订", "《城市居民委员会组织法》第十五条", "区民政局", False),
                    ("社区协商议事", "《关于加强城乡社区协商的意见》", "区民政局", False)],
    ListKind.ASSIST: [("高龄津贴申领初审", "《江苏省老年人权益保障条例》", "区民政局", True),
                      ("城乡居民医保参保登记", "《社会保险法》第二十五条", "区医保局", True),
                      ("人口抽样调查入户协助", "《统计法》第七条", "区统计局", True),
                      ("退役军人信息采集", "《退役军人保障法》", "区退役军人事务局", False)],
    ListKind.NEGATIVE: [("出具居民无犯罪记录证明", "公安机关职责", "区公安分局", False),
                        ("招商引资、协税护税", "不属社区职责", "", False),
                        ("城市管理执法", "《行政处罚法》", "区城管局", False)],
}


def _lists(actor, district):
    items = {}
    for kind, rows in LISTS.items():
        lst = list_create(actor=actor, district_code=district, kind=kind, note="2026年版")
        for name, basis, dept, funded in rows:
            items[name] = list_item_add(actor=actor, lst=lst, name=name, legal_basis=basis, department=dept,
                                        funding_required=funded)
        list_publish(actor=actor, lst=lst)
    return items


def _work(manager, street_mgr, depts, items, communities, today):
    civil, section = depts
    last = today.replace(day=1) - timedelta(days=20)
    plan = [  # (sender, actor, kind, title, item, days ago or date, funding)
        (civil, manager, WorkKind.REPORT, "高龄津贴申领名册上报", "高龄津贴申领初审", last, ("3000", "区级财政")),
        (section, street_mgr, WorkKind.INSPECTION, "文明城市创建迎检", None, last, None),
        (section, street_mgr, WorkKind.INSPECTION, "安全生产大检查评比", None, today - timedelta(days=3), None),
        (civil, manager, WorkKind.INSPECTION, "养老服务站星级评比", None, today - timedelta(days=2), None),
        (civil, manager, WorkKind.LEDGER, "医保参保登记台账", "城乡居民医保参保登记", today - timedelta(days=5),
         ("5000", "区医保基金")),
        (section, street_mgr, WorkKind.CERTIFICATE, "居住证明集中出具", None, today - timedelta(days=1), None),
        (section, street_mgr, WorkKind.LEDGER, "创卫工作台账（10本）", None, today - timedelta(days=1), None),
    ]
    made = []
    for sender, actor, kind, title, item_name, day, funds in plan:
        amount, source = (Decimal(funds[0]), funds[1]) if funds else (None, "")
        made.append(work_item_push(actor=actor, sender=sender, kind=kind, title=title, deadline=day + timedelta(days=30),
                                   communities=communities, list_item=items.get(item_name), funding_amount=amount,
                                   funding_source=source, today=day))
    for item in made:
        if item.state == "review":
            action = "reject" if "台账" in item.title else "approve"
            work_item_review(actor=manager, item=item, action=action, reason="台账多头报送，不予准入" if action == "reject"
                             else "", today=item.created_at.date())
    return made


@transaction.atomic
def build(*, ctx) -> None:
    users = ctx.data.get("users", {})
    manager, street_mgr = users.get("district_manager"), users.get("street_manager")
    district, street = ctx.data.get("district"), ctx.data.get("street")
    communities = [c for c in ctx.data.get("communities", []) if street and c.startswith(street)][:3]
    if not manager or not street_mgr or not communities:
        ctx.stdout("  admission: skipped (no accounts/regions)")
        return
    if AdmissionList.objects.filter(region_code=district).exists():
        return
    items = _lists(manager, district)
    depts = (department_create(actor=manager, region_code=district, name="区民政局",
                               kind=DepartmentKind.DISTRICT_DEPARTMENT),
             department_create(actor=manager, region_code=street, name="曲江街道社会事务科",
                               kind=DepartmentKind.STREET_SECTION, members=[u for u in [users.get("handling_body")] if u]))
    made = _work(manager, street_mgr, depts, items, communities, timezone.localdate())
    staff = users.get("community_staff")
    refusable = next((d for i in made for d in i.deliveries.filter(listed=False, region_code=communities[0])), None)
    if staff and refusable:
        delivery_handle(actor=staff, delivery=refusable, action="refuse", reason="清单外事项，且无经费保障")
    ctx.data["admission_departments"] = depts
    ctx.stdout(f"  admission: 3 lists, {len(made)} work items")
