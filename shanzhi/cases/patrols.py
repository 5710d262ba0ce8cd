"""Patrols, home visits and checklist inspections (巡查、走访、民情日志): each finding can become a
case in the same step; each failed inspection item becomes a case."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shanzhi.audit.services import audit_log
from shanzhi.core.errors import ServiceError
from shanzhi.core.permissions import require

from . import choices as c
from .models import Category, HomeVisit, Inspection, Patrol
from .permissions import PATROL, VISIT
from .services import case_create

# Checklist item → the category its failure is filed under (codes from the demo configuration).
INSPECTION_CATEGORIES = {
    c.InspectionItem.FIRE_ACCESS: "safety.fire_access",
    c.InspectionItem.EBIKE_CHARGING: "safety.ebike",
    c.InspectionItem.GAS: "safety.gas",
    c.InspectionItem.FACADE: "safety.facade",
}


def _route(route) -> list:
    points = []
    for p in route or []:
        try:
            lat, lng = float(p[0]), float(p[1])
        except (TypeError, ValueError, IndexError):
            raise ServiceError(_("轨迹点格式应为 [纬度, 经度, 时间]"), field="route")
        points.append([lat, lng, *p[2:3]])
    return points


@transaction.atomic
def patrol_create(*, actor, region_code: str, started_at, ended_at=None, route=(), findings: str = "",
                  case_category: Category | None = None, case_title: str = "") -> tuple[Patrol, object]:
    """Log a patrol; with `case_category` the finding is filed as a patrol case at the last route point."""
    require(actor, PATROL.action, region_code)
    patrol = Patrol(region_code=region_code, worker=actor, started_at=started_at, ended_at=ended_at,
                    route=_route(route), findings=findings.strip())
    patrol.full_clean()
    patrol.save()
    audit_log(actor=actor, action="patrol.create", obj=patrol)
    case = None
    if case_category is not None:
        last = patrol.route[-1] if patrol.route else [None, None]
        case = case_create(actor=actor, category=case_category, channel=c.Channel.PATROL,
                           title=case_title or findings[:40], description=findings, region_code=region_code,
                           lat=last[0], lng=last[1])
    return patrol, case


@transaction.atomic
def home_visit_create(*, actor, household, notes: str, case_category: Category | None = None,
                      case_title: str = "") -> tuple[HomeVisit, object]:
    require(actor, VISIT.action, household)
    case = None
    if case_category is not None:
        case = case_create(actor=actor, category=case_category, channel=c.Channel.PATROL,
                           title=case_title or notes[:40], description=notes, region_code=household.region_code,
                           dwelling=household.dwelling)
    visit = HomeVisit(region_code=household.region_code, household=household, visitor=actor,
                      visited_at=timezone.now(), notes=notes.strip(), case=case)
    visit.full_clean()
    visit.save()
    audit_log(actor=actor, action="home_visit.create", obj=visit)
    return visit, case


@transaction.atomic
def inspection_record(*, actor, building, results: dict) -> tuple[Inspection, list]:
    """results = {item: {"ok": bool, "note": str}} for the four checklist items; failures become cases."""
    require(actor, PATROL.action, building)
    unknown = set(results) - set(c.InspectionItem.values)
    if unknown:
        raise ServiceError(_("未知的检查项：%(i)s") % {"i": "、".join(sorted(unknown))}, field="results")
    for item in c.InspectionItem.values:  # checklist order, so the first missing note is named
        r = results.get(item) or {}
        if not r.get("ok") and not str(r.get("note") or "").strip():
            raise ServiceError(_("“%(l)s”不合格，请填写情况说明") % {"l": c.InspectionItem(item).label},
                               field=f"note_{item}")
    inspection = Inspection(region_code=building.region_code, building=building, inspector=actor,
                            inspected_at=timezone.now(), results=results)
    inspection.full_clean()
    inspection.save()
    audit_log(actor=actor, action="inspection.create", obj=inspection)
    cases = []
    for item, r in results.items():
        if r.get("ok"):
            continue
        label = c.InspectionItem(item).label
        category = Category.objects.filter(code=INSPECTION_CATEGORIES[item]).first()
        if category is None:
            raise ServiceError(_("未配置“%(l)s”对应的民情类别") % {"l": label})
        cases.append(case_create(actor=actor, category=category, channel=c.Channel.PATROL,
                                 title=_("%(b)s %(l)s检查不合格") % {"b": building, "l": label},
                                 description=r.get("note") or label, region_code=building.region_code,
                                 building=building, lat=building.lat, lng=building.lng))
    return inspection, cases
