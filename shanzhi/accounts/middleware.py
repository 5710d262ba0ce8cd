import time
from functools import cache

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django_otp import devices_for_user

from shanzhi.core.roles import TWO_FACTOR_ROLES
from shanzhi.core.scope import user_roles

from .services import sign_in_record

LOGIN_AT = "_shanzhi_login_at"
LAST_SEEN = "_shanzhi_last_seen"


class SessionTimeoutMiddleware:
    """Ends a session after 30 minutes idle or 12 hours in all (configurable)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = time.time()
            login_at = request.session.get(LOGIN_AT, now)
            last_seen = request.session.get(LAST_SEEN, now)
            if now - last_seen > settings.SESSION_IDLE_TIMEOUT or now - login_at > settings.SESSION_ABSOLUTE_TIMEOUT:
                sign_in_record(actor=request.user, action="session.timeout")
                logout(request)
                messages.info(request, _("登录已超时，请重新登录。"))
                return redirect(f"{reverse('accounts:login')}?next={request.path}")
            request.session.setdefault(LOGIN_AT, now)
            if now - last_seen > settings.SHANZHI_SESSION_TOUCH_SECONDS or LAST_SEEN not in request.session:
                request.session[LAST_SEEN] = now
        return self.get_response(request)


EXEMPT_PREFIXES = ("/static/", "/i18n/", "/public/", "/favicon")
# signing in and out, the verify page, and the first enrolment; every other page (user management
# included) needs the verified session for a role that uses 2FA
EXEMPT_VIEWS = ("accounts:login", "accounts:logout", "accounts:otp_verify")
FIRST_ENROLMENT = "accounts:otp_setup"


@cache
def _paths(*names: str) -> frozenset[str]:
    return frozenset(reverse(n) for n in names)


class TwoFactorRequiredMiddleware:
    """Roles that must use TOTP see nothing else until this session is verified."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(EXEMPT_PREFIXES)
            and request.path not in _paths(*EXEMPT_VIEWS)
            and user_roles(user) & TWO_FACTOR_ROLES
            and not user.is_verified()
        ):
            has_device = any(True for _ in devices_for_user(user, confirmed=True))
            if not has_device and request.path in _paths(FIRST_ENROLMENT):
                return self.get_response(request)
            target = "accounts:otp_verify" if has_device else "accounts:otp_setup"
            return redirect(f"{reverse(target)}?next={request.path}")
        return self.get_response(request)
