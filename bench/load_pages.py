"""Queries and time per request for every page type the load test (bench/locustfile.py) hits, on the demo data.

Runs each page through Django's test client as the demo account of its role (the load test's accounts copy
those roles and scopes), after one warm-up request, and counts the SQL of each request with
`CaptureQueriesContext`. The peer in the same run is `/healthz/` (the cheapest request the stack answers), so the
ratio column stays comparable on a loaded machine.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/load_pages .venv/bin/python bench/load_pages.py
    ... --repeat 20 --show-sql "staff: case list"   (prints that page's SQL, grouped, most repeated first)

The database is created, migrated and filled with `shanzhi demo` when it has no demo accounts. Prints JSON.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._django import percentile, setup  # noqa: E402

# (locust user kind = demo account, url, request name) — the same pages as bench/locustfile.py
PAGES = [
    ("grid_worker", "/registry/persons/", "grid: roster"),
    ("grid_worker", "/cases/new/", "grid: case filing form"),
    ("grid_worker", "/cases/visits/", "grid: visits"),
    ("grid_worker", "/", "grid: workbench"),
    ("community_staff", "/cases/", "staff: case list"),
    ("community_staff", "/cases/{case}/", "staff: case detail"),
    ("community_staff", "/cases/export/", "staff: case export"),
    ("community_staff", "/api/cases/?limit=20", "staff: API case list"),
    ("street_manager", "/cases/dashboard/", "manager: cases dashboard"),
    ("street_manager", "/analytics/", "manager: analytics dashboard"),
    ("resident", "/cases/report/", "resident: report form"),
    ("resident", "/cases/mine/", "resident: my cases"),
    ("resident", "/open311/v2/requests.json", "resident: Open311 list"),
    ("resident", "/public/", "resident: public notices"),
]


def shape(sql: str) -> str:
    """The query with its literals replaced, so repeated queries (N+1) group together."""
    sql = re.sub(r"'(?:[^']|'')*'", "?", sql)
    sql = re.sub(r"\b\d+\b", "?", sql)
    return re.sub(r"\(\?(?:, \?)+\)", "(…)", sql)


# the writes of the load mix: (demo account, request name), measured by `writes`
WRITES = [("grid_worker", "grid: file a case"), ("community_staff", "staff: case transition"),
          ("resident", "resident: follow a case")]


def writes(args, client_for, measure_post) -> dict:
    """The load mix's POSTs, each --repeat times on fresh targets (the load test's own helpers pick them): a case
    filed, a reported case accepted, an open case followed by a resident made for this run."""
    import uuid

    from bench.load_test import _followable, _reported_cases
    from shanzhi.accounts.models import RoleGrant, User
    from shanzhi.cases.models import Category

    category = next(cat for cat in Category.objects.filter(active=True, children__isnull=True, is_public=True)
                    if not any(f.get("required") for f in cat.extra_fields or []))
    grid = RoleGrant.objects.filter(user__username="grid_worker").values_list("region_code", flat=True)[0]
    staff = User.objects.get(username="community_staff")
    staff_code = RoleGrant.objects.filter(user=staff).values_list("region_code", flat=True)[0]
    to_accept = _reported_cases({"user": staff, "region_code": staff_code}, category, args.repeat)
    resident_grant = RoleGrant.objects.filter(user__username="resident").first()
    resident = User.objects.create(username=f"bench-resident-{uuid.uuid4().hex[:8]}", display_name="压测居民")
    RoleGrant.objects.create(user=resident, role=resident_grant.role, region_code=resident_grant.region_code,
                             region=resident_grant.region)
    to_follow = _followable(resident)[:args.repeat]
    targets = {
        "grid: file a case": [("/cases/new/", {"channel": "patrol", "category": category.pk, "region_code": grid,
                                               "urgency": "normal", "title": "压测巡查：路灯不亮",
                                               "description": "压测：巡查发现小区路灯不亮，需要维修。", "address": ""})]
        * args.repeat,
        "staff: case transition": [(f"/cases/{c['id']}/act/", {"action": "accept", "version": c["version"]})
                                   for c in to_accept],
        "resident: follow a case": [(f"/cases/{pk}/follow/", {}) for pk in to_follow],
    }
    clients = {"resident": None}
    out = {}
    for kind, name in WRITES:
        if args.only and args.only not in name:
            continue
        if kind == "resident":
            clients["resident"] = clients["resident"] or _signed_in(resident)
            client = clients["resident"]
        else:
            client = client_for(kind)
        runs = [measure_post(client, url, data) for url, data in targets[name]]
        times = [ms for ms, _, _ in runs]
        out[name] = {"requests": len(runs), "ok": sum(1 for *_, outcome in runs if outcome == "ok"),
                     "outcomes": sorted({outcome for *_, outcome in runs}),
                     "queries": max((q for _, q, _ in runs), default=0),
                     "p50_ms": round(statistics.median(times), 1) if times else None}
    return out


def _signed_in(user):
    from django.test import Client

    from shanzhi.core.testing import verified_login

    client = Client()
    verified_login(client, user)
    return client


def node_costs(request, repeat: int, top: int = int(os.environ.get("NODES_TOP", 30))) -> list[str]:
    """Run `request` `repeat` times with every template node timed; the costliest nodes by exclusive time."""
    from django.template.base import Node

    plain = Node.render_annotated
    spent, stack = Counter(), []

    def timed(self, context):
        t = time.perf_counter()
        stack.append(0.0)
        try:
            return plain(self, context)
        finally:
            inner = stack.pop()
            total = time.perf_counter() - t
            if stack:
                stack[-1] += total
            origin = getattr(self, "origin", None)
            token = getattr(self, "token", None)
            key = f"{getattr(origin, 'template_name', '?')}:{getattr(token, 'lineno', '?')} {type(self).__name__} " \
                  f"{(getattr(token, 'contents', '') or '')[:60]}"
            spent[key] += total - inner

    Node.render_annotated = timed
    try:
        for _ in range(repeat):
            request()
    finally:
        Node.render_annotated = plain
    return [f"{ms * 1000 / repeat:7.2f}  {key}" for key, ms in spent.most_common(top)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--skip-writes", action="store_true", help="pages only (the writes add cases to the database)")
    parser.add_argument("--only", default="", help="substring of the page names to run")
    parser.add_argument("--nodes", default="", help="print the template nodes that cost most (exclusive time) in the"
                        " pages whose name contains this")
    parser.add_argument("--show-sql", default="", help="print the SQL of the pages whose name contains this")
    parser.add_argument("--profile", default="", help="print a cProfile of the pages whose name contains this")
    parser.add_argument("--pyinstrument", default="", help="print a pyinstrument tree of the pages whose name contains"
                        " this (--repeat requests, sampled together)")
    args = parser.parse_args()
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/load_pages")
    setup("load_pages")
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, connections
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from shanzhi.accounts.models import RoleGrant, User
    from shanzhi.cases.models import Case
    from shanzhi.core.testing import verified_login

    settings.ALLOWED_HOSTS = ["*"]
    # plain static names: the pages, not a manifest from collectstatic (as the tests do)
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    if not User.objects.filter(username="community_staff").exists():
        call_command("demo", verbosity=0)
    staff_code = RoleGrant.objects.filter(user__username="community_staff").values_list("region_code", flat=True)[0]
    case_id = Case.objects.filter(region_code__startswith=staff_code).order_by("pk").values_list("pk", flat=True)[0]

    clients = {}

    def client_for(kind):
        if kind not in clients:
            c = Client()
            verified_login(c, User.objects.get(username=kind))
            clients[kind] = c
        return clients[kind]

    from django.template import base as template_base

    rendering = {"depth": 0, "ms": 0.0}
    plain_render = template_base.Template.render

    def timed_render(self, context):
        """Template.render, timing only the outermost render (includes and panels are inside it)."""
        rendering["depth"] += 1
        t = time.perf_counter()
        try:
            return plain_render(self, context)
        finally:
            rendering["depth"] -= 1
            if not rendering["depth"]:
                rendering["ms"] += (time.perf_counter() - t) * 1000

    template_base.Template.render = timed_render

    def measure(client, url):
        times, cpu, render, queries, status, captured = [], [], [], [], None, None
        client.get(url)  # warm-up: process-local memos, template loading
        for _ in range(args.repeat):
            aliases = list(connections)
            ctxs = [CaptureQueriesContext(connections[a]) for a in aliases]
            for c in ctxs:
                c.__enter__()
            rendering["ms"] = 0.0
            t0, c0 = time.perf_counter(), time.process_time()
            r = client.get(url)
            if hasattr(r, "streaming_content"):
                b"".join(r.streaming_content)
            times.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
            render.append(rendering["ms"])
            for c in ctxs:
                c.__exit__(None, None, None)
            status = r.status_code
            queries.append(sum(len(c.captured_queries) for c in ctxs))
            captured = [q["sql"] for c in ctxs for q in c.captured_queries]
        return status, times, {"cpu": cpu, "render": render}, queries, captured

    def measure_post(client, url, data):
        """One POST (timed, its SQL counted) and the page it redirects to (not timed): ms, queries, outcome."""
        aliases = list(connections)
        ctxs = [CaptureQueriesContext(connections[a]) for a in aliases]
        for c in ctxs:
            c.__enter__()
        t0 = time.perf_counter()
        r = client.post(url, data)
        ms = (time.perf_counter() - t0) * 1000
        for c in ctxs:
            c.__exit__(None, None, None)
        queries = sum(len(c.captured_queries) for c in ctxs)
        if r.status_code != 302:
            return ms, queries, f"status {r.status_code}"
        page = client.get(r["Location"])
        ok = page.status_code == 200 and b"alert alert-success" in page.content
        return ms, queries, "ok" if ok else f"refused ({page.status_code}, {r['Location']})"

    base_status, base_times, _, _, _ = measure(Client(), "/healthz/")
    base_p50 = statistics.median(base_times)
    out = {"benchmark": "load_pages", "database": connection.vendor, "repeat": args.repeat,
           "load_average": [round(x, 2) for x in os.getloadavg()],
           "peer": {"url": "/healthz/", "status": base_status, "p50_ms": round(base_p50, 2)}, "pages": {}}
    for kind, url, name in PAGES:
        if args.only and args.only not in name:
            continue
        url = url.format(case=case_id)
        status, times, parts, queries, captured = measure(client_for(kind), url)
        p50 = statistics.median(times)
        out["pages"][name] = {"url": url, "status": status, "queries": max(queries),
                              "p50_ms": round(p50, 1), "p95_ms": round(percentile(times, 0.95), 1),
                              "cpu_p50_ms": round(statistics.median(parts["cpu"]), 1),
                              "render_p50_ms": round(statistics.median(parts["render"]), 1),
                              "ratio_to_peer": round(p50 / base_p50, 1)}
        if args.profile and args.profile in name:
            import cProfile
            import pstats

            prof = cProfile.Profile()
            prof.runcall(client_for(kind).get, url)
            print(f"--- {name}: profile", file=sys.stderr)
            pstats.Stats(prof, stream=sys.stderr).sort_stats(os.environ.get("PROFILE_SORT", "cumulative")).print_stats(int(os.environ.get("PROFILE_N", 45)))
        if args.pyinstrument and args.pyinstrument in name:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0005)
            with profiler:
                for _ in range(args.repeat):
                    client_for(kind).get(url)
            print(f"--- {name}: pyinstrument, {args.repeat} requests", file=sys.stderr)
            print(profiler.output_text(unicode=True, show_all=False), file=sys.stderr)
        if args.nodes and args.nodes in name:
            print(f"--- {name}: template nodes by exclusive time, ms per request", file=sys.stderr)
            for line in node_costs(functools.partial(client_for(kind).get, url), args.repeat):
                print(line, file=sys.stderr)
        if args.show_sql and args.show_sql in name:
            grouped = Counter(shape(s) for s in captured)
            print(f"--- {name}: {len(captured)} queries", file=sys.stderr)
            for sql, n in grouped.most_common():
                print(f"{n:4d} × {sql[:400]}", file=sys.stderr)
    if not args.skip_writes and (not args.only or any(args.only in name for _, name in WRITES)):
        out["writes"] = writes(args, client_for, measure_post)
    out["total_queries"] = sum(p["queries"] for p in out["pages"].values())
    print(json.dumps(out, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
