"""The spreadsheet-import machinery shared by every app (人+纸 → 数字): column declarations and cell parsing,
templates, error workbooks, the deletion of kept uploads after SHANZHI_IMPORT_KEEP_DAYS, the background task and
the registry of importers behind the import pages (core.import_views) and `shanzhi import`.

An app describes its columns with `Col`, writes its own `run(*, actor, data, filename, region_code, dry_run,
progress_id)` returning a report dict, and registers an `Importer` from `AppConfig.ready()`. Reading the file
is `Importer.read` (core.tabular: size and shape limits, a memory-capped child process); the upload is kept
encrypted by core.uploads and the task gets its file id only.
"""

from __future__ import annotations

import datetime
import io
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache

import xlsxwriter
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage as storage
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from shanzhi.audit.services import audit_log

from .errors import ServiceError
from .export import WORKBOOK_OPTIONS, write_cells
from .models import TaskProgress
from .progress import Heartbeat, progress_claim, progress_create, progress_update
from .tabular import DEFAULT_LIMITS, Limits, TableError, read_table
from .uploads import file_id_of, upload_load, upload_store

TRUE_WORDS = {"是", "有", "y", "yes", "true", "1", "√", "✓"}
FALSE_WORDS = {"否", "无", "n", "no", "false", "0", ""}
MAX_INT = 2_000_000_000  # fits every integer column
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- columns and cells --------------------------------------------------------------------------------------

@dataclass
class Col:
    header: str
    field: str
    note: str = ""
    required: bool = False
    kind: str = "text"  # text | int | decimal | float | date | datetime | bool | choice
    choices: type | None = None
    max_length: int = 200
    options: tuple[str, ...] = ()  # a drop-down list for the template (choices give their labels)
    example: str = ""  # shown in the template's comment row


class RowError(Exception):
    """One cell (or row, with header "") is wrong; `message` says what to do, in Chinese."""

    def __init__(self, header: str, message: str):
        super().__init__(message)
        self.header, self.message = header, message


@lru_cache(maxsize=64)
def _labels(choices) -> dict[str, str]:
    """What people type → choice value: the value, the Chinese label (whatever language is active) and the
    label without its parenthesis (“改造型(村改居)” → “改造型”)."""
    with translation.override("zh-hans"):
        labels = [(str(label), value) for value, label in choices.choices]
    out = {label.split("(")[0].split("（")[0]: value for label, value in labels}
    out |= {label: value for label, value in labels}
    out |= {v: v for v in choices.values}
    return out


def _parse_text(col: Col, value: str) -> str:
    if len(value) > col.max_length:
        raise RowError(col.header, _("不能超过 %(n)d 个字") % {"n": col.max_length})
    return value


def _parse_choice(col: Col, value: str):
    labels = _labels(col.choices)
    found = labels.get(value) or labels.get(value.lower())
    if found is None:
        raise RowError(col.header, _("“%(v)s”不是可选值，可选：%(opts)s") % {
            "v": value, "opts": "、".join(str(lbl) for _v, lbl in col.choices.choices)})
    return found


def _parse_bool(col: Col, value: str) -> bool:
    low = value.lower()
    if low in TRUE_WORDS:
        return True
    if low in FALSE_WORDS:
        return False
    raise RowError(col.header, _("请填写“是”或“否”"))


def _parse_int(col: Col, value: str) -> int:
    try:
        number = int(Decimal(_number_text(value)))
    except (InvalidOperation, ValueError, OverflowError):
        raise RowError(col.header, _("应为整数")) from None
    if abs(number) > MAX_INT:
        raise RowError(col.header, _("数字过大，请检查"))
    return number


def _parse_decimal(col: Col, value: str) -> Decimal:
    try:
        return Decimal(_number_text(value)).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise RowError(col.header, _("应为数字")) from None


def _parse_float(col: Col, value: str) -> float:

    try:
        number = float(unicodedata.normalize("NFKC", value).replace(" ", ""))
    except ValueError:
        raise RowError(col.header, _("应为数字")) from None
    if number != number or number in (float("inf"), float("-inf")):
        raise RowError(col.header, _("应为数字"))
    return number


# Col.kind → how a non-empty cell of that kind is read
PARSERS: dict[str, Callable] = {
    "text": _parse_text,
    "choice": _parse_choice,
    "bool": _parse_bool,
    "int": _parse_int,
    "decimal": _parse_decimal,
    "float": _parse_float,
    "date": lambda col, value: parse_date(col.header, value),
    "datetime": lambda col, value: parse_datetime(col.header, value),
}


def parse_cell(col: Col, raw: str):
    """The typed value of one cell, None when empty (RowError when required), or RowError naming the column."""
    value = (raw or "").strip()
    if "\x00" in value:
        raise RowError(col.header, _("含有不可见的空字符（NUL），请删除后重新导入"))
    if not value:
        if col.required:
            raise RowError(col.header, _("必填，不能为空"))
        return None
    if col.kind not in PARSERS:
        raise AssertionError(col.kind)
    return PARSERS[col.kind](col, value)


def _number_text(value: str) -> str:
    """A typed number as Decimal reads it: full-width digits made ASCII, spaces and thousands separators
    dropped, the sign kept (“－3” → “-3”, “1,234” → “1234”)."""
    return unicodedata.normalize("NFKC", value).replace(" ", "").replace(",", "")


def _date_text(value: str) -> str:
    text = unicodedata.normalize("NFKC", value).strip().split("T")[0]
    for a, b in (("年", "-"), ("月", "-"), ("日", " "), ("/", "-"), (".", "-")):
        text = text.replace(a, b)
    return (text.split() or [""])[0]  # the date part of “2020-01-01 08:30”


def parse_date(header: str, value: str) -> datetime.date:
    """“2020-01-01”, “2020/1/1”, “2020.1.1”, “2020年1月1日” or “20200101”."""
    text = _date_text(value)
    try:
        if len(text) == 8 and text.isdigit():
            return datetime.date(int(text[:4]), int(text[4:6]), int(text[6:]))
        y, m, d = (int(p) for p in text.split("-")[:3])
        return datetime.date(y, m, d)
    except ValueError:
        raise RowError(header, _("日期格式不正确，请写成 2020-01-01")) from None


def parse_datetime(header: str, value: str) -> datetime.datetime:
    """“2026-05-01 14:30”, “2026/5/1 14:30:00”, “2026年5月1日 14时30分”, “2026-05-01T14:30” or a bare date
    (midnight), in the site's time zone."""
    text = unicodedata.normalize("NFKC", value).strip().replace("T", " ")
    for a, b in (("年", "-"), ("月", "-"), ("日", " "), ("/", "-"), ("时", ":"), ("分", ":"), ("秒", "")):
        text = text.replace(a, b)
    date_part, _sep, time_part = " ".join(text.split()).partition(" ")
    try:
        day = parse_date(header, date_part)
        hms = [int(p) for p in time_part.strip(":").split(":") if p != ""][:3] if time_part.strip() else []
        at = datetime.time(*hms) if hms else datetime.time()
    except (ValueError, TypeError):
        raise RowError(header, _("时间格式不正确，请写成 2026-05-01 14:30")) from None
    except RowError:
        raise RowError(header, _("时间格式不正确，请写成 2026-05-01 14:30")) from None
    return timezone.make_aware(datetime.datetime.combine(day, at))


_CACHED_CELLS = 50_000  # distinct texts remembered per column (dates, choices, numbers repeat in a file)


def _cell_reader(col: Col) -> Callable[[str], tuple]:
    """raw → (value, None) or (None, (header, message)) for one column, as parse_cell reads it. Text cells get
    parse_cell's checks inline (they are mostly distinct: names, addresses); the other kinds remember their
    outcome per distinct cell text, so a file's 100,000 birth dates or choices are parsed once per value."""
    if col.kind == "text":
        header, limit, required = col.header, col.max_length, col.required
        empty = (None, (header, _("必填，不能为空"))) if required else (None, None)
        nul = (None, (header, _("含有不可见的空字符（NUL），请删除后重新导入")))
        too_long = (None, (header, _("不能超过 %(n)d 个字") % {"n": limit}))

        def read_text(raw):
            value = raw.strip() if raw else ""
            if not value:
                return empty
            if "\x00" in value:
                return nul
            if len(value) > limit:
                return too_long
            return value, None

        return read_text
    if col.kind not in PARSERS:
        raise AssertionError(col.kind)
    seen: dict = {}

    def read(raw):
        out = seen.get(raw)
        if out is None:
            try:
                out = (parse_cell(col, raw), None)
            except RowError as e:
                out = (None, (e.header, e.message))
            if len(seen) < _CACHED_CELLS:
                seen[raw] = out
        return out

    return read


def parse_rows(cols: list[Col], table, *, progress_id=None, every: int = 2000):
    """[(row_number, {field: value}, [(header, message)])] for every data row of `table`: each present cell
    read as parse_cell reads it."""
    readers = [(col.header, col.field, _cell_reader(col)) for col in cols]
    out = []
    total = len(table.rows)
    for i, (row_no, record) in enumerate(table.rows):
        values, errors = {}, []
        for header, name, read in readers:
            if header not in record:
                continue
            value, error = read(record[header])
            if error is None:
                values[name] = value
            else:
                errors.append(error)
        out.append((row_no, values, errors))
        if progress_id and i % every == 0:
            progress_update(progress_id, done=i, total=total, message=_("正在检查第 %(n)d 行") % {"n": row_no})
    return out


# --- workbooks ---------------------------------------------------------------------------------------------

def template_workbook(sheet: str, cols: list[Col]) -> bytes:
    """An XLSX with the headers (required ones marked * on red), a comment row explaining each column with an
    example (the reader skips it), and drop-down lists for coded columns."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet(sheet[:31])
    head = wb.add_format({"bold": True, "bg_color": "#E8EEF9", "border": 1})
    need = wb.add_format({"bold": True, "bg_color": "#FDE2E1", "border": 1})
    note = wb.add_format({"italic": True, "font_color": "#667085", "text_wrap": True, "valign": "top"})
    text = wb.add_format({"num_format": "@"})
    for i, col in enumerate(cols):
        ws.write_string(0, i, col.header + ("*" if col.required else ""), need if col.required else head)
        options = [str(lbl) for _v, lbl in col.choices.choices] if col.choices is not None else list(col.options)
        comment = col.note
        if options:
            comment = (comment + "；" if comment else "") + "可选：" + "、".join(options)
        if col.example:
            comment = (comment + "；" if comment else "") + "例：" + col.example
        ws.write_string(1, i, ("说明：" if i == 0 else "") + comment, note)
        ws.set_column(i, i, max(12, len(col.header) * 3), text if col.kind == "text" else None)
        if options and len(",".join(options)) < 255:  # Excel's limit for an inline list
            ws.data_validation(2, i, 10000, i, {"validate": "list", "ignore_blank": True, "source": options})
    ws.set_row(1, 45)
    ws.freeze_panes(2, 0)
    wb.close()
    return buf.getvalue()


def error_workbook(table, headers: list[str], errors: list[dict]) -> bytes:
    """The rejected rows as they were in the file, with their row number and an error column, to fix and
    re-import. Every cell is written as what it is (text stays text: a cell “=cmd|…” is never a formula)."""
    by_row: dict[int, list[str]] = {}
    for e in errors:
        by_row.setdefault(e["row"], []).append(f"{e['field']}：{e['message']}" if e["field"] else e["message"])
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, **WORKBOOK_OPTIONS})
    ws = wb.add_worksheet(_("错误行"))
    bold = wb.add_format({"bold": True, "bg_color": "#E8EEF9"})
    red = wb.add_format({"font_color": "#B42318", "text_wrap": True})
    write_cells(ws, 0, [*headers, _("原行号"), _("错误原因")], bold)
    r = 1
    for row_no, record in table.rows:
        if row_no not in by_row:
            continue
        write_cells(ws, r, [record.get(h, "") for h in headers])
        ws.write_number(r, len(headers), row_no)
        ws.write_string(r, len(headers) + 1, "；".join(by_row[row_no]), red)
        r += 1
    ws.set_column(len(headers) + 1, len(headers) + 1, 60)
    wb.close()
    return buf.getvalue()


# --- deleting kept uploads (they hold ID numbers and phones) ---------------------------------------------------

UPLOAD_ROOT = "imports"


def _files(storage, folder: str) -> list[str]:
    """Every file under `folder`."""
    try:
        dirs, names = storage.listdir(folder)
    except FileNotFoundError:
        return []
    return [f"{folder}/{n}" for n in names] + [f for d in dirs for f in _files(storage, f"{folder}/{d}")]


def uploads_cleanup(*, keep_days: int | None = None, actor_name: str = "scheduler") -> dict:
    """Delete the files imports kept under media/imports/ whose last change is more than `keep_days`
    (SHANZHI_IMPORT_KEEP_DAYS) days ago, and the finished background-task rows of imports that old. A kept
    upload is left alone while an import of it is queued or running; any other file there (left by an
    older release) while any import is. Writes one audit row with the counts, never file names."""
    keep_days = settings.SHANZHI_IMPORT_KEEP_DAYS if keep_days is None else keep_days
    if keep_days < 0:
        raise ServiceError(_("保留天数不能为负数"), field="keep_days")
    cutoff = timezone.now() - datetime.timedelta(days=keep_days)
    busy = TaskProgress.objects.filter(state__in=[TaskProgress.State.QUEUED, TaskProgress.State.RUNNING],
                                       kind__contains="import")
    busy_files = {(r or {}).get("job", {}).get("file_id") for r in busy.values_list("result", flat=True)}
    any_import_busy = busy.exists()

    deleted = kept_busy = 0
    for name in _files(storage, UPLOAD_ROOT):
        if storage.get_modified_time(name) >= cutoff:
            continue
        file_id = file_id_of(name)
        if (file_id in busy_files) if file_id else any_import_busy:
            kept_busy += 1
            continue
        storage.delete(name)
        deleted += 1
    for folder in storage.listdir(UPLOAD_ROOT)[0] if storage.exists(UPLOAD_ROOT) else []:
        if storage.listdir(f"{UPLOAD_ROOT}/{folder}") == ([], []):  # an older release's per-import folder
            storage.delete(f"{UPLOAD_ROOT}/{folder}")

    task_rows, _by_model = (DBTaskResult.objects.finished()
                            .filter(task_path=import_task.module_path, finished_at__lt=cutoff).delete())
    counts = {"files_deleted": deleted, "files_kept_busy": kept_busy, "task_rows_deleted": task_rows,
              "keep_days": keep_days}
    audit_log(action="imports.cleanup", actor_name=actor_name, after=counts)
    return counts


@task()
def uploads_cleanup_task() -> dict:
    """The periodic job (CoreConfig.ready registers it with the scheduler)."""
    return uploads_cleanup()


# --- importers: the registry behind the import pages, `shanzhi import` and the background task ----------------

@dataclass(frozen=True)
class Importer:
    """One kind of import. `run(*, actor, data, filename, region_code, dry_run, progress_id=None)` checks (and
    unless dry_run, writes) a file and returns its report {"kind", "dry_run", "rows", <summary keys>,
    "errors": [{"row", "field", "message"}], ...}; it raises ServiceError for a file it can't take.
    The import pages (core.import_views) serve every registered importer at /imports/<kind>/."""

    kind: str
    label: str
    run: Callable[..., dict]
    template: Callable[[], bytes]
    summary: tuple[tuple[str, str], ...] = field(default=())  # (report key, Chinese label)
    needs_region: bool = True
    roles: frozenset[str] = frozenset()  # who may use the pages
    columns: Callable[[], list[Col]] = list  # the known columns (upload page, error workbook)
    required: tuple[str, ...] = ()  # headers that find the header row (default: the required columns)
    regions: Callable | None = None  # regions(user) -> [(code, label)] to import into, when needs_region
    limits: Limits = DEFAULT_LIMITS
    group: str = ""  # importers listed together on the upload page (the registry's five)
    help_template: str = ""  # notes beside the upload form
    report_template: str = ""  # more of the report (e.g. the cases filed)
    done_url: str = ""  # URL name of the list that shows what was imported

    def headers(self) -> list[str]:
        return [col.header for col in self.columns()]

    def required_headers(self) -> list[str]:
        return list(self.required) or [col.header for col in self.columns() if col.required]

    def read(self, data: bytes, filename: str):
        """The table of an upload, or ServiceError(field="file") with the reader's Chinese message."""
        try:
            return read_table(data, filename, self.headers(), self.required_headers(), self.limits)
        except TableError as e:
            raise ServiceError(str(e), field="file") from None

    def error_workbook(self, data: bytes, filename: str, errors: list[dict]) -> bytes:
        table = self.read(data, filename)
        present = set(table.columns)
        return error_workbook(table, [h for h in self.headers() if h in present], errors)


IMPORTERS: dict[str, Importer] = {}


def register_importer(importer: Importer) -> None:
    """Apps call this from AppConfig.ready()."""
    IMPORTERS.setdefault(importer.kind, importer)


def _fail(progress_id: str, message: str, job: dict) -> dict:
    progress_update(progress_id, state="failed", message=message, result={"error": message, "job": job})
    return {"error": message}


@task()
def import_task(*, progress_id: str, kind: str, user_id: int, file_id: str, region_code: str, dry_run: bool) -> dict:
    """Background import (the Tasks API). It is given the id of the kept (encrypted) upload, never its bytes.
    The progress record carries the job (to retry it), the worker's host and pid, and a heartbeat, so a
    worker that died is noticed (core.progress.progress_reap) instead of a bar spinning for ever."""
    User = get_user_model()

    job = {"kind": kind, "file_id": file_id, "region_code": region_code, "dry_run": dry_run}
    progress_claim(progress_id, job=job, message=_("正在读取文件"))
    stored = upload_load(file_id)
    importer = IMPORTERS.get(kind)
    if stored is None or importer is None:
        return _fail(progress_id, _("找不到上传的文件（可能已超过保留期限），请重新上传"), job)
    with Heartbeat(progress_id):
        try:
            report = importer.run(actor=User.objects.get(pk=user_id), data=stored.data, filename=stored.filename,
                                  region_code=region_code, dry_run=dry_run, progress_id=progress_id)
        except ServiceError as e:
            return _fail(progress_id, e.user_message, job)
        except Exception:  # e.g. the database was busy: the page must not wait for ever; nothing was written
            _fail(progress_id, _("导入时出错，未写入任何数据，请稍后重试"), job)
            raise
    report = report | {"job": job, "filename": stored.filename}
    progress_update(progress_id, state="done", done=report.get("rows", 0), total=report.get("rows", 0),
                    result=report, message=_("检查完成") if dry_run else _("导入完成"))
    return {k: report.get(k) for k in ("kind", "dry_run", "rows", "rejected")}


def import_start(*, actor, kind: str, file_id: str, region_code: str = "", dry_run: bool) -> str:
    """Queue an import of a kept upload; returns the TaskProgress id for the progress bar."""
    job = {"kind": kind, "file_id": file_id, "region_code": region_code, "dry_run": dry_run}
    progress = progress_create(kind=f"import.{kind}", owner=actor, message=_("排队中"), result={"job": job})
    import_task.enqueue(progress_id=str(progress.pk), kind=kind, user_id=actor.pk, file_id=file_id,
                        region_code=region_code, dry_run=dry_run)
    return str(progress.pk)


def import_enqueue(*, actor, kind: str, data: bytes, filename: str, region_code: str = "", dry_run: bool) -> str:
    """Keep (encrypted) an uploaded file and start its import in the background; returns the TaskProgress id."""
    file_id = upload_store(data, filename, region_code)
    return import_start(actor=actor, kind=kind, file_id=file_id, region_code=region_code, dry_run=dry_run)


def import_retry(*, actor, progress) -> str:
    """Queue the same job again (after its worker died or the database was busy); returns the new progress id."""
    job = (progress.result or {}).get("job")
    if not job or progress.state != progress.State.FAILED:
        raise ServiceError(_("这项导入不能重试，请重新上传"))
    return import_start(actor=actor, **job)


def import_commit(*, actor, progress) -> str:
    """After a dry run: queue the commit of the same kept file; returns the new progress id."""
    job = (progress.result or {}).get("job") or {}
    if progress.state != progress.State.DONE or not job.get("dry_run") or upload_load(job.get("file_id")) is None:
        raise ServiceError(_("找不到这次预检的文件，请重新上传"))
    return import_start(actor=actor, **(job | {"dry_run": False}))
