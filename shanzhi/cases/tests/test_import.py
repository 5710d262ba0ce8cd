"""民情批量导入: template, GBK CSV, row errors naming row and column, idempotent re-import, scope, concurrent
imports, the page flow (upload → dry run → commit) and `shanzhi import cases`."""

import datetime as dt
import io
import json
import threading

import pytest
import xlsxwriter
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from python_calamine import CalamineWorkbook

from shanzhi.audit.models import AuditEvent
from shanzhi.cases import choices as c
from shanzhi.cases import importing, services
from shanzhi.cases.importing import import_run, import_template
from shanzhi.cases.models import Case, CaseHistory, DailyRollup
from shanzhi.cases.testing import make_case, make_category
from shanzhi.core.errors import NotAllowed, ServiceError
from shanzhi.core.importing import IMPORTERS, import_enqueue
from shanzhi.core.models import TaskProgress
from shanzhi.core.pii import decrypt
from shanzhi.core.roles import Role
from shanzhi.notifications.models import Notification
from shanzhi.registry.models import Building, Estate

pytestmark = pytest.mark.django_db

HEAD = ["外部编号", "类别", "网格编码", "楼栋", "地址", "标题", "描述", "紧急程度", "反映人姓名", "反映人电话", "纬度",
        "经度", "反映时间"]


@pytest.fixture
def cats(db):
    facility = make_category(code="facility", name="设施维修")
    light = make_category(code="facility.light", name="路灯损坏", parent=facility)
    lift = make_category(code="facility.lift", name="电梯故障", parent=facility, extra_fields=[
        {"code": "lift_no", "label": "电梯编号", "type": "string", "required": True},
        {"code": "trapped", "label": "是否困人", "type": "singlevaluelist", "required": False,
         "values": [{"key": "yes", "name": "是"}, {"key": "no", "name": "否"}]}])
    return {"facility": facility, "light": light, "lift": lift}


@pytest.fixture
def staff(world, make_user):
    """Community staff of 玺园社区 (grids 1 and 2); the other street is out of scope."""
    return make_user(Role.COMMUNITY_STAFF, world.community.code, username="xy_staff")


@pytest.fixture
def building(world):
    estate = Estate.objects.create(region_code=world.community.code, name="玺园")
    return Building.objects.create(region_code=world.grid.code, estate=estate, name="3栋")


def row(ref="GD001", cat="路灯损坏", grid="321002004001001", bld="", addr="文昌路口", title="路灯不亮",
        desc="连续三晚不亮", urgency="", name="王先生", phone="13812345678", lat="", lng="", at="2026-01-05 09:30"):
    return [ref, cat, grid, bld, addr, title, desc, urgency, name, phone, lat, lng, at]


def csv_bytes(rows, encoding="utf-8", head=HEAD, title=True):
    text = ("曲江街道 12345 工单导出（2026年1月）\n" if title else "") + ",".join(head) + "\n"
    text += "".join(",".join(r) + "\n" for r in rows)
    return text.encode(encoding)


def xlsx_bytes(rows, head=HEAD):
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet()
    ws.write_row(0, 0, ["民情台账"])
    ws.write_row(1, 0, head)
    for i, r in enumerate(rows, start=2):
        ws.write_row(i, 0, r)
    wb.close()
    return buf.getvalue()


def run(actor, data, filename="orders.csv", dry_run=False):
    return import_run(actor=actor, data=data, filename=filename, dry_run=dry_run)


def errors_by_row(report):
    out = {}
    for e in report["errors"]:
        out.setdefault(e["row"], []).append((e["field"], e["message"]))
    return out


# --- template -----------------------------------------------------------------------------------------------

def test_template_has_headers_comment_row_extra_fields_and_reads_back_empty(staff, cats):
    data = import_template()
    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    head = rows[0]
    for h in ("外部编号", "类别*", "网格编码", "楼栋", "地址", "标题*", "描述*", "紧急程度", "反映人姓名", "反映人电话",
              "纬度", "经度", "反映时间"):
        assert h in head
    assert "电梯编号" in head and "是否困人" in head  # the categories' extra fields
    assert str(rows[1][0]).startswith("说明") and "12345" in rows[1][0]
    assert "电梯故障必填" in rows[1][head.index("电梯编号")]
    report = run(staff, data, "t.xlsx", dry_run=True)
    assert (report["rows"], report["created"], report["rejected"]) == (0, 0, 0)


# --- a good file, GBK, idempotency ------------------------------------------------------------------------------

def test_gbk_csv_dry_run_then_commit_then_reimport_creates_nothing(world, staff, cats, building):
    rows = [
        row(),
        row(ref="GD002", cat="facility.lift", grid="", bld="3栋", title="电梯停运", desc="3栋电梯停在5楼", urgency="紧急",
            phone="0514-87654321", lat="32.365", lng="119.445", at="2026/1/6 18:05"),
        row(ref="", grid="玺园第2网格", title="楼道灯坏", desc="二楼楼道灯不亮", name="", phone="", at=""),
    ]
    rows[1] += ["L-0003", "否"]
    head = [*HEAD, "电梯编号", "是否困人"]
    rows = [r + [""] * (len(head) - len(r)) for r in rows]
    data = csv_bytes(rows, "gbk", head=head)

    dry = run(staff, data, dry_run=True)
    assert (dry["rows"], dry["created"], dry["skipped"], dry["rejected"]) == (3, 3, 0, 0), dry["errors"]
    assert Case.objects.count() == 0  # a dry run writes nothing

    report = run(staff, data)
    assert (report["created"], report["skipped"], report["rejected"]) == (3, 0, 0)
    assert [x["row"] for x in report["cases"]] == [3, 4, 5]
    first = Case.objects.get(external_ref="GD001")
    assert first.channel == c.Channel.IMPORT and first.region_code == world.grid.code
    assert first.category == cats["light"] and first.reporter_name == "王先生"
    assert decrypt(first.reporter_phone_enc) == "13812345678" and first.reporter_user is None
    assert timezone.localtime(first.created_at).strftime("%Y-%m-%d %H:%M") == "2026-01-05 09:30"
    assert first.due_at > timezone.now()  # the accept deadline runs from the import, not from the report
    assert first.history.get().at == first.created_at and "GD001" in first.history.get().note
    lift = Case.objects.get(external_ref="GD002")
    assert lift.building == building and lift.region_code == world.grid.code and lift.urgency == c.Urgency.URGENT
    assert lift.extra == {"lift_no": "L-0003", "trapped": "no"} and (lift.lat, lift.lng) == (32.365, 119.445)
    assert decrypt(lift.reporter_phone_enc) == "051487654321"
    third = Case.objects.get(title="楼道灯坏")
    assert third.region_code == world.grid2.code and third.external_ref == "" and len(third.import_fingerprint) == 64
    assert abs(third.created_at - timezone.now()) < dt.timedelta(minutes=1)  # no 反映时间: now
    assert AuditEvent.objects.filter(action="case.create").count() == 3
    assert AuditEvent.objects.get(action="case.import").after["created"] == 3

    again = run(staff, data)
    assert (again["created"], again["skipped"], again["rejected"]) == (0, 3, 0)
    assert all("已导入，跳过" in s["message"] for s in again["skips"])
    assert again["skips"][0]["case"] == [first.pk, first.number]
    assert Case.objects.count() == 3
    # the same rows as UTF-8 XLSX are the same rows
    assert run(staff, xlsx_bytes(rows, head=head), "orders.xlsx")["skipped"] == 3
    assert Case.objects.count() == 3


def test_one_message_per_grid_for_the_batch(world, staff, cats, make_user):
    leader = make_user(Role.GRID_LEADER, world.grid.code)
    run(staff, csv_bytes([row(ref="A1"), row(ref="A2", title="又一盏灯")]))
    notes = Notification.objects.filter(recipient=leader)
    assert [n.title for n in notes] == ["批量导入了 2 件新民情待受理"]
    assert not Notification.objects.filter(recipient=staff).exists()  # the importer is not told of their own batch


def test_reported_days_are_rolled_up(staff, cats):
    run(staff, csv_bytes([row(ref="R1", at="2026-01-05 09:30"), row(ref="R2", at="2026-01-07 10:00")]))
    days = dict(DailyRollup.objects.filter(region_code="321002004001001").values_list("day", "reported"))
    assert days[dt.date(2026, 1, 5)] == 1 and days[dt.date(2026, 1, 7)] == 1


# --- bad rows ---------------------------------------------------------------------------------------------------

def test_bad_rows_name_row_and_column_and_none_of_them_is_written(world, staff, cats, building):
    future = (timezone.localtime() + dt.timedelta(days=2)).strftime("%Y-%m-%d %H:%M")
    rows = [
        row(ref="OK1"),                                          # 3: good
        row(ref="B1", cat="路灯"),                                 # 4: unknown category
        row(ref="B2", cat="设施维修"),                              # 5: not a leaf
        row(ref="B3", grid="321002005001001"),                   # 6: out-of-scope grid
        row(ref="B4", grid="321002004009009"),                   # 7: unknown grid
        row(ref="B5", phone="12345"),                             # 8: bad phone
        row(ref="B6", lat="132.5", lng="119.4"),                  # 9: latitude out of range
        row(ref="B7", lat="32.5"),                                # 10: only one coordinate
        row(ref="B8", at=future),                                 # 11: in the future
        row(ref="B9", title=""),                                  # 12: missing required
        row(ref="B10", at="昨天下午"),                               # 13: bad time
        row(ref="B11", urgency="很急"),                             # 14: bad choice
        row(ref="B12", grid="", bld="9栋"),                        # 15: unknown building
        row(ref="B13", grid=""),                                  # 16: no grid and no building
        row(ref="B14", cat="电梯故障"),                              # 17: required extra field missing
        row(ref="OK1", title="别的内容"),                            # 18: same 外部编号 as row 3, other content
        row(ref="OK1"),                                           # 19: the same row again: skipped
    ]
    data = csv_bytes(rows)
    report = run(staff, data)
    by_row = errors_by_row(report)
    assert report["created"] == 1 and report["skipped"] == 1 and report["rejected"] == 15
    assert by_row[4] == [("类别", "找不到类别“路灯”，请填写类别名称或编码（见模板说明或民情类别设置）")]
    assert by_row[5][0][0] == "类别" and "大类" in by_row[5][0][1] and "路灯损坏" in by_row[5][0][1]
    assert by_row[6][0][0] == "网格编码" and "不在您的管辖范围内" in by_row[6][0][1]
    assert by_row[7][0][0] == "网格编码" and "不存在" in by_row[7][0][1]
    assert by_row[8][0][0] == "反映人电话" and "电话号码格式" in by_row[8][0][1]
    assert by_row[9][0][0] == "纬度" and "-90 到 90" in by_row[9][0][1]
    assert by_row[10] == [("经度", "纬度和经度要同时填写")]
    assert by_row[11][0][0] == "反映时间" and "晚于现在" in by_row[11][0][1]
    assert by_row[12] == [("标题", "必填，不能为空")]
    assert by_row[13][0][0] == "反映时间" and "格式" in by_row[13][0][1]
    assert by_row[14][0][0] == "紧急程度" and "很急" in by_row[14][0][1]
    assert by_row[15][0][0] == "楼栋" and "9栋" in by_row[15][0][1]
    assert by_row[16] == [("网格编码", "请填写网格编码或楼栋")]
    assert by_row[17] == [("电梯编号", "请填写“电梯编号”")]
    assert by_row[18][0][0] == "外部编号" and "第 3 行" in by_row[18][0][1]
    assert report["skips"][0]["row"] == 19 and "第 3 行" in report["skips"][0]["message"]
    assert list(Case.objects.values_list("external_ref", flat=True)) == ["OK1"]

    book = IMPORTERS["cases"].error_workbook(data, "orders.csv", report["errors"])
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(book)).get_sheet_by_index(0).to_python()
    assert sheet[0][-2:] == ["原行号", "错误原因"] and len(sheet) == 16
    assert sheet[1][0] == "B1" and "找不到类别" in sheet[1][-1] and sheet[1][-2] == 4


def test_ambiguous_building_and_category_names_ask_for_more(world, staff, cats, building):
    other = Estate.objects.create(region_code=world.community.code, name="东苑")
    Building.objects.create(region_code=world.grid2.code, estate=other, name="3栋")
    make_category(code="misc.light", name="路灯损坏")  # a second leaf with the same name
    report = run(staff, csv_bytes([row(ref="X1", grid="", bld="3栋", cat="facility.light"),
                                   row(ref="X2", cat="路灯损坏")]))
    by_row = errors_by_row(report)
    assert by_row[3][0][0] == "楼栋" and "请填写小区或网格编码" in by_row[3][0][1]
    assert by_row[4][0][0] == "类别" and "facility.light" in by_row[4][0][1]
    # the grid (or the estate column) picks one
    ok = run(staff, csv_bytes([row(ref="X1", grid="321002004001002", bld="3栋", cat="facility.light")]))
    assert ok["created"] == 1 and Case.objects.get().building.estate == other


def test_external_ref_used_by_another_district_is_an_error_not_a_skip(world, staff, cats, make_user):
    other = make_user(Role.COMMUNITY_STAFF, world.other_community.code)
    run(other, csv_bytes([row(ref="GD100", grid=world.other_grid.code)]))
    report = run(staff, csv_bytes([row(ref="GD100")]))
    assert report["rejected"] == 1 and report["skipped"] == 0
    assert report["errors"][0]["field"] == "外部编号" and "其他辖区" in report["errors"][0]["message"]
    assert Case.objects.count() == 1


def test_unreadable_file_and_roles_that_may_not_import(world, staff, cats, make_user):
    with pytest.raises(ServiceError, match="找不到表头行"):
        run(staff, "随便写的\n一行字\n".encode())
    with pytest.raises(ServiceError, match="不支持的文件类型"):
        run(staff, b"%PDF", "a.pdf")
    worker = make_user(Role.GRID_WORKER, world.grid.code)  # files cases one by one, but does not bulk-import
    with pytest.raises(NotAllowed):
        run(worker, csv_bytes([row()]))
    assert Case.objects.count() == 0


def test_street_manager_imports_into_any_grid_of_the_street(world, cats, make_user):
    manager = make_user(Role.STREET_MANAGER, world.street.code)
    report = run(manager, csv_bytes([row(ref="S1"), row(ref="S2", grid=world.grid2.code),
                                     row(ref="S3", grid=world.other_grid.code)]))
    assert (report["created"], report["rejected"]) == (2, 1)


# --- duplicates and concurrency ------------------------------------------------------------------------------------

def test_database_refuses_a_second_case_with_the_same_ref_or_fingerprint(world, cats, staff):
    make_case(world.grid.code, channel=c.Channel.IMPORT, actor=staff, category=cats["light"], external_ref="DUP")
    with pytest.raises(ServiceError, match="已登记过"):
        make_case(world.grid.code, channel=c.Channel.IMPORT, actor=staff, category=cats["light"], external_ref="DUP")
    with pytest.raises(IntegrityError), transaction.atomic():  # the constraint, past the service's check
        Case.objects.create(number="X1", region_code=world.grid.code, category=cats["light"],
                            channel=c.Channel.IMPORT, title="t", description="d", created_at=timezone.now(),
                            external_ref="DUP")
    # another channel may carry the same number (e.g. an Open311 client's own id)
    make_case(world.grid.code, channel=c.Channel.HOTLINE, actor=staff, category=cats["light"], external_ref="DUP")
    make_case(world.grid.code, channel=c.Channel.IMPORT, actor=staff, category=cats["light"], import_fingerprint="f" * 64)
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.create(number="X2", region_code=world.grid.code, category=cats["light"],
                            channel=c.Channel.IMPORT, title="t", description="d", created_at=timezone.now(),
                            import_fingerprint="f" * 64)


def test_rows_filed_by_a_parallel_import_after_the_check_are_skipped_not_doubled(world, staff, cats, monkeypatch):
    """Two imports of one file: both check before either writes. The second one's rows hit the unique
    constraints and are reported as skipped; nothing is filed twice."""
    data = csv_bytes([row(ref="P1"), row(ref="", title="无编号的行")])
    real_existing = importing._existing
    monkeypatch.setattr(importing, "_existing", lambda rows: {})  # the check sees nothing imported yet
    run(staff, data)
    report = run(staff, data)
    monkeypatch.setattr(importing, "_existing", real_existing)
    assert (report["created"], report["skipped"], report["rejected"]) == (0, 2, 0)
    assert Case.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_imports_of_one_file_at_the_same_moment_file_each_row_once(world, make_user, monkeypatch):
    """Both imports check the file before either writes (a barrier after the check); the unique constraints
    let one of them file the rows. The other skips them (PostgreSQL: the insert waits for the winner, then
    violates the constraint) or fails as a whole (SQLite refuses the second writer) — never a second copy."""
    make_category(code="facility.light", name="路灯损坏")
    staff = make_user(Role.COMMUNITY_STAFF, world.community.code)
    data = csv_bytes([row(ref="K1"), row(ref="", title="无编号的行")])
    barrier = threading.Barrier(2)
    real_existing = importing._existing

    def existing_then_wait(rows):
        found = real_existing(rows)
        barrier.wait(timeout=20)
        return found

    monkeypatch.setattr(importing, "_existing", existing_then_wait)
    results = []

    def go():
        try:
            r = run(staff, data)
            results.append((r["created"], r["skipped"]))
        except Exception as e:  # e.g. "database is locked": it still must not have filed anything twice
            results.append(type(e).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=go) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert (2, 0) in results, results
    other = next(r for r in results if r != (2, 0)) if results.count((2, 0)) == 1 else None
    assert other in ((0, 2), "OperationalError"), results
    assert Case.objects.count() == 2


def test_a_failure_while_filing_undoes_the_whole_batch(world, staff, cats, monkeypatch):
    real = services.case_create
    calls = []

    def flaky(**kw):
        calls.append(kw["title"])
        if len(calls) == 2:
            raise ServiceError("该类别已停用", field="category")
        return real(**kw)

    monkeypatch.setattr(services, "case_create", flaky)
    with pytest.raises(ServiceError, match="第 4 行"):
        run(staff, csv_bytes([row(ref="T1"), row(ref="T2", title="第二行")]))
    assert Case.objects.count() == 0 and CaseHistory.objects.count() == 0


# --- the page ----------------------------------------------------------------------------------------------------

@pytest.fixture
def page_user(client, staff, settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}}}
    client.force_login(staff)
    return staff


@pytest.fixture
def post(django_capture_on_commit_callbacks):
    """Tests run inside a transaction: run what would happen on commit (the task and its progress)."""
    def send(client, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(*args, **kwargs)
    return send


def _upload(post, client, data, name="orders.csv"):
    f = io.BytesIO(data)
    f.name = name
    return post(client, "/imports/cases/", {"file": f})


def test_page_upload_dry_run_errors_commit_and_result(client, page_user, cats, post):
    assert 'data-testid="import-link"' in client.get("/cases/").content.decode()
    page = client.get("/imports/cases/").content.decode()
    assert "下载民情导入模板" in page and "外部编号" in page
    template = client.get("/imports/cases/template/")
    assert template.status_code == 200 and template.content[:2] == b"PK"
    assert "attachment" in template["Content-Disposition"]

    data = csv_bytes([row(ref="W1"), row(ref="W2", cat="路灯"), row(ref="W3", title="第三行")], "gbk")
    resp = _upload(post, client, data)
    assert resp.status_code == 302
    status_url = resp["Location"]
    html = client.get(status_url).content.decode()
    assert "预检结果" in html and 'data-testid="rejected">1<' in html and 'data-testid="created">2<' in html
    assert "第 4 行" in html and "找不到类别“路灯”" in html and 'data-testid="commit"' in html
    assert client.get(status_url)["Cache-Control"] == "no-store"
    assert Case.objects.count() == 0

    book = client.get(status_url, {"download": "errors"})
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(book.content)).get_sheet_by_index(0).to_python()
    assert [r[0] for r in sheet[1:]] == ["W2"]

    resp = post(client, f"{status_url}commit/")
    assert resp.status_code == 302
    html = client.get(resp["Location"]).content.decode()
    assert "导入结果" in html and 'data-testid="created">2<' in html
    for case in Case.objects.all():
        assert f'href="/cases/{case.pk}/"' in html and case.number in html
    assert sorted(Case.objects.values_list("external_ref", flat=True)) == ["W1", "W3"]

    # the same file again: nothing to commit, the rows are listed as skipped
    html = client.get(_upload(post, client, data)["Location"]).content.decode()
    assert 'data-testid="commit"' not in html and 'data-testid="skipped">2<' in html and "已导入，跳过" in html


def test_page_shows_a_file_it_cannot_read(client, page_user, post):
    html = client.get(_upload(post, client, b"\x00\x01", "orders.csv")["Location"]).content.decode()
    assert 'data-testid="import-failed"' in html and "找不到表头行" in html


def test_page_refuses_grid_workers_and_other_peoples_imports(client, page_user, cats, post, world, make_user):
    status_url = _upload(post, client, csv_bytes([row()]))["Location"]
    colleague = make_user(Role.COMMUNITY_STAFF, world.community.code)
    client.force_login(colleague)
    assert client.get(status_url).status_code == 404
    assert post(client, f"{status_url}commit/").status_code == 404
    client.force_login(make_user(Role.GRID_WORKER, world.grid.code))
    assert client.get("/imports/cases/").status_code == 403
    assert 'data-testid="import-link"' not in client.get("/cases/").content.decode()
    assert Case.objects.count() == 0


def test_commit_needs_a_dry_run_of_ones_own(client, page_user, cats, post):
    status_url = _upload(post, client, csv_bytes([row()]))["Location"]
    committed = post(client, f"{status_url}commit/")["Location"]
    resp = post(client, f"{committed}commit/")  # committing a commit: refused, nothing filed twice
    assert resp.status_code == 302 and resp["Location"] == "/imports/cases/"
    assert Case.objects.count() == 1


# --- the command line ---------------------------------------------------------------------------------------------

def test_command_dry_run_json_and_exit_code(tmp_path, staff, cats, capsys):
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes([row(ref="C1")], "gbk"))
    call_command("import", "cases", str(good), "--actor", staff.username, "--dry-run", "--json")
    assert json.loads(capsys.readouterr().out) == {"rows": 1, "created": 1, "skipped": 0, "rejected": 0, "errors": []}
    assert Case.objects.count() == 0
    call_command("import", "cases", str(good), "--actor", staff.username)
    assert "新增 1" in capsys.readouterr().out and Case.objects.count() == 1
    call_command("import", "cases", str(good), "--actor", staff.username, "--json")
    assert json.loads(capsys.readouterr().out)["skipped"] == 1

    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([row(ref="C2", phone="123")]))
    with pytest.raises(SystemExit) as e:
        call_command("import", "cases", str(bad), "--actor", staff.username)
    assert e.value.code == 1
    assert "第 3 行 反映人电话：电话号码格式不正确" in capsys.readouterr().out
    tpl = tmp_path / "t.xlsx"
    call_command("import", "template", "cases", "-o", str(tpl))
    assert tpl.read_bytes()[:2] == b"PK"


def test_command_needs_an_actor(tmp_path, cats):
    f = tmp_path / "a.csv"
    f.write_bytes(csv_bytes([row()]))
    with pytest.raises(CommandError, match="--actor"):
        call_command("import", "cases", str(f))
    with pytest.raises(CommandError, match="不存在"):
        call_command("import", "cases", str(f), "--actor", "nobody")


def test_background_import_that_crashes_is_marked_failed(staff, cats, monkeypatch):
    """An unexpected error (e.g. a busy database) must not leave the page polling for ever."""
    def boom(**kw):
        raise RuntimeError("database is locked")

    monkeypatch.setattr(importing, "_commit", lambda *a, **kw: boom())

    import_enqueue(actor=staff, kind="cases", data=csv_bytes([row()]), filename="a.csv", dry_run=False)
    progress = TaskProgress.objects.get(kind="import.cases")
    assert progress.state == TaskProgress.State.FAILED and "未写入" in progress.message
    assert Case.objects.count() == 0
