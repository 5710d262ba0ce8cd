"""The spreadsheet-import machinery shared by every app (人+纸 → 数字): column declarations and cell parsing,
templates, error workbooks, the kept upload (and its deletion after SHANZHI_IMPORT_KEEP_DAYS), the background
task and the registry behind `shanzhi import`.

An app describes its columns with `Col`, writes its own `run(*, actor, data, filename, region_code, dry_run,
progress_id)` returning a report dict, and registers an `Importer` from `AppConfig.ready()`. Reading the file
itself is `core.tabular.read_table`.
"""

from __future__ import annotations

import base64
import datetime
import io
import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache

import xlsxwriter
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.storage import default_storage as storage
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from shanzhi.audit.services import audit_log

from .errors import ServiceError
from .models import TaskProgress
from .progress import progress_create, progress_update
from .tabular import normalise

TRUE_WORDS = {"是", "有", "y", "yes", "true", "1", "√", "✓"}
FALSE_WORDS = {"否", "无", "n", "no", "false", "0", ""}
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
    out = {str(label): value for value, label in choices.choices}
    out |= {v: v for v in choices.values}
    return out


def parse_cell(col: Col, raw: str):
    """The typed value of one cell, None when empty (RowError when required), or RowError naming the column."""
    value = (raw or "").strip()
    if not value:
        if col.required:
            raise RowError(col.header, _("必填，不能为空"))
        return None
    if col.kind == "text":
        if len(value) > col.max_length:
            raise RowError(col.header, _("不能超过 %(n)d 个字") % {"n": col.max_length})
        return value
    if col.kind == "choice":
        labels = _labels(col.choices)
        found = labels.get(value) or labels.get(value.lower())
        if found is None:
            raise RowError(col.header, _("“%(v)s”不是可选值，可选：%(opts)s") % {
                "v": value, "opts": "、".join(str(lbl) for _v, lbl in col.choices.choices)})
        return found
    if col.kind == "bool":
        low = value.lower()
        if low in TRUE_WORDS:
            return True
        if low in FALSE_WORDS:
            return False
        raise RowError(col.header, _("请填写“是”或“否”"))
    if col.kind == "int":
        try:
            return int(Decimal(normalise(value)))
        except (InvalidOperation, ValueError):
            raise RowError(col.header, _("应为整数")) from None
    if col.kind == "decimal":
        try:
            return Decimal(normalise(value)).quantize(Decimal("0.01"))
        except InvalidOperation:
            raise RowError(col.header, _("应为数字")) from None
    if col.kind == "float":
        try:
            number = float(unicodedata.normalize("NFKC", value).replace(" ", ""))
        except ValueError:
            raise RowError(col.header, _("应为数字")) from None
        if number != number or number in (float("inf"), float("-inf")):
            raise RowError(col.header, _("应为数字"))
        return number
    if col.kind == "date":
        return parse_date(col.header, value)
    if col.kind == "datetime":
        return parse_datetime(col.header, value)
    raise AssertionError(col.kind)


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


def parse_rows(cols: list[Col], table, *, progress_id=None, every: int = 2000):
    """[(row_number, {field: value}, [(header, message)])] for every data row of `table`."""
    out = []
    for i, (row_no, record) in enumerate(table.rows):
        values, errors = {}, []
        for col in cols:
            if col.header not in record:
                continue
            try:
                values[col.field] = parse_cell(col, record[col.header])
            except RowError as e:
                errors.append((e.header, e.message))
        out.append((row_no, values, errors))
        if progress_id and i % every == 0:
            progress_update(progress_id, done=i, total=len(table.rows), message=_("正在检查第 %(n)d 行") % {"n": row_no})
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
    """The rejected rows as they were in the file, with their row number and an error column, to fix and re-import."""
    by_row: dict[int, list[str]] = {}
    for e in errors:
        by_row.setdefault(e["row"], []).append(f"{e['field']}：{e['message']}" if e["field"] else e["message"])
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False})
    ws = wb.add_worksheet(_("错误行"))
    bold = wb.add_format({"bold": True, "bg_color": "#E8EEF9"})
    red = wb.add_format({"font_color": "#B42318", "text_wrap": True})
    ws.write_row(0, 0, [*headers, _("原行号"), _("错误原因")], bold)
    r = 1
    for row_no, record in table.rows:
        if row_no not in by_row:
            continue
        ws.write_row(r, 0, [record.get(h, "") for h in headers])
        ws.write_number(r, len(headers), row_no)
        ws.write_string(r, len(headers) + 1, "；".join(by_row[row_no]), red)
        r += 1
    ws.set_column(len(headers) + 1, len(headers) + 1, 60)
    wb.close()
    return buf.getvalue()


# --- the kept upload (dry run → commit, error workbook) ---------------------------------------------------

def upload_store(pk, data: bytes, filename: str, tag: str) -> None:
    """Keep the uploaded file of import `pk` (named `tag` + its extension) for the commit and the error workbook."""
    safe = tag + ("." + filename.rsplit(".", 1)[-1].lower()[:5] if "." in filename else "")
    default_storage.save(f"imports/{pk}/{safe}", ContentFile(data))


def upload_load(pk) -> tuple[bytes, str, str] | None:
    """(data, stored file name, tag) of the file kept for import `pk`, or None."""
    folder = f"imports/{pk}"
    try:
        names = default_storage.listdir(folder)[1]
    except FileNotFoundError:
        return None
    if not names:
        return None
    with default_storage.open(f"{folder}/{names[0]}") as fh:
        return fh.read(), names[0], names[0].split(".")[0]


# --- deleting kept uploads (they hold ID numbers and phones) ---------------------------------------------------

UPLOAD_ROOT = "imports"


def _files(storage, folder: str) -> list[str]:
    """Every file under `folder`."""
    try:
        dirs, names = storage.listdir(folder)
    except FileNotFoundError:
        return []
    return [f"{folder}/{n}" for n in names] + [f for d in dirs for f in _files(storage, f"{folder}/{d}")]


def _progress_id(name: str) -> str | None:
    try:
        return str(uuid.UUID(name))
    except ValueError:
        return None


def uploads_cleanup(*, keep_days: int | None = None, actor_name: str = "scheduler") -> dict:
    """Delete the files imports kept under media/imports/ (uploads, and anything else stored there) whose last
    change is more than `keep_days` (SHANZHI_IMPORT_KEEP_DAYS) days ago, and the finished background-task rows
    of imports that old (their arguments carry the uploaded file). A folder named by an import's progress id
    is left alone while that import is queued or running; other folders (the region import's) while any import
    is. Writes one audit row with the counts, never file names. Returns the counts."""
    keep_days = settings.SHANZHI_IMPORT_KEEP_DAYS if keep_days is None else keep_days
    if keep_days < 0:
        raise ServiceError(_("保留天数不能为负数"), field="keep_days")
    cutoff = timezone.now() - datetime.timedelta(days=keep_days)
    busy = TaskProgress.objects.filter(state__in=[TaskProgress.State.QUEUED, TaskProgress.State.RUNNING])
    busy_ids = {str(pk) for pk in busy.values_list("pk", flat=True)}
    any_import_busy = busy.filter(kind__contains="import").exists()

    deleted = kept_busy = 0
    emptied: set[str] = set()
    for name in _files(storage, UPLOAD_ROOT):
        if storage.get_modified_time(name) >= cutoff:
            continue
        parts = name.split("/")
        owner = _progress_id(parts[1]) if len(parts) == 3 else None
        busy_now = owner in busy_ids if owner else any_import_busy
        if busy_now:
            kept_busy += 1
            continue
        storage.delete(name)
        deleted += 1
        if owner:
            emptied.add(f"{UPLOAD_ROOT}/{parts[1]}")
    for folder in emptied:  # an import's own folder, once nothing is left in it
        if storage.listdir(folder) == ([], []):
            storage.delete(folder)

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


# --- importers: the registry behind `shanzhi import` and the background task ----------------------------------

@dataclass(frozen=True)
class Importer:
    kind: str
    label: str
    run: Callable[..., dict]  # run(*, actor, data, filename, region_code, dry_run, progress_id=None) -> report
    template: Callable[[], bytes]
    summary: tuple[tuple[str, str], ...] = field(default=())  # (report key, Chinese label) for the command line
    needs_region: bool = True


IMPORTERS: dict[str, Importer] = {}


def register_importer(importer: Importer) -> None:
    """Apps call this from AppConfig.ready()."""
    IMPORTERS.setdefault(importer.kind, importer)


@task()
def import_task(*, kind: str, user_id: int, data_b64: str, filename: str, region_code: str, dry_run: bool,
                progress_id: str) -> dict:
    """Background import (the Tasks API); the page polls the progress record, which the importer finishes."""
    User = get_user_model()

    actor = User.objects.get(pk=user_id)
    progress_update(progress_id, state="running", message=_("正在读取文件"))
    try:
        return IMPORTERS[kind].run(actor=actor, data=base64.b64decode(data_b64), filename=filename,
                                   region_code=region_code, dry_run=dry_run, progress_id=progress_id)
    except ServiceError as e:
        progress_update(progress_id, state="failed", message=e.user_message, result={"error": e.user_message})
        return {"error": e.user_message}
    except Exception:  # e.g. the database was busy: the page must not wait for ever; nothing was written
        message = _("导入时出错，未写入任何数据，请稍后重试")
        progress_update(progress_id, state="failed", message=message, result={"error": message})
        raise


def import_enqueue(*, actor, kind: str, data: bytes, filename: str, region_code: str = "", dry_run: bool,
                   progress_kind: str | None = None) -> str:
    """Start an import in the background; returns the TaskProgress id for the progress bar."""
    progress = progress_create(kind=progress_kind or f"import.{kind}", owner=actor, message=_("排队中"))
    import_task.enqueue(kind=kind, user_id=actor.pk, data_b64=base64.b64encode(data).decode(), filename=filename,
                        region_code=region_code, dry_run=dry_run, progress_id=str(progress.pk))
    return str(progress.pk)
