"""Lookups at city scale: N persons (default 1,000,000) on PostgreSQL, loaded with COPY, then p50/p95 of
- ID number lookup through the blind index (`selectors.person_by_id_number`),
- scoped name / full-pinyin / initials search (`selectors.person_list(filters={"q": ...})`, first page),
- the one search box (`selectors.registry_search`),
for a street manager (the whole street in scope) and a community staff member (a tenth of it).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shanzhi_bench_lookup .venv/bin/python bench/registry_lookup.py
    --persons 1000000
"""

from __future__ import annotations

import argparse
import json
import random
import time

from _django import percentile, setup, world_and_actor
from registry_import import synthetic_rows

GRIDS = [f"321002004{c:03d}{g:03d}" for c in range(1, 11) for g in range(1, 11)]


def load(n: int) -> float:
    from django.db import connection, transaction

    from shanzhi.core import pii
    from shanzhi.registry.importing import _fast_insert
    from shanzhi.registry.models import Person
    from shanzhi.registry.services import name_pinyin

    with connection.cursor() as cur:
        cur.execute("TRUNCATE registry_registryevent, registry_person RESTART IDENTITY CASCADE")
    t0 = time.perf_counter()
    chunk: list[dict] = []
    kinds = {"户籍人口": "registered", "流动人口": "floating"}

    def flush():
        with transaction.atomic():
            _fast_insert(Person, chunk)
        chunk.clear()

    for i, (name, number, sex, birth, eth, phone, kind, addr) in enumerate(synthetic_rows(n)):
        full, initials = name_pinyin(name)
        chunk.append({
            "region_code": GRIDS[i % len(GRIDS)], "name": name, "name_pinyin": full, "name_initials": initials,
            "id_number_enc": pii.encrypt(number), "id_number_hash": pii.blind_index(number, purpose="id_number"),
            "phone_enc": pii.encrypt(phone), "phone_hash": pii.blind_index(phone, purpose="phone"),
            "sex": "male" if sex == "男" else "female", "birth_date": birth, "ethnicity": eth,
            "residence_type": kinds[kind], "current_address": addr,
        })
        if len(chunk) >= 50_000:
            flush()
    if chunk:
        flush()
    with connection.cursor() as cur:
        cur.execute("ANALYZE registry_person")
    return time.perf_counter() - t0


def timed(fn, samples) -> dict:
    fn(samples[0])  # warm
    times = []
    for s in samples:
        t0 = time.perf_counter()
        fn(s)
        times.append((time.perf_counter() - t0) * 1000)
    return {"n": len(times), "p50_ms": round(percentile(times, 0.5), 2), "p95_ms": round(percentile(times, 0.95), 2)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=500)
    parser.add_argument("--reload", action="store_true")
    args = parser.parse_args()
    connection = setup("bench-lookup")
    if connection.vendor != "postgresql":
        print(json.dumps({"benchmark": "registry_lookup", "skipped": "needs PostgreSQL (DATABASE_URL)"}))
        return
    from shanzhi.registry import selectors as sel
    from shanzhi.registry.models import Person

    street = world_and_actor("street_manager", "321002004")
    community = world_and_actor("community_staff", "321002004001")
    n = args.persons
    load_seconds = None
    if args.reload or Person.objects.count() != n:
        load_seconds = round(load(n), 1)

    rnd = random.Random(3)
    rows = {i: r for i, r in enumerate(synthetic_rows(n)) if i % max(1, n // (args.samples * 4)) == 0}
    picks = rnd.sample(sorted(rows), min(args.samples, len(rows)))
    numbers = [rows[i][1] for i in picks]
    names = [rows[i][0][:2] for i in picks]
    from shanzhi.registry.services import name_pinyin

    pinyins = [name_pinyin(rows[i][0])[0][:6] for i in picks]
    initials = [name_pinyin(rows[i][0])[1] for i in picks]

    def by_id(actor):
        return lambda num: sel.person_by_id_number(actor=actor, id_number=num)

    def search(actor):
        return lambda q: list(sel.person_list(actor=actor, filters={"q": q})[:20])

    results = {
        "id_lookup_street": timed(by_id(street), numbers),
        "name_search_street": timed(search(street), names),
        "pinyin_search_street": timed(search(street), pinyins),
        "initials_search_street": timed(search(street), initials),
        "name_search_community": timed(search(community), names),
        "pinyin_search_community": timed(search(community), pinyins),
        "search_box_street": timed(lambda q: sel.registry_search(actor=street, q=q), names[:100]),
    }
    # Server-side execution time (EXPLAIN ANALYZE), which client-side scheduling on a busy machine doesn't blur.
    from shanzhi.registry.services import id_number_hash

    def server_ms(qs) -> float:
        plan = qs.explain(analyze=True)
        return float(plan.rsplit("Execution Time:", 1)[1].split("ms")[0])

    def server(make_qs, samples) -> dict:
        times = [server_ms(make_qs(x)) for x in samples[:100]]
        return {"n": len(times), "p50_ms": round(percentile(times, 0.5), 3),
                "p95_ms": round(percentile(times, 0.95), 3)}

    results["server_id_lookup"] = server(
        lambda num: Person.objects.restrict(street, "view").filter(id_number_hash=id_number_hash(num)), numbers)
    results["server_name_search_street"] = server(
        lambda q: sel.person_list(actor=street, filters={"q": q})[:20], names)
    results["server_pinyin_search_street"] = server(
        lambda q: sel.person_list(actor=street, filters={"q": q})[:20], pinyins)
    results["server_initials_search_street"] = server(
        lambda q: sel.person_list(actor=street, filters={"q": q})[:20], initials)
    assert all(sel.person_by_id_number(actor=street, id_number=num) for num in numbers[:20])
    print(json.dumps({"benchmark": "registry_lookup", "database": "postgresql", "persons": Person.objects.count(),
                      "load_seconds_copy": load_seconds, "goals": {"id_lookup_p95_ms": 5, "search_p95_ms": 50},
                      **results}, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
