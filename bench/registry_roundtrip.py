"""The grid roster's Excel round-trip at scale: a 10,000-person grid is exported in the import template, 1 % of the
rows are edited (openpyxl, as WPS/Excel would save them), and the file is read back. Timed, in the same run and on
the same database:

- `plain_import`: the plain persons import (registry.importing.import_run) of the same 10,000 persons into the empty
  grid — the peer the round-trip is measured against;
- `plain_reimport`: that import run again on its own file (its natural-key match, everything unchanged);
- `roundtrip_preview`: reading the edited roster back and diffing every row against the record as it is now
  (masks, versions, conflicts), keeping only the changed rows as drafts — nothing written;
- `roundtrip_confirm`: writing the changed rows through the registry's services (versioned_update, audit, history).

Prints JSON with seconds, rows/s and the ratios preview/plain_import and preview/plain_reimport.

    .venv/bin/python bench/registry_roundtrip.py --rows 10000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_changes .venv/bin/python bench/registry_roundtrip.py
"""

from __future__ import annotations

import argparse
import io
import json
import time

from _django import setup, world_and_actor
from registry_import import clear, make_xlsx

GRID = "321002004001001"


def edited_roster(data: bytes, every: int) -> tuple[bytes, int]:
    """Every `every`-th data row gets a new 工作单位; (file, rows edited)."""
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb.active
    headers = [c.value.rstrip("*") for c in ws[1]]
    col = headers.index("工作单位") + 1
    edited = 0
    for row in range(3, ws.max_row + 1, every):
        ws.cell(row, col).value = f"新单位{row}"
        edited += 1
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue(), edited


def timed(fn):
    t0 = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - t0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--every", type=int, default=100, help="edit one row in this many")
    args = parser.parse_args()
    connection = setup("roundtrip")
    from shanzhi.registry import roundtrip
    from shanzhi.registry.importing import import_run

    actor = world_and_actor("grid_worker", GRID)
    clear(connection)
    source = make_xlsx(args.rows)

    def plain():
        return import_run(actor=actor, kind="persons", data=source, filename="bench.xlsx", region_code=GRID)

    report, plain_s = timed(plain)
    assert report["created"] == args.rows and report["rejected"] == 0, report["errors"][:3]
    again, reimport_s = timed(plain)
    assert again["unchanged"] == args.rows

    (roster, exported), export_s = timed(lambda: roundtrip.roster_workbook(actor=actor, region_code=GRID))
    assert exported == args.rows
    edited, n_edited = edited_roster(roster, args.every)
    batch, preview_s = timed(lambda: roundtrip.roundtrip_preview(actor=actor, region_code=GRID, data=edited,
                                                                 filename="roster.xlsx"))
    assert batch.changes.count() == n_edited and batch.unchanged == args.rows - n_edited, batch.errors[:3]
    result, confirm_s = timed(lambda: roundtrip.roundtrip_confirm(actor=actor, batch=batch))
    assert result["done"] == n_edited

    out = {
        "database": connection.vendor, "rows": args.rows, "edited_rows": n_edited,
        "plain_import": {"seconds": round(plain_s, 2), "rows_per_s": round(args.rows / plain_s)},
        "plain_reimport": {"seconds": round(reimport_s, 2), "rows_per_s": round(args.rows / reimport_s)},
        "roster_export": {"seconds": round(export_s, 2), "rows_per_s": round(args.rows / export_s)},
        "roundtrip_preview": {"seconds": round(preview_s, 2), "rows_per_s": round(args.rows / preview_s)},
        "roundtrip_confirm": {"seconds": round(confirm_s, 2), "rows_written": result["done"]},
        "ratio_preview_to_plain_import": round(preview_s / plain_s, 2),
        "ratio_preview_to_plain_reimport": round(preview_s / reimport_s, 2),
    }
    print(json.dumps(out, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
