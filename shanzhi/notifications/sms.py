"""Text messages to a phone number that has no account yet (one-time sign-up codes), behind one adapter.

`SHANZHI_SMS_BACKEND` names the backend class (default: `LogSmsBackend`). A backend has one method,
`send(phone, text) -> bool`. The development backend writes a log line and keeps the last messages in an
in-process outbox (`outbox()`), which tests and a developer's shell read instead of a phone; it never
calls a provider. A provider adapter (Aliyun, Tencent Cloud SMS …) is configured per installation and
implements the same method.
"""

from __future__ import annotations

import json
import logging
import threading
import urllib.request
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core import checks
from django.utils import timezone
from django.utils.module_loading import import_string

from shanzhi.core.masking import mask_phone

from .channels import stored

log = logging.getLogger("shanzhi.sms")
DEFAULT_BACKEND = "shanzhi.notifications.sms.LogSmsBackend"


@dataclass(frozen=True)
class SmsMessage:
    phone: str
    text: str
    sent_at: datetime = field(default_factory=timezone.now)


class SmsBackend:
    name = "base"

    def send(self, phone: str, text: str) -> bool:  # pragma: no cover - interface
        raise NotImplementedError


_OUTBOX: deque[SmsMessage] = deque(maxlen=200)
_LOCK = threading.Lock()


class LogSmsBackend(SmsBackend):
    """Development and tests: log the message (phone masked) and keep it in the outbox; nothing leaves the host."""

    name = "log"

    def send(self, phone: str, text: str) -> bool:
        with _LOCK:
            _OUTBOX.append(SmsMessage(phone, text))
        log.info("sms → %s: %s", mask_phone(phone), text)
        return True


class GatewaySmsBackend(SmsBackend):
    """Production: posts JSON {phone, text} to the SMS gateway that the notification channels use — the URL in
    `SHANZHI_SMS_GATEWAY`, or the one set on the 系统配置 page (stored encrypted-at-rest settings, ChannelSetting).
    Without a gateway nothing is sent and the caller sees False (the page then says the code could not be sent)."""

    name = "gateway"

    def send(self, phone: str, text: str) -> bool:
        gateway = getattr(settings, "SHANZHI_SMS_GATEWAY", "") or stored("sms", "gateway_url")
        if not gateway:
            log.warning("sms gateway not configured: code for %s not sent", mask_phone(phone))
            return False
        data = json.dumps({"phone": phone, "text": text}).encode()
        req = urllib.request.Request(gateway, data=data, headers={"Content-Type": "application/json"})  # noqa: S310
        with urllib.request.urlopen(req, timeout=5) as answer:  # noqa: S310 - the configured https gateway
            return 200 <= answer.status < 300


def backend() -> SmsBackend:
    return import_string(getattr(settings, "SHANZHI_SMS_BACKEND", "") or DEFAULT_BACKEND)()


def send_sms(*, phone: str, text: str) -> bool:
    """Send one text through the configured backend; False when it could not be handed over."""
    try:
        return bool(backend().send(phone, text))
    except Exception:  # a provider outage must not turn a page into a 500
        log.exception("sms backend failed")
        return False


def outbox(phone: str | None = None) -> list[SmsMessage]:
    """The development backend's messages, newest last (for one number when given)."""
    with _LOCK:
        items = list(_OUTBOX)
    return [m for m in items if phone is None or m.phone == phone]


def outbox_clear() -> None:
    with _LOCK:
        _OUTBOX.clear()


def check_sms_backend(app_configs=None, **kwargs):
    """In production (DEBUG off) the development backend would swallow every sign-up code: say so at start."""
    path = getattr(settings, "SHANZHI_SMS_BACKEND", "") or DEFAULT_BACKEND
    if settings.DEBUG or getattr(settings, "SHANZHI_TESTING", False) or path != DEFAULT_BACKEND:
        return []
    return [checks.Warning("SHANZHI_SMS_BACKEND is the development log backend: residents receive no sign-up codes. "
                           "Set it to shanzhi.notifications.sms.GatewaySmsBackend (the gateway of the 系统配置 page) or "
                           "a provider's adapter before opening self-registration.",
                           id="shanzhi.W201")]
