"""Bench: 项目化 at district scale, and concurrent payment approvals against one contract.

1. Seeds 10,000 projects (with their applications, 200 organisations in 20 communities, one programme per kind)
   and 100,000 released payments, in two steps: first 1,000 projects / 10,000 payments, then the rest. At both
   sizes it renders the workbench project list (/projects/) and the district dashboard (/projects/dashboard/)
   as a district manager through the test client and times RUNS requests each: p50/p95 in ms and the number of
   queries per request (which must not grow with the data).
2. 50 threads approve 50 payment requests of one contract at the same moment, each asking more than the
   contract has left over 50: successes must equal what the remaining amount allows, the contract is never
   overpaid, and the money ledger reconciles (entries sum to zero, every balance is its entries' sum).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_projects python bench/projects.py
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._django import percentile, setup  # noqa: E402

connection = setup("projects")

from django.db import connection as conn  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from shanzhi.accounts.models import RoleGrant, User  # noqa: E402
from shanzhi.core.errors import ServiceError  # noqa: E402
from shanzhi.core.testing import make_world, verified_login  # noqa: E402
from shanzhi.organisations.models import Organisation  # noqa: E402
from shanzhi.projects import money, selectors, services  # noqa: E402
from shanzhi.projects.models import Application, Call, Milestone, Payment, Programme, Project  # noqa: E402
from shanzhi.regions.models import Region  # noqa: E402

PROJECTS, PAYMENTS_EACH = int(os.environ.get("BENCH_PROJECTS", 10_000)), 10
RUNS = int(os.environ.get("BENCH_RUNS", 60))
THREADS = int(os.environ.get("BENCH_THREADS", 50))
BATCH = 2000
KINDS = ["purchase", "venture", "grant", "award"]


def _user(username, role, code):
    user, _ = User.objects.get_or_create(username=username)
    RoleGrant.objects.get_or_create(user=user, role=role, region_code=code,
                                    defaults={"region": Region.objects.get(code=code)})
    return user


def _base():
    world = make_world()
    communities = []
    for c in range(20):
        code = f"321002004{c + 101:03d}"
        Region.objects.get_or_create(code=code, defaults={"name": f"压测社区{c}", "level": "community",
                                                          "parent": world.street})
        communities.append(code)
    owner = _user("bench-street", "street_manager", world.street.code)
    orgs = list(Organisation.objects.filter(name__startswith="压测组织"))
    if not orgs:
        orgs = Organisation.objects.bulk_create([Organisation(region_code=world.street.code, name=f"压测组织{i}",
                                                              kind="service_inst", legal_rep="x", grade=3)
                                                 for i in range(200)])
    programmes = list(Programme.objects.filter(name__startswith="压测资金"))
    if not programmes:
        programmes = [services.programme_create(actor=owner, region_code=world.street.code, name=f"压测资金{k}",
                                                 kind=k, year=2026, budget_fen=10**13) for k in KINDS]
    today = date.today()
    calls = list(Call.objects.filter(title__startswith="压测征集"))
    if not calls:
        calls = [Call.objects.create(region_code=p.region_code, programme=p, title=f"压测征集{p.kind}",
                                     opens_on=today, closes_on=today, max_amount_fen=10**9) for p in programmes]
    return world, owner, communities, orgs, calls


def seed_to(n: int, owner, communities, orgs, calls) -> None:
    have = Project.objects.filter(contract_no__startswith="B-").count()
    today = date.today()
    now = timezone.now()
    while have < n:
        size = min(BATCH, n - have)
        apps = Application.objects.bulk_create([Application(
            call=calls[i % 4], organisation=orgs[i % len(orgs)], region_code=communities[i % len(communities)],
            title=f"压测项目{i}", objectives="o", activities="a", budget_lines=[], amount_fen=100_000_00,
            target_beneficiaries=50, state="contracted", submitted_by=owner) for i in range(have, have + size)])
        projects = Project.objects.bulk_create([Project(
            application=a, programme_id=a.call.programme_id, organisation=a.organisation, region_code=a.region_code,
            title=a.title, kind=KINDS[i % 4], contract_no=f"B-{have + i:07d}", amount_fen=100_000_00,
            paid_fen=PAYMENTS_EACH * 10_000_00 if i % 2 else 5 * 10_000_00, starts_on=today,
            ends_on=today + timedelta(days=365), beneficiaries=40 + i % 30, state=["delivering", "midterm", "final"][i % 3],
            signed_by=owner) for i, a in enumerate(apps)])
        milestones = Milestone.objects.bulk_create([Milestone(
            project=p, region_code=p.region_code, seq=1, title="m", deliverable="d", due_on=today,
            instalment_fen=p.amount_fen, state="accepted") for p in projects])
        Payment.objects.bulk_create([Payment(
            project=m.project, milestone=m, region_code=m.region_code, amount_fen=10_000_00, state="released",
            requested_by=owner, released_by=owner, released_at=now) for m in milestones
            for _ in range(PAYMENTS_EACH)], batch_size=BATCH * 5)
        have += size
    if conn.vendor == "postgresql":
        with conn.cursor() as cur:  # what autovacuum would do after a bulk load: fresh planner statistics
            cur.execute("ANALYZE projects_project, projects_application, projects_payment, projects_milestone")


def _selectors_only(actor):
    """The page's reads without the web stack and the template: the database's share of a page."""
    return {
        "project_list": lambda: (list(selectors.application_list(actor=actor, open_only=True)[:30]),
                                 list(selectors.project_list(actor=actor)[:50])),
        "district_dashboard": lambda: selectors.dashboard(actor=actor),
    }


def time_pages(client, actor) -> dict:
    out = {}
    reads = _selectors_only(actor)
    for name, url in (("project_list", "/projects/"), ("district_dashboard", "/projects/dashboard/")):
        client.get(url)
        times, queries = [], 0
        for _ in range(RUNS):
            with CaptureQueriesContext(conn) as ctx:
                t0 = time.perf_counter()
                resp = client.get(url)
                times.append((time.perf_counter() - t0) * 1000)
            assert resp.status_code == 200, (url, resp.status_code)
            queries = len(ctx.captured_queries)
        db = []
        for _ in range(RUNS):
            t0 = time.perf_counter()
            reads[name]()
            db.append((time.perf_counter() - t0) * 1000)
        out[name] = {"p50_ms": round(statistics.median(times), 1), "p95_ms": round(percentile(times, 0.95), 1),
                     "queries": queries, "reads_only_p50_ms": round(statistics.median(db), 1),
                     "reads_only_p95_ms": round(percentile(db, 0.95), 1)}
    return out


def concurrent_payments(world, owner, orgs, calls) -> dict:
    manager = _user("bench-street-2", "street_manager", world.street.code)
    stamp = time.time_ns()
    app = Application.objects.create(call=calls[0], organisation=orgs[0], region_code=world.community.code,
                                     title="并发拨付", objectives="o", activities="a", budget_lines=[],
                                     amount_fen=1_000_000_00, target_beneficiaries=1, state="approved",
                                     submitted_by=owner)
    project = services.contract_sign(actor=manager, application=app, contract_no=f"C-{stamp}", starts_on=date.today(),
                                     ends_on=date.today(), milestones=[{"title": "m", "deliverable": "d",
                                                                        "due_on": date.today(),
                                                                        "instalment_fen": 1_000_000_00}])
    m = project.milestones.get()
    Milestone.objects.filter(pk=m.pk).update(state="accepted")
    amount = 30_000_00  # 50 × 30,000 = 1,500,000 asked of 1,000,000: 33 fit
    payments = Payment.objects.bulk_create([Payment(project=project, milestone=m, region_code=project.region_code,
                                                    amount_fen=amount, requested_by=owner) for _ in range(THREADS)])
    barrier, outcomes, lock = threading.Barrier(THREADS), [], threading.Lock()

    def release(payment):
        try:
            barrier.wait()
            services.payment_release(actor=manager, payment=payment)
            result = "ok"
        except ServiceError:
            result = "refused"
        finally:
            conn.close()
        with lock:
            outcomes.append(result)

    t0 = time.perf_counter()
    threads = [threading.Thread(target=release, args=(p,)) for p in payments]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    project.refresh_from_db()
    allowed = project.amount_fen // amount
    rec = money.reconcile()
    return {"threads": THREADS, "contract_fen": project.amount_fen, "each_fen": amount, "allowed": allowed,
            "succeeded": outcomes.count("ok"), "refused": outcomes.count("refused"), "paid_fen": project.paid_fen,
            "released_rows": Payment.objects.filter(project=project, state="released").count(),
            "contract_account_balance_fen": money.project_account(project).balance,
            "overspent": project.paid_fen > project.amount_fen, "ledger_reconciles": rec["ok"],
            "seconds": round(elapsed, 2),
            "ok": outcomes.count("ok") == allowed and project.paid_fen == allowed * amount and rec["ok"]}


def main() -> None:
    world, owner, communities, orgs, calls = _base()
    district = _user("bench-district", "district_manager", world.district.code)
    client = Client()
    verified_login(client, district)
    result = {"backend": conn.vendor}
    small = PROJECTS // 10
    seed_to(small, owner, communities, orgs, calls)
    result[f"at_{small}_projects"] = time_pages(client, district)
    seed_to(PROJECTS, owner, communities, orgs, calls)
    result[f"at_{PROJECTS}_projects"] = {**time_pages(client, district), "payments": Payment.objects.count()}
    result["load_average"] = os.getloadavg()[0]
    result["concurrent_payments"] = concurrent_payments(world, owner, orgs, calls)
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
