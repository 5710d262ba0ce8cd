"""The one scoping chokepoint.

Every scoped row stores the code of the smallest region it belongs to. A user's scope for an
action is a set of code prefixes taken from their role grants; `restrict(user, action)` turns
those prefixes into index range filters (`code >= p AND code < bound(p)`, see `prefix_upper_bound`), which work with a plain
B-tree index on SQLite and PostgreSQL in any collation, because region codes are digit strings.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from django.db.models import Q

from .scope import grants_of, scope_prefixes, user_roles

COMMUNITY_CODE_LEN = 12


def prefix_upper_bound(prefix: str) -> str | None:
    """The smallest digit string that sorts after every code starting with `prefix`, and after no other.

    Trailing nines are dropped before the last digit is raised: for 3210029 the bound is 321003, not
    3210030 — the code 321003 sorts between 3210029 and 3210030 without being under 3210029. A prefix of
    nines only has no bound (every larger digit string starts with it).
    """
    stem = prefix.rstrip("9")
    if not stem:
        return None
    return stem[:-1] + str(int(stem[-1]) + 1)


def prefix_range(prefix: str) -> tuple[str, str | None]:
    """`[low, high)` holding exactly the digit strings that start with `prefix` (high None: unbounded)."""
    return prefix, prefix_upper_bound(prefix)


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
        low, high = prefix_range(p)
        q |= Q(**{f"{field}__gte": low}) if high is None else Q(**{f"{field}__gte": low, f"{field}__lt": high})
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



# --- scope strategies ----------------------------------------------------------------------------------
# How a permission rule decides whether an actor's grants reach an object. Each takes (actor, obj, roles),
# where obj is a row (its scope field names the code) or a region code, and answers True or False.

def code_of(obj) -> str:
    """The region code a row belongs to (its scope field), or obj itself when it is a code."""
    if isinstance(obj, str):
        return obj
    return getattr(obj, getattr(obj, "scope_field", "region_code"), "") or ""


def _grants(actor):
    return grants_of(actor)


def within(actor, obj, roles) -> bool:
    """Code prefix: one of `roles` granted on a region containing the object's region."""
    code = code_of(obj)
    return bool(code) and any(role in roles and code.startswith(g) for role, g in _grants(actor))


def community_widened(actor, obj, roles) -> bool:
    """As `within`, or granted on a region inside it (a resident's grid grant reaches their community)."""
    code = code_of(obj)
    return bool(code) and any(role in roles and (code.startswith(g) or g.startswith(code))
                              for role, g in _grants(actor))


def owner(actor, obj, roles) -> bool:
    """The actor is the row's owner (its `owner_field`, default `user`), whatever their grants."""
    field = getattr(obj, "owner_field", "user")
    return getattr(obj, f"{field}_id", None) == getattr(actor, "pk", 0) and getattr(actor, "pk", None) is not None


def handling_body(actor, obj, roles) -> bool:
    """One of `roles` and a member of the handling body the object (a case) is assigned to."""
    body_ids = {b for b in (getattr(obj, "lead_body_id", None),) if b}
    assigned = getattr(obj, "assignments", None)
    if assigned is not None:
        body_ids |= set(assigned.values_list("body_id", flat=True))
    if not body_ids or not (user_roles(actor) & set(roles)):
        return False
    return actor.bodies.filter(pk__in=body_ids).exists()


STRATEGIES = {"within": within, "community_widened": community_widened, "owner": owner,
              "handling_body": handling_body}
