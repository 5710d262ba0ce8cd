"""The demo build as a list of steps that apps register from AppConfig.ready().

A step is `fn(*, ctx: DemoContext) -> None` and must be idempotent: running `shanzhi demo` twice
leaves the same data. Steps run in `order`; regions and accounts come first.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class DemoContext:
    persons: int = 15000
    seed: int = 20261121
    stdout: Callable[[str], None] = print
    progress_id: object | None = None
    data: dict = field(default_factory=dict)  # steps share what they built (region codes, users …)

    def __post_init__(self):
        self.rng = random.Random(self.seed)


STEPS: list[tuple[int, str, Callable]] = []


def register_step(name: str, order: int, fn: Callable) -> None:
    if any(s[1] == name for s in STEPS):
        return
    STEPS.append((order, name, fn))
    STEPS.sort(key=lambda s: s[0])
