"""Cross-app panels: a page of a lower layer shows a card that a higher app renders, without importing it.

The page's template names a slot: `{% panels "registry.household" household %}`. A higher app registers,
from its AppConfig.ready(), a function `(request, obj) -> context or None` and the template that renders it;
None leaves the panel out (the actor may not see it, or there is nothing to show). Panels render in
`order`, then registration order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class Panel:
    slot: str
    key: str
    template: str
    context: Callable[..., dict | None]
    order: int = 100


PANELS: dict[str, list[Panel]] = {}


def register_panel(slot: str, key: str, template: str, context: Callable[..., dict | None], order: int = 100) -> None:
    """Show `template` on every page with `slot`, rendered with `context(request, obj)` unless it returns None."""
    panels = PANELS.setdefault(slot, [])
    if any(p.key == key for p in panels):
        return
    panels.append(Panel(slot, key, template, context, order))
    panels.sort(key=lambda p: p.order)


def render_panels(slot: str, request, obj=None) -> SafeString:
    html = []
    for panel in PANELS.get(slot, ()):
        ctx = panel.context(request, obj)
        if ctx is not None:
            html.append(render_to_string(panel.template, ctx, request=request))
    return mark_safe("".join(html))  # noqa: S308 -- each part is a rendered (auto-escaped) template
