"""Property and services bench (issue 16), JSON on stdout. PostgreSQL: DATABASE_URL=postgres://…/h_property.

1. 100 concurrent bookings of one venue slot (100 threads, one connection each) → exactly one succeeds.
2. The monthly statement and the year-end surplus split of a 2,000-dwelling self-managed estate (with a month of
   2,000 receipted collections on the ledger: 1,000 one at a time at the desk, 1,000 as one imported batch,
   per-receipt time of each and the ratio), timed; target ≤ 1 s each.
3. The 便民服务地图's point query for a street with 5,000 points: p95 over 200 runs; target ≤ 50 ms. The raw
   query (same filter, values only) is timed beside it as the peer.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import statistics
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shanzhi.settings_test")
os.environ.setdefault("SHANZHI_TESTING", "1")

import django  # noqa: E402

django.setup()

from django.db import connection, connections  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

THREADS = int(os.environ.get("BENCH_THREADS", "80"))


def main() -> dict:
    setup_test_environment()
    old = connection.creation.create_test_db(verbosity=0, keepdb=False)
    try:
        return run()
    finally:
        connections.close_all()
        connection.creation.destroy_test_db(old, verbosity=0)


def run() -> dict:
    from django.utils import timezone

    from shanzhi.core.roles import Role
    from shanzhi.core.testing import make_user, make_world
    from shanzhi.ledger.selectors import reconcile
    from shanzhi.property import services as ps
    from shanzhi.property.models import FeeBill
    from shanzhi.property.selectors import reconcile_estate
    from shanzhi.property.testing import make_estate
    from shanzhi.registry.models import Dwelling
    from shanzhi.services import selectors as ss
    from shanzhi.services import services as sv
    from shanzhi.services.models import Booking, ServicePoint
    from shanzhi.services.testing import make_venue

    out = {"database": connection.vendor}
    world = make_world()

    # 1. one slot, 100 bookers at once
    venue = make_venue(world.community.code, capacity=500)
    users = [make_user(Role.RESIDENT, world.grid.code) for _ in range(100)]
    day = timezone.localdate() + dt.timedelta(days=1)
    # PostgreSQL allows 100 connections in all (shared with other work): THREADS connections book the 100 at once
    n_threads = min(THREADS, len(users))
    barrier = threading.Barrier(n_threads)
    results = []

    def book(batch):
        barrier.wait()
        for u in batch:
            try:
                sv.booking_create(actor=u, venue=venue, date=day, start=dt.time(9), purpose="排练")
                results.append("ok")
            except Exception as e:  # noqa: BLE001 — a refusal is the expected outcome for 99 of them
                results.append(type(e).__name__)
        connection.close()

    t0 = time.perf_counter()
    threads = [threading.Thread(target=book, args=(users[i::n_threads],)) for i in range(n_threads)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    out["bookings"] = {"attempts": len(users), "threads": n_threads, "succeeded": results.count("ok"),
                       "refused": len(results) - results.count("ok"),
                       "refusals": sorted(set(results) - {"ok"}),
                       "rows_holding_the_slot": Booking.objects.filter(venue=venue, date=day).count(),
                       "seconds": round(time.perf_counter() - t0, 3)}

    # 2. a 2,000-dwelling self-managed estate
    staff = make_user(Role.COMMUNITY_STAFF, world.community.code)
    estate = make_estate(world.grid.code, dwellings=0)
    building = estate.buildings.first()
    Dwelling.objects.bulk_create([Dwelling(region_code=world.grid.code, building=building, floor=i // 20 + 1,
                                           room=f"{i:04d}", area=Decimal(50 + i % 70)) for i in range(2000)])
    sme = ps.sme_create(actor=staff, estate=estate, group_name="自管小组", started_on=dt.date(2025, 1, 1))
    sme.fee_basis, sme.fee_amount, sme.surplus_rule = "per_area", 30, "area"
    sme.save()
    month = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    t0 = time.perf_counter()
    ps.bills_generate(actor=staff, sme=sme, month=month)
    bills_s = time.perf_counter() - t0
    bills = list(FeeBill.objects.filter(estate=sme).order_by("pk"))
    t0 = time.perf_counter()
    for i, bill in enumerate(bills[:1000]):   # at the desk, one receipt at a time
        ps.collection_record(actor=staff, sme=sme, bill=bill, amount=bill.amount, method="cash", receipt_no=f"R{i}",
                             date=month + dt.timedelta(days=i % 25))
    one_by_one_s = time.perf_counter() - t0
    t0 = time.perf_counter()                  # the other 1,000 as one batch (a bank statement imported)
    ps.collections_record_batch(actor=staff, sme=sme, idempotency_key="bench", items=[
        ps.CollectionItem(row=i + 2, bill=bill, amount=bill.amount, method="transfer", receipt_no=f"T{i}",
                          date=month + dt.timedelta(days=i % 25)) for i, bill in enumerate(bills[1000:])])
    batch_s = time.perf_counter() - t0
    collect_s = one_by_one_s + batch_s
    ps.expense_record(actor=staff, sme=sme, amount=100_000, payee="保洁", purpose="保洁工资", receipt_no="F1",
                      date=month + dt.timedelta(days=26))
    t0 = time.perf_counter()
    statement = ps.statement_prepare(actor=staff, sme=sme, month=month)
    statement_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    ret = ps.surplus_return(actor=staff, sme=sme, year=month.year, total=statement.closing // 2)
    surplus_s = time.perf_counter() - t0
    books = reconcile_estate(sme)
    out["estate"] = {"dwellings": 2000, "bills_generate_s": round(bills_s, 3),
                     "collections_2000_s": round(collect_s, 2),
                     "receipt_ms_one_by_one": round(one_by_one_s, 3), "receipt_ms_in_batch": round(batch_s, 3),
                     "batch_speedup": round(one_by_one_s / batch_s, 1) if batch_s else None,
                     "statement_s": round(statement_s, 3), "surplus_split_s": round(surplus_s, 3),
                     "shares": ret.shares.count(), "shares_sum_equals_total": sum(
                         ret.shares.values_list("amount", flat=True)) == ret.total,
                     "books_ok": books.ok, "ledger_reconciled": reconcile().ok,
                     "target_s": 1.0}

    # 3. 5,000 points in one street
    codes = [world.grid.code, world.grid2.code]
    ServicePoint.objects.bulk_create([ServicePoint(region_code=codes[i % 2], name=f"服务点{i}",
                                                   category=["medical", "elderly", "store", "repair", "kiosk"][i % 5],
                                                   lat=32.36 + (i % 100) / 10000, lng=119.44 + (i // 100) / 10000,
                                                   hours="8:00-17:00") for i in range(5000)], batch_size=1000)
    ServicePoint.objects.bulk_create([ServicePoint(region_code=world.other_grid.code, name=f"别处{i}",
                                                   category="store", lat=32.3, lng=119.4) for i in range(5000)],
                                     batch_size=1000)

    def timed(fn, n=200):
        xs = []
        for _ in range(n):
            t0 = time.perf_counter()
            fn()
            xs.append((time.perf_counter() - t0) * 1000)
        xs.sort()
        return {"p50_ms": round(statistics.median(xs), 2), "p95_ms": round(xs[int(len(xs) * 0.95) - 1], 2)}

    rows = ss.public_points(prefix=world.street.code)

    def cold():
        ss.POINTS_MEMO.clear()
        return ss.public_points(prefix=world.street.code)

    out["map"] = {"points_in_street": len(rows),
                  "query": timed(lambda: ss.public_points(prefix=world.street.code)),
                  "query_uncached": timed(cold),
                  "search": timed(lambda: ss.public_points(prefix=world.street.code, q="服务点12")),
                  "query_plus_nearest": timed(lambda: ss.nearest(ss.public_points(prefix=world.street.code),
                                                                 32.365, 119.445)),
                  "raw_peer": timed(lambda: list(ServicePoint.objects.filter(
                      region_code__gte=world.street.code, region_code__lt="321002005", active=True)
                      .values_list("id", "lat", "lng"))),
                  "category_filter": timed(lambda: ss.public_points(prefix=world.street.code, category="medical")),
                  "target_p95_ms": 50}
    return out


if __name__ == "__main__":
    print(json.dumps(main(), ensure_ascii=False, indent=1))
