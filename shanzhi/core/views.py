from django.shortcuts import render
from django.utils.translation import gettext as _

from shanzhi.accounts.roles import Role
from shanzhi.accounts.scope import grants_of

from .access import login_view, object_view, public_view
from .dashboard import counters_for
from .progress import OwnTask, progress_reap


@login_view
def home(request):
    from shanzhi.regions.models import Region

    grants = grants_of(request.user)
    regions = {r.code: r for r in Region.objects.filter(code__in=[c for _r, c in grants])}
    scope = [{"role": Role(role).label, "region": regions.get(code), "code": code} for role, code in grants]
    return render(request, "core/home.html", {"scope": scope, "counters": counters_for(request.user),
                                              "no_grant": not grants})


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
    from django.db import connection
    from django.http import JsonResponse

    with connection.cursor() as c:
        c.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": connection.vendor, "message": _("正常")})


@public_view
def favicon(request):
    """Browsers ask for /favicon.ico at the root whatever the page says: the static icon, cached for a day."""
    from django.conf import settings
    from django.http import FileResponse

    icon = settings.BASE_DIR / "static" / "shanzhi" / "favicon.ico"  # shipped in the package, always there
    response = FileResponse(icon.open("rb"), content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response
