"""Import speed: a generated N-person XLSX (default 100,000) imported by ours (shanzhi import_run) vs
django-import-export in its bulk mode (same model, same file, same per-row work: ID check, encryption,
blind index, pinyin) vs raw PostgreSQL COPY of the same rows into a table of the same shape.
Prints JSON with rows/s and ratios.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shanzhi_bench .venv/bin/python bench/registry_import.py
    --rows 100000

django-import-export is not a project dependency: when it isn't importable its figures say "skipped".
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import random
import time
from pathlib import Path

from _django import setup, world_and_actor

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文辉鹏飞宇浩然欣怡子涵梓轩雨泽晨阳佳琪思远嘉"
HEADERS = ["姓名", "证件号码", "性别", "出生日期", "民族", "联系电话", "人口类型", "现住址"]


def synthetic_rows(n: int, seed: int = 7):
    """Deterministic synthetic persons with valid, unique, obviously fake ID numbers (birth order 9xx)."""
    from stdnum.cn import ric

    rnd = random.Random(seed)
    regions = ["321002", "321003", "321012", "320102", "110101"]
    base = datetime.date(1940, 1, 1)
    for i in range(n):
        birth = base + datetime.timedelta(days=(i // 100) % 29000)
        order = 900 + (i % 100)  # with the day: unique per region block
        region = regions[(i // (100 * 29000)) % len(regions)]
        body = f"{region}{birth:%Y%m%d}{order:03d}"
        number = body + ric.calc_check_digit(body + "0")
        name = rnd.choice(SURNAMES) + rnd.choice(GIVEN) + (rnd.choice(GIVEN) if rnd.random() < 0.7 else "")
        yield [name, number, "男" if order % 2 else "女", birth.isoformat(), "汉族", f"139{i:08d}",
               "户籍人口" if rnd.random() < 0.8 else "流动人口", f"曲江街道文昌路{i % 500}号"]


def make_xlsx(n: int) -> bytes:
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"constant_memory": True, "in_memory": True})
    ws = wb.add_worksheet()
    ws.write_row(0, 0, HEADERS)
    for r, row in enumerate(synthetic_rows(n), start=1):
        ws.write_row(r, 0, row)
    wb.close()
    return buf.getvalue()


def clear(connection):
    from shanzhi.registry.models import Person, RegistryEvent

    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("TRUNCATE registry_registryevent, registry_person RESTART IDENTITY CASCADE")
    else:
        RegistryEvent.objects.all().delete()
        Person.objects.all().delete()


def run_ours(actor, data: bytes, n: int) -> dict:
    from shanzhi.registry.importing import import_run

    t0 = time.perf_counter()
    report = import_run(actor=actor, kind="persons", data=data, filename="bench.xlsx", region_code="321002004001001")
    first = time.perf_counter() - t0
    assert report["created"] == n and report["rejected"] == 0, {k: report[k] for k in ("created", "rejected")}
    t0 = time.perf_counter()
    again = import_run(actor=actor, kind="persons", data=data, filename="bench.xlsx", region_code="321002004001001")
    second = time.perf_counter() - t0
    assert again["unchanged"] == n
    return {"seconds": round(first, 2), "rows_per_s": round(n / first), "reimport_unchanged_seconds": round(second, 2),
            "reimport_rows_per_s": round(n / second)}


def run_import_export(data: bytes, n: int) -> dict:
    try:
        import tablib
        from import_export import resources
    except ImportError:
        return {"skipped": "django-import-export is not installed (pip install django-import-export)"}
    from shanzhi.core import pii
    from shanzhi.registry.models import Person
    from shanzhi.registry.services import name_pinyin
    from shanzhi.registry.validators import normalise_phone, parse_id_number

    sexes = {"男": "male", "女": "female"}
    kinds = {"户籍人口": "registered", "流动人口": "floating"}

    class PersonResource(resources.ModelResource):
        """The same per-row work as ours: ID check, sex/birth from the number, encryption, blind index, pinyin."""

        class Meta:
            model = Person
            use_bulk = True
            batch_size = 1000
            skip_diff = True
            force_init_instance = True  # the documented fastest mode for new rows
            import_id_fields = ("id_number_hash",)
            fields = ("name", "id_number_enc", "id_number_hash", "sex", "birth_date", "ethnicity", "phone_enc",
                      "phone_hash", "residence_type", "current_address", "name_pinyin", "name_initials",
                      "region_code")

        def before_import_row(self, row, **kwargs):
            info = parse_id_number(row["证件号码"])
            phone = normalise_phone(row["联系电话"])
            row.update({
                "name": row["姓名"], "id_number_enc": pii.encrypt(info.number),
                "id_number_hash": pii.blind_index(info.number, purpose="id_number"), "sex": sexes[row["性别"]],
                "birth_date": info.birth_date, "ethnicity": row["民族"], "phone_enc": pii.encrypt(phone),
                "phone_hash": pii.blind_index(phone, purpose="phone"), "residence_type": kinds[row["人口类型"]],
                "current_address": row["现住址"], "region_code": "321002004001001",
            })
            row["name_pinyin"], row["name_initials"] = name_pinyin(row["姓名"])

    t0 = time.perf_counter()
    dataset = tablib.Dataset().load(data, format="xlsx")
    for name in PersonResource._meta.fields:  # the model's columns, filled per row in before_import_row
        dataset.append_col([""] * len(dataset), header=name)
    result = PersonResource().import_data(dataset, dry_run=False, raise_errors=True, use_transactions=True)
    seconds = time.perf_counter() - t0
    assert not result.has_errors() and Person.objects.count() == n
    return {"seconds": round(seconds, 2), "rows_per_s": round(n / seconds)}


def run_copy(connection, n: int) -> dict:
    if connection.vendor != "postgresql":
        return {"skipped": "COPY needs PostgreSQL"}
    from shanzhi.registry.models import Person

    cols = [f.column for f in Person._meta.concrete_fields if f.column != "id"]
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_person_copy")
        cur.execute("CREATE TABLE bench_person_copy (LIKE registry_person INCLUDING ALL)")
        cur.execute(f"SELECT {', '.join(cols)} FROM registry_person")
        rows = cur.fetchall()
        raw = cur.cursor if hasattr(cur, "cursor") else cur
        t0 = time.perf_counter()
        with raw.copy(f"COPY bench_person_copy ({', '.join(cols)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        seconds = time.perf_counter() - t0
        cur.execute("DROP TABLE bench_person_copy")
    assert len(rows) == n
    return {"seconds": round(seconds, 2), "rows_per_s": round(n / seconds)}


def run_copy_with_row_work(connection, data: bytes, n: int) -> dict:
    """The floor for ours: read the same XLSX, do the same per-row work as the peer (ID check, encryption, blind
    index, pinyin) in a plain loop, and COPY the rows into a table of the same shape (indexes included)."""
    if connection.vendor != "postgresql":
        return {"skipped": "COPY needs PostgreSQL"}
    from python_calamine import CalamineWorkbook

    from shanzhi.core import pii
    from shanzhi.registry.models import Person
    from shanzhi.registry.services import name_pinyin
    from shanzhi.registry.validators import normalise_phone, parse_id_number

    kinds = {"户籍人口": "registered", "流动人口": "floating"}
    cols = ["name", "id_number_enc", "id_number_hash", "sex", "birth_date", "ethnicity", "phone_enc", "phone_hash",
            "residence_type", "current_address", "name_pinyin", "name_initials", "region_code"]
    fields = {f.column: f for f in Person._meta.concrete_fields}
    defaults = [(f.column, f.get_default()) for f in Person._meta.concrete_fields
                if f.column not in cols and f.column != "id" and not (f.null and f.get_default() is None)]
    from django.utils import timezone

    now = timezone.now()
    extra_cols = [c for c, _v in defaults]
    extra_vals = [now if getattr(fields[c], "auto_now", False) or getattr(fields[c], "auto_now_add", False)
                  else (json.dumps(v) if fields[c].get_internal_type() == "JSONField" else v) for c, v in defaults]
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_person_rowwork")
        cur.execute("CREATE TABLE bench_person_rowwork (LIKE registry_person INCLUDING ALL)")
        raw = cur.cursor if hasattr(cur, "cursor") else cur
        t0 = time.perf_counter()
        rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()[1:]
        with raw.copy(f"COPY bench_person_rowwork ({', '.join(cols + extra_cols)}) FROM STDIN") as copy:
            for name, number, _sex, _birth, ethnicity, phone_raw, kind, address in rows:
                info = parse_id_number(str(number))
                phone = normalise_phone(str(phone_raw))
                py, initials = name_pinyin(name)
                copy.write_row([name, pii.encrypt(info.number), pii.blind_index(info.number, purpose="id_number"),
                                info.sex, info.birth_date, ethnicity, pii.encrypt(phone),
                                pii.blind_index(phone, purpose="phone"), kinds[kind], address, py, initials,
                                "321002004001001", *extra_vals])
        seconds = time.perf_counter() - t0
        cur.execute("SELECT count(*) FROM bench_person_rowwork")
        assert cur.fetchone()[0] == n
        cur.execute("DROP TABLE bench_person_rowwork")
    return {"seconds": round(seconds, 2), "rows_per_s": round(n / seconds)}


def profile_ours(actor, data: bytes, top: int) -> dict:
    """cProfile of one first import of the file: the functions costing most (own time and cumulative)."""
    import cProfile
    import pstats

    from shanzhi.registry.importing import import_run

    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.enable()
    import_run(actor=actor, kind="persons", data=data, filename="bench.xlsx", region_code="321002004001001")
    prof.disable()
    seconds = time.perf_counter() - t0
    stats = pstats.Stats(prof)

    def rows(key):
        entries = sorted(stats.stats.items(), key=lambda kv: kv[1][key], reverse=True)[:top]
        return [{"function": f"{Path(f).name}:{line}:{name}", "calls": nc, "own_s": round(tt, 3),
                 "cumulative_s": round(ct, 3)} for (f, line, name), (_cc, nc, tt, ct, _callers) in entries]

    return {"seconds_under_profile": round(seconds, 2), "by_own_time": rows(2), "by_cumulative": rows(3)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--profile", type=int, default=0, metavar="TOP",
                        help="only profile one import of ours (cProfile) and print its TOP costs")
    parser.add_argument("--repeat", type=int, default=1,
                        help="run every contender N times, in turn, and keep each one's fastest run: on a shared "
                             "machine the others' load then falls on all of them alike")
    args = parser.parse_args()
    connection = setup("bench-import")
    from django.db import connection as conn

    actor = world_and_actor()
    n = args.rows
    t0 = time.perf_counter()
    data = make_xlsx(n)
    gen_seconds = time.perf_counter() - t0
    if args.profile:
        clear(conn)
        out = {"benchmark": "registry_import.profile", "rows": n, **profile_ours(actor, data, args.profile)}
        clear(conn)
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return

    runs: dict[str, list] = {"ours": [], "copy": [], "copy_work": [], "peer": []}
    for _ in range(max(1, args.repeat)):
        clear(conn)
        runs["ours"].append(run_ours(actor, data, n))
        runs["copy"].append(run_copy(conn, n))  # copies the rows ours wrote
        runs["copy_work"].append(run_copy_with_row_work(conn, data, n))
        clear(conn)
        runs["peer"].append(run_import_export(data, n))
        clear(conn)
    ours, copy, copy_work, peer = (min(runs[k], key=lambda r: r.get("seconds", 0))
                                   for k in ("ours", "copy", "copy_work", "peer"))
    out = {
        "benchmark": "registry_import", "database": connection.vendor, "rows": n, "xlsx_bytes": len(data),
        "repeat": max(1, args.repeat), "seconds_of_each_run": {k: [r.get("seconds") for r in v] for k, v in runs.items()},
        "generate_xlsx_seconds": round(gen_seconds, 2), "ours": ours, "django_import_export_bulk": peer,
        "postgresql_copy": copy, "postgresql_copy_with_row_work": copy_work,
    }
    if "rows_per_s" in peer:
        out["ours_vs_import_export"] = round(ours["rows_per_s"] / peer["rows_per_s"], 2)
    if "rows_per_s" in copy:
        out["ours_share_of_copy"] = round(ours["rows_per_s"] / copy["rows_per_s"], 3)
    if "rows_per_s" in copy_work:  # the measure: raw COPY doing the same per-row work
        out["ours_share_of_copy_with_row_work"] = round(ours["rows_per_s"] / copy_work["rows_per_s"], 3)
    print(json.dumps(out, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
