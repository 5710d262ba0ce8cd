"""The import hardening suite (issue 12: "Import fuzzing"): a generated corpus of at least 200 malformed files per
import kind — wrong types, bombs, encodings (GBK/UTF-16/garbage), formulas, NUL bytes, huge cells, missing and
duplicate headers, truncated zips, wild values — fed to every importer's dry run and then (unless the dry run refused the file itself) its commit.

Expected: 0 crashes (only a ServiceError with a Chinese message, or a report), 0 half-written rows (a refused
file changes nothing; a report's "created" is exactly what appeared), every rejection in Chinese. The figures are
written to test-artifacts/hardening-imports-<backend>.json and printed in the run's "hardening figures" block."""

from __future__ import annotations

import io
import os
import random
import re
import signal
import subprocess
import sys
import time
import zipfile
from functools import partial

import pytest
import xlsxwriter
from django.apps import apps

from shanzhi.cases.testing import make_category
from shanzhi.core.errors import ServiceError
from shanzhi.core.importing import IMPORTERS
from shanzhi.core.roles import Role
from tests.hardening import manage, record

pytestmark = [pytest.mark.django_db, pytest.mark.hardening]
PER_KIND = 200
CJK = re.compile(r"[\u4e00-\u9fff]")
PRODUCT_NAMES = re.compile(r"\b(Excel|WPS|CSV|XLSX|XLS|ODS|UTF|GBK|NUL|MB|ID)\b")
WILD = ["", " ", "=cmd|' /C calc'!A0", "+1+1", "@SUM(A1)", "-3", "1e999", "NaN", "Infinity", "99999999999999999999999",
        "３２１００２", "2026-13-45", "0000-00-00", "是", "否", "abc123", "\U0001F600" * 3, "中" * 150, "a\x00b",
        "<script>alert(1)</script>", "'; DROP TABLE x; --", "321002004001001", "110101199003071234", "\u202e反向",
        "\t\n", "1,234", "－5", "3.14159", "TRUE", "#N/A"]


def chinese_only(message: str) -> bool:
    return bool(CJK.search(message)) and not re.search(r"[A-Za-z]{3,}", PRODUCT_NAMES.sub("", message))


def _xlsx(rows, far=False) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False})
    ws = wb.add_worksheet()
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            ws.write_string(r, c, v)
    if far:
        ws.write_string(1048575, 16383, "x")
    wb.close()
    return buf.getvalue()


def _csv(rows, encoding="utf-8") -> bytes:
    return "\n".join(",".join(f'"{v}"' if ("," in v or "\n" in v) else v for v in row) for row in rows).encode(
        encoding, errors="replace")


_BOMB: bytes | None = None


def _zip_bomb() -> bytes:
    global _BOMB
    if _BOMB is None:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("[Content_Types].xml", "<Types/>")
            z.writestr("xl/worksheets/sheet1.xml", b"<worksheet>" + b" " * (110 * 1024 * 1024))
        _BOMB = out.getvalue()
    return _BOMB


def corpus(headers: list[str], seed: int, n: int = PER_KIND):
    """(name, bytes) × n malformed files for an importer with these headers."""
    rnd = random.Random(seed)

    def rows(k=5, wild=True):
        return [[rnd.choice(WILD) if wild else str(rnd.randint(0, 99)) for _h in headers] for _ in range(k)]

    makers = [
        lambda: ("x.xlsx", rnd.randbytes(rnd.randint(0, 3000))),
        lambda: ("x.csv", rnd.randbytes(rnd.randint(1, 3000))),
        lambda: (rnd.choice(["x.pdf", "x.png", "x.exe", "x", "x.docx"]), rnd.randbytes(200)),
        lambda: ("x.ods", rnd.randbytes(500)),
        lambda: ("x.xls", b"\xd0\xcf\x11\xe0" + rnd.randbytes(600)),
        lambda: ("bomb.xlsx", _xlsx([headers], far=True)),
        lambda: ("zipbomb.xlsx", _zip_bomb()),
        lambda: ("gbk.csv", _csv([headers, *rows()], "gbk")),
        lambda: ("utf16.csv", _csv([headers, *rows()], "utf-16")),
        lambda: ("latin.csv", _csv([headers, *rows()], "latin-1")),
        lambda: ("formulas.xlsx", _xlsx([headers, *[["=cmd|' /C calc'!A0"] * len(headers)] * 3])),
        lambda: ("nul.csv", _csv([headers, *[["a\x00" + str(i)] * len(headers) for i in range(3)]])),
        lambda: ("nulhead.csv", _csv([[h + "\x00" for h in headers], *rows()])),
        lambda: ("hugecell.csv", _csv([headers, ["长" * rnd.choice([2500, 40000])] * len(headers)])),
        lambda: ("noheader.csv", _csv(rows(8))),
        lambda: ("somehead.xlsx", _xlsx([headers[1:], *rows()])),
        lambda: ("duphead.csv", _csv([headers + headers[:2], *rows()])),
        lambda: ("truncated.xlsx", _xlsx([headers, *rows()])[: rnd.randint(10, 2000)]),
        lambda: ("wild.xlsx", _xlsx([headers, *rows(rnd.randint(1, 8))])),
        lambda: ("wild.csv", _csv([["标题行"], [], headers, *rows(rnd.randint(1, 8))])),
        lambda: ("tabs.txt", "\n".join("\t".join(r) for r in [headers, *rows()]).encode()),
        lambda: ("quotes.csv", (",".join(headers) + '\n"unterminated,' + "x" * 200).encode()),
        lambda: ("empty.csv", b""),
        lambda: ("bom.csv", b"\xef\xbb\xbf" + _csv([headers, *rows(3, wild=False)])),
    ]
    for i in range(n):
        name, data = makers[i % len(makers)]()
        yield name, data


KINDS = {
    # kind: (role, region attribute of world, the model whose rows a commit writes)
    "persons": (Role.GRID_WORKER, "grid", "registry.Person"),
    "households": (Role.GRID_WORKER, "grid", "registry.Household"),
    "dwellings": (Role.GRID_WORKER, "grid", "registry.Dwelling"),
    "buildings": (Role.GRID_WORKER, "grid", "registry.Building"),
    "units": (Role.GRID_WORKER, "grid", "registry.Unit"),
    "cases": (Role.COMMUNITY_STAFF, "community", "cases.Case"),
    "regions": (Role.STREET_MANAGER, "street", "regions.Region"),
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_malformed_files_never_crash_half_write_or_answer_in_english(kind, world, make_user, settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}}}
    make_category(code="facility.light", name="路灯损坏")
    role, where, model_name = KINDS[kind]
    importer = IMPORTERS[kind]
    region = getattr(world, where).code
    actor = make_user(role, region)
    model = apps.get_model(model_name)
    figures = {"files": 0, "runs": 0, "crashes": 0, "half_written": 0, "refused_files": 0, "row_errors": 0,
               "not_chinese": 0, "examples": []}
    started = time.monotonic()
    for n, (name, data) in enumerate(corpus(importer.headers(), seed=hash(kind) & 0xFFFF)):
        figures["files"] += 1
        refused = False
        for dry_run in (True, False):
            if refused:  # the commit reads a file exactly as the dry run did: refused there, refused here
                break
            figures["runs"] += 1
            before = model.objects.count()
            try:
                report = importer.run(actor=actor, data=data, filename=name, region_code=region, dry_run=dry_run)
            except ServiceError as e:
                figures["refused_files"] += 1
                refused = True
                if not chinese_only(e.user_message):
                    figures["not_chinese"] += 1
                    figures["examples"].append([n, name, e.user_message[:200]])
                if model.objects.count() != before:
                    figures["half_written"] += 1
                continue
            except Exception as e:  # noqa: BLE001 - the figure we measure
                figures["crashes"] += 1
                figures["examples"].append([n, name, repr(e)[:200]])
                continue
            written = model.objects.count() - before
            if written != (0 if dry_run else report.get("created", 0)):
                figures["half_written"] += 1
                figures["examples"].append([n, name, f"wrote {written}, reported {report.get('created')}"])
            for err in report["errors"]:
                figures["row_errors"] += 1
                if not CJK.search(err["message"]) or "Traceback" in err["message"]:
                    figures["not_chinese"] += 1
                    figures["examples"].append([n, name, err["message"][:200]])
    figures["seconds"] = round(time.monotonic() - started, 1)
    figures["examples"] = figures["examples"][:10]
    record("imports", kind, {k: v for k, v in figures.items() if k != "examples"})
    assert figures["files"] >= PER_KIND
    assert (figures["crashes"], figures["half_written"], figures["not_chinese"]) == (0, 0, 0), figures["examples"]


# --- fault injection: kill -9 of the real worker in the middle of an import ----------------------------------------

SETUP = """
from shanzhi.core.testing import make_world, make_user
from shanzhi.core.roles import Role
from shanzhi.core.importing import import_enqueue
world = make_world()
user = make_user(Role.GRID_WORKER, world.grid.code, username="killer")
print(import_enqueue(actor=user, kind="persons", data=open({path!r}, "rb").read(), filename="p.csv",
                     region_code=world.grid.code, dry_run=False))
"""
REAP_AND_RETRY = """
from shanzhi.core.models import TaskProgress
from shanzhi.core.progress import progress_reap
from shanzhi.core.importing import import_retry
task = progress_reap(TaskProgress.objects.get(pk={pk!r}))
assert task.state == "failed" and "意外中断" in task.message, (task.state, task.message)
print(import_retry(actor=task.owner, progress=task))
"""
AGAIN = """
from shanzhi.core.models import TaskProgress
from shanzhi.core.importing import import_start
task = TaskProgress.objects.get(pk={pk!r})
print(import_start(actor=task.owner, **(task.result["job"] | {{"dry_run": False}})))
"""


def _id_number(seq: int) -> str:
    body = f"32100219{80 + seq % 20:02d}0{1 + seq % 9}{10 + seq % 18:02d}{seq % 1000:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]


@pytest.mark.django_db(transaction=True)
def test_kill_9_of_the_worker_mid_import_leaves_nothing_half_written(tmp_path, scratch_database):
    rows = 4000
    people = {_id_number(i) for i in range(rows * 2)}
    ids = sorted(people)[:rows]
    csv = tmp_path / "p.csv"
    csv.write_text("姓名,证件号码\n" + "".join(f"居民{i},{n}\n" for i, n in enumerate(ids)), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in {"SHANZHI_TESTING", "DJANGO_SETTINGS_MODULE"}}
    env = scratch_database.env(env) | {"SHANZHI_VAR_DIR": str(tmp_path),
                                       "SHANZHI_TASK_BACKEND": "django_tasks_db.DatabaseBackend"}
    query = scratch_database.query
    shanzhi = partial(manage, env)

    pk = shanzhi("shell", code=SETUP.format(path=str(csv))).strip().splitlines()[-1]
    figures = {"kills": 0, "half_written": 0}

    def work_until(pk, *, kill_after: float | None):
        worker = subprocess.Popen([sys.executable, "-m", "shanzhi", "db_worker", "--interval", "0.1"], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 240
        try:
            while time.monotonic() < deadline:
                state = query(f"SELECT state FROM core_taskprogress WHERE id = '{pk.replace('-', '')}'")
                if state and state[0] == "running" and kill_after is not None:
                    time.sleep(kill_after)
                    worker.send_signal(signal.SIGKILL)
                    worker.wait()
                    figures["kills"] += 1
                    # the kill must land mid-import: a task already done would prove nothing
                    figures["state_after_kill"] = query(
                        f"SELECT state FROM core_taskprogress WHERE id = '{pk.replace('-', '')}'")[0]
                    return
                if state and state[0] in ("done", "failed"):
                    return state[0]
                time.sleep(0.05)
            raise AssertionError("the import did not finish")
        finally:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
                worker.wait(30)

    work_until(pk, kill_after=0.0)  # as soon as the worker has taken the task
    persons = query("SELECT COUNT(*) FROM registry_person")[0]
    figures["half_written"] += persons not in (0, rows)
    figures["persons_after_kill"] = persons
    if persons == 0:  # killed before it committed: the reaped task is retried and gives the whole file
        retry = shanzhi("shell", code=REAP_AND_RETRY.format(pk=pk)).strip().splitlines()[-1]
        assert work_until(retry, kill_after=None) == "done"
    assert query("SELECT COUNT(*) FROM registry_person")[0] == rows
    again = shanzhi("shell", code=AGAIN.format(pk=pk)).strip().splitlines()[-1]  # the same file once more
    assert work_until(again, kill_after=None) == "done"
    assert query("SELECT COUNT(*) FROM registry_person")[0] == rows  # re-runs to the same result
    shanzhi("ledger", "reconcile")  # exits non-zero when the books don't balance
    record("imports", "kill9", figures)
    assert (figures["kills"], figures["half_written"], figures["state_after_kill"]) == (1, 0, "running")
