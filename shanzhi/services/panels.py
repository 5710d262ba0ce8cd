"""The card services adds to a household's registry page: its open needs and what they were matched to."""

from __future__ import annotations

from django.db.models import Count, Q

from shanzhi.core.scope import user_roles
from shanzhi.registry.models import Need

from .models import STAFF


def household_needs_panel(request, household) -> dict | None:
    if not (user_roles(request.user) & STAFF):
        return None
    needs = list(Need.objects.restrict(request.user, "view")
                 .filter(Q(household=household) | Q(person__household=household))
                 .annotate(matched=Count("matches")).order_by("-id")[:10])
    return {"needs": needs} if needs else None
