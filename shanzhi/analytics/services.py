"""Every analytics write from a page: refresh requests, the facility inventory, staffing, report requests."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from shanzhi.audit.services import audit_log
from shanzhi.core.errors import ServiceError
from shanzhi.core.permissions import require
from shanzhi.core.writes import clean_or_refuse

from .models import CommunityResource, Facility
from .tasks import refresh_task, report_task


def rollup_request(*, actor, region_code: str, months: list[dt.date]) -> None:
    """A manager asks for a refresh now; the worker runs it (the page lists the last runs)."""
    require(actor, "analytics.manage", region_code)
    if not months or len(months) > 24:
        raise ServiceError(_("请选择 1–24 个月份"))
    audit_log(actor=actor, action="analytics.refresh", region_code=region_code,
              after={"months": [m.isoformat() for m in months]})
    transaction.on_commit(lambda: refresh_task.enqueue([m.isoformat() for m in months]))


def report_request(*, actor, region_code: str, month: dt.date) -> None:
    """A manager asks for a region's monthly report now (streets and districts)."""
    require(actor, "analytics.manage", region_code)
    if len(region_code) not in (6, 9):
        raise ServiceError(_("月度报告只为街道和区生成"))
    audit_log(actor=actor, action="analytics.report_request", region_code=region_code,
              after={"month": month.isoformat()})
    transaction.on_commit(lambda: report_task.enqueue(region_code, month.isoformat()))


@transaction.atomic
def facility_create(*, actor, region_code: str, kind: str, name: str, area_m2, opening_hours: str = "") -> Facility:
    facility = Facility(region_code=region_code, kind=kind, name=name.strip(), area_m2=area_m2,
                        opening_hours=opening_hours.strip())
    require(actor, "analytics.inventory", region_code)
    clean_or_refuse(facility)
    facility.save()
    audit_log(actor=actor, action="analytics.facility_create", obj=facility,
              after={"kind": kind, "name": facility.name, "area_m2": str(area_m2)})
    return facility


WEEKDAYS = "一二三四五六日"


def venue_hours(venue) -> str:
    """“周一至周五 08:00–21:00” from the venue's opening rule."""
    days = [int(d) for d in venue.weekdays if d.isdigit() and 1 <= int(d) <= 7]
    if not days:
        return ""
    if days == list(range(days[0], days[-1] + 1)) and len(days) > 1:
        label = _("周%(a)s至周%(b)s") % {"a": WEEKDAYS[days[0] - 1], "b": WEEKDAYS[days[-1] - 1]}
    else:
        label = _("周") + "、".join(WEEKDAYS[d - 1] for d in days)
    return f"{label} {venue.opens_at:%H:%M}–{venue.closes_at:%H:%M}"


@transaction.atomic
def facility_from_venue(*, actor, venue, kind: str) -> Facility:
    """Count a bookable venue in the community's inventory: one place, one record, linked (not copied by hand)."""
    code = venue.region_code[:12]
    require(actor, "analytics.inventory", code)
    if Facility.objects.filter(venue=venue).exists():
        raise ServiceError(_("该场地已在设施台账中"), field="venue")
    if not venue.area or venue.area <= 0:
        raise ServiceError(_("场地“%(n)s”未填写面积，请先在场地信息中补充") % {"n": venue.name}, field="venue")
    facility = Facility(region_code=code, kind=kind, name=venue.name[:100], area_m2=venue.area,
                        opening_hours=venue_hours(venue)[:100], venue=venue)
    clean_or_refuse(facility, exclude=["venue"])
    facility.save()
    audit_log(actor=actor, action="analytics.facility_from_venue", obj=facility,
              after={"kind": kind, "venue": venue.pk, "area_m2": str(venue.area)})
    return facility


@transaction.atomic
def resource_save(*, actor, region_code: str, social_workers: int, staff: int, funding_yuan) -> CommunityResource:
    require(actor, "analytics.inventory", region_code)
    row = CommunityResource.objects.select_for_update().filter(region_code=region_code).first() or \
        CommunityResource(region_code=region_code)
    before = {"social_workers": row.social_workers, "staff": row.staff, "funding_yuan": str(row.funding_yuan)}
    row.social_workers, row.staff, row.funding_yuan = social_workers, staff, funding_yuan
    clean_or_refuse(row, exclude=["region_code"])
    row.version = (row.version or 0) + 1 if row.pk else 1
    row.save()
    audit_log(actor=actor, action="analytics.resource_save", obj=row, before=before,
              after={"social_workers": social_workers, "staff": staff, "funding_yuan": str(funding_yuan)})
    return row
