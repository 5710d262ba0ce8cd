"""The to-do list every home (工作台) leads with.

An app registers, from its `AppConfig.ready()`, one function per kind of to-do:

    register_todo("cases.to_accept", cases_to_accept_todo, roles={...})

The function takes the actor (keyword-only) and returns a list of `TodoItem` — usually one item, whose
`count` comes from the app's own selector and whose `url` is the list page that shows exactly those rows
(one definition per figure: the page counts with the same selector). An item with count 0 is dropped.
`roles` limits which signed-in users the function is asked for (empty: everyone signed in); the function
still scopes its counts itself, through its selectors.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from shanzhi.core.scope import user_roles

log = logging.getLogger("shanzhi.todo")


@dataclass(frozen=True)
class TodoItem:
    key: str
    label: str  # the sentence shown, already containing the count ("2 个议题等待您附议")
    url: str
    count: int = 1
    urgent: bool = False  # due today or overdue: shown first, in red


@dataclass(frozen=True)
class TodoSource:
    key: str
    func: Callable[..., list[TodoItem]]
    roles: frozenset[str]
    order: int


SOURCES: list[TodoSource] = []


def register_todo(key: str, func, *, roles=(), order: int = 100) -> None:
    if any(s.key == key for s in SOURCES):
        return
    SOURCES.append(TodoSource(key, func, frozenset(roles), order))
    SOURCES.sort(key=lambda s: (s.order, s.key))


def todos_for(actor) -> list[TodoItem]:
    """The actor's to-dos: urgent first, then in registration order; items with nothing to do left out."""
    if not getattr(actor, "is_authenticated", False):
        return []
    roles = user_roles(actor)
    items: list[TodoItem] = []
    for source in SOURCES:
        if source.roles and not (roles & source.roles):
            continue
        items += [i for i in source.func(actor=actor) if i.count > 0]
    return sorted(items, key=lambda i: not i.urgent)
