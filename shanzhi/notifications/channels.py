"""Delivery channels behind one interface: `send(notification)`.

`SHANZHI_NOTIFY_CHANNELS` lists dotted paths of channel classes (default: the logging channel only).
Each send runs in the background worker (notifications.tasks), with retries, never in the request.
SMS, e-mail and WeChat template messages are adapters with the same interface; the SMS and WeChat
ones need a gateway configured (`SHANZHI_SMS_GATEWAY`, `SHANZHI_WECHAT_TEMPLATE_ID`) and log a
warning instead of sending when it is missing.
"""

from __future__ import annotations

import json
import logging
import urllib.request
from functools import cache

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

from .models import ChannelSetting

log = logging.getLogger("shanzhi.notify")
DEFAULT_CHANNELS = ["shanzhi.notifications.channels.LoggingChannel"]


def stored(kind: str, field: str) -> str:
    """A value of the channel's gateway as set on the 系统配置 page (ChannelSetting), "" when unset or off."""
    row = ChannelSetting.objects.filter(kind=kind, active=True).values_list(field, flat=True).first()
    return row or ""


class Channel:
    name = "base"

    def send(self, notification) -> bool:  # pragma: no cover - interface
        raise NotImplementedError


class LoggingChannel(Channel):
    """Writes one log line per notification (never the body, which may carry personal data)."""

    name = "log"

    def send(self, notification) -> bool:
        log.info("notify %s → user %s: %s", notification.kind, notification.recipient_id, notification.title)
        return True


class EmailChannel(Channel):
    name = "email"

    def send(self, notification) -> bool:
        address = notification.recipient.email
        if not address:
            return False
        send_mail(notification.title, f"{notification.body}\n\n{notification.url}", None, [address])
        return True


class SmsChannel(Channel):
    """Posts to an SMS gateway (`SHANZHI_SMS_GATEWAY`, a URL taking JSON {user_id, text})."""

    name = "sms"

    def send(self, notification) -> bool:
        gateway = getattr(settings, "SHANZHI_SMS_GATEWAY", "") or stored("sms", "gateway_url")
        if not gateway:
            log.warning("sms channel configured without SHANZHI_SMS_GATEWAY")
            return False
        data = json.dumps({"user_id": notification.recipient_id, "text": notification.title}).encode()
        req = urllib.request.Request(gateway, data=data, headers={"Content-Type": "application/json"})  # noqa: S310
        with urllib.request.urlopen(req, timeout=5):  # noqa: S310 - configured https gateway
            return True


class WeChatTemplateChannel(Channel):
    """WeChat official-account template message; needs the user's openid mapping and a template id."""

    name = "wechat"

    def send(self, notification) -> bool:
        if not (getattr(settings, "SHANZHI_WECHAT_TEMPLATE_ID", "") or stored("wechat", "template_id")):
            log.warning("wechat channel configured without SHANZHI_WECHAT_TEMPLATE_ID")
            return False
        log.info("wechat template %s → user %s", notification.kind, notification.recipient_id)
        return True


@cache
def _configured(paths: tuple[str, ...]) -> list[Channel]:
    return [import_string(p)() for p in paths]


def channel_paths() -> list[str]:
    return list(getattr(settings, "SHANZHI_NOTIFY_CHANNELS", None) or DEFAULT_CHANNELS)


def channels() -> list[Channel]:
    return _configured(tuple(channel_paths()))
