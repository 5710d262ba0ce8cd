"""Reads of response templates, always with the actor."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.db.models.functions import Length

from shanzhi.core.scope import roles_at

from .models import ResponseTemplate
from .permissions import USE_ROLES


def _ancestors(region_code: str) -> list[str]:
    return [""] + [region_code[:n] for n in range(2, len(region_code) + 1)]


def templates_for(*, actor, kind: str, region_code: str, step: str = "", category_codes=(),
                  roles=USE_ROLES) -> QuerySet:
    """The active templates offered at one record: its kind, its step (or any step), its category (or any
    category), from its own region up to the system defaults; the most specific first. Nothing for an actor
    without a role on that region (`roles`: the staff, unless the caller's step is also taken by others — the
    governance committee answers topics)."""
    if not (roles_at(actor, region_code) & frozenset(roles)):
        return ResponseTemplate.objects.none()
    cats = [code for code in category_codes if code]
    return (ResponseTemplate.objects.filter(active=True, kind=kind, region_code__in=_ancestors(region_code))
            .filter(Q(step="") | Q(step=step)).filter(Q(category_code="") | Q(category_code__in=cats))
            .order_by(Length("region_code").desc(), Length("category_code").desc(), Length("step").desc(), "title"))


def template_usable(*, actor, pk, region_code: str, kinds=(), roles=USE_ROLES) -> ResponseTemplate | None:
    """One active template the actor may use on a record of `region_code` (else None: a forged or foreign id);
    with `kinds`, only a template of one of those kinds (a rejection text is no topic answer)."""
    if not str(pk or "").isdigit() or not (roles_at(actor, region_code) & frozenset(roles)):
        return None
    qs = ResponseTemplate.objects.filter(pk=int(pk), active=True, region_code__in=_ancestors(region_code))
    return (qs.filter(kind__in=list(kinds)) if kinds else qs).first()


def template_list(*, actor) -> QuerySet:
    """The management page: the templates of the actor's area, and the system defaults (read-only)."""
    own = ResponseTemplate.objects.restrict(actor, "change")
    return ResponseTemplate.objects.filter(Q(pk__in=own.values("pk")) | Q(region_code="")).order_by(
        "kind", "step", "region_code", "title", "id")


def template_get(*, actor, pk) -> ResponseTemplate | None:
    if not str(pk or "").isdigit():
        return None
    return template_list(actor=actor).filter(pk=int(pk)).first()
