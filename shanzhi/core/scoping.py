"""The one scoping chokepoint.

Every scoped row stores the code of the smallest region it belongs to. A user's scope for an
action is a set of code prefixes taken from their role grants; `restrict(user, action)` turns
those prefixes into index range filters (`code >= p AND code < bound(p)`, see `prefix_upper_bound`), which work with a plain
B-tree index on SQLite and PostgreSQL in any collation, because region codes are digit strings.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.apps import apps
from django.db import models
from django.db.models import Q

from .scope import grants_of, user_roles

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
    """Default queryset of every scoped model: `Model.objects.restrict(user, "view")`.

    The model says which rows an action reaches by naming scope strategies (below), never by overriding
    `restrict`: `scope_strategies[action]` if set, else `scope_strategy` (default `within`). A declaration
    is a strategy, a `(strategy, roles)` pair narrowing the action's `scope_roles` for that strategy, or a
    tuple of those, whose rows are combined with OR.
    """

    def restrict(self, user, action: str = "view"):
        roles = set(getattr(self.model, "scope_roles", {}).get(action, ()))
        if not roles:
            return self.none()
        q = None
        for strategy, narrowed in _declared(self.model, action):
            part = strategy.rows(self.model, user, action, roles if narrowed is None else roles & set(narrowed))
            if part is not None:
                q = part if q is None else q | part
        return self.none() if q is None else self.filter(q)


def _declared(model, action):
    declared = getattr(model, "scope_strategies", {}).get(action) or getattr(model, "scope_strategy", within)
    if callable(declared) or (isinstance(declared, tuple) and len(declared) == 2 and callable(declared[0])
                              and not callable(declared[1])):
        declared = (declared,)
    return [entry if isinstance(entry, tuple) else (entry, None) for entry in declared]


class ScopedModel(models.Model):
    """Abstract base: a row that belongs to one region, found by its code.

    Subclasses set `scope_roles = {"view": {...roles}, "change": {...}, ...}`; a role not named for an
    action gets nothing for it. `scope_field` names the indexed code column.
    """

    scope_field = "region_code"
    scope_roles: dict[str, set[str]] = {}
    # scope_strategy / scope_strategies: see ScopedQuerySet; the default is `within`.

    region_code = models.CharField("区划代码", max_length=20, db_index=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True


# --- scope strategies ----------------------------------------------------------------------------------
# How an actor's grants reach rows, in two forms. Called as a function, (actor, obj, roles) -> bool decides
# for one object (permission rules; obj is a row, its scope field naming the code, or a region code). Its
# `rows(model, user, action, roles)` gives the Q of the rows a queryset keeps, or None for none
# (ScopedQuerySet.restrict). `roles` are the roles that count for the action.

def code_of(obj) -> str:
    """The region code a row belongs to (its scope field), or obj itself when it is a code."""
    if isinstance(obj, str):
        return obj
    return getattr(obj, getattr(obj, "scope_field", "region_code"), "") or ""


def _grants(actor):
    return grants_of(actor)


def _holds(actor, roles) -> bool:
    return any(role in roles for role, _ in _grants(actor))


def _prefixes(actor, roles) -> list[str]:
    return [code for role, code in _grants(actor) if role in roles]


def _rows(test):
    """Attach `test` as the queryset form of the strategy it decorates."""
    def attach(fn):
        fn.rows = test
        return fn
    return attach


def _related_ids(model, relation: str, *conditions, **filters):
    """Subquery of the ids of `model` rows having a `relation` (reverse foreign key) row matching the filters."""
    rel = model._meta.get_field(relation)
    return rel.related_model.objects.filter(*conditions, **filters).values(rel.field.attname)


def _within_rows(model, user, action, roles):
    prefixes = _prefixes(user, roles)
    return prefix_q(model.scope_field, prefixes) if prefixes else None


@_rows(_within_rows)
def within(actor, obj, roles) -> bool:
    """Code prefix: one of `roles` granted on a region containing the object's region."""
    code = code_of(obj)
    return bool(code) and any(role in roles and code.startswith(g) for role, g in _grants(actor))


ANCESTOR_LENGTHS = (4, 6, 9)


def _community_widened_rows(model, user, action, roles):
    widened = {p[:COMMUNITY_CODE_LEN] for p in _prefixes(user, roles)}
    if not widened:
        return None
    ancestors = {p[:n] for p in widened for n in ANCESTOR_LENGTHS if n < len(p)}
    return prefix_q(model.scope_field, widened) | Q(**{f"{model.scope_field}__in": ancestors})


@_rows(_community_widened_rows)
def community_widened(actor, obj, roles) -> bool:
    """As `within`, or granted on a region inside it (a resident's grid grant reaches their community)."""
    code = code_of(obj)
    return bool(code) and any(role in roles and (code.startswith(g) or g.startswith(code))
                              for role, g in _grants(actor))


def _in_community_rows(model, user, action, roles):
    prefixes = [p[:COMMUNITY_CODE_LEN] for p in _prefixes(user, roles)]
    return prefix_q(model.scope_field, prefixes) if prefixes else None


@_rows(_in_community_rows)
def in_community(actor, obj, roles) -> bool:
    """One of `roles` granted in the object's community (a grid grant reaches its whole community)."""
    code = code_of(obj)
    return bool(code) and any(role in roles and code.startswith(g[:COMMUNITY_CODE_LEN]) for role, g in _grants(actor))


def _owner_rows(model, user, action, roles):
    path = getattr(model, "owner_path", "")
    if not path or not getattr(user, "is_authenticated", False) or not _holds(user, roles):
        return None
    return Q(**{path: user.pk})


@_rows(_owner_rows)
def owner(actor, obj, roles) -> bool:
    """The actor is the row's owner (its `owner_field`, default `user`), whatever their grants.

    As rows: those whose `owner_path` (the model's path to its owning user) is the actor, when they hold one of
    `roles`."""
    field = getattr(obj, "owner_field", "user")
    return getattr(obj, f"{field}_id", None) == getattr(actor, "pk", 0) and getattr(actor, "pk", None) is not None


def _follower_rows(model, user, action, roles):
    if not _holds(user, roles):
        return None
    return Q(pk__in=_related_ids(model, model.follower_relation, user_id=user.pk))


@_rows(_follower_rows)
def follower(actor, obj, roles) -> bool:
    """One of `roles` and among the row's followers (its `follower_relation`, rows with a `user`)."""
    relation = getattr(obj, obj.follower_relation)
    return _holds(actor, roles) and relation.filter(user_id=actor.pk).exists()


def _handling_body_rows(model, user, action, roles):
    if not _holds(user, roles):
        return None
    return Q(pk__in=_related_ids(model, model.assignment_relation, body__handlingbodymember__user_id=user.pk,
                                 active=True))


@_rows(_handling_body_rows)
def handling_body(actor, obj, roles) -> bool:
    """One of `roles` and a member of the handling body the object (a case) is assigned to.

    As rows: those with an active assignment (the model's `assignment_relation`) to one of the actor's bodies."""
    body_ids = {b for b in (getattr(obj, "lead_body_id", None),) if b}
    assigned = getattr(obj, "assignments", None)
    if assigned is not None:
        body_ids |= set(assigned.values_list("body_id", flat=True))
    if not body_ids or not (user_roles(actor) & set(roles)):
        return False
    return actor.bodies.filter(pk__in=body_ids).exists()


def _granted_within_rows(model, user, action, roles):
    prefixes = _prefixes(user, roles)
    if not prefixes:
        return None
    return Q(pk__in=_related_ids(model, model.grant_relation, prefix_q("region_code", prefixes)))


@_rows(_granted_within_rows)
def granted_within(actor, obj, roles) -> bool:
    """A user holding a grant (its `grant_relation`) inside a region where the actor holds one of `roles`."""
    codes = getattr(obj, obj.grant_relation).values_list("region_code", flat=True)
    return any(within(actor, code, roles) for code in codes)


def _member_rows(model, user, action, roles):
    path = getattr(model, "member_path", "")
    if not path or not getattr(user, "is_authenticated", False) or not _holds(user, roles):
        return None
    return Q(pk__in=model._base_manager.filter(**{path: user.pk}).values("pk"))


@_rows(_member_rows)
def member(actor, obj, roles) -> bool:
    """One of `roles` and a member of the body the row belongs to (a social organisation's staff): the model's
    `member_path` leads from the row to its members' user ids (e.g. `organisation__members__user`)."""
    path = getattr(obj, "member_path", "")
    if not path or not getattr(actor, "pk", None) or not _holds(actor, roles):
        return False
    return type(obj)._base_manager.filter(pk=obj.pk, **{path: actor.pk}).exists()


def through(field: str, model_name: str = "", when: Q | None = None):
    """Rows whose `field` (a foreign key) points at a row the actor may reach with the same action — in the
    related model, or in `model_name` of the same app (e.g. a proxy with its own strategy) — and match `when`."""

    def target(model):
        if model_name:
            return apps.get_model(model._meta.app_label, model_name)
        return model._meta.get_field(field).related_model

    def rows(model, user, action, roles):
        if not _holds(user, roles):
            return None
        reached = Q(**{f"{field}__in": target(model).objects.restrict(user, action).values("pk")})
        return reached if when is None else reached & when

    def allows(actor, obj, roles) -> bool:
        related = getattr(obj, field)
        return target(type(obj)).objects.restrict(actor, "view").filter(pk=related.pk).exists()

    allows.rows = rows
    return allows


def member_of(relation: str, when=None):
    """Rows the actor is named on by a `relation` (reverse foreign key) row with `user` = the actor — a team
    membership, a time-limited access grant — when they hold one of the action's roles. `when` is a Q, or a
    callable giving one at query time (e.g. "not yet expired"), that the relation row must match too."""

    def condition() -> Q:
        return when() if callable(when) else (when or Q())

    def rows(model, user, action, roles):
        if not getattr(user, "is_authenticated", False) or not _holds(user, roles):
            return None
        return Q(pk__in=_related_ids(model, relation, condition(), user_id=user.pk))

    def allows(actor, obj, roles) -> bool:
        if not getattr(actor, "is_authenticated", False) or not _holds(actor, roles):
            return False
        return getattr(obj, relation).filter(condition(), user_id=actor.pk).exists()

    allows.rows = rows
    return allows


STRATEGIES = {"within": within, "community_widened": community_widened, "in_community": in_community,
              "owner": owner, "follower": follower, "handling_body": handling_body,
              "granted_within": granted_within, "member": member}


class CommunityModel(ScopedModel):
    """Community rows (consultation, disclosure): grid grants widen to their community; regions above the
    grants (street rules) show too — the `community_widened` strategy."""

    scope_strategy = community_widened

    class Meta:
        abstract = True
