"""Imports against hostile input and dying workers: kept uploads are encrypted and tasks get a file id only;
error workbooks hold no live formula; oversized or malformed spreadsheets are refused in Chinese before (or
while, in a memory-capped child) they are read; a NUL byte is a row error at the dry run; a task whose worker
died is marked failed with a retry that re-runs it to the same result."""

import io
import json
import os
import re
import socket
import stat
import zipfile
from dataclasses import replace

import pytest
import xlsxwriter
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from python_calamine import CalamineWorkbook

from shanzhi.core.errors import ServiceError
from shanzhi.core.import_views import _upload_view
from shanzhi.core.importing import IMPORTERS, error_workbook, import_enqueue, import_task
from shanzhi.core.models import TaskProgress
from shanzhi.core.roles import Role
from shanzhi.core.tabular import Limits, Table, TableError, read_rows
from shanzhi.core.uploads import upload_store
from shanzhi.registry.models import Person

pytestmark = pytest.mark.django_db
ID = "110101199003071234"
CJK = re.compile(r"[\u4e00-\u9fff]")
PRODUCT_NAMES = re.compile(r"\b(Excel|WPS|CSV|XLSX|XLS|ODS|UTF|GBK|NUL|MB)\b")


def chinese_only(message: str) -> bool:
    """Chinese, with no English words (product names aside) and nothing of a Python exception."""
    return bool(CJK.search(message)) and not re.search(r"[A-Za-z]{3,}", PRODUCT_NAMES.sub("", message))


@pytest.fixture
def media(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}}}
    return tmp_path


def xlsx(rows, *, far_cell=False) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet()
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            ws.write_string(r, c, v)
    if far_cell:
        ws.write_string(1048575, 16383, "x")  # XFD1048576
    wb.close()
    return buf.getvalue()


def without_dimension(data: bytes) -> bytes:
    """The same workbook with the sheet's <dimension> removed, so only reading it shows its size."""
    src, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            body = src.read(item)
            if item.filename.startswith("xl/worksheets/"):
                body = re.sub(rb"<dimension[^>]*/>", b"", body)
            dst.writestr(item, body)
    return out.getvalue()


# --- uploads at rest and task arguments ----------------------------------------------------------------------

def test_kept_upload_is_encrypted_mode_600_and_the_task_gets_its_id_only(media, settings, make_user, world):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # queued, not run
    data = f"姓名,证件号码\n张三,{ID}\n".encode()
    import_enqueue(actor=make_user(Role.GRID_WORKER, world.grid.code), kind="persons", data=data,
                   filename="p.csv", region_code=world.grid.code, dry_run=True)
    files = list((media / "imports").iterdir())
    assert len(files) == 1
    stored = files[0].read_bytes()
    assert ID.encode() not in stored and "张三".encode() not in stored and b"p.csv" not in stored
    assert stat.S_IMODE(os.stat(files[0]).st_mode) == 0o600
    row = DBTaskResult.objects.get(task_path=import_task.module_path)
    args = json.dumps(row.args_kwargs, ensure_ascii=False)
    assert ID not in args and "张三" not in args and "data" not in row.args_kwargs["kwargs"]
    assert row.args_kwargs["kwargs"]["file_id"] == files[0].stem


# --- formulas stay text ------------------------------------------------------------------------------------

def test_error_workbook_writes_formulas_and_links_as_text():
    evil = ["=cmd|' /C calc'!A0", "+1+1", "@SUM(A1)", "http://x.example/", "-2+3"]
    table = Table(header_row=1, columns=["姓名"], rows=[(n, {"姓名": v}) for n, v in enumerate(evil, start=2)])
    book = error_workbook(table, ["姓名"], [{"row": n, "field": "姓名", "message": "错"} for n in range(2, 7)])
    sheet = zipfile.ZipFile(io.BytesIO(book)).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet and b"<f " not in sheet  # no formula cell
    assert b"hyperlink" not in sheet

    cells = [r[0] for r in CalamineWorkbook.from_filelike(io.BytesIO(book)).get_sheet_by_index(0).to_python()[1:]]
    assert cells == evil


# --- hostile spreadsheets ------------------------------------------------------------------------------------

def test_a_sheet_declaring_xfd1048576_is_refused_before_reading():
    data = xlsx([["姓名", "证件号码"]], far_cell=True)
    assert len(data) < 10_000
    with pytest.raises(TableError) as e:
        read_rows(data, "p.xlsx")
    assert "1048576 行 × 16384 列" in str(e.value) and "上限" in str(e.value)


def test_a_far_cell_without_dimension_kills_only_the_memory_capped_child():
    data = without_dimension(xlsx([["姓名", "证件号码"]], far_cell=True))
    with pytest.raises(TableError) as e:
        read_rows(data, "p.xlsx", Limits(memory=256 * 1024 * 1024, seconds=30))
    assert CJK.search(str(e.value))  # this process lives on and says why


def test_zip_bomb_and_size_limits():
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (120 * 1024 * 1024))
    with pytest.raises(TableError, match="文件太大"):
        read_rows(bomb.getvalue(), "b.xlsx")
    with pytest.raises(TableError, match="文件太大"):
        read_rows(b"a,b\n" * 100, "a.csv", Limits(max_bytes=100))
    with pytest.raises(TableError, match="文件太大"):
        read_rows(b"a\n" * 100, "a.csv", Limits(max_rows=5))
    with pytest.raises(TableError, match="超过 10 个字"):
        read_rows("姓名\n".encode() + "长" .encode() * 11, "a.csv", Limits(max_cell=10))
    with pytest.raises(TableError, match="已损坏"):
        read_rows(b"PK\x03\x04garbage", "a.xlsx")


def test_utf16_csv_and_duplicate_headers(world, make_user):
    actor = make_user(Role.GRID_WORKER, world.grid.code)
    report = IMPORTERS["persons"].run(actor=actor, data="姓名,证件号码\n甲,bad\n".encode("utf-16"),
                                      filename="p.csv", region_code=world.grid.code, dry_run=True)
    assert report["rows"] == 1 and report["rejected"] == 1
    with pytest.raises(ServiceError, match="出现了不止一次"):
        IMPORTERS["persons"].run(actor=actor, data="姓名,证件号码,姓名\n".encode(), filename="p.csv",
                                 region_code=world.grid.code, dry_run=True)


def test_a_nul_byte_is_a_row_error_at_the_dry_run_and_never_written(world, make_user):
    actor = make_user(Role.GRID_WORKER, world.grid.code)
    data = f"姓名,证件号码\n张\x00三,{ID}\n".encode()
    for dry_run in (True, False):
        report = IMPORTERS["persons"].run(actor=actor, data=data, filename="p.csv", region_code=world.grid.code,
                                          dry_run=dry_run)
        assert report["rejected"] == 1 and "空字符" in report["errors"][0]["message"]
    assert Person.objects.count() == 0


def test_an_unreadable_file_says_why_in_chinese_and_offers_to_upload_again(client, world, make_user, media):
    client.force_login(make_user(Role.GRID_WORKER, world.grid.code))
    resp = client.post("/imports/persons/", {"region_code": world.grid.code,
                                             "file": SimpleUploadedFile("p.xlsx", b"not a spreadsheet")})
    html = client.get(resp["Location"]).content.decode()
    failed = re.search(r'data-testid="import-failed">([^<]*)<', html).group(1)
    assert chinese_only(failed), failed
    assert 'data-testid="upload-again"' in html and 'href="/imports/persons/"' in html


def test_the_upload_form_refuses_a_file_over_the_kinds_limit(rf, world, make_user, media):
    view = _upload_view(replace(IMPORTERS["persons"], limits=Limits(max_bytes=1024 * 1024)))
    request = rf.post("/imports/persons/", {"region_code": world.grid.code,
                                            "file": SimpleUploadedFile("p.csv", b"x" * (2 << 20))})
    request.user, request.htmx, request.session = make_user(Role.GRID_WORKER, world.grid.code), False, {}
    request._messages = FallbackStorage(request)
    resp = view(request)
    assert resp.status_code == 200 and "文件太大" in resp.content.decode()
    assert not TaskProgress.objects.exists()


# --- workers that die ----------------------------------------------------------------------------------------

def _dead_pid() -> int:
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    return pid


def test_a_task_whose_worker_died_is_failed_with_a_retry_that_gives_the_same_result(client, world, make_user,
                                                                                      media):
    user = make_user(Role.GRID_WORKER, world.grid.code)
    client.force_login(user)
    data = f"姓名,证件号码\n张三,{ID}\n李四,bad\n".encode()
    expected = IMPORTERS["persons"].run(actor=user, data=data, filename="p.csv", region_code=world.grid.code,
                                        dry_run=True)
    job = {"kind": "persons", "file_id": upload_store(data, "p.csv", world.grid.code),
           "region_code": world.grid.code, "dry_run": True}
    task = TaskProgress.objects.create(kind="import.persons", owner=user, state="running", total=2, done=1,
                                       result={"job": job, "worker": {"host": socket.gethostname(),
                                                                      "pid": _dead_pid()}})
    html = client.get(reverse("imports:status", args=[task.pk])).content.decode()
    assert 'data-state="failed"' in html and "意外中断" in html and 'data-testid="retry"' in html
    assert 'hx-trigger="every 1s"' not in html  # it stops polling
    task.refresh_from_db()
    assert task.state == "failed" and task.result["job"] == job

    resp = client.post(reverse("imports:retry", args=[task.pk]))
    again = TaskProgress.objects.exclude(pk=task.pk).get(owner=user)
    assert resp["Location"] == reverse("imports:status", args=[again.pk])
    assert again.state == "done"
    assert {k: again.result[k] for k in expected} == expected


def test_a_stale_heartbeat_elsewhere_is_failed_too(client, world, make_user, settings):
    user = make_user(Role.GRID_WORKER, world.grid.code)
    client.force_login(user)
    task = TaskProgress.objects.create(kind="import.persons", owner=user, state="running",
                                       result={"job": {"kind": "persons"}, "worker": {"host": "other", "pid": 1}})
    assert client.get(reverse("core:task_progress", args=[task.pk])).status_code == 200
    task.refresh_from_db()
    assert task.state == "running"  # alive as far as we can tell
    TaskProgress.objects.filter(pk=task.pk).update(
        updated_at=timezone.now() - timezone.timedelta(seconds=settings.SHANZHI_TASK_LEASE_SECONDS + 1))
    html = client.get(reverse("core:task_progress", args=[task.pk])).content.decode()
    assert 'data-state="failed"' in html
