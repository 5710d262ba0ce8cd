"""City-scale data (issue 20): a loader for N persons and N cases (COPY, street by street) into a scratch
PostgreSQL database, then the lookup, search and dashboard benches at that size and the disk used per million
rows. Prints JSON. The scratch database is dropped at the end unless --keep.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shanzhi_city .venv/bin/python bench/city_scale.py \
        --persons 10000000 --cases 10000000

Goals (issue 20): ID lookup p95 ≤ 5 ms, name/pinyin search ≤ 50 ms, dashboards ≤ 150 ms.
Rows are synthetic: valid-looking fake ID numbers (unique up to 26.88M), names from common characters, encrypted
and blind-indexed with the bench's own key like real rows, spread over streets → communities → grids.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import functools
import json
import os
import random
import statistics
import time

from _django import setup

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文辉鹏飞宇浩然欣怡子涵梓轩雨泽晨阳佳琪思远嘉"
GRIDS_PER_COMMUNITY, COMMUNITIES_PER_STREET = 10, 10


def p95(values):
    values = sorted(values)
    return round(values[max(0, int(len(values) * 0.95) - 1)] * 1000, 2)


def regions(streets: int):
    """(street code, [grid codes]) under one district of the demo's city."""
    from shanzhi.regions.choices import Level
    from shanzhi.regions.models import Region

    city, _ = Region.objects.get_or_create(code="3210", defaults={"name": "扬州市", "level": Level.CITY})
    district, _ = Region.objects.get_or_create(code="321002", defaults={"name": "广陵区", "level": Level.DISTRICT,
                                                                        "parent": city})
    out = []
    for s in range(streets):
        street, _ = Region.objects.get_or_create(code=f"321002{s + 100:03d}", defaults={
            "name": f"压测街道{s}", "level": Level.STREET, "parent": district})
        grids = []
        for c in range(COMMUNITIES_PER_STREET):
            community, _ = Region.objects.get_or_create(code=f"{street.code}{c + 1:03d}", defaults={
                "name": f"压测社区{s}-{c}", "level": Level.COMMUNITY, "parent": street, "community_kind": "urban"})
            for g in range(GRIDS_PER_COMMUNITY):
                grid, _ = Region.objects.get_or_create(code=f"{community.code}{g + 1:03d}", defaults={
                    "name": f"压测网格{s}-{c}-{g}", "level": Level.GRID, "parent": community})
                grids.append(grid.code)
        out.append((street.code, grids))
    return out


def load_persons(streets, n: int, rnd: random.Random) -> tuple[float, list[str]]:
    from stdnum.cn import ric

    from shanzhi.core import pii
    from shanzhi.registry.importing import _fast_insert
    from shanzhi.registry.models import Person
    from shanzhi.registry.services import name_pinyin

    pinyin = functools.lru_cache(maxsize=None)(name_pinyin)  # the names repeat: ~170,000 distinct ones
    per_street = n // len(streets)
    sample, t0, i = [], time.perf_counter(), 0
    for street, grids in streets:
        numbers, names = [], []
        for _ in range(per_street):
            day = i // 1000  # 1,000 order codes a day × 26,880 birth days: unique up to 26.88M persons
            birth = f"{1940 + (day // 336) % 80}{day % 12 + 1:02d}{(day // 12) % 28 + 1:02d}"
            body = f"{street[:6]}{birth}{i % 1000:03d}"
            numbers.append(body + ric.calc_check_digit(body + "0"))
            names.append(rnd.choice(SURNAMES) + rnd.choice(GIVEN) + (rnd.choice(GIVEN) if rnd.random() < 0.7 else ""))
            if i % max(1, n // 500) == 0:
                sample.append(numbers[-1])
            i += 1
        first = i - len(numbers)
        encrypted = pii.encrypt_many(numbers)
        hashes = pii.blind_indexes(numbers, purpose="id_number")
        rows = []
        for k, name in enumerate(names):
            py, initials = pinyin(name)
            rows.append({"name": name, "name_pinyin": py, "name_initials": initials,
                         "id_number_enc": encrypted[k], "id_number_hash": hashes[k],
                         "sex": "male" if (first + k) % 2 else "female", "region_code": grids[(first + k) % len(grids)],
                         "residence_type": "registered", "ethnicity": "汉族"})
        _fast_insert(Person, rows)
    return time.perf_counter() - t0, sample


def load_cases(streets, n: int, rnd: random.Random) -> float:
    from django.utils import timezone

    from shanzhi.cases.models import Case, Category
    from shanzhi.registry.importing import _fast_insert

    category = Category.objects.first()
    if category is None:
        category = Category.objects.create(code="bench", name="压测类别")
    states = ["reported", "assigned", "handling", "closed", "closed", "closed"]
    per_street = n // len(streets)
    now = timezone.now()
    t0, i = time.perf_counter(), 0
    for _street, grids in streets:
        rows = []
        for _ in range(per_street):
            rows.append({"number": f"B{i:012d}", "category_id": category.pk, "channel": "grid", "title": "压测事项",
                         "description": "城市规模压测数据", "region_code": grids[i % len(grids)],
                         "state": rnd.choice(states),
                         "created_at": now - dt.timedelta(minutes=rnd.randrange(0, 525600))})
            i += 1
        _fast_insert(Case, rows)
    return time.perf_counter() - t0


@contextlib.contextmanager
def without_secondary_indexes(conn, tables: tuple[str, ...], timings: dict):
    """PostgreSQL's advice for populating a database: drop the indexes that back no key, load, then build them
    again in one pass each (with more maintenance memory and parallel workers) instead of row by row."""
    with conn.cursor() as cur:
        cur.execute("""
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i
            WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary AND NOT i.indisunique
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)""", [list(tables)])
        indexes = cur.fetchall()
        for name, _definition in indexes:
            cur.execute(f"DROP INDEX {name}")
    try:
        yield
    finally:
        t0 = time.perf_counter()
        with conn.cursor() as cur:
            cur.execute("SET maintenance_work_mem = '1GB'; SET max_parallel_maintenance_workers = 2")
            for _name, definition in indexes:
                cur.execute(definition)
        timings["index_build_seconds"] = round(time.perf_counter() - t0, 1)
        timings["indexes_rebuilt"] = len(indexes)


def loaded_sample(rnd: random.Random, n: int = 500) -> list[str]:
    """ID numbers of persons an earlier run loaded (--reuse): random primary keys, decrypted."""
    from django.db.models import Max, Min

    from shanzhi.core import pii
    from shanzhi.registry.models import Person

    bounds = Person.objects.aggregate(lo=Min("pk"), hi=Max("pk"))
    pks = [rnd.randint(bounds["lo"], bounds["hi"]) for _ in range(n)]
    return [pii.decrypt(enc) for enc in Person.objects.filter(pk__in=pks).values_list("id_number_enc", flat=True)]


def lookups(sample: list[str], rnd: random.Random) -> dict:
    from shanzhi.core import pii
    from shanzhi.registry.models import Person

    times = []
    for number in rnd.sample(sample, min(200, len(sample))):
        t0 = time.perf_counter()
        assert Person.objects.filter(id_number_hash=pii.blind_index(number, purpose="id_number")).first()
        times.append(time.perf_counter() - t0)
    return {"n": len(times), "p50_ms": round(statistics.median(times) * 1000, 2), "p95_ms": p95(times)}


def searches(actor, rnd: random.Random) -> dict:
    from shanzhi.registry import selectors

    out = {}
    for label, make in (("name", lambda: rnd.choice(SURNAMES) + rnd.choice(GIVEN)),
                        ("pinyin", lambda: "wang" + rnd.choice(["wei", "fang", "min", "jing"]))):
        times = []
        for _ in range(50):
            q = make()
            t0 = time.perf_counter()
            list(selectors.person_list(actor=actor, filters={"q": q, "status": "all"})[:20])
            times.append(time.perf_counter() - t0)
        out[label] = {"n": len(times), "p50_ms": round(statistics.median(times) * 1000, 2), "p95_ms": p95(times)}
    return out


def dashboards(manager_username: str) -> dict:
    from django.test import Client

    from shanzhi.accounts.models import User
    from shanzhi.core.testing import verified_login

    client = Client()
    verified_login(client, User.objects.get(username=manager_username))
    out = {}
    for label, url in (("cases_dashboard", "/cases/dashboard/"), ("analytics_dashboard", "/analytics/")):
        times = []
        for _ in range(10):
            t0 = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - t0)
            assert response.status_code == 200, (url, response.status_code)
        out[label] = {"n": len(times), "p50_ms": round(statistics.median(times) * 1000, 2), "p95_ms": p95(times)}
    return out


def rollups() -> dict:
    """The scheduled jobs the dashboards read from, run over the loaded data before the dashboards are measured
    (so they read real rollups, not empty ones): the cases' daily rollup over the 60 days the 民情指数
    dashboard shows, and the analytics refresh of the current month for every module."""
    from shanzhi.analytics.rollups import rollup_refresh_current
    from shanzhi.cases.insight import rollup_build, window

    out = {}
    t0 = time.perf_counter()
    start, end = window(60)
    out["cases_daily_rows"] = rollup_build(start=start, end=end)
    out["cases_daily_60_days_seconds"] = round(time.perf_counter() - t0, 1)
    t0 = time.perf_counter()
    run = rollup_refresh_current()
    out["analytics_current_month_seconds"] = round(time.perf_counter() - t0, 1)
    out["analytics_cells"] = run.cells
    return out


def disk(connection) -> dict:
    out = {}
    with connection.cursor() as cur:
        for table in ("registry_person", "cases_case"):
            cur.execute(f"SELECT count(*), pg_total_relation_size('{table}') FROM {table}")  # noqa: S608
            rows, size = cur.fetchone()
            out[table] = {"rows": rows, "bytes": size,
                          "mb_per_million_rows": round(size / max(rows, 1) * 1e6 / 2 ** 20, 1)}
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--streets", type=int, default=20)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--reuse", action="store_true",
                        help="measure a database an earlier --keep run loaded (no loading; implies --keep)")
    args = parser.parse_args()
    connection = setup("city-scale")
    if connection.vendor != "postgresql":
        raise SystemExit("city scale needs PostgreSQL (DATABASE_URL)")
    from django.db import connection as conn

    from shanzhi.accounts.models import RoleGrant, User
    from shanzhi.core.roles import Role
    from shanzhi.core.testing import make_user

    rnd = random.Random(11)
    streets = regions(args.streets)
    timings: dict = {}
    if args.reuse:
        args.keep = True
        person_s, case_s, sample = None, None, loaded_sample(rnd)
    else:
        with without_secondary_indexes(conn, ("registry_person", "cases_case"), timings):
            person_s, sample = load_persons(streets, args.persons, rnd)
            case_s = load_cases(streets, args.cases, rnd)
        with conn.cursor() as cur:
            cur.execute("ANALYZE registry_person; ANALYZE cases_case")
    district_manager = User.objects.filter(username="city-bench-manager").first() or make_user(
        Role.DISTRICT_MANAGER, "321002", username="city-bench-manager")
    street_staff = User.objects.filter(username="city-bench-community").first() or make_user(
        Role.COMMUNITY_STAFF, streets[0][1][0][:12], username="city-bench-community")
    assert RoleGrant.objects.filter(user=street_staff).exists()
    out = {
        "benchmark": "city_scale", "persons": args.persons, "cases": args.cases, "streets": args.streets,
        "load": None if args.reuse else {
            "persons_seconds": round(person_s, 1), "persons_rows_per_s": round(args.persons / person_s),
            "cases_seconds": round(case_s, 1), "cases_rows_per_s": round(args.cases / case_s), **timings},
        "rollups": rollups(), "id_lookup": lookups(sample, rnd), "search_community_scope": searches(street_staff, rnd),
        "dashboards_district_manager": dashboards(district_manager.username), "disk": disk(conn),
        "goals_ms": {"id_lookup_p95": 5, "search_p95": 50, "dashboard_p95": 150},
        "load_average": [round(x, 2) for x in os.getloadavg()], "cpus": os.cpu_count(),
    }
    print(json.dumps(out, ensure_ascii=False, indent=2))
    if not args.keep:
        conn.close()
        import psycopg

        base, _, dbname = os.environ["DATABASE_URL"].rpartition("/")
        with psycopg.connect(base + "/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


if __name__ == "__main__":
    main()
