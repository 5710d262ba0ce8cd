"""Workflows as tables: states and transitions declared once per app, run by one helper.

An app declares `WORKFLOW = Workflow(states=..., transitions=[Transition(...), ...])` in its
`workflow.py`; its services call `WORKFLOW.apply(...)`. Each transition declares, besides its source
and target states, who may run it, required fields and a guard, the fields it writes with the state
(`sets`: a value or a callable(obj, actor, data)) and its effect. The helper checks the source state,
the actor's roles at the record's region, required fields and guards; changes the state and the
declared fields with one conditional UPDATE (`core.writes.conditional_update`, so two concurrent
transitions on one record can't both succeed); writes the history row (the app's own, or core's
TransitionHistory when the app keeps none) and the audit row, all in one transaction.

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
from django.utils import timezone
from django.utils.translation import gettext as _

from shanzhi.audit.services import audit_event, audit_log, audit_log_many
from shanzhi.core.scope import roles_at

from .errors import ConflictError, NotAllowed, ServiceError
from .models import TransitionHistory
from .writes import apply_in_memory as _apply_in_memory  # noqa: F401  (kept for callers of the old name)
from .writes import conditional_update, plain

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
    # the fields this transition writes with the state: {field: value or callable(obj, actor, data)}
    sets: dict[str, Any] = field(default_factory=dict)

    def field_updates(self, obj, actor, data: dict) -> dict:
        return {k: (v(obj, actor, data) if callable(v) else v) for k, v in self.sets.items()}


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
    # what a stale writer is told (default: ConflictError's own message)
    conflict_message: str = ""

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

    def _required_filled(self, action: str, data: dict) -> Transition:
        """The transition of `action`, once every field it requires has a value in `data`."""
        t = self.transition(action)
        for name in t.requires:
            if not str(data.get(name) or "").strip():
                raise ServiceError(
                    _("“%(label)s”需要填写%(field)s") % {"label": t.label, "field": self.field_labels.get(name, name)},
                    field=name,
                )
        return t

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
        t = self._required_filled(action, data)
        model = type(obj)
        with transaction.atomic():
            if self.reload:
                current = model.objects.get(pk=obj.pk)
                if getattr(current, self.version_field) != getattr(obj, self.version_field):
                    raise ConflictError(*([self.conflict_message] if self.conflict_message else []),
                                        expected=getattr(obj, self.version_field),
                                        current=getattr(current, self.version_field), stored=current)
            else:
                current = copy.copy(obj)
            ok, reason = self.check(current, actor, action, data)
            if not ok:
                raise NotAllowed(reason)
            before = getattr(current, self.state_field)
            # the transition's declared field updates, then the caller's (values the table can't know)
            updates = {self.state_field: t.target, **t.field_updates(current, actor, data), **(extra_updates or {})}
            # plain version, not F(): the UPDATE only lands on the row at `version`, as loaded
            conditional_update(current, getattr(current, self.version_field), updates,
                               where={self.state_field: before}, version_field=self.version_field,
                               conflict_message=str(self.conflict_message))
            if t.effect:
                t.effect(current, actor, data)
            if history:
                history(current, t, before, data)
            else:
                _generic_history(self.name, current, t, before, actor, data)
            audit_log(
                actor=actor,
                action=f"{self.name}.{t.action}",
                obj=current,
                before={self.state_field: before},
                after={self.state_field: t.target},
                reason=str(data.get("reason", ""))[:500],
            )
        return current

    def apply_many(self, *, objs, actor, action: str, data: dict | None = None) -> list[tuple[Any, str]]:
        """Run one transition on many records of a workflow that keeps no history of its own (core's
        TransitionHistory), as a batch: the rows are locked and read again, each is checked like `apply` does
        (state, the actor's roles at its region, guard), and those that pass change with one UPDATE per field
        set (`bulk_update`), their history and audit rows in one INSERT each — all in one transaction. Returns
        (record, "" or the reason it was refused) per record, in the order given."""
        data = dict(data or {})
        t = self._required_filled(action, data)
        objs = list(objs)
        if not objs:
            return []
        model = type(objs[0])
        results, done = [], []
        with transaction.atomic():
            locked = {o.pk: o for o in model._default_manager.select_for_update(of=("self",))
                      .select_related(*_forward_relations(objs[0])).filter(pk__in=[o.pk for o in objs])
                      .order_by("pk")}  # locked in one order: two batches never wait on each other in a cycle
            for obj in objs:
                current, ok, reason = self._batch_check(obj, locked.get(obj.pk), actor, action, data)
                if ok:
                    done.append(self._batch_change(model, current, t, actor, data))
                    reason = ""
                results.append((current, reason))
            if done:
                self._batch_record(model, done, t, actor, data)
        return results

    def _batch_check(self, obj, current, actor, action: str, data: dict) -> tuple[Any, bool, str]:
        """One record of `apply_many` as locked and read again: (the record, whether it may change, the reason
        it may not)."""
        if current is None:
            return obj, False, _("不存在或不在您的工作范围内")
        if getattr(current, self.version_field) != getattr(obj, self.version_field):
            return current, False, str(self.conflict_message or ConflictError().user_message)
        ok, reason = self.check(current, actor, action, data)
        return current, ok, reason

    def _batch_change(self, model, current, t: Transition, actor, data: dict) -> tuple[Any, str, list[str]]:
        """Change one checked record of `apply_many` in memory: (record, state before, the fields changed)."""
        before = getattr(current, self.state_field)
        updates = {self.state_field: t.target, **t.field_updates(current, actor, data),
                   self.version_field: getattr(current, self.version_field) + 1}
        for f in model._meta.concrete_fields:  # as conditional_update: an UPDATE skips auto_now
            if getattr(f, "auto_now", False):
                updates.setdefault(f.name, timezone.now())
        _apply_in_memory(current, updates)
        return current, before, list(updates)

    def _batch_record(self, model, done: list, t: Transition, actor, data: dict) -> None:
        """Store the records `apply_many` changed: one UPDATE per field set, their history and audit rows in one
        INSERT each, the transition's effect on each."""
        fields = list(dict.fromkeys(name for _obj, _before, names in done for name in names))
        model._default_manager.bulk_update([obj for obj, _before, _names in done], fields, batch_size=500)
        note = str(data.get("reason") or data.get("note") or "")[:500]
        extra = plain({k: v for k, v in data.items() if k not in {"reason", "note"}})
        user = actor if getattr(actor, "is_authenticated", False) else None
        TransitionHistory.objects.bulk_create([TransitionHistory(
            workflow=self.name, object_type=obj._meta.label_lower, object_id=str(obj.pk), action=t.action,
            from_state=before, to_state=t.target, actor=user, note=note, data=extra,
            region_code=getattr(obj, "region_code", "") or "") for obj, before, _names in done],
            batch_size=1000)
        if t.effect:
            for obj, _before, _names in done:
                t.effect(obj, actor, data)
        audit_log_many([audit_event(actor=actor, action=f"{self.name}.{t.action}", obj=obj,
                                    before={self.state_field: before},
                                    after={self.state_field: t.target},
                                    reason=str(data.get("reason", ""))[:500])
                        for obj, before, _names in done])

    def states_choices(self) -> list[tuple[str, str]]:
        return list(self.states.items())

    def actions_from(self, states: Iterable[str]) -> list[str]:
        s = set(states)
        return [t.action for t in self.transitions if s & set(t.source)]



def _forward_relations(obj) -> list[str]:
    """The foreign keys already loaded on `obj` (select_related), loaded again with the locked rows."""
    return [name for name in getattr(obj._state, "fields_cache", {})
            if obj._meta.get_field(name).many_to_one]


def _generic_history(workflow: str, obj: models.Model, t: Transition, before: str, actor, data: dict) -> None:
    """The history row of a workflow whose app keeps none of its own (core's TransitionHistory)."""
    TransitionHistory.objects.create(
        workflow=workflow, object_type=obj._meta.label_lower, object_id=str(obj.pk), action=t.action,
        from_state=before, to_state=t.target, actor=actor if getattr(actor, "is_authenticated", False) else None,
        note=str(data.get("reason") or data.get("note") or "")[:500],
        data=plain({k: v for k, v in data.items() if k not in {"reason", "note"}}),
        region_code=getattr(obj, "region_code", "") or "")


def transition_history(obj: models.Model):
    """The generic history rows of one record, oldest first."""
    return TransitionHistory.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
