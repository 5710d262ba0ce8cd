"""The duplicate engine on the new-topic page: similar open topics of the community while typing (htmx)."""

from __future__ import annotations

from django.shortcuts import render
from django.utils.translation import gettext as _

from shanzhi.core.access import role_view
from shanzhi.core.roles import Role
from shanzhi.core.scope import user_roles
from shanzhi.core.similarity import kind
from shanzhi.regions.selectors import region_place

from . import choices as c
from .duplicates import KIND, similar_topics
from .models import PARTICIPANT_ROLES
from .selectors import actor_communities


@role_view(PARTICIPANT_ROLES)
def similar(request):
    """htmx partial while proposing: the community's open topics like the one being typed, in full, each with
    附议 (in 提议) or a link to join the discussion instead of proposing it again."""
    code = request.GET.get("community", "")
    if code not in {r.code for r in actor_communities(actor=request.user)}:
        code = ""
    text = f"{request.GET.get('title', '')} {request.GET.get('description', '')}"[:2000]
    found = similar_topics(actor=request.user, community_code=code, text=text) if code else []
    resident = Role.RESIDENT in user_roles(request.user)
    items = [{"s": s, "topic": s.obj, "place": region_place(code=s.obj.region_code),
              "can_support": resident and s.obj.state == c.Stage.PROPOSED} for s in found]
    return render(request, "similar/suggestions.html", {
        "items": items, "template": kind(KIND).template, "heading": _("本社区已有相似的议题"),
        "hint": _("如果想法相同，可以直接附议或参与讨论，不必重复提出。")})
