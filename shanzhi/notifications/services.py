"""The one entry point other apps use: `notify(...)`, plus marking messages read."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from .channels import channel_paths
from .models import Delivery, Notification
from .tasks import deliver_task


def notify(*, recipients: Iterable, kind: str, title: str, body: str = "", url: str = "", obj=None) -> int:
    """Put a message in each recipient's inbox and, after commit, queue its delivery through each channel.

    `recipients` are users (duplicates and None are dropped). Returns the number of messages stored.
    """
    seen, rows = set(), []
    for user in recipients:
        if user is None or user.pk in seen:
            continue
        seen.add(user.pk)
        rows.append(Notification(recipient=user, kind=kind, title=title[:200], body=body, url=url[:300],
                                 object_type=obj._meta.label_lower if obj is not None else "",
                                 object_id=str(obj.pk) if obj is not None else ""))
    if not rows:
        return 0
    Notification.objects.bulk_create(rows)
    paths = channel_paths()
    deliveries = Delivery.objects.bulk_create([Delivery(notification=n, channel=p) for n in rows for p in paths])

    def enqueue():  # the request only queues; the worker sends (notifications.tasks)
        for d in deliveries:
            deliver_task.enqueue(d.pk)

    transaction.on_commit(enqueue)
    return len(rows)


def notification_mark_read(*, actor, ids: Iterable[int] | None = None) -> int:
    """Mark the actor's messages read (all unread when ids is None)."""
    qs = Notification.objects.filter(recipient=actor, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())
