"""Process-local caches of reference rows that every request reads and that change a few times a year
(deadline rules, the region tree's levels, who holds a role on a grid).

An entry lives `ttl` seconds. A save or delete in this process clears the cache at once (the owning
app connects `clear` to its models' signals, the one kind of chore signals are for); other processes
see the change within `ttl`. Only lookups whose staleness is harmless belong here: access checks
always read grants fresh.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any

from django.db.models.signals import post_delete, post_save

_caches: list[Memo] = []


class Memo:
    def __init__(self, name: str, ttl: float = 60.0):
        self.name, self.ttl = name, ttl
        self._data: dict[Hashable, tuple[float, Any]] = {}
        self._lock = threading.Lock()
        _caches.append(self)

    def get(self, key: Hashable, load: Callable[[], Any]) -> Any:
        now = time.monotonic()
        hit = self._data.get(key)
        if hit is not None and now - hit[0] <= self.ttl:
            return hit[1]
        value = load()
        with self._lock:
            self._data[key] = (now, value)
        return value

    def clear(self, **_signal_kwargs) -> None:
        with self._lock:
            self._data.clear()

    def clear_on_change(self, *models) -> None:
        """Clear whenever a row of one of `models` is saved or deleted in this process."""
        for model in models:
            uid = f"memo.{self.name}.{model._meta.label_lower}"
            post_save.connect(self.clear, sender=model, dispatch_uid=f"{uid}.save", weak=False)
            post_delete.connect(self.clear, sender=model, dispatch_uid=f"{uid}.delete", weak=False)


def clear_all() -> None:
    """Forget everything (tests call this between tests: a rolled-back row sends no signal)."""
    for cache in _caches:
        cache.clear()
