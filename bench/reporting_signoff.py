"""A district's monthly sign-off (逐级审核) on PostgreSQL: 10 streets × 20 communities × 3 grids with a year of
cases, persons and volunteering (the assessment bench's loaders), then for each of the three seeded report kinds
(人口、民情、志愿服务; 12 indicators): the month's round of drafts for the 200 communities, every community's
submission, the street approval and the district approval that freezes the 200 snapshots — each step through
the services (the workflow's checks, history and audit rows per report), timed. The raw figure is the same
indicators computed over the 200 communities with `core.indicators.compute` alone, in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_signoff .venv/bin/python bench/reporting_signoff.py
Prints JSON. --cases N (default 100,000) scales the cases.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._django import setup  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=100_000)
    args = ap.parse_args()
    setup("reporting")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from bench.assessment import load_cases, load_participation, regions
    from shanzhi.accounts.models import RoleGrant, User
    from shanzhi.regions.models import Region
    from shanzhi.reporting import selectors, services
    from shanzhi.reporting.models import Report, ReportKind

    rng = random.Random(1)
    now = timezone.now()
    t = time.perf_counter()
    communities, grids = regions()
    load_cases(args.cases, grids, rng, now - dt.timedelta(days=365), now)
    load_participation(communities, grids, rng, now - dt.timedelta(days=365), now)
    load_s = time.perf_counter() - t

    district = Region.objects.get(code="321002")

    def user(name, role):
        u, _ = User.objects.get_or_create(username=name)
        RoleGrant.objects.get_or_create(user=u, role=role, region_code=district.code, defaults={"region": district})
        return u

    staff, street, manager = (user("bench-staff", "community_staff"), user("bench-street", "street_manager"),
                              user("bench-district", "district_manager"))
    period = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)  # last month
    kinds = list(ReportKind.objects.filter(key__in=["population", "cases", "volunteering"]))
    Report.objects.filter(period=period).delete()

    t = time.perf_counter()
    raw = {k.key: services.compute_values(k, communities, period) for k in kinds}
    raw_s = time.perf_counter() - t

    steps = {"prepare": 0.0, "submit": 0.0, "street": 0.0, "district": 0.0}
    queries = 0
    per_kind = {}
    for kind in kinds:
        t = time.perf_counter()
        made = services.reports_prepare_round(actor=manager, kind=kind, region_code=district.code, period=period)
        prepare_s = time.perf_counter() - t
        steps["prepare"] += prepare_s
        t = time.perf_counter()
        for r in Report.objects.filter(pk__in=[m.pk for m in made]):
            services.report_transition(actor=staff, report=r, action="submit")
        steps["submit"] += time.perf_counter() - t
        t = time.perf_counter()
        services.reports_approve_all(actor=street, kind=kind, period=period, state="submitted",
                                     reports=selectors.report_list(actor=street))
        steps["street"] += time.perf_counter() - t
        with CaptureQueriesContext(connection) as ctx:
            t = time.perf_counter()
            results = services.reports_approve_all(actor=manager, kind=kind, period=period, state="street_approved",
                                                   reports=selectors.report_list(actor=manager))
            district_s = time.perf_counter() - t
        steps["district"] += district_s
        queries += len(ctx.captured_queries)
        per_kind[kind.key] = round(prepare_s + district_s, 3)
        assert all(not reason for _r, reason in results) and len(results) == len(communities)
    frozen = Report.objects.filter(period=period, state="approved").exclude(sealed="").count()
    agree = all(Report.objects.get(period=period, kind=k, region_code=c).values == {
        key: raw[k.key][c][key] for key in k.indicators} for k in kinds for c in communities[:20])
    snapshot_s = steps["prepare"] + steps["district"]
    print(json.dumps({
        "bench": "reporting_signoff", "database": connection.vendor, "communities": len(communities),
        "kinds": len(kinds), "indicators": sum(len(k.indicators) for k in kinds), "cases": args.cases,
        "reports_frozen": frozen, "figures_agree_with_raw": agree, "load_s": round(load_s, 1),
        "raw_indicators_s": round(raw_s, 3),
        "steps_s": {k: round(v, 3) for k, v in steps.items()},
        "district_snapshot_s": round(snapshot_s, 3),
        "whole_chain_s": round(sum(steps.values()), 3),
        "snapshot_vs_raw": round(snapshot_s / raw_s, 2) if raw_s else None,
        "snapshot_per_kind_s": per_kind, "district_queries_per_report": round(queries / max(frozen, 1), 3),
        "district_queries_per_kind": round(queries / max(len(kinds), 1), 1),
        "limit_s": 10, "within_limit_per_kind": all(v <= 10 for v in per_kind.values()),
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
