"""Street and district 民情指数 dashboards over 1,000,000 cases on PostgreSQL.

Loads 1,000 grids (1 district × 10 streets × 10 communities × 10 grids) and 1,000,000 cases spread
over 60 days with COPY, builds the daily rollup, then times the dashboard's data path
(`insight.kpis_by_child` + `kpis_total` + `trend` + the map's `selectors.case_map_points` for a
manager of that region, what cases.views.dashboard calls) for a street and for the district: p50/p95
over repeated runs and the number of queries. 80 % of the cases carry a location. The peer is the
same KPIs computed by scanning the cases table directly in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shanzhi_cases_bench .venv/bin/python bench/cases_dashboard.py
Prints JSON. Use --cases N for a smaller run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shanzhi.settings")


def setup_db():
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def load(n_cases: int, seed: int = 1):
    from django.db import connection

    from shanzhi.cases.models import Case, Category, DailyRollup
    from shanzhi.regions.choices import Level
    from shanzhi.regions.models import Region

    if Case.objects.count() >= n_cases:
        return
    Case.objects.all().delete()
    DailyRollup.objects.all().delete()
    city, _ = Region.objects.get_or_create(code="3210", defaults={"name": "扬州市", "level": Level.CITY})
    district, _ = Region.objects.get_or_create(code="321002", defaults={"name": "广陵区", "level": Level.DISTRICT,
                                                                        "parent": city})
    grids = []
    for s in range(1, 11):
        street, _ = Region.objects.get_or_create(code=f"321002{s:03d}", defaults={
            "name": f"街道{s}", "level": Level.STREET, "parent": district})
        for m in range(1, 11):
            com, _ = Region.objects.get_or_create(code=f"{street.code}{m:03d}", defaults={
                "name": f"社区{s}-{m}", "level": Level.COMMUNITY, "parent": street, "population": 8000})
            for g in range(1, 11):
                grid, _ = Region.objects.get_or_create(code=f"{com.code}{g:03d}", defaults={
                    "name": f"网格{s}-{m}-{g}", "level": Level.GRID, "parent": com, "population": 800})
                grids.append(grid.code)
    cat, _ = Category.objects.get_or_create(code="bench", defaults={"name": "基准类别"})
    rng = random.Random(seed)
    now = dt.datetime.now(dt.UTC)
    cols = ["number", "region_code", "category_id", "channel", "title", "description", "urgency", "extra", "address",
            "reporter_name", "reporter_phone_enc", "anonymous", "tracking_code", "state", "version", "level",
            "outcome", "outcome_note", "is_repeat", "reopen_count", "step", "due_estimated", "alert_level",
            "created_at", "accepted_at", "accepted_on_time", "completed_at", "completed_on_time", "updated_at",
            "lat", "lng", "external_ref", "import_fingerprint"]
    states = ["reported", "accepted", "dispatched", "handling", "completed", "verified", "feedback", "rated",
              "archived", "rejected"]
    with connection.cursor() as cur, cur.connection.cursor().copy(
            f"COPY cases_case ({', '.join(cols)}) FROM STDIN") as copy:
        for i in range(n_cases):
            created = now - dt.timedelta(seconds=rng.uniform(0, 60 * 86400))
            state = rng.choice(states)
            accepted = created + dt.timedelta(hours=rng.uniform(1, 40)) if state != "reported" else None
            done = state in ("completed", "verified", "feedback", "rated", "archived")
            completed = accepted + dt.timedelta(hours=rng.uniform(5, 200)) if done else None
            copy.write_row([f"B{i:09d}", rng.choice(grids), cat.pk, "patrol", "基准", "基准", "normal", "{}", "", "",
                            "", False, "", state, 1, 0, "fixed" if done else "", "", rng.random() < 0.05, 0, "",
                            False, 0, created, accepted, None if accepted is None else rng.random() < 0.9,
                            completed, None if completed is None else rng.random() < 0.8, now,
                            *((32.39 + rng.uniform(0, 0.1), 119.42 + rng.uniform(0, 0.1)) if rng.random() < 0.8
                              else (None, None)), "", ""])
    with connection.cursor() as cur:
        cur.execute("ANALYZE cases_case")


def timed(fn, runs):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    queries = len(ctx.captured_queries)
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    return {"p50_ms": round(statistics.median(samples), 2),
            "p95_ms": round(samples[max(0, int(len(samples) * 0.95) - 1)], 2), "queries": queries}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=50)
    args = ap.parse_args()
    setup_db()
    from django.db import connection
    from django.db.models import Count, Q
    from django.db.models.functions import Substr

    from shanzhi.cases import insight
    from shanzhi.cases.models import Case
    from shanzhi.core.scoping import prefix_q

    if connection.vendor != "postgresql":
        print(json.dumps({"skipped": "needs PostgreSQL (DATABASE_URL)"}))
        return
    t = time.perf_counter()
    load(args.cases)
    load_s = time.perf_counter() - t
    start, end = insight.window(30)
    t = time.perf_counter()
    rows = insight.rollup_build(start=end - dt.timedelta(days=61), end=end)
    rollup_s = time.perf_counter() - t

    from shanzhi.cases.selectors import case_map_points
    from shanzhi.core.roles import Role
    from shanzhi.core.testing import make_user

    stamp = time.time_ns()
    managers = {"321002001": make_user(Role.STREET_MANAGER, "321002001", username=f"bs{stamp}"),
                "321002": make_user(Role.DISTRICT_MANAGER, "321002", username=f"bd{stamp}")}

    def dashboard(prefix, child_len):
        def run():
            insight.kpis_by_child(codes=children[prefix], start=start, end=end)
            insight.kpis_total(prefix=prefix, start=start, end=end)
            insight.trend(prefix=prefix, start=end - dt.timedelta(days=59), end=end)
            assert len(case_map_points(actor=managers[prefix], prefix=prefix)) == 500
        return run

    def raw_scan(prefix, child_len):
        lo = dt.datetime.combine(start, dt.time(), insight.TZ)

        def run():
            list(Case.objects.filter(prefix_q("region_code", [prefix]), created_at__gte=lo)
                 .annotate(child=Substr("region_code", 1, child_len)).values("child")
                 .annotate(n=Count("id"), ok=Count("id", filter=Q(completed_on_time=True)),
                           fixed=Count("id", filter=Q(outcome="fixed"))).order_by())
        return run

    from shanzhi.regions.models import Region

    children = {p: list(Region.objects.filter(parent__code=p).values_list("code", flat=True))
                for p in ("321002001", "321002")}
    out = {"cases": Case.objects.count(), "load_s": round(load_s, 1), "rollup_rows": rows,
           "rollup_build_s": round(rollup_s, 1)}
    for name, prefix, child_len in (("street", "321002001", 12), ("district", "321002", 9)):
        mine = timed(dashboard(prefix, child_len), args.runs)
        peer = timed(raw_scan(prefix, child_len), max(5, args.runs // 10))
        out[name] = {"rollup": mine, "scan_cases": peer, "speedup_p95": round(peer["p95_ms"] / mine["p95_ms"], 1)}
    print(json.dumps(out, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
