"""Demo step "analytics" (order 90, after every app's data): community types with targets, balance standards,
the facility inventory and staffing of 曲江's communities, then twelve months of rollups and last month's street
report. Idempotent."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from shanzhi.accounts.models import User
from shanzhi.regions.choices import CommunityType as RType
from shanzhi.regions.choices import HousingForm, Level
from shanzhi.regions.models import Region

from .models import BalanceStandard, CommunityType, Facility, FacilityKind, TypeTarget
from .periods import add_months, current_month
from .reports import report_build
from .rollups import rollup_refresh
from .services import facility_create, resource_save

TYPES = [  # key, name, region type, housing form, order, description, {indicator: target}
    ("old", "老旧小区型", "", HousingForm.OLD, 1, "老旧小区为主：重点在设施补短板和适老化",
     {"cases.on_time_rate": 85, "cases.satisfaction_rate": 80, "cases.index": 75, "registry.elderly_share": 30}),
    ("converted", "村改居型", RType.CONVERTED, "", 2, "村改居、拆迁安置：重点在融入和议事规则",
     {"cases.on_time_rate": 85, "cases.satisfaction_rate": 80, "cases.index": 75, "consultation.rules_met": 80}),
    ("commercial", "商品房型", "", HousingForm.COMMERCIAL, 3, "商品房小区为主：重点在物业矛盾和居民参与",
     {"cases.on_time_rate": 90, "cases.satisfaction_rate": 85, "cases.index": 80, "volunteering.volunteers": 100}),
    ("mixed", "混合型", "", "", 9, "其他社区",
     {"cases.on_time_rate": 88, "cases.satisfaction_rate": 82, "cases.index": 78}),
]
STANDARDS = [
    ("space_per_100_households", "每百户服务用房面积", "analytics.facility_area", "registry.households", 100, 30,
     "平方米"),
    ("social_workers_per_1000", "每千人持证社工", "analytics.social_workers", "registry.persons", 1000, 1.0, "人"),
]
FACILITIES = [(FacilityKind.PARTY_SERVICE, "党群服务中心", 300, 700, "周一至周日 8:30–20:00"),
              (FacilityKind.DAY_CARE, "日间照料中心", 150, 400, "周一至周五 8:00–17:30"),
              (FacilityKind.HEALTH, "卫生服务站", 80, 200, "每日 8:00–17:00"),
              (FacilityKind.ACTIVITY, "文体活动室", 60, 180, "每日 9:00–21:00")]


@transaction.atomic
def _reference() -> None:
    for key, name, rtype, form, order, desc, targets in TYPES:
        t, _ = CommunityType.objects.update_or_create(key=key, defaults={
            "name": name, "region_type": rtype, "housing_form": form, "order": order, "description": desc})
        for indicator, target in targets.items():
            TypeTarget.objects.update_or_create(community_type=t, indicator=indicator, defaults={"target": target})
    for key, name, num, den, per, minimum, unit in STANDARDS:
        BalanceStandard.objects.update_or_create(key=key, defaults={
            "name": name, "numerator": num, "denominator": den, "per": per, "minimum": minimum, "unit": unit})


def _inventory(ctx, actor) -> None:
    rng = ctx.rng
    for i, community in enumerate(Region.objects.filter(code__in=ctx.data.get("communities", []),
                                                        level=Level.COMMUNITY).order_by("code")):
        if Facility.objects.filter(region_code=community.code).exists():
            continue
        for j, (kind, label, lo, hi, hours) in enumerate(FACILITIES):
            if j and rng.random() < 0.3 + 0.1 * (i % 3):  # some communities lack some facilities: gaps to list
                continue
            facility_create(actor=actor, region_code=community.code, kind=kind, name=f"{community.name}{label}",
                            area_m2=Decimal(rng.randint(lo, hi)), opening_hours=hours)
        resource_save(actor=actor, region_code=community.code, social_workers=rng.randint(1, 8),
                      staff=rng.randint(8, 18), funding_yuan=Decimal(rng.randint(20, 80) * 10000))


def build(*, ctx) -> None:
    _reference()
    actor = User.objects.filter(username="street_manager").first()
    if actor is not None:
        _inventory(ctx, actor)
    month = current_month()
    run = rollup_refresh(months=[add_months(month, -n) for n in range(11, -1, -1)])
    street = ctx.data.get("street")
    if street:
        report_build(region_code=street, month=add_months(month, -1))
    ctx.stdout(f"  analytics: {run.cells} rollup cells over 12 months ({run.seconds:.1f} s)")
