"""Background tasks (Tasks API): rollup refreshes and monthly reports. They get codes and ISO dates, never objects."""

import datetime as dt

from django.utils import timezone
from django_tasks import task

from .reports import report_build, reports_for_month
from .rollups import rollup_refresh, rollup_refresh_current


@task()
def refresh_task(months: list[str] | None = None, modules: list[str] | None = None) -> dict:
    if months:
        run = rollup_refresh(months=[dt.date.fromisoformat(m) for m in months], modules=modules)
    else:
        run = rollup_refresh_current()
    return {"cells": run.cells, "changed": run.changed, "seconds": run.seconds}


@task()
def report_task(region_code: str, month: str) -> int:
    return report_build(region_code=region_code, month=dt.date.fromisoformat(month)).pk


@task()
def monthly_reports_task() -> int:
    """On the 1st: last month's report of every street and district, delivered to their managers."""
    return reports_for_month()


def monthly_reports_on_the_first() -> None:
    """The scheduler's daily call: on the 1st of a month, queue last month's reports."""
    if timezone.localdate().day == 1:
        monthly_reports_task.enqueue()
