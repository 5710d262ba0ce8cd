"""The one entry point other apps use: `notify(...)`, plus marking messages read."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shanzhi.audit.services import audit_log
from shanzhi.core.errors import NotAllowed, ServiceError
from shanzhi.core.pii import encrypt
from shanzhi.core.roles import Role
from shanzhi.core.scope import user_roles
from shanzhi.core.writes import create_audited, versioned_update

from .channels import SmsChannel, WeChatTemplateChannel, channel_paths
from .models import ChannelSetting, Delivery, Notification
from .tasks import deliver_many_task, deliver_task


def _already_told(candidates: list, dedupe_key: str, same: dict) -> set:
    """Who already has this message: with a dedupe_key, any message of that key; without one, an unread
    message of the same kind, title and object (the same alert sent twice before it was read)."""
    ids = [u.pk for u in candidates]
    if not ids:
        return set()
    if dedupe_key:
        qs = Notification.objects.filter(recipient__in=ids, dedupe_key=dedupe_key[:120])
    else:
        qs = Notification.objects.filter(recipient__in=ids, read_at__isnull=True, **same)
    return set(qs.values_list("recipient_id", flat=True))


def _to_tell(recipients: Iterable, *, actor, security: bool, dedupe_key: str, same: dict) -> list:
    """The recipients, once each, without None, the actor (unless a security notice) and those that already
    have the message (`_already_told`)."""
    skip = set()
    if actor is not None and getattr(actor, "pk", None) is not None and not security:
        skip.add(actor.pk)
    candidates = [u for u in recipients if u is not None and u.pk not in skip]
    skip |= _already_told(candidates, dedupe_key, same)
    users = []
    for user in candidates:
        if user.pk not in skip:
            skip.add(user.pk)
            users.append(user)
    return users


def _store(rows: list, dedupe_key: str) -> list:
    """Insert the messages; those stored (with their primary keys)."""
    # a concurrent run that stored the same key first wins; ours is dropped by the unique constraint
    Notification.objects.bulk_create(rows, ignore_conflicts=bool(dedupe_key))
    if not dedupe_key:
        return rows
    # rows inserted while ignoring conflicts come back without primary keys
    return list(Notification.objects.filter(recipient__in=[n.recipient_id for n in rows], dedupe_key=dedupe_key[:120],
                                            deliveries__isnull=True))


def _queue_deliveries(rows: list) -> None:
    """Store a delivery per message and channel; after commit, queue one task for them all (a new case's message
    to every staff member of the grid is one queued job, not one per person and channel: a request that told fifty
    people spent most of its time queueing), or `deliver_task` when there is one. Each is sent, and retried, on
    its own either way."""
    paths = channel_paths()
    deliveries = Delivery.objects.bulk_create([Delivery(notification=n, channel=p) for n in rows for p in paths],
                                              batch_size=1000)

    def enqueue():  # the request only queues; the worker sends (notifications.tasks)
        if len(deliveries) > 1:
            deliver_many_task.enqueue([d.pk for d in deliveries])
        elif deliveries:
            deliver_task.enqueue(deliveries[0].pk)

    transaction.on_commit(enqueue)


def notify(*, recipients: Iterable, kind: str, title: str, body: str = "", url: str = "", obj=None, actor=None,
           dedupe_key: str = "", security: bool = False) -> int:
    """Put a message in each recipient's inbox and, after commit, queue its delivery through each channel.

    `recipients` are users (duplicates and None are dropped). `actor` is whoever caused the message: they are
    never told of their own action — except by a `security` notice (a new or removed authenticator), which
    the account's owner gets even when the change was made in their name. With `dedupe_key` a recipient gets
    the message once, however often the sender runs (e.g. one red card per case and step); without one, a
    recipient who has not yet read the same alert (kind, title and object) is not told it again. Returns the
    number of messages stored.
    """
    object_type = obj._meta.label_lower if obj is not None else ""
    object_id = str(obj.pk) if obj is not None else ""
    same = {"kind": kind, "title": title[:200], "object_type": object_type, "object_id": object_id}
    users = _to_tell(recipients, actor=actor, security=security, dedupe_key=dedupe_key, same=same)
    if not users:
        return 0
    rows = _store([Notification(recipient=user, kind=kind, title=title[:200], body=body, url=url[:300],
                                object_type=object_type, object_id=object_id, dedupe_key=dedupe_key[:120])
                   for user in users], dedupe_key)
    _queue_deliveries(rows)
    return len(rows)


def _batch_wanted(m: dict):
    """One plain message of `notify_many`: (message, the fields that make it the same alert, its recipients by
    pk — never None, never the actor unless it is a security message), or None when nobody is left to tell."""
    obj = m.get("obj")
    same = {"kind": m["kind"], "title": m["title"][:200], "object_type": obj._meta.label_lower if obj is not None
            else "", "object_id": str(obj.pk) if obj is not None else ""}
    actor = m.get("actor")
    skip = {actor.pk} if actor is not None and getattr(actor, "pk", None) is not None and not m.get(
        "security") else set()
    users = {}
    for u in m["recipients"]:
        if u is not None and u.pk not in skip:
            users.setdefault(u.pk, u)
    return (m, same, users) if users else None


def _batch_already_told(wanted: list) -> set:
    """Who already has each wanted message unread, in one query: {(recipient_id, kind, title, type, id)}."""
    return set(Notification.objects.filter(
        recipient__in={pk for _m, _s, users in wanted for pk in users}, read_at__isnull=True,
        kind__in={s["kind"] for _m, s, _u in wanted}, object_id__in={s["object_id"] for _m, s, _u in wanted},
    ).values_list("recipient_id", "kind", "title", "object_type", "object_id"))


def _batch_rows(wanted: list, told: set) -> list:
    """The Notification rows still to store: one per recipient and alert not yet told."""
    rows: list = []
    for m, same, users in wanted:
        key = (same["kind"], same["title"], same["object_type"], same["object_id"])
        for pk, user in users.items():
            if (pk, *key) not in told:  # the same alert twice in one batch is told once, as by `notify`
                told.add((pk, *key))
                rows.append(Notification(recipient=user, body=m.get("body", ""), url=m.get("url", "")[:300], **same))
    return rows


def notify_many(messages: list[dict]) -> int:
    """`notify` for many messages at once (the fan-out of a bulk action): each dict holds `notify`'s arguments and
    follows its rules, but who already has each message is read in one query, and the messages and their
    deliveries are stored with one INSERT each. Messages with a `dedupe_key` go through `notify` one by one."""
    stored = 0
    plain_messages = []
    for m in messages:
        if m.get("dedupe_key"):
            stored += notify(**m)
        else:
            plain_messages.append(m)
    wanted = [w for w in map(_batch_wanted, plain_messages) if w is not None]
    if not wanted:
        return stored
    rows = _batch_rows(wanted, _batch_already_told(wanted))
    Notification.objects.bulk_create(rows, batch_size=1000)
    _queue_deliveries(rows)
    return stored + len(rows)


def notification_mark_read(*, actor, ids: Iterable[int] | None = None) -> int:
    """Mark the actor's messages read (all unread when ids is None)."""
    qs = Notification.objects.filter(recipient=actor, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())


def notification_resolve(*, dedupe_key: str) -> int:
    """Mark read, for every recipient, the messages of `dedupe_key` whose matter is settled (an overdue visit
    has been logged): an alert clears when its cause does."""
    if not dedupe_key:
        return 0
    return Notification.objects.filter(dedupe_key=dedupe_key[:120], read_at__isnull=True).update(read_at=timezone.now())


# --- channel settings (系统配置 → 通知渠道) ---------------------------------------------------------------
CHANNEL_FIELDS = ("gateway_url", "app_id", "template_id", "active")
ADAPTERS = {ChannelSetting.Kind.SMS: SmsChannel, ChannelSetting.Kind.WECHAT: WeChatTemplateChannel}


def _require_system_admin(actor) -> None:
    if actor is not None and Role.SYSTEM_ADMIN not in user_roles(actor):
        raise NotAllowed(_("只有系统管理员可以配置通知渠道（网关凭据属于系统配置）"))


@transaction.atomic
def channel_setting_set(*, actor, kind: str, secret: str = "", version: int | None = None,
                        **fields) -> ChannelSetting:
    """Set a channel's gateway; a blank `secret` keeps the stored one. The audit row names what changed, never
    the secret (only that it was replaced)."""
    _require_system_admin(actor)
    if kind not in ChannelSetting.Kind.values:
        raise ServiceError(_("未知的通知渠道"), field="kind")
    fields = {k: v for k, v in fields.items() if k in CHANNEL_FIELDS}
    if secret:
        fields["secret_enc"] = encrypt(secret.strip())
    cur = ChannelSetting.objects.filter(kind=kind).first()
    if cur is None:
        return create_audited(ChannelSetting, actor=actor, action="notifications.channel_create", kind=kind,
                              audit_after={**{k: v for k, v in fields.items() if k != "secret_enc"},
                                           "secret": "已设置" if secret else ""}, **fields)
    before = {k: getattr(cur, k) for k in fields if k != "secret_enc"}
    after = {k: v for k, v in fields.items() if k != "secret_enc"}
    if secret:
        before["secret"], after["secret"] = "（原密钥）", "（已更换）"
    return versioned_update(cur, version, actor=actor, action="notifications.channel_update", before=before,
                            after=after, **fields)


def channel_test_send(*, actor, kind: str) -> tuple[bool, str]:
    """Send a test message to the actor through the channel's adapter now (not through the queue)."""
    _require_system_admin(actor)
    adapter = ADAPTERS.get(kind)
    if adapter is None:
        raise ServiceError(_("未知的通知渠道"), field="kind")
    note = Notification.objects.create(recipient=actor, kind="config.channel_test", title=_("善治通知渠道测试"),
                                       body=_("这是一条测试消息，收到即说明渠道可用。"))
    try:
        sent = adapter().send(note)
    except Exception as e:  # the gateway's failure, shown by its class only (its text may echo the request)
        sent, reason = False, type(e).__name__
    else:
        reason = "" if sent else _("渠道未配置网关或没有发送")
    audit_log(actor=actor, action="notifications.channel_test", obj=note, after={"kind": kind, "sent": sent},
              reason=reason)
    return bool(sent), reason
