"""Region codes, prefix scoping, the import (service, command, web page with progress) and region edits."""

import io
import json

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from shanzhi.core.errors import ConflictError, ServiceError
from shanzhi.core.models import TaskProgress
from shanzhi.core.permissions import PermissionDenied
from shanzhi.core.roles import Role
from shanzhi.core.scoping import prefix_q, prefix_upper_bound
from shanzhi.core.testing import verified_login
from shanzhi.regions.choices import Level
from shanzhi.regions.importing import regions_import
from shanzhi.regions.models import Region
from shanzhi.regions.services import region_create, region_update, validate_code

pytestmark = pytest.mark.django_db

HEADER = "代码,名称,层级,上级代码,社区类型,人口\n"
GOOD = ("321002004002,文昌花园社区,社区,321002004,改造型,9000\n"
        "321002004002001,文昌第1网格,网格,321002004002,,500\n"
        "321002004002002,文昌第2网格,网格,,,600\n")
BAD = ("32100200400X,坏代码,社区,321002004,,\n"          # not digits
       "321002004003,,社区,321002004,,\n"                # no name
       "3210020040031,长度错,社区,321002004,,\n"          # wrong length
       "321002004004001,孤儿网格,网格,321002004004,,\n"   # parent missing
       "321002004005,类型错,社区,321002004,商业型,-3\n")  # bad choice, negative number


# --- codes and scoping -----------------------------------------------------------------------------------
def test_validate_code(world):
    validate_code("321002004009", Level.COMMUNITY, world.street)
    with pytest.raises(ServiceError, match="只能是数字"):
        validate_code("32100200400A", Level.COMMUNITY, world.street)
    with pytest.raises(ServiceError, match="12 位"):
        validate_code("3210020040091", Level.COMMUNITY, world.street)
    with pytest.raises(ServiceError, match="不以上级代码"):
        validate_code("321002005009", Level.COMMUNITY, world.street)


def test_region_create_refuses_duplicates_and_bad_codes(world):
    region_create(actor=None, code="321002004009", name="新社区", level=Level.COMMUNITY, parent=world.street)
    with pytest.raises(ServiceError, match="已存在"):
        region_create(actor=None, code="321002004009", name="又一个", level=Level.COMMUNITY, parent=world.street)
    with pytest.raises(ServiceError):
        region_create(actor=None, code="321002005010", name="错位", level=Level.COMMUNITY, parent=world.street)


def test_prefix_range_filter(world):
    assert prefix_upper_bound("321002004") == "321002005"
    assert prefix_upper_bound("321002004999") == "321002005"  # not 321002005000: 321002005 sorts below that
    codes = set(Region.objects.filter(prefix_q("code", ["321002004"])).values_list("code", flat=True))
    assert codes == {"321002004", "321002004001", "321002004001001", "321002004001002"}
    # a covered prefix adds nothing; no prefix means nothing
    assert Region.objects.filter(prefix_q("code", ["321002004", "321002004001"])).count() == 4
    assert not Region.objects.filter(prefix_q("code", [])).exists()
    # the all-nines edge: nothing of the same length sorts after it
    Region.objects.create(code="99", name="边界", level=Level.PROVINCE)
    Region.objects.create(code="9901", name="边界市", level=Level.CITY, parent=Region.objects.get(code="99"))
    assert set(Region.objects.filter(prefix_q("code", ["99"])).values_list("code", flat=True)) == {"99", "9901"}


def test_restrict_follows_grants(world, make_user):
    worker = make_user(Role.GRID_WORKER, world.grid.code)
    staff = make_user(Role.COMMUNITY_STAFF, world.community.code)
    assert list(Region.objects.restrict(worker).values_list("code", flat=True)) == [world.grid.code]
    assert set(Region.objects.restrict(staff).values_list("code", flat=True)) == {
        world.community.code, world.grid.code, world.grid2.code}
    assert not Region.objects.restrict(staff, "change").exists()
    assert not Region.objects.restrict(make_user(Role.RESIDENT, world.grid.code)).exists()


def test_restrict_uses_the_code_index(world, make_user):
    staff = make_user(Role.COMMUNITY_STAFF, world.community.code)
    sql, params = Region.objects.restrict(staff).query.sql_with_params()
    with connection.cursor() as c:
        c.execute(("EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN ") + sql, params)
        plan = " ".join(str(r) for r in c.fetchall())
    if connection.vendor == "sqlite":
        assert "USING INDEX" in plan or "USING COVERING INDEX" in plan
    assert ">=" not in sql or "LIKE" not in sql.upper()


# --- import ----------------------------------------------------------------------------------------------
def test_import_csv_utf8_creates_then_changes_nothing(world):
    data = (HEADER + GOOD).encode("utf-8-sig")
    report = regions_import(actor=None, data=data, filename="r.csv")
    assert (report["rows"], report["created"], report["rejected"]) == (3, 3, 0)
    grid = Region.objects.get(code="321002004002002")
    assert grid.parent.code == "321002004002" and grid.level == Level.GRID and grid.population == 600
    assert Region.objects.get(code="321002004002").community_type == "converted"
    versions = dict(Region.objects.values_list("code", "version"))
    again = regions_import(actor=None, data=data, filename="r.csv")
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 3)
    assert dict(Region.objects.values_list("code", "version")) == versions


def test_import_gbk_csv_with_title_rows(world):
    text = "曲江街道区域表\n制表：街道办\n" + HEADER + GOOD
    report = regions_import(actor=None, data=text.encode("gbk"), filename="区域.csv")
    assert report["created"] == 3 and not report["errors"]
    assert Region.objects.get(code="321002004002").name == "文昌花园社区"


def _xlsx(rows) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("区域")
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if v is not None:
                ws.write(r, c, v)
    wb.close()
    return buf.getvalue()


def test_import_xlsx_with_title_and_comment_rows(world):
    data = _xlsx([
        ["曲江街道网格划分"],
        [],
        ["代码*", "名称*", "层级", "上级代码", "人口"],
        ["说明：代码为统计用区划代码"],
        ["321002004002", "文昌花园社区", "社区", "321002004", 9000],
        ["321002004002001", "文昌第1网格", "网格", "321002004002", 500],
    ])
    report = regions_import(actor=None, data=data, filename="regions.xlsx")
    assert (report["created"], report["rejected"]) == (2, 0), report["errors"]
    assert Region.objects.get(code="321002004002001").population == 500


def test_row_level_errors_in_chinese_and_invalid_rows_never_written(world):
    text = HEADER + GOOD + BAD
    before = Region.objects.count()
    dry = regions_import(actor=None, data=text.encode(), filename="r.csv", dry_run=True)
    assert Region.objects.count() == before
    assert (dry["created"], dry["rejected"]) == (3, 5)
    report = regions_import(actor=None, data=text.encode(), filename="r.csv")
    assert (report["created"], report["rejected"]) == (3, 5)
    assert Region.objects.count() == before + 3
    assert not Region.objects.filter(code__in=["321002004003", "321002004005", "321002004004001"]).exists()
    by_row = {}
    for e in report["errors"]:
        by_row.setdefault(e["row"], []).append((e["field"], e["message"]))
    # rows are numbered as in the spreadsheet: header is row 1
    assert by_row[5] == [("代码", "代码只能是数字：32100200400X")]
    assert by_row[6] == [("名称", "必填，不能为空")]
    assert by_row[7][0][0] == "代码" and "12 位" in by_row[7][0][1]
    assert by_row[8] == [("上级代码", "上级代码 321002004004 不存在，请先导入上级区域")]
    assert {f for f, _m in by_row[9]} == {"社区类型", "人口"}


def test_import_by_a_manager_stays_inside_their_scope(world, make_user):
    manager = make_user(Role.STREET_MANAGER, world.street.code)
    text = HEADER + "321002004002,文昌花园社区,社区,321002004,,\n321002005002,外街社区,社区,321002005,,\n"
    report = regions_import(actor=manager, data=text.encode(), filename="r.csv")
    assert report["created"] == 1 and report["errors"] == [
        {"row": 3, "field": "代码", "message": "区域 321002005002 不在您的管辖范围内"}]


def test_import_command_exit_codes(world, tmp_path, capsys):
    good = tmp_path / "good.csv"
    good.write_text(HEADER + GOOD, encoding="utf-8")
    call_command("regions", "import", str(good))
    assert "新增 3" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_bytes((HEADER + BAD).encode("gbk"))
    with pytest.raises(SystemExit) as exc:
        call_command("regions", "import", str(bad), "--json")
    assert exc.value.code == 1
    out = json.loads(capsys.readouterr().out)
    assert out["rejected"] == 5 and out["errors"][0]["row"] == 2


def test_unreadable_file_is_reported(world):
    with pytest.raises(ServiceError, match="不支持的文件类型"):
        regions_import(actor=None, data=b"\x00\x01", filename="x.pdf")


# --- the import page: upload → dry run report → commit, in the background with progress ---------------------
@pytest.fixture
def manager_client(client, world, make_user):
    manager = make_user(Role.STREET_MANAGER, world.street.code, username="mgr")
    verified_login(client, manager)
    client.user = manager
    return client


def test_import_page_dry_run_then_commit(manager_client, world, settings, tmp_path):
    """Regions go through the shared import pages like every other importer."""
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}}}
    c = manager_client
    assert c.get(reverse("imports:regions")).status_code == 200
    upload = SimpleUploadedFile("区域.csv", (HEADER + GOOD + BAD).encode("gbk"), content_type="text/csv")
    resp = c.post(reverse("imports:regions"), {"file": upload})
    assert resp.status_code == 302
    task = TaskProgress.objects.get(owner=c.user)
    assert resp["Location"] == reverse("imports:status", args=[task.pk])
    assert task.state == "done" and task.result["dry_run"] and task.percent == 100
    assert not Region.objects.filter(code="321002004002").exists()  # a dry run writes nothing
    page = c.get(resp["Location"]).content.decode()
    assert "预检结果" in page and "第 5 行" in page and "代码只能是数字" in page and 'data-testid="commit"' in page

    resp = c.post(reverse("imports:commit", args=[task.pk]))
    commit = TaskProgress.objects.exclude(pk=task.pk).get(owner=c.user)
    assert resp["Location"] == reverse("imports:status", args=[commit.pk])
    assert commit.state == "done" and not commit.result["dry_run"] and commit.result["created"] == 3
    assert Region.objects.filter(code__startswith="321002004002").count() == 3
    page = c.get(resp["Location"]).content.decode()
    assert "导入结果" in page and 'data-testid="commit"' not in page


def test_import_page_is_for_managers_only(client, world, make_user):
    client.force_login(make_user(Role.COMMUNITY_SECRETARY, world.community.code))
    assert client.get(reverse("imports:regions")).status_code == 403


def test_progress_bar_polls_until_done_then_follows_the_result(manager_client):
    c = manager_client
    task = TaskProgress.objects.create(kind="regions.import", owner=c.user, state="running", total=10, done=4)
    url = reverse("core:task_progress", args=[task.pk])
    html = c.get(url).content.decode()
    assert f'hx-get="{url}"' in html and "40%" in html and "4/10" in html and 'data-state="running"' in html
    TaskProgress.objects.filter(pk=task.pk).update(state="done", done=10, result={"url": "/regions/"})
    resp = c.get(url + "?follow=1", HTTP_HX_REQUEST="true")
    assert "hx-get" not in resp.content.decode() and "100%" in resp.content.decode()
    assert resp["HX-Redirect"] == "/regions/"
    # someone else's task is not found
    other = TaskProgress.objects.create(kind="x", owner=None)
    assert c.get(reverse("core:task_progress", args=[other.pk])).status_code == 404


# --- region edit -------------------------------------------------------------------------------------------
def test_region_update_conflict(world):
    region = Region.objects.get(code=world.community.code)
    stale = Region.objects.get(pk=region.pk)
    region_update(actor=None, region=region, name="玺园社区（新）")
    with pytest.raises(ConflictError):
        region_update(actor=None, region=stale, name="另一个名字")
    assert Region.objects.get(pk=region.pk).name == "玺园社区（新）"


def test_edit_page_saves_and_reports_conflicts(manager_client, world):
    c = manager_client
    url = reverse("regions:edit", args=[world.community.code])
    assert c.get(url).status_code == 200
    square = {"type": "Polygon", "coordinates": [[[119.4, 32.3], [119.5, 32.3], [119.5, 32.4], [119.4, 32.3]]]}
    form = {"version": 1, "name": "玺园社区", "community_type": "new", "housing_form": "commercial",
            "population": "8000", "households": "3000", "boundary": json.dumps(square)}
    assert c.post(url, form).status_code == 302
    region = Region.objects.get(code=world.community.code)
    assert (region.population, region.community_type, region.boundary, region.version) == (8000, "new", square, 2)
    resp = c.post(url, {**form, "population": "9000"})  # version 1 is stale now
    assert resp.status_code == 200 and "记录已被他人修改" in resp.content.decode()
    assert Region.objects.get(code=world.community.code).population == 8000
    resp = c.post(url, {**form, "version": 2, "boundary": '{"type": "Point", "coordinates": [1, 2]}'})
    assert "Polygon" in resp.content.decode() and Region.objects.get(code=world.community.code).version == 2


def test_edit_is_refused_to_staff_and_out_of_scope(client, world, make_user):
    client.force_login(make_user(Role.COMMUNITY_STAFF, world.community.code))
    assert client.get(reverse("regions:edit", args=[world.community.code])).status_code == 403
    other = make_user(Role.STREET_MANAGER, world.other_street.code)
    client.logout()
    verified_login(client, other)
    assert client.get(reverse("regions:edit", args=[world.community.code])).status_code == 404


def test_region_services_check_their_actor(world, make_user):
    secretary = make_user(Role.COMMUNITY_SECRETARY, world.community.code)
    manager = make_user(Role.STREET_MANAGER, world.street.code)
    region = Region.objects.get(code=world.community.code)
    with pytest.raises(PermissionDenied, match="只有街道或区级管理员"):
        region_update(actor=secretary, region=region, name="改名")
    with pytest.raises(PermissionDenied, match="只有街道或区级管理员"):
        region_create(actor=manager, code=world.other_street.code[:9] + "999", name="别处社区",
                      level=Level.COMMUNITY, parent=world.other_street)
    assert region_update(actor=manager, region=region, name="玺园社区（新）").name == "玺园社区（新）"
