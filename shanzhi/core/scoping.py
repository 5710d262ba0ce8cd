"""The one scoping chokepoint.

Every scoped row stores the code of the smallest region it belongs to. A user's scope for an
action is a set of code prefixes taken from their role grants; `restrict(user, action)` turns
those prefixes into index range filters (`code >= p AND code < p+1`), which work with a plain
B-tree index on SQLite and PostgreSQL in any collation, because region codes are digit strings.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from django.db.models import Q

from .scope import scope_prefixes

COMMUNITY_CODE_LEN = 12


def prefix_upper_bound(prefix: str) -> str:
    """The smallest digit string of the same length that sorts after every code starting with prefix."""
    return str(int(prefix) + 1).zfill(len(prefix))


def minimal_prefixes(prefixes: Iterable[str]) -> list[str]:
    """Drop prefixes already covered by a shorter one (a street grant covers its grids)."""
    result: list[str] = []
    for p in sorted(set(prefixes), key=len):
        if not any(p.startswith(q) for q in result):
            result.append(p)
    return sorted(result)


def prefix_q(field: str, prefixes: Iterable[str]) -> Q:
    q = Q(pk__in=[])
    for p in minimal_prefixes(prefixes):
        if set(p) == {"9"}:  # nothing of that length sorts after 99…9: every larger digit string starts with it
            q |= Q(**{f"{field}__gte": p})
        else:
            q |= Q(**{f"{field}__gte": p, f"{field}__lt": prefix_upper_bound(p)})
    return q


def code_in_scope(code: str, prefixes: Iterable[str]) -> bool:
    return any(code.startswith(p) for p in prefixes)


class ScopedQuerySet(models.QuerySet):
    """Default queryset of every scoped model: `Model.objects.restrict(user, "view")`."""

    def restrict(self, user, action: str = "view"):
        prefixes = scope_prefixes(user, self.model, action)
        if not prefixes:
            return self.none()
        return self.filter(prefix_q(self.model.scope_field, prefixes))


class ScopedModel(models.Model):
    """Abstract base: a row that belongs to one region, found by its code.

    Subclasses set `scope_roles = {"view": {...roles}, "change": {...}, ...}`; a role not named for an
    action gets nothing for it. `scope_field` names the indexed code column.
    """

    scope_field = "region_code"
    scope_roles: dict[str, set[str]] = {}

    region_code = models.CharField("区划代码", max_length=20, db_index=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True


class CommunityQuerySet(ScopedQuerySet):
    """Community rows: grid grants widen to their community; regions above the grants (street rules) show too."""

    def restrict(self, user, action: str = "view"):
        prefixes = scope_prefixes(user, self.model, action)
        if not prefixes:
            return self.none()
        widened = {p[:COMMUNITY_CODE_LEN] for p in prefixes}
        ancestors = {p[:n] for p in widened for n in (4, 6, 9) if n < len(p)}
        return self.filter(prefix_q(self.model.scope_field, widened) | Q(**{f"{self.model.scope_field}__in": ancestors}))


class CommunityModel(ScopedModel):
    objects = CommunityQuerySet.as_manager()

    class Meta:
        abstract = True
