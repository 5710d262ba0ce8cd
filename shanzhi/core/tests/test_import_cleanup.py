"""Kept import uploads are deleted after SHANZHI_IMPORT_KEEP_DAYS (real files, real modification times),
never while their import is queued or running; one audit row per run with counts and no file names; the
daily job and `shanzhi import cleanup`."""

import datetime
import json
import os
import time

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from shanzhi.audit.models import AuditEvent
from shanzhi.core import schedule
from shanzhi.core.importing import import_enqueue, import_task, uploads_cleanup
from shanzhi.core.models import TaskProgress
from shanzhi.core.progress import progress_create
from shanzhi.core.uploads import upload_load, upload_store

pytestmark = pytest.mark.django_db
DAY = 24 * 3600
State = TaskProgress.State
FILE = "320102001001-张三-身份证号.xlsx"  # upload names can carry personal data


@pytest.fixture
def media(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}}}
    return tmp_path


def age(path, days):
    t = time.time() - days * DAY
    os.utime(path, (t, t))


def upload(media, *, state=State.DONE, days=0, kind="import.persons", tag="320102001001"):
    """An import's kept upload, as the import pages store it (encrypted, named by its file id), last changed
    `days` ago; its import's progress record is in `state`."""
    file_id = upload_store(b"name,id_number\n", FILE, tag)
    progress = progress_create(kind=kind, result={"job": {"kind": "persons", "file_id": file_id}})
    TaskProgress.objects.filter(pk=progress.pk).update(state=state)
    path = media / "imports" / f"{file_id}.bin"
    age(path, days)
    return file_id, path


def test_old_uploads_go_fresh_and_busy_ones_stay(media):
    old_done, old_done_dir = upload(media, days=8)
    old_failed, old_failed_dir = upload(media, state=State.FAILED, days=30)
    fresh, fresh_dir = upload(media, days=6)
    running, running_dir = upload(media, state=State.RUNNING, days=30)
    queued, queued_dir = upload(media, state=State.QUEUED, days=30)
    counts = uploads_cleanup()
    assert counts == {"files_deleted": 2, "files_kept_busy": 2, "task_rows_deleted": 0, "keep_days": 7}
    assert not old_done_dir.exists() and not old_failed_dir.exists()
    assert upload_load(old_done) is None and upload_load(old_failed) is None
    assert upload_load(fresh) is not None and upload_load(running) is not None and upload_load(queued) is not None
    # the running import finishes: its file goes on the next run
    TaskProgress.objects.filter(result__job__file_id=running).update(state=State.DONE)
    assert uploads_cleanup()["files_deleted"] == 1 and not running_dir.exists()
    assert fresh_dir.exists() and queued_dir.exists()


def test_keep_days_comes_from_settings(media, settings):
    _pk, folder = upload(media, days=8)
    settings.SHANZHI_IMPORT_KEEP_DAYS = 10
    assert uploads_cleanup()["files_deleted"] == 0 and folder.exists()
    settings.SHANZHI_IMPORT_KEEP_DAYS = 7
    assert uploads_cleanup()["files_deleted"] == 1 and not folder.exists()


def test_every_old_file_goes_even_without_its_progress_row(media):
    file_id, path = upload(media, days=9)
    folder = media / "imports" / "0b9c1a52-8a4e-4f0e-9d36-6b1b8f3f2a10"  # an older release's per-import folder
    folder.mkdir()
    (folder / "errors.xlsx").write_bytes(b"rejected rows")
    age(folder / "errors.xlsx", 9)
    TaskProgress.objects.filter(result__job__file_id=file_id).delete()
    assert uploads_cleanup()["files_deleted"] == 2 and not path.exists() and not folder.exists()


def test_files_left_by_an_older_release_stay_while_any_import_runs(media):
    regions = media / "imports" / "regions"
    regions.mkdir(parents=True)
    old = regions / "0f0e-区划.xlsx"
    old.write_bytes(b"code,name\n")
    age(old, 20)
    running = progress_create(kind="import.regions")
    TaskProgress.objects.filter(pk=running.pk).update(state=State.RUNNING)
    export = progress_create(kind="registry.export")  # a running export does not hold import files
    TaskProgress.objects.filter(pk=export.pk).update(state=State.RUNNING)
    assert uploads_cleanup()["files_kept_busy"] == 1 and old.exists()
    TaskProgress.objects.filter(pk=running.pk).update(state=State.DONE)
    assert uploads_cleanup()["files_deleted"] == 1 and not old.exists()
    assert not regions.exists()  # an emptied folder goes too


def test_one_audit_row_per_run_with_counts_and_no_file_names(media):
    upload(media, days=8)
    upload(media, days=1)
    before = AuditEvent.objects.count()
    uploads_cleanup()
    uploads_cleanup()  # nothing left to delete: still one row
    rows = list(AuditEvent.objects.order_by("id")[before:])
    assert [r.action for r in rows] == ["imports.cleanup", "imports.cleanup"]
    assert rows[0].after == {"files_deleted": 1, "files_kept_busy": 0, "task_rows_deleted": 0, "keep_days": 7}
    assert rows[1].after["files_deleted"] == 0
    text = json.dumps([[r.object_repr, r.object_id, r.before, r.after, r.reason] for r in rows], ensure_ascii=False)
    assert "张三" not in text and "320102001001" not in text and "imports/" not in text


def test_finished_import_task_rows_carrying_the_upload_are_deleted(media, settings, make_user):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    user = make_user()
    for _ in range(3):
        import_enqueue(actor=user, kind="persons", data=b"name,id_number\n", filename=FILE, dry_run=True)
    rows = list(DBTaskResult.objects.filter(task_path=import_task.module_path).order_by("enqueued_at"))
    assert len(rows) == 3 and set(rows[0].args_kwargs["kwargs"]) == {
        "progress_id", "kind", "user_id", "file_id", "region_code", "dry_run"}  # the file's id, never its bytes
    long_ago = timezone.now() - datetime.timedelta(days=8)
    DBTaskResult.objects.filter(pk=rows[0].pk).update(status="SUCCESSFUL", finished_at=long_ago)
    DBTaskResult.objects.filter(pk=rows[1].pk).update(status="FAILED", finished_at=timezone.now())
    # rows[2] never ran (READY)
    assert uploads_cleanup()["task_rows_deleted"] == 1
    assert set(DBTaskResult.objects.values_list("pk", flat=True)) == {rows[1].pk, rows[2].pk}


def test_command_runs_it_now(media, capsys):
    upload(media, days=4)
    upload(media, days=2)
    call_command("import", "cleanup", "--days", "3", "--json")
    assert json.loads(capsys.readouterr().out) == {"files_deleted": 1, "files_kept_busy": 0,
                                                   "task_rows_deleted": 0, "keep_days": 3}
    assert AuditEvent.objects.filter(action="imports.cleanup", actor_name="console").count() == 1
    call_command("import", "cleanup")
    assert "已删除 0 个 7 天前的导入文件" in capsys.readouterr().out
    with pytest.raises(CommandError, match="负数"):
        call_command("import", "cleanup", "--days", "-1")
    with pytest.raises(CommandError, match="请给出要导入的文件"):
        call_command("import", "persons")


def test_the_scheduler_runs_it_daily(media):
    _pk, folder = upload(media, days=8)
    job = schedule.PERIODIC["core.imports_cleanup"]
    assert isinstance(job.schedule, schedule.DailyAt)
    job.run()  # a task: enqueued, run at once by the test backend
    assert not folder.exists()
    assert AuditEvent.objects.filter(action="imports.cleanup", actor_name="scheduler").count() == 1
