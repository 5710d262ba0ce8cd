"""The phone app's sync (issue 19): 200 queued records (visits, cases, households with their head) sent through
`POST /api/field/sync` in the phone's batches of 50, then every batch sent again (a retry after a dropped
connection); against the peer of the same writes made directly through the services, in the same run.

Printed as JSON: seconds for the 200 through sync and directly, their ratio (the cost of the receipts, the forms and
the API), duplicates after the retry (rows beyond one per item) and lost items (items without their row).

With `--browser` it first runs the browser test (tests/test_browser_field.py: Chromium at 375 px, the three jobs
offline and on a throttled 3G profile, taps and seconds per job, 200 items synced after the connection returns with
every request sent twice and the page closed in between) and adds its figures (var/bench-field.json).

    .venv/bin/python bench/field_sync.py [--items 200] [--browser]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

from _django import setup

ROOT = Path(__file__).resolve().parent.parent
KINDS = ("visit_create", "case_create", "household_create", "visit_create", "visit_create")


def _items(n: int, household_id: int, dwelling_id: int, grid: str, tag: str) -> list[dict]:
    out = []
    for i in range(n):
        kind = KINDS[i % len(KINDS)]
        payload = {"visit_create": {"household": str(household_id), "notes": f"{tag} 走访 {i}"},
                   "case_create": {"category": "water", "title": f"{tag} 民情 {i}", "description": "楼道漏水",
                                   "urgency": "normal", "region_code": grid},
                   "household_create": {"dwelling": str(dwelling_id), "household_number": "", "kind": "family",
                                        "name": f"{tag}户主{i}", "number_suggested": "on"}}[kind]
        out.append({"client_id": str(uuid.uuid4()), "kind": kind, "payload": payload})
    return out


def _counts():
    from shanzhi.cases.models import Case, HomeVisit
    from shanzhi.registry.models import Household

    return {"visit_create": HomeVisit.objects.count(), "case_create": Case.objects.count(),
            "household_create": Household.objects.count()}


def _post_all(client, items) -> float:
    t0 = time.perf_counter()
    for i in range(0, len(items), 50):
        r = client.post("/api/field/sync", {"items": items[i:i + 50]}, content_type="application/json")
        assert r.status_code == 200, r.content
    return time.perf_counter() - t0


def _direct(actor, items, household, dwelling, category, grid) -> float:
    from shanzhi.cases import choices as cc
    from shanzhi.cases.patrols import home_visit_create
    from shanzhi.cases.services import case_create
    from shanzhi.registry.services import household_create_with_head

    t0 = time.perf_counter()
    for item in items:
        p = item["payload"]
        if item["kind"] == "visit_create":
            home_visit_create(actor=actor, household=household, notes=p["notes"])
        elif item["kind"] == "case_create":
            case_create(actor=actor, category=category, channel=cc.Channel.PATROL, title=p["title"],
                        description=p["description"], region_code=grid)
        else:
            household_create_with_head(actor=actor, dwelling=dwelling, number_suggested=True, head={"name": p["name"]})
    return time.perf_counter() - t0


def server_side(n: int) -> dict:
    from django.test import Client

    from shanzhi.cases.testing import make_category
    from shanzhi.core.roles import Role
    from shanzhi.core.testing import make_user, make_world
    from shanzhi.registry.models import Household
    from shanzhi.registry.testing import dwelling_in

    def household_in(code, *, dwelling, household_number):
        return Household.objects.create(region_code=code, dwelling=dwelling, household_number=household_number)

    world = make_world()
    grid = world.grid.code
    worker = make_user(Role.GRID_WORKER, grid, username=f"bench-field-{uuid.uuid4().hex[:6]}")
    category = make_category(code="water", name="水管漏水")
    dwelling = dwelling_in(grid)
    household = household_in(grid, dwelling=dwelling, household_number=f"B{uuid.uuid4().hex[:12]}")
    client = Client()
    client.force_login(worker)

    _post_all(client, _items(10, household.pk, dwelling.pk, grid, "warm"))  # both paths start warm
    _direct(worker, _items(10, household.pk, dwelling.pk, grid, "warm"), household, dwelling, category, grid)
    items = _items(n, household.pk, dwelling.pk, grid, "sync")
    before = _counts()
    sync_seconds = _post_all(client, items)
    retry_seconds = _post_all(client, items)  # every request again: answered from the receipts
    after = _counts()
    expected = {k: sum(i["kind"] == k for i in items) for k in before}
    written = {k: after[k] - before[k] for k in before}
    direct_seconds = _direct(worker, _items(n, household.pk, dwelling.pk, grid, "direct"), household, dwelling,
                             category, grid)
    return {"items": n, "sync_seconds": round(sync_seconds, 3), "retry_seconds": round(retry_seconds, 3),
            "direct_seconds": round(direct_seconds, 3), "sync_over_direct": round(sync_seconds / direct_seconds, 2),
            "duplicates": sum(max(0, written[k] - expected[k]) for k in expected),
            "lost": sum(max(0, expected[k] - written[k]) for k in expected)}


def browser() -> dict:
    env = {**os.environ, "SHANZHI_TESTING": "1"}
    env.pop("DATABASE_URL", None)  # the browser test runs in the SQLite pass
    subprocess.run([sys.executable, "-m", "pytest", "-n", "0", "-q", "tests/test_browser_field.py"], cwd=ROOT,
                   env=env, check=True)  # noqa: S603 - our own test
    return json.loads((ROOT / "var" / "bench-field.json").read_text(encoding="utf-8"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--browser", action="store_true")
    args = parser.parse_args()
    out = {"browser": browser()} if args.browser else {}
    setup("field_sync")
    out["server"] = server_side(args.items)
    print(json.dumps(out, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
