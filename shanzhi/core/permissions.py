"""The one permission layer: named actions, each with the roles that may do it, how their grants must reach
the object (a scope strategy from core.scoping) and the reason shown when they may not.

Each app declares its actions in its own `permissions.py` with `rule(...)`; services call
`require(actor, "app.action", obj)` at their top, pages call `check(...)` to show why a button is missing.
`obj` is a row (its region code is read from its scope field) or a region code.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import NotAllowed
from .scoping import STRATEGIES


class PermissionDenied(NotAllowed):
    """The actor may not do this; `reason` says why (in Chinese, for the page)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Rule:
    action: str
    roles: frozenset[str]
    reason: str
    scope: str = "within"


RULES: dict[str, Rule] = {}


def rule(action: str, *, roles, reason, scope: str = "within") -> Rule:
    """Declare (or redeclare, on reload) an action; `scope` names a strategy in core.scoping.STRATEGIES."""
    if scope not in STRATEGIES:
        raise ValueError(f"unknown scope strategy {scope!r}")
    RULES[action] = Rule(action, frozenset(roles), reason, scope)
    return RULES[action]


def check(actor, action: str, obj) -> tuple[bool, str]:
    """(allowed, reason): reason is empty when allowed."""
    r = RULES[action]
    if actor is not None and STRATEGIES[r.scope](actor, obj, r.roles):
        return True, ""
    return False, str(r.reason)


def allows(actor, action: str, obj) -> bool:
    return check(actor, action, obj)[0]


def require(actor, action: str, obj) -> None:
    """Raise PermissionDenied with the rule's reason unless the actor may do `action` on `obj`."""
    allowed, reason = check(actor, action, obj)
    if not allowed:
        raise PermissionDenied(reason)


def require_any(actor, actions, obj) -> None:
    """Raise PermissionDenied (with the first rule's reason) unless one of `actions` allows `obj`."""
    reasons = [check(actor, action, obj) for action in actions]
    if not any(allowed for allowed, _ in reasons):
        raise PermissionDenied(reasons[0][1])
