"""Reading spreadsheets the way people fill them in: XLSX/XLS/ODS (python-calamine) or CSV in UTF-8 or
GBK (or UTF-16), with title rows above the header tolerated and a comment row below it skipped. Files are
checked against per-kind `Limits` before they are read, and read in a memory-capped child process.

`read_table(data, filename, headers)` finds the header row by the expected Chinese headers and yields
`(row_number, {header: value})`, where row_number is the 1-based row in the original sheet, so that
errors can name the row people see in their spreadsheet program.
"""

from __future__ import annotations

import codecs
import csv
import io
import multiprocessing
import os
import re
import resource
import unicodedata
import zipfile
from dataclasses import dataclass

from django.utils.translation import gettext as _
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
    """The file itself can't be read (wrong format, too big, no header row); the message is Chinese and says
    what to do."""


@dataclass(frozen=True)
class Limits:
    """What one import of a kind may be: checked before reading (file size, the sizes its zip entries declare,
    the sheet's declared dimension) and after (rows, columns, cell length). The reading itself runs in a child
    process that may use at most `memory` bytes more than the worker, so a hostile file kills only the child."""

    max_bytes: int = 10 * 1024 * 1024
    max_rows: int = 20_000
    max_cols: int = 60
    max_cell: int = 2_000
    max_unzipped: int = 100 * 1024 * 1024
    memory: int = 768 * 1024 * 1024
    seconds: int = 120


DEFAULT_LIMITS = Limits()
SHEETS = (".xlsx", ".xlsm", ".xls", ".ods", ".xlsb")
TEXTS = (".csv", ".txt")


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


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.0f}"


def _too_big(limits: Limits):
    return TableError(_("文件太大：本类导入一次最多 %(rows)d 行、%(cols)d 列、%(mb)s MB，请拆分后分批导入。") % {
        "rows": limits.max_rows, "cols": limits.max_cols, "mb": _mb(limits.max_bytes)})


def _col_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]{1,3})?(\d+)?(?::([A-Z]{1,3})(\d+))?"')


def check_zip(data: bytes, limits: Limits) -> None:
    """Refuse a zip-based sheet (XLSX, ODS) whose entries would unpack to more than `max_unzipped` bytes or
    whose worksheets declare more rows or columns than allowed, before anything is decompressed whole."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise TableError(_("文件已损坏或不是有效的表格文件，请用 Excel 或 WPS 打开后重新保存再上传。")) from None
    if len(entries) > 2000 or sum(e.file_size for e in entries) > limits.max_unzipped:
        raise _too_big(limits)
    for entry in entries:
        if not (entry.filename.startswith("xl/worksheets/") and entry.filename.endswith(".xml")):
            continue
        try:
            with archive.open(entry) as fh:
                head = fh.read(8192)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError, NotImplementedError):
            raise TableError(_("文件已损坏或不是有效的表格文件，请用 Excel 或 WPS 打开后重新保存再上传。")) from None
        found = _DIMENSION.search(head)
        if found and found.group(3):
            rows, cols = int(found.group(4)), _col_number(found.group(3).decode())
            if rows > limits.max_rows + 50 or cols > limits.max_cols:
                raise TableError(_("表格声明了 %(rows)d 行 × %(cols)d 列，超过本类导入的上限（%(max_rows)d 行、"
                                   "%(max_cols)d 列）。请删除多余的行列或拆分文件后再上传。") % {
                    "rows": rows, "cols": cols, "max_rows": limits.max_rows, "max_cols": limits.max_cols})


def _sheet_rows(data: bytes) -> list[list[str]]:
    wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    sheet = wb.get_sheet_by_index(0)
    return [[c.strip() if type(c) is str else _cell(c) for c in row]  # text, the common cell, read inline
            for row in sheet.to_python(skip_empty_area=False)]


def _text(data: bytes) -> str | None:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16").lstrip("\ufeff")
        except UnicodeDecodeError:
            pass
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    return None


class _Refused(Exception):
    """Raised in the reading child: a code (and number) the parent turns into a Chinese message."""


def _text_rows(data: bytes) -> list[list[str]]:
    text = _text(data)
    if text is None:
        raise _Refused("encoding")
    dialect = csv.excel
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        pass
    try:
        return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text, newline=""), dialect)]
    except csv.Error:
        raise _Refused("csv") from None


def _trimmed(rows: list[list[str]], limits: Limits) -> list[list[str]]:
    """Rows without trailing empty cells or trailing empty rows, within the row, column and cell limits."""
    out = []
    for row in rows:
        while row and not row[-1]:
            row.pop()
        out.append(row)
    while out and not out[-1]:
        out.pop()
    if len(out) > limits.max_rows + 50 or any(len(r) > limits.max_cols for r in out):
        raise _Refused("big")
    for n, row in enumerate(out, start=1):
        if any(len(c) > limits.max_cell for c in row):
            raise _Refused("cell", n)
    return out


def _vm_bytes() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def _child(conn, data: bytes, sheet: bool, limits: Limits) -> None:
    """Runs in the child process (forked from a small fork server, not from the worker): cap its memory and CPU
    time, read, send back the rows or a refusal code. It needs no Django: messages are made by the parent."""
    resource.setrlimit(resource.RLIMIT_AS, (_vm_bytes() + limits.memory, resource.getrlimit(resource.RLIMIT_AS)[1]))
    resource.setrlimit(resource.RLIMIT_CPU, (limits.seconds, resource.getrlimit(resource.RLIMIT_CPU)[1]))
    try:
        rows = _sheet_rows(data) if sheet else _text_rows(data)
        conn.send(("ok", _trimmed(rows, limits)))
    except _Refused as e:
        conn.send(e.args if len(e.args) > 1 else (e.args[0], 0))
    except MemoryError:
        conn.send(("memory", 0))
    except Exception:  # noqa: BLE001 - calamine's own errors: the file is not what its name says, or is damaged
        conn.send(("broken", 0))
    finally:
        conn.close()


def _context():
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["shanzhi.core.tabular", "python_calamine"])
    return ctx


def _read_in_child(data: bytes, sheet: bool, limits: Limits) -> list[list[str]]:
    ctx = _context()
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, data, sheet, limits), daemon=True)
    proc.start()
    child.close()
    try:
        status, payload = parent.recv() if parent.poll(limits.seconds + 10) else ("memory", 0)
    except (EOFError, OSError):  # the child died: out of memory, aborted by the reader, or killed
        status, payload = "memory", 0
    finally:
        parent.close()
        proc.join(5)
        if proc.is_alive():
            proc.kill()
            proc.join()
    if status == "ok":
        return payload
    raise _message(status, payload, limits)


def _message(status: str, n: int, limits: Limits) -> TableError:
    if status == "big":
        return _too_big(limits)
    if status == "cell":
        return TableError(_("第 %(n)d 行有单元格超过 %(max)d 个字，请检查是否粘贴了多余内容。") % {
            "n": n, "max": limits.max_cell})
    if status == "encoding":
        return TableError(_("文件编码无法识别，请另存为 UTF-8 或 GBK 编码的 CSV，或使用 Excel 模板。"))
    if status == "csv":
        return TableError(_("CSV 文件格式有误（引号不成对或单元格过长），请用 Excel 打开后另存为 CSV 再上传。"))
    if status == "broken":
        return TableError(_("文件已损坏或不是有效的表格文件，请用 Excel 或 WPS 打开后重新保存再上传。"))
    return TableError(_("文件过大或结构异常，无法读取。请删除多余的行列、拆分后再上传，或另存为 CSV。"))


def read_rows(data: bytes, filename: str, limits: Limits = DEFAULT_LIMITS) -> list[list[str]]:
    """Every row of the first sheet as text cells, read in a memory-capped child process after the size
    checks; TableError with a Chinese message for anything that can't or mustn't be read."""
    name = (filename or "").lower()
    if not name.endswith(SHEETS + TEXTS):
        raise TableError(_("不支持的文件类型，请上传 XLSX、XLS、ODS 或 CSV 文件。"))
    if len(data) > limits.max_bytes:
        raise _too_big(limits)
    if not data:
        raise TableError(_("文件是空的，请检查后重新上传。"))
    sheet = name.endswith(SHEETS)
    if sheet and data[:2] == b"PK":
        check_zip(data, limits)
    return _read_in_child(data, sheet, limits)


def _header_row(rows: list[list[str]], required: list[str]) -> tuple[int, list[str]]:
    """(index, titles) of the first of the first 20 rows that holds every required title (asterisks dropped)."""
    for idx, row in enumerate(rows[:20]):
        cells = [c.replace("*", "").replace("＊", "").strip() for c in row]
        if all(r in cells for r in required):
            return idx, cells
    raise TableError(_("找不到表头行：第一张表的前 20 行里没有“%(cols)s”这些列。请使用导入模板，"
                       "或把表头改成模板中的列名。") % {"cols": "、".join(required)})


def _refuse_repeated(columns: list[str], headers: list[str]) -> None:
    twice = sorted({c for c in columns if c in headers and columns.count(c) > 1})
    if twice:
        raise TableError(_("表头“%(cols)s”出现了不止一次，请删除重复的列后再上传。") % {"cols": "、".join(twice)})


def _is_data(row: list[str]) -> bool:
    """Not an empty row nor a comment row (the template's explanations)."""
    return any(c.strip() for c in row) and not (row and row[0].startswith(COMMENT_MARKERS))


def read_table(data: bytes, filename: str, headers: list[str], required: list[str] | None = None,
               limits: Limits = DEFAULT_LIMITS) -> Table:
    """`headers` are the known column titles; the header row is the first row containing all `required`."""
    rows = read_rows(data, filename, limits)
    idx, columns = _header_row(rows, required or headers[:1])
    _refuse_repeated(columns, headers)
    known = set(headers)
    wanted = [(i, col) for i, col in enumerate(columns) if col in known]
    last = wanted[-1][0] if wanted else -1
    out: list[tuple[int, dict[str, str]]] = [
        (offset, {col: row[i] for i, col in wanted} if len(row) > last  # cells were stripped when read
         else {col: (row[i] if i < len(row) else "") for i, col in wanted})
        for offset, row in enumerate(rows[idx + 1:], start=idx + 2) if _is_data(row)
    ]
    return Table(header_row=idx + 1, columns=columns, rows=out)
