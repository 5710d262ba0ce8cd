"""Figures of the hardening suites, readable off CI: each suite records its numbers here; they land in
test-artifacts/hardening.json (one key per suite, merged) and in the terminal summary (tests/conftest.py)."""

import json
import os
from pathlib import Path

ARTIFACT = Path(__file__).resolve().parent.parent / "test-artifacts" / "hardening.json"


def record(suite: str, **figures) -> None:
    ARTIFACT.parent.mkdir(exist_ok=True)
    data = json.loads(ARTIFACT.read_text()) if ARTIFACT.exists() else {}
    data[suite] = {**figures, "pid": os.getpid()}
    tmp = ARTIFACT.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1))
    tmp.replace(ARTIFACT)


def summary_lines(since: float) -> list[str]:
    """One line per suite recorded after `since` (the session's start)."""
    if not ARTIFACT.exists() or ARTIFACT.stat().st_mtime < since:
        return []
    data = json.loads(ARTIFACT.read_text())
    return [f"{suite}: " + ", ".join(f"{k}={v}" for k, v in figures.items() if k != "pid")
            for suite, figures in sorted(data.items())]
