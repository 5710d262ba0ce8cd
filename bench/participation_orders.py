"""Bench: 50 concurrent orders against one volunteer's balance and one item's stock.

Each thread places one order through the real service (`order_place`) on its own database connection.
The balance covers fewer orders than the threads and the stock fewer still, so most attempts must be
refused; the run checks that successes equal what the balance and stock allow, that neither ended
negative, and that the ledger reconciles. Prints JSON.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shanzhi_bench python bench/participation_orders.py
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shanzhi.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

THREADS = int(os.environ.get("BENCH_THREADS", 50))
PRICE, STOCK, BALANCE_ORDERS = 10, 20, 30  # balance for 30 orders, stock for 20, 50 attempts


def run_scenario(scenario: str, balance_orders: int, stock: int) -> dict:
    from shanzhi.core.errors import ServiceError
    from shanzhi.core.testing import make_world
    from shanzhi.ledger.choices import Ledger
    from shanzhi.ledger.selectors import balance_of
    from shanzhi.ledger.services import points_award
    from shanzhi.registry.models import Person
    from shanzhi.volunteering.models import StoreItem
    from shanzhi.volunteering.store import order_place

    world = make_world()
    tag = f"{scenario}-{time.time_ns()}"
    person = Person.objects.create(name=f"压测{tag[-6:]}", region_code=world.grid.code)
    points_award(actor=None, ledger=Ledger.VOLUNTEER, person=person, amount=PRICE * balance_orders,
                 idempotency_key=f"bench:{tag}")
    item = StoreItem.objects.create(region_code=world.community.code, name=f"压测{tag}", points_price=PRICE,
                                    stock=stock)
    outcomes: Counter = Counter()
    lock = threading.Lock()
    barrier = threading.Barrier(THREADS)

    def attempt():
        barrier.wait()
        try:
            order_place(actor=None, item=StoreItem.objects.get(pk=item.pk), person=person)
            outcome = "ok"
        except ServiceError as e:
            outcome = ("stock" if "库存" in e.user_message else "points" if "积分不足" in e.user_message
                       else e.user_message)
        except Exception as e:  # noqa: BLE001 - a bench counts every failure kind
            outcome = type(e).__name__
        finally:
            connection.close()
        with lock:
            outcomes[outcome] += 1

    t0 = time.perf_counter()
    threads = [threading.Thread(target=attempt) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    item.refresh_from_db()
    final_balance = balance_of(person=person, ledger=Ledger.VOLUNTEER)
    return {
        "attempts": THREADS, "successes": outcomes["ok"], "expected_successes": min(balance_orders, stock, THREADS),
        "refusals": {k: v for k, v in outcomes.items() if k != "ok"},
        "final_balance": final_balance, "final_stock": item.stock,
        "no_overdraft": final_balance >= 0 and final_balance == PRICE * (balance_orders - outcomes["ok"]),
        "no_negative_stock": item.stock >= 0 and item.stock == stock - outcomes["ok"],
        "seconds": round(elapsed, 3), "orders_per_second": round(THREADS / elapsed, 1),
    }


def main() -> dict:
    call_command("migrate", verbosity=0)
    from shanzhi.ledger.selectors import reconcile

    results = {scenario: run_scenario(scenario, balance_orders, stock)
               for scenario, (balance_orders, stock) in {"stock_bound": (BALANCE_ORDERS, STOCK),
                                                         "balance_bound": (STOCK, BALANCE_ORDERS)}.items()}
    report = reconcile()
    return {"bench": "participation_orders", "database": connection.vendor, "threads": THREADS,
            "scenarios": results, "ledger_reconciles": report.ok,
            "ok": report.ok and all(r["successes"] == r["expected_successes"] and r["no_overdraft"]
                                    and r["no_negative_stock"] for r in results.values())}


if __name__ == "__main__":
    out = main()
    print(json.dumps(out, ensure_ascii=False, indent=1))
    sys.exit(0 if out["ok"] else 1)
