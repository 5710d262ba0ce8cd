from django.core.management import call_command

from shanzhi.core import schedule


def test_run_due_respects_intervals_and_survives_failures():
    calls = []

    def ok():
        calls.append("ok")

    def boom():
        raise RuntimeError("x")

    jobs = {"t.ok": schedule.Periodic("t.ok", 60, ok), "t.boom": schedule.Periodic("t.boom", 60, boom)}
    saved = dict(schedule.PERIODIC)
    schedule.PERIODIC.clear()
    schedule.PERIODIC.update(jobs)
    try:
        assert schedule.run_due(now=1000) == ["t.ok", "t.boom"]
        assert schedule.run_due(now=1030) == []  # not yet due
        assert schedule.run_due(now=1061) == ["t.ok", "t.boom"]
        assert calls == ["ok", "ok"]
    finally:
        schedule.PERIODIC.clear()
        schedule.PERIODIC.update(saved)


def test_cases_jobs_are_registered_and_run_once(db, capsys, settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {  # the uploads clean-up must not touch var/media
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}}}
    assert {"cases.check_deadlines", "cases.rollup", "consultation.daily_digests",
            "core.imports_cleanup"} <= set(schedule.PERIODIC)
    saved = {k: p.last for k, p in schedule.PERIODIC.items()}
    try:
        call_command("scheduler", once=True)
    finally:
        for k, last in saved.items():
            schedule.PERIODIC[k].last = last
    assert "cases.check_deadlines" in capsys.readouterr().out
