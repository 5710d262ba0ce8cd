"""TaskProgress: the generic progress record reused by imports, exports and demo builds.

A view creates the record (`progress_create`), enqueues a task with its id and renders
`core/partials/progress.html` with `{"task": progress}` (add `"follow": True` to move the browser to
`result["url"]` when the job ends). The task reports with `progress_update(...)` and finishes with
`state=DONE, result={"url": ...}` or `state=FAILED, message=...`.

A task that may run long claims its record (`progress_claim`: running, with the worker's host and pid) and
beats while it works (`Heartbeat`). `progress_reap` — called by every page that shows a record — marks a
running record failed when its worker is gone (that pid no longer lives on this host) or has not beaten for
SHANZHI_TASK_LEASE_SECONDS, so a bar never spins for ever after a kill -9 or an out-of-memory abort.
"""

from __future__ import annotations

import datetime
import os
import socket
import threading

from django.conf import settings
from django.db import connections
from django.utils import timezone
from django.utils.translation import gettext as _

from shanzhi.core.roles import Role

from .models import TaskProgress

HEARTBEAT_SECONDS = 15


def progress_create(*, kind: str, owner=None, total: int = 0, message: str = "", result: dict | None = None
                    ) -> TaskProgress:
    return TaskProgress.objects.create(kind=kind, owner=owner, total=total, message=message, result=result or {})


def progress_update(progress_id, *, done: int | None = None, total: int | None = None, message: str | None = None,
                    state: str | None = None, result: dict | None = None) -> None:
    """Update the progress record. Called outside a transaction (as tasks do between steps), pollers see it
    at once; called inside one, the update becomes visible when that transaction commits."""
    fields = {}
    if done is not None:
        fields["done"] = done
    if total is not None:
        fields["total"] = total
    if message is not None:
        fields["message"] = message[:300]
    if state is not None:
        fields["state"] = state
    if result is not None:
        fields["result"] = result
    if not fields:
        return
    fields["updated_at"] = timezone.now()
    TaskProgress.objects.filter(pk=progress_id).update(**fields)


def _worker() -> dict:
    return {"host": socket.gethostname(), "pid": os.getpid()}


def progress_claim(progress_id, *, job: dict, message: str = "") -> None:
    """The task has started on this worker: running, with the job (to retry it) and who runs it."""
    progress_update(progress_id, state=TaskProgress.State.RUNNING, message=message, done=0,
                    result={"job": job, "worker": _worker()})


class Heartbeat:
    """Touch the record's updated_at every HEARTBEAT_SECONDS from a side thread while the block runs. A beat
    that can't write (SQLite's writer lock held by the import's own transaction) is skipped."""

    def __init__(self, progress_id, every: float = HEARTBEAT_SECONDS):
        self.progress_id, self.every = progress_id, every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="progress-heartbeat")

    def _run(self) -> None:
        try:
            while not self._stop.wait(self.every):
                try:
                    TaskProgress.objects.filter(pk=self.progress_id, state=TaskProgress.State.RUNNING).update(
                        updated_at=timezone.now())
                except Exception:  # noqa: BLE001, S110 - a missed beat is harmless; the lease is many beats long
                    pass
        finally:
            connections.close_all()  # this thread's connections only

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def _alive(worker: dict) -> bool | None:
    """Whether the worker process lives: True/False when it ran on this host, None when that can't be known."""
    if worker.get("host") != socket.gethostname() or not worker.get("pid"):
        return None
    try:
        os.kill(int(worker["pid"]), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def worker_gone(task: TaskProgress) -> bool:
    if task.state != TaskProgress.State.RUNNING:
        return False
    worker = (task.result or {}).get("worker") or {}
    if not worker:  # a job that never claimed its record (and so has no heartbeat) is not judged by one
        return False
    if _alive(worker) is False:
        return True
    lease = datetime.timedelta(seconds=getattr(settings, "SHANZHI_TASK_LEASE_SECONDS", 600))
    return task.updated_at < timezone.now() - lease


def progress_reap(task: TaskProgress) -> TaskProgress:
    """Mark `task` failed (retryable) when its worker died; returns the record as it now is."""
    if not worker_gone(task):
        return task
    message = _("后台任务意外中断（处理进程已退出），未写入任何数据。请点击“重试”重新执行。")
    result = {"error": message, "job": (task.result or {}).get("job"), "interrupted": True}
    TaskProgress.objects.filter(pk=task.pk, state=TaskProgress.State.RUNNING, updated_at=task.updated_at).update(
        state=TaskProgress.State.FAILED, message=message[:300], result=result, updated_at=timezone.now())
    task.refresh_from_db()
    return task


class OwnTask:
    """Access target for object_view: TaskProgress rows are visible to the user who started them only."""

    scope_roles = {"view": set(Role.values)}

    class objects:  # noqa: N801 - mimics a manager
        @staticmethod
        def restrict(user, action="view"):
            return TaskProgress.objects.filter(owner_id=user.pk)
