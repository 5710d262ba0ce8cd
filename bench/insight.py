"""民生大数据 on PostgreSQL: a district of 1,000,000 persons, 1,000,000 cases and 1,000,000 ledger entries.

Loads 1 district × 10 streets × 20 communities × 10 grids (200 communities, 2,000 grids) with bulk
INSERT … SELECT generate_series (persons, households, cases over 12 months with ratings, point transfers with
their two entries each), builds twelve months of rollups, then measures over HTTP (the real views, templates
included, a manager signed in):
- the street and district dashboards: p50/p95 and the number of queries, at the full size and after 10 % more
  cases (the count must not change);
- the pivot page for 12 months × 200 communities × 5 indicators;
- an incremental rollup refresh after 10,000 new cases (this month, the cases module; and all modules);
- the peer: the same street's headline figures computed straight from the fact tables (core.indicators.compute).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_insight .venv/bin/python bench/insight.py [--scale 0.2]
Prints JSON. --scale 0.2 loads 200,000 of each.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from _django import percentile, setup

STREETS, COMMUNITIES, GRIDS = 10, 20, 10
N_GRIDS = STREETS * COMMUNITIES * GRIDS
_G = f"(i % {N_GRIDS})"
GRID_EXPR = (f"'321002' || lpad(({_G} / {COMMUNITIES * GRIDS} + 1)::text, 3, '0') "
             f"|| lpad((({_G} / {GRIDS}) % {COMMUNITIES} + 1)::text, 3, '0') || lpad(({_G} % {GRIDS} + 1)::text, 3, '0')")


def _insert(cur, model, n: int, overrides: dict[str, str]) -> None:
    """INSERT … SELECT over generate_series(1, n) AS i: overrides are SQL expressions, other columns NULL when
    nullable, else the field's default (or an empty value)."""
    from django.db import models

    cols, exprs = [], []
    for f in model._meta.concrete_fields:
        if f.primary_key:
            continue
        cols.append(f'"{f.column}"')
        if f.name in overrides or f.column in overrides:
            exprs.append(overrides.get(f.name, overrides.get(f.column)))
        elif f.null:
            exprs.append("NULL")
        elif isinstance(f, models.DateTimeField):
            exprs.append("now()")
        elif isinstance(f, models.BooleanField):
            exprs.append("true" if f.get_default() else "false")
        elif isinstance(f, models.JSONField):
            exprs.append("'{}'::jsonb")
        elif isinstance(f, models.IntegerField | models.BigIntegerField | models.DecimalField | models.FloatField):
            exprs.append(str(f.get_default() or 0))
        else:
            exprs.append("'" + str(f.get_default() or "").replace("'", "''") + "'")
    cur.execute(f'INSERT INTO "{model._meta.db_table}" ({", ".join(cols)}) '
                f"SELECT {', '.join(exprs)} FROM generate_series(1, {n}) AS i")


def regions():
    from shanzhi.regions.choices import HousingForm, Level
    from shanzhi.regions.models import Region

    sq = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}
    city, _ = Region.objects.get_or_create(code="3210", defaults={"name": "扬州市", "level": Level.CITY})
    district, _ = Region.objects.get_or_create(code="321002", defaults={"name": "广陵区", "level": Level.DISTRICT,
                                                                        "parent": city})
    forms = [HousingForm.OLD, HousingForm.COMMERCIAL, HousingForm.RESETTLEMENT]
    rows = []
    for s in range(1, STREETS + 1):
        street, _ = Region.objects.get_or_create(code=f"321002{s:03d}", defaults={
            "name": f"街道{s}", "level": Level.STREET, "parent": district})
        for m in range(1, COMMUNITIES + 1):
            com, _ = Region.objects.get_or_create(code=f"{street.code}{m:03d}", defaults={
                "name": f"社区{s}-{m}", "level": Level.COMMUNITY, "parent": street, "housing_form": forms[m % 3]})
            for g in range(1, GRIDS + 1):
                x, y = (m - 1) % 5 + (g - 1) % 5 * 0.2, (m - 1) // 5 + (g - 1) // 5 * 0.5
                poly = {"type": "Polygon", "coordinates": [[[x, y], [x + .2, y], [x + .2, y + .5], [x, y + .5],
                                                            [x, y]]]}
                rows.append(Region(code=f"{com.code}{g:03d}", name=f"网格{s}-{m}-{g}", level=Level.GRID, parent=com,
                                   boundary=poly or sq))
    Region.objects.bulk_create(rows, ignore_conflicts=True)


def load(n: int) -> dict:
    from django.db import connection

    from shanzhi.cases.models import Case, Category
    from shanzhi.ledger.models import Account, Transfer
    from shanzhi.registry.models import Household, Person

    if Person.objects.count() >= n:
        return {"loaded": "already"}
    t = time.perf_counter()
    regions()
    cat, _ = Category.objects.get_or_create(code="bench", defaults={"name": "基准类别"})
    days = "(i::bigint * 7919 % 365)::int"
    with connection.cursor() as cur:
        _insert(cur, Household, n // 3, {"region_code": GRID_EXPR, "household_number": "'BH' || i",
                                         "kind": "'family'", "registered_here": "true", "living_here": "true",
                                         "dissolved": "false", "version": "1"})
        _insert(cur, Person, n, {
            "region_code": GRID_EXPR, "name": "'居民' || i", "sex": "CASE WHEN i % 2 = 0 THEN 'male' ELSE 'female' END",
            "birth_date": "date '1936-01-01' + (i::bigint * 7919 % 32000)::int", "id_type": "'resident_id'",
            "residence_type": "CASE WHEN i % 8 = 0 THEN 'floating' ELSE 'registered' END",
            "status": "CASE WHEN i % 50 = 0 THEN 'moved_out' ELSE 'living' END", "separated": "false"})
        created = f"now() - make_interval(days => {days}, mins => i % 1440)"
        _insert(cur, Case, n, {
            "number": "'B' || lpad(i::text, 9, '0')", "region_code": GRID_EXPR, "category_id": str(cat.pk),
            "channel": "'patrol'", "title": "'基准'", "description": "'基准'", "urgency": "'normal'",
            "state": "CASE WHEN i % 10 < 3 THEN 'handling' WHEN i % 10 < 9 THEN 'verified' ELSE 'rejected' END",
            "created_at": created, "accepted_at": f"CASE WHEN i % 10 >= 1 THEN {created} + interval '2 hours' END",
            "accepted_on_time": "CASE WHEN i % 10 >= 1 THEN i % 7 > 0 END",
            "completed_at": f"CASE WHEN i % 10 BETWEEN 3 AND 8 THEN {created} + interval '30 hours' END",
            "completed_on_time": "CASE WHEN i % 10 BETWEEN 3 AND 8 THEN i % 5 > 0 END",
            "outcome": "CASE WHEN i % 10 BETWEEN 3 AND 8 THEN 'fixed' ELSE '' END", "is_repeat": "i % 20 = 0",
            "due_at": f"{created} + interval '3 days'", "updated_at": "now()", "version": "1"})
        cur.execute("INSERT INTO cases_caserating (case_id, score, comment, rated_at, rated_by_id) "
                    "SELECT id, 1 + (id % 5), '', completed_at + interval '1 hour', NULL FROM cases_case "
                    "WHERE completed_at IS NOT NULL AND id % 3 = 0")
        issuer = Account.objects.create(ledger="volunteer", owner_kind="system", key="bench-issuer", name="发放",
                                        allow_negative=True, region_code="")
        Account.objects.bulk_create([Account(ledger="volunteer", owner_kind="system", key=f"bench:{g}", name=g,
                                             allow_negative=True, region_code=g)
                                     for g in Region_codes()], batch_size=2000)
        first = Account.objects.filter(key__startswith="bench:").order_by("pk").values_list("pk", flat=True).first()
        transfers = n // 2
        _insert(cur, Transfer, transfers, {
            "region_code": GRID_EXPR, "ledger": "'volunteer'", "kind": "'award'", "idempotency_key": "'bench:' || i",
            "amount": "10 + i % 40", "source_id": str(issuer.pk), "target_id": f"{first} + (i % {N_GRIDS})",
            "memo": "'基准'", "created_at": created})
        cur.execute("""INSERT INTO ledger_entry (region_code, transfer_id, account_id, ledger, kind, amount, created_at)
            SELECT t.region_code, t.id, t.target_id, t.ledger, t.kind, t.amount, t.created_at FROM ledger_transfer t
            WHERE t.idempotency_key LIKE 'bench:%'
            UNION ALL
            SELECT '', t.id, t.source_id, t.ledger, t.kind, -t.amount, t.created_at FROM ledger_transfer t
            WHERE t.idempotency_key LIKE 'bench:%'""")
        for table in ("registry_person", "registry_household", "cases_case", "cases_caserating", "ledger_transfer",
                      "ledger_entry"):
            cur.execute(f"ANALYZE {table}")
    return {"load_s": round(time.perf_counter() - t, 1)}


def Region_codes():  # noqa: N802 - the grid codes in code order
    from shanzhi.regions.models import Region

    return list(Region.objects.filter(level="grid").order_by("code").values_list("code", flat=True))


def timed(client, url: str, runs: int) -> dict:
    from django.db import connections

    assert client.get(url).status_code == 200
    executed = []

    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    with connections["default"].execute_wrapper(count):
        client.get(url)
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        resp = client.get(url)
        samples.append((time.perf_counter() - t) * 1000)
        assert resp.status_code == 200
    return {"p50_ms": round(statistics.median(samples), 1), "p95_ms": round(percentile(samples, 0.95), 1),
            "queries": len(executed)}


def add_cases(k: int) -> None:
    from django.db import connection

    from shanzhi.cases.models import Case, Category

    cat = Category.objects.get(code="bench")
    start = Case.objects.count() + 10_000_000
    with connection.cursor() as cur:
        _insert(cur, Case, k, {
            "number": f"'N' || lpad(({start} + i)::text, 9, '0')", "region_code": GRID_EXPR, "category_id": str(cat.pk),
            "channel": "'patrol'", "title": "'新增'", "description": "'新增'", "urgency": "'normal'",
            "state": "'reported'", "created_at": "now() - make_interval(mins => i % 600)", "is_repeat": "false",
            "due_at": "now() + interval '1 day'", "updated_at": "now()", "version": "1"})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--runs", type=int, default=30)
    args = ap.parse_args()
    connection = setup("insight")
    if connection.vendor != "postgresql":
        print(json.dumps({"skipped": "needs PostgreSQL (DATABASE_URL)"}))
        return
    from django.core.signals import request_finished
    from django.db import close_old_connections
    from django.test import Client

    request_finished.disconnect(close_old_connections)  # keep one connection, so queries can be counted

    from shanzhi.analytics.models import Rollup
    from shanzhi.analytics.periods import add_months, current_month
    from shanzhi.analytics.rollups import rollup_refresh
    from shanzhi.cases.models import Case
    from shanzhi.core.indicators import compute
    from shanzhi.core.roles import Role
    from shanzhi.core.testing import make_user, verified_login
    from shanzhi.ledger.models import Entry
    from shanzhi.registry.models import Person

    n = int(1_000_000 * args.scale)
    out = {"scale": args.scale, **load(n)}
    out.update(persons=Person.objects.count(), cases=Case.objects.count(), ledger_entries=Entry.objects.count())
    month = current_month()
    months = [add_months(month, -k) for k in range(11, -1, -1)]
    if not Rollup.objects.filter(month=months[0]).exists():
        t = time.perf_counter()
        run = rollup_refresh(months=months)
        out["rollup_full_12_months"] = {"seconds": round(time.perf_counter() - t, 1), "cells": run.cells}
    from shanzhi.core.heap import freeze_loaded

    freeze_loaded()  # as shanzhi/wsgi.py does in every server process once the app has loaded
    stamp = time.time_ns()
    street, district = "321002001", "321002"
    clients = {}
    for role, code in ((Role.STREET_MANAGER, street), (Role.DISTRICT_MANAGER, district)):
        clients[code] = Client()
        verified_login(clients[code], make_user(role, code, username=f"b{role}{stamp}"))
    m = month.strftime("%Y-%m")
    urls = {"street_dashboard": (street, f"/analytics/?region={street}&month={m}"),
            "district_dashboard": (district, f"/analytics/?region={district}&month={m}"),
            "pivot_12m_200c_5i": (district, f"/analytics/pivot/?root={district}&level=community&from="
                                            f"{months[0]:%Y-%m}&to={m}&i=cases.index&i=cases.reported"
                                            "&i=registry.persons&i=cases.on_time_rate&i=volunteering.points"),
            "screen_data": (street, f"/analytics/screen/data/?region={street}")}
    for name, (code, url) in urls.items():
        out[name] = timed(clients[code], url, args.runs)
    t = time.perf_counter()
    add_cases(10_000)
    out["insert_10000_cases_s"] = round(time.perf_counter() - t, 2)
    for label, modules in (("refresh_after_10000_cases_cases_module", ["cases"]),
                           ("refresh_after_10000_cases_all_modules", None)):
        t = time.perf_counter()
        run = rollup_refresh(months=[month], modules=modules)
        out[label] = {"seconds": round(time.perf_counter() - t, 2), "cells": run.cells, "changed": run.changed}
    for name in ("street_dashboard", "district_dashboard"):
        code, url = urls[name]
        out[name]["queries_after_more_data"] = timed(clients[code], url, 3)["queries"]
    # the peer: the street's six headline figures straight from the fact tables
    t = time.perf_counter()
    for key in ("cases.index", "registry.persons", "cases.reported", "cases.on_time_rate", "cases.satisfaction_rate",
                "volunteering.hours"):
        compute(key, codes=[street], start=month, end=add_months(month, 1))
    out["peer_street_headline_from_facts_ms"] = round((time.perf_counter() - t) * 1000, 1)
    out["street_rollup_equals_compute"] = (
        Rollup.objects.get(region_code=street, month=month, indicator="cases.reported").value
        == compute("cases.reported", codes=[street], start=month, end=add_months(month, 1))[street])
    print(json.dumps(out, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
