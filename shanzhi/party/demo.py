"""Demo party organisation for 曲江: 街道党工委 → 社区党委 (大党委) → 网格党支部 → 楼栋党小组, members from
the registry's party members, 双报到 units, a joint meeting and approved service records. Idempotent."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from shanzhi.ledger.choices import Ledger
from shanzhi.ledger.services import points_award, points_deduct
from shanzhi.regions.models import Region
from shanzhi.registry.models import Building, Household, Person

from .choices import MemberCategory, OrgLevel, RecordState
from .models import (
    CoBuildingUnit,
    DualCheckIn,
    JointMeeting,
    MemberHousehold,
    PartyMember,
    PartyOrg,
    ServiceRecord,
)

WORKPLACES = ["扬州供电公司", "广陵区人民医院", "扬州市第一中学", "曲江银行网点"]
RECORDS = [("走访联系户，帮助解决漏水问题", 5), ("参加社区义诊志愿服务", 3), ("组织楼栋垃圾分类宣传", 4),
           ("无故缺席组织生活", -2)]


def _org(name, level, code, parent=None, **kw):
    org, _ = PartyOrg.objects.get_or_create(region_code=code, name=name,
                                            defaults={"level": level, "parent": parent, **kw})
    return org


def build(*, ctx) -> None:
    d = ctx.data
    staff = d["users"]["community_secretary"]
    street = _org("曲江街道党工委", OrgLevel.STREET_COMMITTEE, d["street"], secretary="赵书记")
    communities = Region.objects.filter(code__in=d["communities"][:4]).order_by("code")
    now = timezone.now()
    for ci, community in enumerate(communities):
        committee = _org(f"{community.name}党委", OrgLevel.COMMUNITY_COMMITTEE, community.code, street,
                         is_joint_committee=True)
        for grid in Region.objects.filter(parent=community).order_by("code")[:3]:
            branch = _org(f"{grid.name}党支部", OrgLevel.BRANCH, grid.code, committee)
            for b in Building.objects.filter(region_code=grid.code).order_by("pk")[:2]:
                _org(f"{b}党小组", OrgLevel.GROUP, grid.code, branch, building=b)
            people = Person.objects.filter(region_code=grid.code, political_status__in=["party_member", "probationary"]
                                           ).order_by("pk")[:8]
            if not people:
                people = Person.objects.filter(region_code=grid.code, birth_date__isnull=False).order_by("pk")[:4]
            for pi, person in enumerate(people):
                category = [MemberCategory.COMMUNITY, MemberCategory.EMPLOYED, MemberCategory.RETIRED,
                            MemberCategory.FLOATING][pi % 4]
                member, created = PartyMember.objects.get_or_create(
                    person=person, defaults={"org": branch, "category": category, "region_code": person.region_code,
                                             "workplace_name": WORKPLACES[pi % 4] if category == "employed" else "",
                                             "central_household": person.household if pi == 0 else None})
                if not created:
                    continue
                households = Household.objects.filter(region_code=grid.code).order_by("pk")[pi * 3:pi * 3 + 3]
                for h in households:
                    MemberHousehold.objects.get_or_create(member=member, household=h,
                                                          defaults={"region_code": h.region_code})
                if category == MemberCategory.EMPLOYED:
                    DualCheckIn.objects.get_or_create(
                        member=member, community_code=community.code,
                        defaults={"unit_name": member.workplace_name, "service_wish": "参与社区志愿服务",
                                  "checked_in_on": timezone.localdate() - timedelta(days=40),
                                  "region_code": member.region_code})
                    CoBuildingUnit.objects.get_or_create(
                        joint_committee=committee, name=member.workplace_name,
                        defaults={"joined_on": timezone.localdate() - timedelta(days=40),
                                  "region_code": community.code, "commitments": "共建共治"})
                description, points = RECORDS[pi % len(RECORDS)]
                record = ServiceRecord.objects.create(
                    member=member, description=description, points=points, recorded_by=staff,
                    happened_on=timezone.localdate() - timedelta(days=pi + 1), region_code=member.region_code,
                    state=RecordState.APPROVED if pi % 3 else RecordState.PENDING, decided_by=staff)
                if record.state == RecordState.APPROVED:
                    move = points_award if points > 0 else points_deduct
                    t = move(actor=staff, ledger=Ledger.PARTY, person=person, amount=abs(points),
                             idempotency_key=f"party-record:{record.pk}", memo=description)
                    ServiceRecord.objects.filter(pk=record.pk).update(transfer=t)
        if ci == 0 and committee.co_building_units.exists():
            meeting, created = JointMeeting.objects.get_or_create(
                joint_committee=committee, topic="老旧小区加装电梯协调",
                defaults={"held_on": timezone.localdate() - timedelta(days=10), "region_code": committee.region_code,
                          "resolutions": "供电公司负责电力增容评估\n社区组织业主协商分摊方案\n下月联席会议通报进展"})
            if created:
                meeting.units.set(committee.co_building_units.all())
    ctx.stdout(f"  party: {PartyOrg.objects.count()} organisations, {PartyMember.objects.count()} members "
               f"({now:%H:%M})")
