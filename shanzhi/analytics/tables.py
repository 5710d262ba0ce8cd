"""Large tables rendered in Python (the pivot page can hold 1,000 rows × 14 cells: the template engine would
spend most of the request on them). Every text is escaped."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def plain(value) -> str:
    """— when undefined, whole numbers without decimals, others with one decimal."""
    if value is None:
        return "—"
    n = float(value)
    return str(int(n)) if n.is_integer() else f"{n:.1f}"


def pivot_body(rows) -> SafeString:
    out = []
    heads: dict[str, str] = {}  # each label translated and escaped once
    for r in rows:
        ind = r["indicator"]
        if ind.key not in heads:
            heads[ind.key] = f'<td>{escape(ind.label)}<span class="small text-secondary"> {escape(ind.unit)}</span></td>'
        cells = "".join(f'<td class="text-end">{plain(v)}</td>' for v in r["values"])
        out.append(f'<tr>{heads[ind.key]}<td>{escape(r["region"].name)}</td>{cells}'
                   f'<td class="text-end fw-bold">{plain(r["total"])}</td></tr>')
    return mark_safe("".join(out))  # noqa: S308 - every text above is escaped
