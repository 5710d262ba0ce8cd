from django.conf import settings
from django.db import connection
from django.http import FileResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from shanzhi.core.scope import grants_of

from .access import login_view, object_view, public_view
from .dashboard import counters_for
from .preferences import COOKIE_AGE, ELDER_COOKIE, ELDER_SESSION, elder_mode_of
from .progress import OwnTask, progress_reap
from .services import preference_set_elder
from .todo import todos_for


@login_view
def home(request):
    """Every role's home: that person's to-do list first, then the panels and the counters (each a link)."""
    user = request.user
    return render(request, "core/home.html", {
        "todos": todos_for(user), "counters": counters_for(user),
        # a self-registered resident has no grant until bound: the resident card says what to do instead
        "no_grant": not grants_of(user) and not getattr(user, "phone_hash", "")})


@object_view(OwnTask, lookup={"pk": "pk"})
def task_progress(request, obj):
    """The htmx progress bar: polls itself until the job has finished. With `?follow=1` a finished job
    whose result names a page sends the browser there (HX-Redirect)."""
    follow = request.GET.get("follow") == "1"
    obj = progress_reap(obj)
    response = render(request, "core/partials/progress.html", {"task": obj, "follow": follow})
    if follow and obj.finished and obj.result.get("url") and request.htmx:
        response["HX-Redirect"] = obj.result["url"]
    return response


@public_view
def healthz(request):
    with connection.cursor() as c:
        c.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": connection.vendor, "message": _("正常")})


@public_view
def favicon(request):
    """Browsers ask for /favicon.ico at the root whatever the page says: the static icon, cached for a day."""
    icon = settings.BASE_DIR / "static" / "shanzhi" / "favicon.ico"  # shipped in the package, always there
    response = FileResponse(icon.open("rb"), content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@public_view(methods=("GET", "POST"))
def elder_mode(request):
    """长辈模式 (适老化): large text, high contrast, 44 px targets. GET explains it; POST turns it on or off — for a
    signed-in user stored with the account, for anyone in a cookie on this device."""
    if request.method == "GET":
        return render(request, "core/elder_mode.html", {"on": elder_mode_of(request)})
    on = request.POST.get("on", "1") == "1"
    if request.user.is_authenticated:
        preference_set_elder(actor=request.user, on=on)
        request.session[ELDER_SESSION] = on
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        target = "core:elder_mode"
    response = redirect(target)
    response.set_cookie(ELDER_COOKIE, "1" if on else "0", max_age=COOKIE_AGE, samesite="Lax", httponly=True,
                        secure=request.is_secure())
    return response


@login_view(methods=("POST",))
def session_extend(request):
    """The timeout warning's 继续使用: this request itself counts as activity (SessionTimeoutMiddleware)."""
    return JsonResponse({"idle_timeout": settings.SESSION_IDLE_TIMEOUT})
