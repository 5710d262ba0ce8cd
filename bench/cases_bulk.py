"""Bulk dispatch of N accepted cases to one body with a response template (issue 22: 1,000 cases ≤ 30 s with
per-item results), against dispatching the same number of cases one by one through the same service
(`case_transition`) in the same run. Both sides do the full per-item work — scope lookup, permission check,
conditional update, history, assignment, audit, inbox messages; the bulk side adds its per-item result rows,
the template's placeholders filled per case and the job's audit row.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_casework .venv/bin/python bench/cases_bulk.py --n 1000
Without DATABASE_URL a temporary SQLite file is used. Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import time

from _django import setup


def _accepted(n: int, *, worker, leader, category, grid: str) -> list:
    """N accepted cases (not measured): one through the services, the rest copied from it in one INSERT."""
    import secrets

    from shanzhi.cases.models import Case
    from shanzhi.cases.services import case_create, case_transition

    first = case_create(actor=worker, category=category, channel="patrol", title="批量0", description="描述",
                        region_code=grid, notify_staff=False)
    first = case_transition(actor=leader, case=first, action="accept")
    skip = {"id", "number", "tracking_code", "title"}
    values = {f.attname: getattr(first, f.attname) for f in Case._meta.concrete_fields if f.attname not in skip}
    rows = [Case(**values, number=f"B{secrets.token_hex(7).upper()}", tracking_code=secrets.token_hex(4).upper(),
                 title=f"批量{i}") for i in range(1, n)]
    Case.objects.bulk_create(rows, batch_size=500)
    return [first.pk] + list(Case.objects.filter(number__in=[r.number for r in rows]).values_list("pk", flat=True))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1000)
    args = parser.parse_args()
    connection = setup("cases-bulk")

    from shanzhi.cases.bulk import case_bulk_apply
    from shanzhi.cases.models import Case, CaseHistory, HandlingBodyMember
    from shanzhi.cases.services import case_transition
    from shanzhi.cases.testing import make_body, make_category
    from shanzhi.core.roles import Role
    from shanzhi.core.testing import make_user, make_world
    from shanzhi.replies.services import template_create

    world = make_world()
    stamp = time.time_ns()
    worker = make_user(Role.GRID_WORKER, world.grid.code, username=f"bw{stamp}")
    leader = make_user(Role.GRID_LEADER, world.grid.code, username=f"bl{stamp}")
    staff = make_user(Role.COMMUNITY_STAFF, world.community.code, username=f"bs{stamp}")
    category = make_category(code=f"bulk{stamp % 100000}", name="批量")
    body = make_body(name=f"批量承办{stamp}")
    for i in range(3):
        member = make_user(Role.HANDLING_BODY_STAFF, world.street.code, username=f"bh{stamp}{i}")
        HandlingBodyMember.objects.create(body=body, user=member)
    template = template_create(actor=None, region_code=world.community.code, kind="case_reply", step="dispatch",
                               title=f"限时{stamp}", body="请于{期限}前办结{编号}（{类别}）")

    t = time.perf_counter()
    bulk_ids = _accepted(args.n, worker=worker, leader=leader, category=category, grid=world.grid.code)
    single_ids = _accepted(args.n, worker=worker, leader=leader, category=category, grid=world.grid.code)
    setup_s = time.perf_counter() - t

    t = time.perf_counter()
    report = case_bulk_apply(actor=staff, action="dispatch", ids=bulk_ids,
                             data={"body": body.pk, "template": template.pk, "note": template.body})
    bulk_s = time.perf_counter() - t

    t = time.perf_counter()
    for case in Case.objects.filter(pk__in=single_ids):
        case_transition(actor=staff, case=case, action="dispatch", data={"body": body.pk})
    single_s = time.perf_counter() - t

    dispatched = Case.objects.filter(pk__in=bulk_ids, state="dispatched", lead_body=body).count()
    with_template = CaseHistory.objects.filter(case_id__in=bulk_ids, action="dispatch", template=template).count()
    print(json.dumps({
        "bench": "cases_bulk_dispatch", "database": connection.vendor, "n": args.n,
        "bulk_seconds": round(bulk_s, 2), "one_by_one_seconds": round(single_s, 2),
        "ratio_bulk_over_one_by_one": round(bulk_s / single_s, 3) if single_s else None,
        "per_item_ms_bulk": round(1000 * bulk_s / args.n, 2), "target_seconds": 30,
        "within_target": bulk_s <= 30, "results": len(report["results"]), "ok": report["ok"],
        "refused": report["refused"], "dispatched_checked": dispatched, "history_with_template": with_template,
        "setup_seconds": round(setup_s, 1)}, ensure_ascii=False))


if __name__ == "__main__":
    main()
