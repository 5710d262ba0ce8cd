"""Resident self-registration: a phone number proved with a one-time code sent by SMS, then a password.

- `code_send` issues a 6-digit code (only its keyed hash is stored) and hands it to the SMS adapter
  (shanzhi.notifications.sms). It is rate-limited per number and per IP (core.ratelimit throttles on
  SHANZHI_SIGNUP_RATE_PHONE / _IP). Whether the number already has an account is never told on this step:
  the page says "sent" either way; an existing account's owner gets a text saying so instead of a code.
- `signup_complete` checks the code (expired, used, wrong: one message each; SHANZHI_SIGNUP_CODE_TRIES wrong
  entries kill the code) and creates the account with no role: the resident gets the 居民 role only when the
  account is bound to the registry (portal.binding).
Every refusal that matters writes an audit row (without the number: its masked form only).
"""

from __future__ import annotations

import hmac
import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shanzhi.audit.services import audit_log
from shanzhi.core import pii
from shanzhi.core.errors import ServiceError
from shanzhi.core.masking import mask_phone
from shanzhi.core.ratelimit import SettingRateThrottle
from shanzhi.notifications.sms import send_sms

from .models import PhoneCode, User

MOBILE = re.compile(r"^1[3-9]\d{9}$")


class TooManyRequests(ServiceError):
    """Refused by a rate limit; `wait` is the seconds to wait."""

    def __init__(self, message: str, wait: float = 60):
        super().__init__(message, field="phone")
        self.wait = wait


def normalise_phone(value: str) -> str:
    """A mainland mobile number as 11 digits ("+86 138-0013-8000" → "13800138000"); ServiceError otherwise."""
    digits = re.sub(r"[\s\-()]", "", value or "").removeprefix("+")
    if digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if not MOBILE.match(digits):
        raise ServiceError(_("请输入11位手机号码"), field="phone")
    return digits


def phone_index(phone: str) -> str:
    return pii.blind_index(phone, purpose="phone")


def _code_hash(phone_hash: str, code: str) -> str:
    return hmac.new(pii.keyring()["blind"], f"signup-code:{phone_hash}:{code}".encode(), "sha256").hexdigest()


class PhoneThrottle(SettingRateThrottle):
    setting = "SHANZHI_SIGNUP_RATE_PHONE"
    scope = "signup_phone"

    def get_cache_key(self, request):
        return self.key_for(request.signup_phone_hash)


class IpThrottle(SettingRateThrottle):
    setting = "SHANZHI_SIGNUP_RATE_IP"
    scope = "signup_ip"

    def get_cache_key(self, request):
        return self.key_for(self.get_ident(request))


PHONE_THROTTLE = PhoneThrottle()
IP_THROTTLE = IpThrottle()


def _throttle(request, phone_hash: str, phone: str) -> None:
    request.signup_phone_hash = phone_hash
    waits = [t.wait() for t in (PHONE_THROTTLE, IP_THROTTLE) if not t.allow_request(request)]
    if waits:
        audit_log(action="signup.code.throttled", object_repr=mask_phone(phone))
        minutes = max(1, int(max(waits) // 60) + 1)
        raise TooManyRequests(_("获取验证码过于频繁，请 %(m)s 分钟后再试") % {"m": minutes}, wait=max(waits))


def user_by_phone(phone: str) -> User | None:
    return User.objects.filter(phone_hash=phone_index(phone)).first()


def code_send(*, request, phone: str) -> str:
    """Send a sign-up code to `phone`; returns the normalised number. Raises ServiceError / TooManyRequests."""
    phone = normalise_phone(phone)
    h = phone_index(phone)
    _throttle(request, h, phone)
    minutes = settings.SHANZHI_SIGNUP_CODE_MINUTES
    if User.objects.filter(phone_hash=h).exists():
        # the page says "sent" as for a new number; only the phone's owner learns that it is registered
        send_sms(phone=phone, text=_("【善治】该手机号已注册，请直接登录；如忘记密码请到社区重置。"))
        audit_log(action="signup.code.registered_number", object_repr=mask_phone(phone))
        return phone
    code = f"{secrets.randbelow(10 ** 6):06d}"
    with transaction.atomic():
        PhoneCode.objects.filter(phone_hash=h, purpose="signup", used_at__isnull=True).update(used_at=timezone.now())
        PhoneCode.objects.create(phone_hash=h, code_hash=_code_hash(h, code),
                                 expires_at=timezone.now() + timedelta(minutes=minutes))
        audit_log(action="signup.code.sent", object_repr=mask_phone(phone))
    send_sms(phone=phone, text=_("【善治】您的注册验证码是 %(code)s，%(m)s 分钟内有效。请勿告诉他人。") % {
        "code": code, "m": minutes})
    return phone


def _code_problem(phone: str, code: str) -> str:
    """"" when `code` is the live code of `phone` (it is then marked used); else the message to show. A wrong
    entry is counted and audited and stays counted (this runs in its own transaction, committed either way)."""
    h = phone_index(phone)
    with transaction.atomic():
        row = (PhoneCode.objects.select_for_update().filter(phone_hash=h, purpose="signup", used_at__isnull=True)
               .order_by("-created_at").first())
        if row is None:
            audit_log(action="signup.code.none", object_repr=mask_phone(phone))
            return _("验证码无效，请重新获取验证码")
        if row.expires_at <= timezone.now():
            audit_log(action="signup.code.expired", object_repr=mask_phone(phone))
            return _("验证码已过期，请重新获取")
        limit = settings.SHANZHI_SIGNUP_CODE_TRIES
        if row.wrong_tries >= limit:
            return _("验证码错误次数过多，请重新获取")
        if not hmac.compare_digest(row.code_hash, _code_hash(h, (code or "").strip())):
            row.wrong_tries += 1
            row.save(update_fields=["wrong_tries"])
            audit_log(action="signup.code.wrong", object_repr=mask_phone(phone), after={"wrong_tries": row.wrong_tries})
            if row.wrong_tries >= limit:
                return _("验证码错误次数过多，请重新获取")
            return _("验证码不正确，还可以再试 %(n)s 次") % {"n": limit - row.wrong_tries}
        row.used_at = timezone.now()
        row.save(update_fields=["used_at"])
    return ""


def _new_username() -> str:
    while True:
        name = f"r{secrets.token_hex(5)}"
        if not User.objects.filter(username=name).exists():
            return name


def signup_complete(*, phone: str, code: str, password: str, display_name: str = "") -> User:
    """Check the code and create the resident's account (no role yet). The password is checked before the code,
    so a weak password does not use the code up; a wrong code stays counted."""
    phone = normalise_phone(phone)
    user = User(username=_new_username(), display_name=display_name.strip()[:50])
    try:
        password_validation.validate_password(password or "", user)
    except Exception as e:  # ValidationError with a list of messages
        raise ServiceError("；".join(getattr(e, "messages", [str(e)])), field="password") from None
    problem = _code_problem(phone, code)
    if problem:
        raise ServiceError(problem, field="code")
    with transaction.atomic():
        if User.objects.select_for_update().filter(phone_hash=phone_index(phone)).exists():
            raise ServiceError(_("该手机号已注册，请直接登录"), field="phone")
        user.phone_enc, user.phone_hash = pii.encrypt(phone), phone_index(phone)
        user.set_password(password)
        user.password_changed_at = timezone.now()
        user.full_clean(exclude=["password"])
        user.save()
        audit_log(actor=user, action="signup.complete", obj=user, after={"phone": mask_phone(phone)})
    return user
