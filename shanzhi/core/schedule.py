"""Periodic jobs, declared by apps and run by `shanzhi scheduler` (started by scripts/run).

An app registers `register_periodic(name, every_seconds, job)` in AppConfig.ready(). `job` is a Tasks API
task (it is enqueued, so the worker runs it) or a plain callable (called in the scheduler process).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

log = logging.getLogger(__name__)


@dataclass
class Periodic:
    name: str
    every: float
    job: Callable
    last: float = field(default=0.0)

    def due(self, now: float) -> bool:
        return now - self.last >= self.every

    def run(self, now: float) -> None:
        self.last = now
        if hasattr(self.job, "enqueue"):
            self.job.enqueue()
        else:
            self.job()


PERIODIC: dict[str, Periodic] = {}


def register_periodic(name: str, every_seconds: float, job: Callable) -> None:
    PERIODIC.setdefault(name, Periodic(name, every_seconds, job))


def run_due(now: float | None = None) -> list[str]:
    """Run every job whose interval has passed; a failing job is logged and retried next interval."""
    now = time.monotonic() if now is None else now
    ran = []
    for p in PERIODIC.values():
        if p.due(now):
            try:
                p.run(now)
            except Exception:
                log.exception("periodic job %s failed", p.name)
            ran.append(p.name)
    return ran
