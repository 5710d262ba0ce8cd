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
