"""Periodic jobs, declared by apps and run by `shanzhi scheduler` (started, supervised, by scripts/run).

An app registers `register_periodic(name, schedule, job)` in AppConfig.ready(): `schedule` is
`Every(seconds)` (calendar-aligned slots: every 15 minutes means :00, :15, :30, :45) or `DailyAt(time)`
(once a local day, at or after that time); `job` is a Tasks API task (enqueued, so the worker runs it) or a
plain callable (called in the scheduler process).

Each job's last period lives in the database (`PeriodicRun`), so a restart does not rerun a job already done
this period, and any number of schedulers run each job once per period: a scheduler claims a job by
updating its row under a row lock (SELECT … FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite's IMMEDIATE
transactions serialise writers) and only the one whose update changed the period runs it.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import PeriodicRun

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Every:
    seconds: int

    def period(self, now: dt.datetime) -> str:
        local = timezone.localtime(now)
        since_midnight = local.hour * 3600 + local.minute * 60 + local.second
        if self.seconds < 86400 and 86400 % self.seconds == 0:  # slots of the local day (:00, :15 …)
            return f"{local.date().isoformat()}#{since_midnight // self.seconds}"
        return str(int(now.timestamp()) // self.seconds)

    def __str__(self) -> str:
        return f"every {self.seconds}s"


@dataclass(frozen=True)
class DailyAt:
    at: dt.time

    def period(self, now: dt.datetime) -> str:
        local = timezone.localtime(now)
        day = local.date() if local.time() >= self.at else local.date() - dt.timedelta(days=1)
        return day.isoformat()

    def __str__(self) -> str:
        return f"daily at {self.at:%H:%M}"


@dataclass
class Periodic:
    name: str
    schedule: Every | DailyAt
    job: Callable

    def run(self) -> None:
        if hasattr(self.job, "enqueue"):
            self.job.enqueue()
        else:
            self.job()


PERIODIC: dict[str, Periodic] = {}


def register_periodic(name: str, schedule: Every | DailyAt | float, job: Callable) -> None:
    if isinstance(schedule, int | float):
        schedule = Every(int(schedule))
    PERIODIC.setdefault(name, Periodic(name, schedule, job))


def _claim(p: Periodic, period: str, now: dt.datetime) -> bool:
    """Mark `p` done for `period`; True for the one scheduler whose update did it."""
    try:
        with transaction.atomic():
            PeriodicRun.objects.get_or_create(name=p.name)
    except IntegrityError:  # another scheduler created the row at the same moment
        pass
    with transaction.atomic():
        row = (PeriodicRun.objects.select_for_update(skip_locked=True)
               .filter(name=p.name).exclude(period=period).first())
        if row is None:  # done this period, or another scheduler holds the row right now
            return False
        row.period, row.ran_at, row.runs = period, now, row.runs + 1
        row.save(update_fields=["period", "ran_at", "runs"])
        if hasattr(p.job, "enqueue"):
            p.job.enqueue()  # in the same transaction: claimed and queued, or neither
    return True


def run_due(now: dt.datetime | None = None, jobs: dict[str, Periodic] | None = None) -> list[str]:
    """Run every job whose period has not run yet; a failing job is logged and waits for its next period."""
    now = now or timezone.now()
    jobs = PERIODIC if jobs is None else jobs
    done = dict(PeriodicRun.objects.filter(name__in=list(jobs)).values_list("name", "period"))
    ran = []
    for p in jobs.values():
        period = p.schedule.period(now)
        if done.get(p.name) == period:
            continue
        try:
            if not _claim(p, period, now):
                continue
            if not hasattr(p.job, "enqueue"):
                p.job()
        except Exception:
            log.exception("periodic job %s failed", p.name)
        ran.append(p.name)
    return ran
