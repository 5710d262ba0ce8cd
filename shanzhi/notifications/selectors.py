from .models import Notification


def inbox(*, actor, unread_only: bool = False):
    qs = Notification.objects.filter(recipient_id=actor.pk)
    return qs.filter(read_at__isnull=True) if unread_only else qs


def unread_count(*, actor) -> int:
    return Notification.objects.filter(recipient_id=actor.pk, read_at__isnull=True).count()
