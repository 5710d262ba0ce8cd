"""Reading spreadsheets the way people fill them in: XLSX/XLS/ODS (python-calamine) or CSV in UTF-8 or
GBK, with title rows above the header tolerated and a comment row below it skipped.

`read_table(data, filename, headers)` finds the header row by the expected Chinese headers and yields
`(row_number, {header: value})`, where row_number is the 1-based row in the original sheet, so that
errors can name the row people see in their spreadsheet program.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass

from python_calamine import CalamineWorkbook

COMMENT_MARKERS = ("说明", "填写说明", "#", "注：", "注:")
_SEPARATORS = re.compile(r"[\s\-－—_()（）]")


def normalise(value: str | None) -> str:
    """What people type into a code-like cell (ID number, phone, room): NFKC (full-width → ASCII), spaces,
    dashes and brackets dropped, upper-cased."""
    if value is None:
        return ""
    value = str(value)
    if value.isascii() and value.isalnum():  # the common case, without the work below
        return value.upper()
    text = unicodedata.normalize("NFKC", value)
    return _SEPARATORS.sub("", text).upper()


class TableError(Exception):
    """The file itself can't be read (wrong format, no header row)."""


@dataclass
class Table:
    header_row: int
    columns: list[str]
    rows: list[tuple[int, dict[str, str]]]


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if hasattr(v, "isoformat"):
        return v.isoformat()[:10] if not hasattr(v, "hour") or (v.hour, v.minute) == (0, 0) else v.isoformat()
    return str(v).strip()


def _decode(data: bytes) -> str:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise TableError("文件编码无法识别，请另存为 UTF-8 或 GBK 编码的 CSV，或使用 Excel 模板。")


def _raw_rows(data: bytes, filename: str) -> list[list[str]]:
    name = filename.lower()
    if name.endswith((".csv", ".txt")):
        text = _decode(data)
        dialect = csv.excel
        try:
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
        except csv.Error:
            pass
        return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text), dialect)]
    if name.endswith((".xlsx", ".xlsm", ".xls", ".ods", ".xlsb")):
        try:
            wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
            sheet = wb.get_sheet_by_index(0)
            return [[_cell(c) for c in row] for row in sheet.to_python(skip_empty_area=False)]
        except Exception as e:
            raise TableError(f"无法读取表格文件：{e}") from None
    raise TableError("不支持的文件类型，请上传 XLSX、XLS、ODS 或 CSV 文件。")


def read_table(data: bytes, filename: str, headers: list[str], required: list[str] | None = None) -> Table:
    """`headers` are the known column titles; the header row is the first row containing all `required`."""
    required = required or headers[:1]
    rows = _raw_rows(data, filename)
    for idx, row in enumerate(rows[:20]):  # noqa: B007 - idx is the header row after the loop
        cells = [c.replace("*", "").replace("＊", "").strip() for c in row]
        if all(r in cells for r in required):
            columns = cells
            break
    else:
        raise TableError("找不到表头行：第一张表的前 20 行里没有“" + "、".join(required) + "”这些列。")
    out: list[tuple[int, dict[str, str]]] = []
    for offset, row in enumerate(rows[idx + 1:], start=idx + 2):
        if not any(c.strip() for c in row):
            continue
        if row and row[0].startswith(COMMENT_MARKERS):
            continue
        record = {col: (row[i].strip() if i < len(row) else "") for i, col in enumerate(columns) if col in headers}
        out.append((offset, record))
    return Table(header_row=idx + 1, columns=columns, rows=out)
