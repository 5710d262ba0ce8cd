"""Background region import: a dry run, then (after the user confirms) the commit, both reporting progress."""

from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils.translation import gettext as _
from django_tasks import task

from shanzhi.core.models import TaskProgress
from shanzhi.core.progress import progress_update

from .services import regions_import


@task()
def regions_import_task(*, progress_id: str, path: str, filename: str, actor_id: int, dry_run: bool) -> dict:
    User = get_user_model()

    State = TaskProgress.State
    progress_update(progress_id, state=State.RUNNING, message=_("正在检查…") if dry_run else _("正在导入…"))
    try:
        actor = User.objects.get(pk=actor_id)
        with default_storage.open(path, "rb") as fh:
            data = fh.read()
        report = regions_import(actor=actor, data=data, filename=filename, dry_run=dry_run,
                                on_progress=lambda done, total: progress_update(progress_id, done=done, total=total))
    except Exception as e:
        progress_update(progress_id, state=State.FAILED, message=_("导入失败：%(e)s") % {"e": e})
        raise
    result = report.as_dict() | {"dry_run": dry_run, "path": path, "filename": filename,
                                 "url": reverse("regions:import_result", args=[progress_id])}
    progress_update(progress_id, state=State.DONE, done=report.rows, total=report.rows, result=result,
                    message=_("检查完成") if dry_run else _("导入完成"))
    return result
