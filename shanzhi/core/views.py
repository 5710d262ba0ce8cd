from django.shortcuts import render
from django.utils.translation import gettext as _

from shanzhi.accounts.roles import Role
from shanzhi.accounts.scope import grants_of

from .access import login_view, object_view, public_view
from .dashboard import counters_for
from .models import TaskProgress


@login_view
def home(request):
    from shanzhi.regions.models import Region

    grants = grants_of(request.user)
    regions = {r.code: r for r in Region.objects.filter(code__in=[c for _r, c in grants])}
    scope = [{"role": Role(role).label, "region": regions.get(code), "code": code} for role, code in grants]
    return render(request, "core/home.html", {"scope": scope, "counters": counters_for(request.user),
                                              "no_grant": not grants})


class _OwnTask:
    """TaskProgress rows are visible to the user who started them only."""

    scope_roles = {"view": set(Role.values)}

    class objects:  # noqa: N801 - mimics a manager
        @staticmethod
        def restrict(user, action="view"):
            return TaskProgress.objects.filter(owner_id=user.pk)


@object_view(_OwnTask, lookup={"pk": "pk"})
def task_progress(request, obj):
    """The htmx progress bar: polls itself until the job has finished."""
    return render(request, "core/partials/progress.html", {"task": obj})


@public_view
def healthz(request):
    from django.db import connection
    from django.http import JsonResponse

    with connection.cursor() as c:
        c.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": connection.vendor, "message": _("正常")})
