"""Consultation news through the shared notifications app; daily-digest followers' items wait in DigestItem."""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction
from django.urls import reverse

from shanzhi.notifications.services import notify as inbox_notify

from .choices import FollowMode
from .models import DigestItem, Follow

KIND = "consultation"


def notify(*, users, message: str, topic=None, actor=None) -> int:
    """Notify users; followers of the topic who chose the daily digest get it in their next digest. Whoever
    caused the news (`actor`) is never told of it."""
    digest_ids = set()
    if topic is not None:
        digest_ids = set(Follow.objects.filter(topic=topic, mode=FollowMode.DIGEST).values_list("user_id", flat=True))
    me = getattr(actor, "pk", None)
    users = {u.pk: u for u in users if u is not None and u.pk != me}
    DigestItem.objects.bulk_create(DigestItem(user=u, topic=topic, message=message[:300])
                                   for pk, u in users.items() if pk in digest_ids)
    now = [u for pk, u in users.items() if pk not in digest_ids]
    url = reverse("consultation:topic", args=[topic.pk]) if topic is not None else ""
    return (inbox_notify(recipients=now, kind=KIND, title=message, url=url, obj=topic, actor=actor)
            + len(users) - len(now))


def notify_followers(*, topic, message: str, actor=None) -> int:
    users = [f.user for f in Follow.objects.filter(topic=topic).select_related("user")]
    return notify(users=users, message=message, topic=topic, actor=actor)


@transaction.atomic
def send_daily_digests() -> int:
    """Fold each user's pending digest items into one inbox message; returns how many digests were sent."""
    pending = defaultdict(list)
    for item in DigestItem.objects.select_for_update().select_related("user"):
        pending[item.user].append(item)
    for user, items in pending.items():
        more = f" 等{len(items)}条" if len(items) > 5 else ""
        inbox_notify(recipients=[user], kind=f"{KIND}.digest", title=f"今日议题动态（{len(items)}条）",
                     body="；".join(i.message for i in items[:5]) + more, url=reverse("consultation:index"))
    DigestItem.objects.filter(pk__in=[i.pk for items in pending.values() for i in items]).delete()
    return len(pending)
