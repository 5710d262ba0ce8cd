"""A server process's long-lived objects (modules, URL patterns, compiled templates, settings, the indicator and
role registries) kept out of the garbage collector's full sweeps: collected once after the app has loaded, then
frozen (`gc.freeze`). Without it a full sweep walks several hundred thousand objects that never die, and the request
that happens to trigger it waits for it (measured on the pivot page: CPU p95 274 → 136 ms)."""

from __future__ import annotations

import gc


def freeze_loaded() -> None:
    gc.collect()
    gc.freeze()
