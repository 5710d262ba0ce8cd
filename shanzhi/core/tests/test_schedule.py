"""The scheduler keeps each job's last period in the database: restarts and a second scheduler do not rerun
a job within its period, and periods are calendar periods (daily at a local time), not time since boot."""

import datetime as dt
import threading

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from shanzhi.core import schedule
from shanzhi.core.models import PeriodicRun

TZ = timezone.get_fixed_timezone(8 * 60)


def at(day, hour, minute=0):
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=TZ)


def jobs(calls):
    def job(name):
        return lambda: calls.append(name)

    return {
        "t.quarter": schedule.Periodic("t.quarter", schedule.Every(15 * 60), job("quarter")),
        "t.daily": schedule.Periodic("t.daily", schedule.DailyAt(dt.time(3, 0)), job("daily")),
    }


def test_periods_are_calendar_periods():
    daily = schedule.DailyAt(dt.time(3, 0))
    assert daily.period(at(2, 2, 59)) == "2026-03-01"  # before 03:00 the day before is the open period
    assert daily.period(at(2, 3, 0)) == daily.period(at(2, 23, 59)) == "2026-03-02"
    quarter = schedule.Every(15 * 60)
    assert quarter.period(at(2, 10, 0)) == quarter.period(at(2, 10, 14)) != quarter.period(at(2, 10, 15))


def test_two_schedulers_and_a_restart_run_each_job_once_per_period(db):
    calls = []
    first, second = jobs(calls), jobs(calls)  # two scheduler processes: separate job objects, one database
    assert sorted(schedule.run_due(now=at(2, 9, 1), jobs=first)) == ["t.daily", "t.quarter"]
    assert schedule.run_due(now=at(2, 9, 1), jobs=second) == []
    restarted = jobs(calls)  # a restart keeps nothing in memory
    assert schedule.run_due(now=at(2, 9, 10), jobs=restarted) == []
    assert sorted(calls) == ["daily", "quarter"]
    assert schedule.run_due(now=at(2, 9, 16), jobs=second) == ["t.quarter"]  # next quarter hour
    assert schedule.run_due(now=at(3, 2, 0), jobs=first) == ["t.quarter"]  # 02:00: the day's run is at 03:00
    assert schedule.run_due(now=at(3, 2, 10), jobs=restarted) == []
    assert sorted(schedule.run_due(now=at(3, 3, 0), jobs=restarted)) == ["t.daily", "t.quarter"]
    assert calls.count("daily") == 2 and calls.count("quarter") == 4
    assert PeriodicRun.objects.get(name="t.daily").period == "2026-03-03"


def test_a_failing_job_is_logged_and_waits_for_its_next_period(db, caplog):
    calls = []

    def boom():
        calls.append("boom")
        raise RuntimeError("x")

    jobs_ = {"t.boom": schedule.Periodic("t.boom", schedule.Every(60), boom)}
    assert schedule.run_due(now=at(2, 9, 0), jobs=jobs_) == ["t.boom"]
    assert schedule.run_due(now=at(2, 9, 0), jobs=jobs_) == []
    assert schedule.run_due(now=at(2, 9, 1), jobs=jobs_) == ["t.boom"]
    assert calls == ["boom", "boom"] and "t.boom failed" in caplog.text


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent connections need PostgreSQL")
def test_concurrent_schedulers_run_a_job_once(transactional_db):
    calls, barrier = [], threading.Barrier(4)

    def scheduler():
        try:
            barrier.wait()
            schedule.run_due(now=at(2, 9, 1), jobs=jobs(calls))
        finally:
            connection.close()

    threads = [threading.Thread(target=scheduler) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(calls) == ["daily", "quarter"]


def test_the_apps_jobs_are_registered_and_run_once(db, capsys, settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {  # the uploads clean-up must not touch var/media
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}}}
    assert {"cases.check_deadlines", "cases.rollup", "consultation.daily_digests",
            "core.imports_cleanup"} <= set(schedule.PERIODIC)
    assert isinstance(schedule.PERIODIC["consultation.daily_digests"].schedule, schedule.DailyAt)
    call_command("scheduler", once=True)
    assert "cases.check_deadlines" in capsys.readouterr().out
    call_command("scheduler", once=True)
    assert capsys.readouterr().out.strip() == "ran:"
