"""Rate limits of the REST API: per department token (SHANZHI_API_RATE_TOKEN), per signed-in user
(SHANZHI_API_RATE_USER) and per client IP for calls without valid credentials (SHANZHI_API_RATE_ANON).

A call through a token counts against that token only (not its owner's session budget). Every endpoint
requires authentication, so the anonymous budget counts the calls that fail it (401): a client guessing
tokens or hammering without credentials gets 429 once its IP's budget is spent. A throttled call answers
429 with Retry-After and {"detail": "请求过于频繁，请 N 秒后再试"}.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, Throttled

from shanzhi.core.ratelimit import SettingRateThrottle, retry_after


class TokenThrottle(SettingRateThrottle):
    scope = "api_token"
    setting = "SHANZHI_API_RATE_TOKEN"

    def get_cache_key(self, request):
        token = getattr(request, "api_token", None)
        return None if token is None else self.key_for(token.pk)


class UserThrottle(SettingRateThrottle):
    scope = "api_user"
    setting = "SHANZHI_API_RATE_USER"

    def get_cache_key(self, request):
        user = getattr(request, "auth", None)
        if user is None or getattr(request, "api_token", None) is not None:
            return None
        return self.key_for(user.pk)


class AnonThrottle(SettingRateThrottle):
    scope = "api_anon"
    setting = "SHANZHI_API_RATE_ANON"

    def get_cache_key(self, request):
        if getattr(request, "auth", None) is not None:
            return None
        return self.key_for(self.get_ident(request))


ANON = AnonThrottle()
THROTTLES = [TokenThrottle(), UserThrottle(), ANON]


def throttled_response(api, request, wait) -> object:
    seconds = retry_after(wait)
    response = api.create_response(request, {"detail": _("请求过于频繁，请 %(n)d 秒后再试") % {"n": seconds}},
                                   status=429)
    response["Retry-After"] = str(seconds)
    return response


def install_handlers(api) -> None:
    """Answer refusals in Chinese with Retry-After; count failed authentication against the client's
    anonymous budget. (The throttles themselves are `NinjaAPI(throttle=THROTTLES)`.)"""

    def on_throttled(request, exc: Throttled):
        return throttled_response(api, request, exc.wait)

    def on_unauthenticated(request, exc: AuthenticationError):
        if not ANON.allow_request(request):
            return throttled_response(api, request, ANON.wait())
        return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)

    api.add_exception_handler(Throttled, on_throttled)
    api.add_exception_handler(AuthenticationError, on_unauthenticated)
