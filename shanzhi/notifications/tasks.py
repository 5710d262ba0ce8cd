"""Delivery through the channels runs here, in the worker, never in the request that made the message.

A channel that raises is retried with exponential backoff (SHANZHI_NOTIFY_RETRY_SECONDS, doubling, at most
SHANZHI_NOTIFY_MAX_ATTEMPTS attempts); after the last attempt the delivery is recorded as failed."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task

from .channels import log
from .models import Delivery


def backoff(attempt: int) -> dt.timedelta:
    base = getattr(settings, "SHANZHI_NOTIFY_RETRY_SECONDS", 30)
    return dt.timedelta(seconds=min(base * 2 ** (attempt - 1), 3600))


@task()
def deliver_task(delivery_id: int) -> str:
    return _deliver(delivery_id)


@task()
def deliver_many_task(delivery_ids: list[int]) -> dict:
    """The deliveries of a batch (a bulk action's fan-out: notify_many), one queued task for all; each delivery
    is sent as `deliver_task` sends it, and one that fails is retried on its own."""
    states: dict[str, int] = {}
    for pk in delivery_ids:
        state = _deliver(pk)
        states[state] = states.get(state, 0) + 1
    return states


def _deliver(delivery_id: int) -> str:
    delivery = Delivery.objects.select_related("notification").filter(pk=delivery_id).first()
    if delivery is None or delivery.state != Delivery.State.PENDING:
        return "gone"
    delivery.attempts += 1
    try:
        sent = import_string(delivery.channel)().send(delivery.notification)
    except Exception as exc:  # a gateway down, a timeout …: try again later, up to the limit
        delivery.last_error = type(exc).__name__
        if delivery.attempts >= getattr(settings, "SHANZHI_NOTIFY_MAX_ATTEMPTS", 5):
            delivery.state = Delivery.State.FAILED
            log.warning("delivery %s through %s failed after %s attempts", delivery.pk, delivery.channel,
                        delivery.attempts)
        delivery.save(update_fields=["attempts", "last_error", "state", "updated_at"])
        if delivery.state == Delivery.State.PENDING:
            retry = deliver_task
            if retry.get_backend().supports_defer:
                retry = retry.using(run_after=timezone.now() + backoff(delivery.attempts))
            retry.enqueue(delivery.pk)
        return delivery.state
    delivery.state = Delivery.State.SENT if sent else Delivery.State.SKIPPED
    delivery.save(update_fields=["attempts", "state", "updated_at"])
    return delivery.state
