"""The import page: upload → dry run report with row errors → error workbook → commit; templates; export."""

import io

import pytest
from python_calamine import CalamineWorkbook

from shanzhi.audit.models import AuditEvent
from shanzhi.core.roles import Role
from shanzhi.registry.models import Person
from shanzhi.registry.testing import household_in, person_in

pytestmark = pytest.mark.django_db
CSV = ("人员登记表（玺园第1网格）\n"
       "姓名,证件号码,联系电话,人口类型\n"
       "赵一,32100219800517091x,17012345678,户籍人口\n"
       "钱二,321002198005170918,17012345679,户籍人口\n"
       "孙三,321002199001010016,1234,流动人口\n")


@pytest.fixture
def worker(client, world, make_user, settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}}}
    user = make_user(Role.GRID_WORKER, world.grid.code)
    client.force_login(user)
    return user


@pytest.fixture
def run_tasks(django_capture_on_commit_callbacks):
    """Tests run inside a transaction: run what would happen on commit (the task and its progress)."""
    def post(client, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(*args, **kwargs)
    return post


def _upload(post, client, world, text=CSV):
    f = io.BytesIO(text.encode("gbk"))
    f.name = "persons.csv"
    return post(client, "/imports/persons/", {"region_code": world.grid.code, "file": f})


def test_dry_run_reports_row_errors_then_commit_writes_only_valid_rows(client, world, worker, run_tasks):
    resp = _upload(run_tasks, client, world)
    assert resp.status_code == 302
    status_url = resp["Location"]
    html = client.get(status_url).content.decode()
    assert "预检结果" in html and 'data-testid="rejected">2<' in html
    assert "第 4 行" in html and "第 5 行" in html and "校验位" in html and "电话号码格式" in html
    assert Person.objects.count() == 0  # a dry run writes nothing

    workbook = client.get(status_url, {"download": "errors"})
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(workbook.getvalue())).get_sheet_by_index(0).to_python()
    assert [row[0] for row in sheet[1:]] == ["钱二", "孙三"] and "错误原因" in sheet[0]

    resp = run_tasks(client, f"{status_url}commit/")
    assert resp.status_code == 302
    html = client.get(resp["Location"]).content.decode()
    assert "导入结果" in html
    assert list(Person.objects.values_list("name", flat=True)) == ["赵一"]

    # the same file again changes nothing
    resp = _upload(run_tasks, client, world)
    html = client.get(resp["Location"]).content.decode()
    assert 'data-testid="commit"' not in html


def test_template_download_and_someone_elses_import_is_404(client, world, worker, make_user, run_tasks):
    resp = client.get("/imports/households/template/")
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(resp.content)).get_sheet_by_index(0).to_python()
    assert "户号*" in sheet[0]
    status_url = _upload(run_tasks, client, world)["Location"]
    client.force_login(make_user(Role.GRID_WORKER, world.grid.code))
    assert client.get(status_url).status_code == 404


def test_export_is_masked_and_scoped(client, world, worker):
    person_in(world.grid.code, name="周五", id_number="321002198005170919")
    person_in(world.other_grid.code, name="吴六")
    resp = client.get("/registry/persons/", {"export": "xlsx"})
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(resp.getvalue())).get_sheet_by_index(0).to_python()
    names = [row[0] for row in sheet[1:]]
    assert names == ["周五"] and sheet[1][1] == "321002***********9"


def test_region_exports_are_scoped_and_audited(client, world, worker):
    mine = household_in(world.grid.code)
    household_in(world.other_grid.code)
    resp = client.get("/registry/export/", {"kind": "households", "region": world.grid.code})
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(resp.getvalue())).get_sheet_by_index(0).to_python()
    assert [row[0] for row in sheet[1:]] == [mine.household_number]
    assert AuditEvent.objects.filter(action="registry.export.households").count() == 1
