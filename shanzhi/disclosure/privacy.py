"""The privacy scan of an entry before it is published (`core.privacy`): its title, body and ledger summaries,
the names those of its community's registry."""

from __future__ import annotations

from shanzhi.core.privacy import Finding, scan_fields

from .models import DisclosureEntry

TEXT_FIELDS = ("title", "body")


def entry_texts(entry: DisclosureEntry) -> dict[str, str]:
    texts = {name: getattr(entry, name) or "" for name in TEXT_FIELDS}
    for line in entry.lines.all():
        texts[f"line.{line.pk}"] = line.summary
    return texts


def entry_findings(entry: DisclosureEntry) -> list[Finding]:
    return scan_fields(entry_texts(entry), region_code=entry.region_code)
