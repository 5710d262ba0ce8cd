"""Writes to TaskProgress: the generic progress record reused by imports, exports and demo builds."""

from django.db import transaction

from .models import TaskProgress


def progress_create(*, kind: str, owner=None, total: int = 0, message: str = "") -> TaskProgress:
    return TaskProgress.objects.create(kind=kind, owner=owner, total=total, message=message)


def progress_update(progress_id, *, done: int | None = None, total: int | None = None, message: str | None = None,
                    state: str | None = None, result: dict | None = None) -> None:
    """Update progress outside any surrounding transaction so that pollers see it at once."""
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
    from django.utils import timezone

    fields["updated_at"] = timezone.now()
    if transaction.get_connection().in_atomic_block:
        # Progress of work inside a transaction is written when it commits; pollers see the end state.
        transaction.on_commit(lambda: TaskProgress.objects.filter(pk=progress_id).update(**fields))
    else:
        TaskProgress.objects.filter(pk=progress_id).update(**fields)
