"""The monthly report of a street or district: a PDF rendered from rollups (WeasyPrint, CJK font), kept in
`MonthlyReport` for download and announced in the managers' inboxes. Run by the task queue (tasks.report_task,
and monthly_reports_task on the 1st for every street and district)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from weasyprint import HTML

from shanzhi.accounts.models import RoleGrant
from shanzhi.audit.services import audit_log
from shanzhi.core.roles import Role
from shanzhi.notifications.services import notify
from shanzhi.regions.choices import Level
from shanzhi.regions.models import Region

from . import selectors
from .models import MonthlyReport
from .periods import add_months, current_month

MANAGER_OF_LEVEL = {Level.STREET: Role.STREET_MANAGER, Level.DISTRICT: Role.DISTRICT_MANAGER}


def report_pdf(*, region: Region, month: dt.date) -> bytes:
    data = selectors.dashboard(actor=selectors.SYSTEM, region=region, month=month)
    with translation.override("zh-hans"):
        html = render_to_string("analytics/report.html", {
            "region": region, "month": month, "generated": timezone.localtime(), **data})
    return HTML(string=html).write_pdf()


def report_build(*, region_code: str, month: dt.date) -> MonthlyReport:
    """Render (or re-render) a region's monthly report and tell its managers."""
    region = Region.objects.get(code=region_code, level__in=list(MANAGER_OF_LEVEL))
    pdf = report_pdf(region=region, month=month)
    with transaction.atomic():
        report, _created = MonthlyReport.objects.update_or_create(
            region_code=region.code, month=month, defaults={"pdf": pdf, "size": len(pdf)})
        audit_log(action="analytics.report_build", obj=report, after={"month": month.isoformat(), "size": len(pdf)})
        managers = {g.user for g in RoleGrant.objects.filter(
            role=MANAGER_OF_LEVEL[region.level], region_code=region.code).select_related("user")}
        notify(recipients=managers, kind="analytics.report",
               title=_("%(region)s %(month)s 月度民生报告已生成") % {"region": region.name,
                                                              "month": month.strftime("%Y-%m")},
               url=reverse("analytics:report_pdf", args=[report.pk]), obj=report,
               dedupe_key=f"analytics.report:{region.code}:{month:%Y-%m}:{report.size}")
    return report


def reports_for_month(month: dt.date | None = None) -> int:
    month = month or add_months(current_month(), -1)
    done = 0
    for code in Region.objects.filter(level__in=list(MANAGER_OF_LEVEL)).values_list("code", flat=True):
        report_build(region_code=code, month=month)
        done += 1
    return done
