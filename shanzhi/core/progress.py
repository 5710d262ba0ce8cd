"""TaskProgress: the generic progress record reused by imports, exports and demo builds.

A view creates the record (`progress_create`), enqueues a task with its id and renders
`core/partials/progress.html` with `{"task": progress}` (add `"follow": True` to move the browser to
`result["url"]` when the job ends). The task reports with `progress_update(...)` and finishes with
`state=DONE, result={"url": ...}` or `state=FAILED, message=...`.
"""

from django.utils import timezone

from shanzhi.core.roles import Role

from .models import TaskProgress


def progress_create(*, kind: str, owner=None, total: int = 0, message: str = "") -> TaskProgress:
    return TaskProgress.objects.create(kind=kind, owner=owner, total=total, message=message)


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


class OwnTask:
    """Access target for object_view: TaskProgress rows are visible to the user who started them only."""

    scope_roles = {"view": set(Role.values)}

    class objects:  # noqa: N801 - mimics a manager
        @staticmethod
        def restrict(user, action="view"):
            return TaskProgress.objects.filter(owner_id=user.pk)
