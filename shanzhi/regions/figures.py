"""Live figures on a region's page, supplied by the apps that own them.

Regions sits below the registry and the capability apps, so it cannot count their rows itself: an app registers
a provider `provider(*, actor, region) -> list[Figure]` in its AppConfig.ready(), and the region page shows what
every provider returns. A provider computes its figures with the same selector its own pages use, so the region
page and the app's pages never disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: int | float | None
    url: str = ""


PROVIDERS: dict[str, Callable[..., list[Figure]]] = {}


def register_region_figures(name: str, provider: Callable[..., list[Figure]]) -> None:
    PROVIDERS[name] = provider


def region_figures(*, actor, region) -> list[Figure]:
    out: list[Figure] = []
    for name in sorted(PROVIDERS):
        out.extend(PROVIDERS[name](actor=actor, region=region))
    return out
