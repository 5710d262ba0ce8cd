"""Demo step "analytics" (order 90, after every app's data): community types with targets, balance standards,
the facility inventory and staffing of 曲江's communities, then twelve months of rollups and last month's street
report. Idempotent."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.db.models import Count
from django.db.models.functions import Substr

from shanzhi.accounts.models import User
from shanzhi.core.permissions import allows
from shanzhi.regions.choices import CommunityType as RType
from shanzhi.regions.choices import HousingForm, Level
from shanzhi.regions.models import Region
from shanzhi.registry.models import Household, Person

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
    """Facilities sized to each community's households (20–45 m² per 100 households, so some fall below the
    30 m² standard and show as gaps), 社工 and staff to its residents."""
    rng = ctx.rng
    codes = ctx.data.get("communities") or list(
        Region.objects.filter(level=Level.COMMUNITY).values_list("code", flat=True)[:200])
    households = dict(Household.objects.filter(dissolved=False).annotate(c=Substr("region_code", 1, 12))
                      .values_list("c").annotate(n=Count("id")).values_list("c", "n"))
    persons = dict(Person.objects.filter(status="living").annotate(c=Substr("region_code", 1, 12))
                   .values_list("c").annotate(n=Count("id")).values_list("c", "n"))
    for community in Region.objects.filter(code__in=codes, level=Level.COMMUNITY).order_by("code"):
        if not allows(actor, "analytics.inventory", community.code) or \
                Facility.objects.filter(region_code=community.code).exists():
            continue
        space = households.get(community.code, 100) / 100 * rng.uniform(20, 45)
        shares = [0.45, 0.25, 0.12, 0.18]
        for (kind, label, _lo, _hi, hours), share in zip(FACILITIES, shares, strict=True):
            if kind == FacilityKind.DAY_CARE and rng.random() < 0.3:  # some have no day-care centre yet
                continue
            facility_create(actor=actor, region_code=community.code, kind=kind, name=f"{community.name}{label}",
                            area_m2=Decimal(max(1, round(space * share))), opening_hours=hours)
        residents = persons.get(community.code, 300)
        resource_save(actor=actor, region_code=community.code,
                      social_workers=round(residents / 1000 * rng.uniform(0.3, 2.0) + rng.choice([0, 0.5, 1])),
                      staff=max(2, round(residents / 1000 * rng.uniform(3, 6))),
                      funding_yuan=Decimal(rng.randint(20, 80) * 10000))


def build(*, ctx) -> None:
    _reference()
    actor = (User.objects.filter(username="district_manager").first()
             or User.objects.filter(username="street_manager").first())
    if actor is not None:
        _inventory(ctx, actor)
    month = current_month()
    run = rollup_refresh(months=[add_months(month, -n) for n in range(11, -1, -1)])
    street = ctx.data.get("street") or Region.objects.filter(level=Level.STREET).values_list(
        "code", flat=True).first()
    if street:
        report_build(region_code=street, month=add_months(month, -1))
    ctx.stdout(f"  analytics: {run.cells} rollup cells over 12 months ({run.seconds:.1f} s)")
