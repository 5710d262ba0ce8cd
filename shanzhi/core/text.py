"""What a search box receives: full-width digits and Latin letters (and the ideographic space) folded to
ASCII, so `１号楼` finds `1号楼` and `１３８…` finds a phone. Other full-width characters (brackets, commas)
stay as typed, since addresses and names store them that way. Applied to every `q` parameter by
core.middleware.InputGuardMiddleware, and by the registry search for callers outside a request."""

from __future__ import annotations

# U+FF01–U+FF5E are ASCII shifted by 0xFEE0; fold only digits and letters
_FOLD = {cp: cp - 0xFEE0 for cp in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B))}
_FOLD[0x3000] = 0x20

SEARCH_PARAMS = ("q",)


def search_text(value: str | None) -> str:
    return (value or "").translate(_FOLD).strip()
