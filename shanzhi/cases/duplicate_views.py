"""The duplicate engine on the report pages: similar open cases while typing (htmx), and following one."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from shanzhi.core.access import object_view, public_view
from shanzhi.core.errors import ServiceError
from shanzhi.core.similarity import Query, kind, suggest
from shanzhi.regions.selectors import region_place

from .duplicates import KIND, can_follow, case_follow, follower_counts, is_staff, visible_cases
from .models import FollowableCase


def _num(request, key):
    try:
        return float(request.GET[key])
    except (KeyError, ValueError):
        return None


def _int(value):
    return int(value) if str(value or "").isdigit() else None


@public_view
def similar(request):
    """htmx partial while reporting: open cases like the one being typed, in full (title, text, place, state,
    how many already follow it), best first, each with 关注 instead of filing a new case."""
    query = Query(text=f"{request.GET.get('title', '')} {request.GET.get('description', '')}"[:2000],
                  region_code=request.GET.get("region_code", "")[:20], building_id=_int(request.GET.get("building")),
                  lat=_num(request, "lat"), lng=_num(request, "lng"))
    found = suggest(KIND, actor=request.user, query=query)
    counts = follower_counts(s.obj.pk for s in found)
    staff = is_staff(request.user)
    items = [{"s": s, "case": s.obj, "place": region_place(code=s.obj.region_code), "followers": counts.get(s.obj.pk, 0),
              "staff": staff, "follow": can_follow(request.user, s.obj),
              "photos": list(s.obj.photos.filter(history__isnull=True)) if staff else []} for s in found]
    return render(request, "similar/suggestions.html", {"items": items, "template": kind(KIND).template,
                                                        "heading": _("附近已有相似的民情正在办理"),
                                                        "hint": _("如果是同一个问题，可以直接关注它，办理进展和答复会通知您，不必重复反映。")})


@object_view(FollowableCase, lookup={"pk": "pk"}, methods=("POST",))
def follow(request, case):
    """Follow an existing case found while reporting (no new case); then it is under “我的反映”. A case of a
    category not public to residents is 404, like one outside the resident's community."""
    case = visible_cases(request.user).filter(pk=case.pk).first()
    if case is None:
        raise Http404
    try:
        case_follow(actor=request.user, case=case)
    except ServiceError as e:
        messages.error(request, e.user_message)
        return redirect("cases:report")
    messages.success(request, _("已关注民情 %(n)s，办理进展和答复会通知您。") % {"n": case.number})
    return redirect("cases:my_detail", pk=case.pk)
