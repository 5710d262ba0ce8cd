"""Workflows as tables: states and transitions declared once per app, run by one helper.

An app declares `WORKFLOW = Workflow(states=..., transitions=[Transition(...), ...])` in its
`workflow.py`; its services call `WORKFLOW.apply(...)`. The helper checks the source state, the
actor's roles at the record's region, required fields and guards; changes the state with a
conditional UPDATE (so two concurrent transitions on one record can't both succeed); writes the
app's history row and the audit row, all in one transaction.

The conditional UPDATE is keyed on the state and version the caller loaded, so a stale object
always conflicts. With `reload=True` (the default) the row is read again first and guards see
every column fresh; a workflow whose guards read only versioned columns sets `reload=False` and
saves that read. Either way the returned object carries the transition's changes applied in
memory, without a second read.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.db.models.expressions import CombinedExpression, F, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from shanzhi.audit.services import audit_log
from shanzhi.core.scope import roles_at

from .errors import ConflictError, NotAllowed, ServiceError

Guard = Callable[[Any, Any, dict], tuple[bool, str]]


@dataclass(frozen=True)
class Transition:
    action: str
    source: tuple[str, ...]
    target: str
    label: str
    roles: frozenset[str] = frozenset()
    requires: tuple[str, ...] = ()
    guard: Guard | None = None
    # a callable(obj, actor, data) run inside the transaction after the state changed
    effect: Callable[[Any, Any, dict], None] | None = None


@dataclass
class Workflow:
    name: str
    states: dict[str, str]
    transitions: list[Transition]
    state_field: str = "state"
    version_field: str = "version"
    field_labels: dict[str, str] = field(default_factory=dict)
    # read the row again inside the transaction before checking (see the module docstring)
    reload: bool = True

    def __post_init__(self):
        self._by_action = {t.action: t for t in self.transitions}
        for t in self.transitions:
            unknown = {*t.source, t.target} - set(self.states)
            if unknown:
                raise ValueError(f"{self.name}.{t.action}: unknown states {unknown}")

    def transition(self, action: str) -> Transition:
        try:
            return self._by_action[action]
        except KeyError:
            raise ServiceError(_("未知的操作：%(action)s") % {"action": action}) from None

    def check(self, obj, actor, action: str, data: dict | None = None) -> tuple[bool, str]:
        t = self.transition(action)
        state = getattr(obj, self.state_field)
        if state not in t.source:
            return False, _("当前状态“%(state)s”不能执行“%(label)s”") % {
                "state": self.states.get(state, state),
                "label": t.label,
            }
        if t.roles and not (roles_at(actor, obj.region_code) & t.roles):
            return False, _("您没有在此区域执行“%(label)s”的角色") % {"label": t.label}
        if t.guard:
            ok, reason = t.guard(obj, actor, data or {})
            if not ok:
                return False, reason
        return True, ""

    def available(self, obj, actor) -> list[tuple[Transition, bool, str]]:
        """Transitions from the current state, each with whether the actor may run it and why not."""
        state = getattr(obj, self.state_field)
        return [(t, *self.check(obj, actor, t.action)) for t in self.transitions if state in t.source]

    def apply(
        self,
        *,
        obj: models.Model,
        actor,
        action: str,
        data: dict | None = None,
        history: Callable[[Any, Transition, str, dict], models.Model] | None = None,
        extra_updates: dict | None = None,
    ):
        """Run one transition. Returns a copy of the object with the transition's changes."""
        data = dict(data or {})
        t = self.transition(action)
        for name in t.requires:
            if not str(data.get(name) or "").strip():
                raise ServiceError(
                    _("“%(label)s”需要填写%(field)s") % {"label": t.label, "field": self.field_labels.get(name, name)},
                    field=name,
                )
        model = type(obj)
        with transaction.atomic():
            if self.reload:
                current = model.objects.get(pk=obj.pk)
                if getattr(current, self.version_field) != getattr(obj, self.version_field):
                    raise ConflictError()
            else:
                current = copy.copy(obj)
            ok, reason = self.check(current, actor, action, data)
            if not ok:
                raise NotAllowed(reason)
            before = getattr(current, self.state_field)
            version = getattr(current, self.version_field)
            # plain values, not F(): the UPDATE only lands on the row at `version`, as loaded
            updates = {self.state_field: t.target, self.version_field: version + 1}
            updates.update(extra_updates or {})
            for f in model._meta.concrete_fields:  # an UPDATE skips auto_now; set it as save() would
                if getattr(f, "auto_now", False):
                    updates.setdefault(f.name, timezone.now())
            changed = model.objects.filter(
                pk=obj.pk, **{self.state_field: before, self.version_field: version},
            ).update(**updates)
            if changed != 1:
                raise ConflictError()
            _apply_in_memory(current, updates)
            if t.effect:
                t.effect(current, actor, data)
            if history:
                history(current, t, before, data)
            audit_log(
                actor=actor,
                action=f"{self.name}.{t.action}",
                obj=current,
                before={self.state_field: before},
                after={self.state_field: t.target},
                reason=str(data.get("reason", ""))[:500],
            )
        return current

    def states_choices(self) -> list[tuple[str, str]]:
        return list(self.states.items())

    def actions_from(self, states: Iterable[str]) -> list[str]:
        s = set(states)
        return [t.action for t in self.transitions if s & set(t.source)]


def _apply_in_memory(obj: models.Model, updates: dict) -> None:
    """Set what an UPDATE just wrote on the loaded object: plain values as they are, and `F(name) + n`
    from the value loaded (the conditional UPDATE proved the row unchanged since); any other
    expression is read back from the database."""
    unresolved = []
    for name, value in updates.items():
        if isinstance(value, CombinedExpression) and value.connector == "+" \
                and isinstance(value.lhs, F) and isinstance(value.rhs, Value):
            value = getattr(obj, value.lhs.name) + value.rhs.value
        elif hasattr(value, "resolve_expression"):
            unresolved.append(name)
            continue
        setattr(obj, name, value)
    if unresolved:
        obj.refresh_from_db(fields=[obj._meta.get_field(n).attname for n in unresolved])
