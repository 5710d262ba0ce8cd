from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _

from .masking import has_identifying_number
from .text import SEARCH_PARAMS, search_text


class LanguageMiddleware:
    """Chinese unless the user chose another language (the set_language cookie).

    Unlike Django's LocaleMiddleware it ignores the browser's Accept-Language, so a staff member whose
    phone is set to English still sees the Chinese workbench until they switch it themselves.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response


def _bad_request(request, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=400, json_dumps_params={"ensure_ascii": False})
    return render(request, "400.html", {"message": message}, status=400)


def _texts(request):
    """Every text parameter of the request: path, query keys and values, form keys and values."""
    yield request.path
    for data in (request.GET, request.POST):
        for key, values in data.lists():
            yield key
            yield from values


def _fold_search_boxes(request) -> None:
    """Every search box's `q` folded the one way (core.text.search_text), for GET and form POSTs."""
    for attr in ("GET", "POST"):
        data = getattr(request, attr)
        keys = [k for k in SEARCH_PARAMS if k in data]
        if keys:
            data = data.copy()
            for key in keys:
                data.setlist(key, [search_text(v) for v in data.getlist(key)])
            data._mutable = False
            setattr(request, attr, data)


class InputGuardMiddleware:
    """Refuses odd or identifying input before any view, and keeps pages with personal data out of caches.

    - A NUL byte in any GET/POST text parameter (or a JSON body) is a 400: PostgreSQL cannot store it.
    - An ID number or mobile number in the query string is a 400: URLs end up in access logs and browser
      history; the search forms post them instead.
    - Search boxes (`q`) get full-width digits and letters folded to ASCII.
    - Every /api/ answer and every page served to a signed-in user gets `Cache-Control: no-store, private`.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        refused = self.refusal(request)
        if refused:
            return _bad_request(request, refused)
        _fold_search_boxes(request)
        response = self.get_response(request)
        user = getattr(request, "user", None)
        personal = request.path.startswith("/api/") or (user is not None and user.is_authenticated)
        if personal and "no-store" not in response.get("Cache-Control", ""):
            patch_cache_control(response, no_store=True, private=True)
        return response

    @staticmethod
    def refusal(request) -> str:
        if any("\x00" in text for text in _texts(request)) or (
                request.content_type == "application/json" and (b"\x00" in request.body or b"\\u0000" in request.body)):
            return _("输入内容含有无法识别的控制字符（NUL），请删除后重新提交。")
        if any(has_identifying_number(k) or any(has_identifying_number(v) for v in vs)
               for k, vs in request.GET.lists()):
            return _("网址中不能包含身份证号或手机号。请用页面上方的搜索框查找，号码不会出现在网址中。")
        return ""
