"""In-app notifications, behind one function so it can be switched to the shared notifications app."""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction

from .choices import FollowMode
from .models import Follow, Notification


def notify(*, users, message: str, topic=None) -> int:
    """Notify users; followers of the topic who chose the daily digest get it in their next digest."""
    digest_ids = set()
    if topic is not None:
        digest_ids = set(Follow.objects.filter(topic=topic, mode=FollowMode.DIGEST).values_list("user_id", flat=True))
    rows = [Notification(user=u, topic=topic, message=message[:300], digest_pending=u.pk in digest_ids)
            for u in {u.pk: u for u in users if u is not None}.values()]
    Notification.objects.bulk_create(rows)
    return len(rows)


def notify_followers(*, topic, message: str, exclude=None) -> int:
    users = [f.user for f in Follow.objects.filter(topic=topic).select_related("user") if f.user != exclude]
    return notify(users=users, message=message, topic=topic)


@transaction.atomic
def send_daily_digests() -> int:
    """Fold each user's pending digest items into one notification; returns how many digests were sent."""
    pending = defaultdict(list)
    for n in Notification.objects.select_for_update().filter(digest_pending=True).order_by("created_at"):
        pending[n.user_id].append(n)
    for user_id, items in pending.items():
        lines = "；".join(n.message for n in items[:5])
        more = f" 等{len(items)}条" if len(items) > 5 else ""
        Notification.objects.create(user_id=user_id, message=f"今日议题动态：{lines}{more}"[:300])
        Notification.objects.filter(pk__in=[n.pk for n in items]).delete()
    return len(pending)
