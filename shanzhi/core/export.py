"""Streaming XLSX export shared by every list: rows are written in constant memory to a temporary
file, which is then streamed to the client."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Sequence
from urllib.parse import quote

import xlsxwriter
from django.http import FileResponse

WORKBOOK_OPTIONS = {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}


def write_cells(ws, row: int, values: Sequence, fmt=None) -> None:
    """Write one row cell by cell: text always as a text cell (so “=cmd|' /C calc'!A0” stays inert text, never
    a formula or link), numbers as numbers, booleans as 是/否, None as an empty cell. Every workbook we write
    (exports, import error workbooks) goes through here."""
    for c, v in enumerate(values):
        if v is None:
            continue
        if isinstance(v, bool):
            ws.write_string(row, c, "是" if v else "否", fmt)
        elif isinstance(v, int | float):
            ws.write_number(row, c, v, fmt)
        else:
            ws.write_string(row, c, str(v), fmt)


def write_xlsx(fh, headers: Sequence[str], rows: Iterable[Sequence], sheet: str = "Sheet1") -> int:
    wb = xlsxwriter.Workbook(fh, {"constant_memory": True, "in_memory": False, **WORKBOOK_OPTIONS})
    ws = wb.add_worksheet(sheet[:31])
    bold = wb.add_format({"bold": True, "bg_color": "#E8EEF9", "border": 1})
    for c, h in enumerate(headers):
        ws.write_string(0, c, str(h), bold)
        ws.set_column(c, c, max(10, min(40, len(str(h)) * 2 + 4)))
    n = 0
    for r, row in enumerate(rows, start=1):
        write_cells(ws, r, row)
        n += 1
    ws.freeze_panes(1, 0)
    wb.close()
    return n


def xlsx_response(filename: str, headers: Sequence[str], rows: Iterable[Sequence], sheet: str = "Sheet1"):
    fh = tempfile.TemporaryFile()
    write_xlsx(fh, headers, rows, sheet)
    fh.seek(0)
    response = FileResponse(fh, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    response["Cache-Control"] = "no-store"
    return response
