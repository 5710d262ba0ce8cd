import io
import json

import pytest
import xlsxwriter
from django.core.management import call_command
from python_calamine import CalamineWorkbook

from shanzhi.core.errors import NotAllowed
from shanzhi.core.importing import IMPORTERS, import_enqueue
from shanzhi.core.models import TaskProgress
from shanzhi.core.pii import decrypt
from shanzhi.registry import choices as c
from shanzhi.registry.importing import import_run, import_template
from shanzhi.registry.models import Building, Dwelling, Estate, Household, Person, Unit

pytestmark = pytest.mark.django_db

HEAD = "姓名,证件号码,联系电话,人口类型,户号,小区,楼栋,单元,房号,出生日期\n"


def csv_bytes(rows, encoding="utf-8", title=True):
    text = ("玺园社区人员登记表（2026年）\n" if title else "") + HEAD + "".join(",".join(r) + "\n" for r in rows)
    return text.encode(encoding)


def run(actor, kind, data, filename="p.csv", dry_run=False, region="321002004001001"):
    return import_run(actor=actor, kind=kind, data=data, filename=filename, region_code=region, dry_run=dry_run)


def test_template_has_headers_and_comment_row_and_reads_back_empty(worker):
    data = import_template("persons")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    assert rows[0][0] == "姓名*" and "证件号码*" in rows[0]
    assert str(rows[1][0]).startswith("说明")
    report = run(worker, "persons", data, "t.xlsx")
    assert report["rows"] == 0 and report["rejected"] == 0


def test_gbk_csv_with_title_row_errors_and_reimport(worker, ids):
    rows = [
        ["张三丰", ids(seq=1), "13800001234", "户籍人口", "", "", "", "", "", ""],
        ["李四", ids(seq=2, male=False).lower(), "", "流动人口", "", "", "", "", "", ""],
        ["王五", "321002198005170000", "", "", "", "", "", "", "", ""],  # bad check digit
        ["赵六", ids(seq=4), "12345", "", "", "", "", "", "", ""],  # bad phone
        ["", ids(seq=5), "", "", "", "", "", "", "", ""],  # no name
        ["钱七", ids(seq=6), "", "外星人", "", "", "", "", "", ""],  # bad choice
        ["孙八", ids(seq=1), "", "", "", "", "", "", "", ""],  # same ID as row 3
        ["周九", ids(seq=7), "", "", "", "", "", "", "", "1999-01-01"],  # birth date disagrees
    ]
    data = csv_bytes(rows, "gbk")
    dry = run(worker, "persons", data, dry_run=True)
    assert Person.objects.count() == 0
    assert (dry["rows"], dry["created"], dry["rejected"]) == (8, 2, 6)
    by_row = {e["row"]: e for e in dry["errors"]}
    assert by_row[5]["field"] == "证件号码" and "校验位" in by_row[5]["message"]
    assert by_row[6]["field"] == "联系电话"
    assert by_row[7]["field"] == "姓名"
    assert by_row[8]["field"] == "人口类型"
    assert "第 3 行" in by_row[9]["message"]
    assert by_row[10]["field"] == "出生日期"

    report = run(worker, "persons", data)
    assert (report["created"], report["rejected"]) == (2, 6)
    p = Person.objects.get(name="李四")
    assert p.residence_type == c.ResidenceType.FLOATING and p.sex == c.Sex.FEMALE
    assert decrypt(p.id_number_enc) == ids(seq=2, male=False)
    assert Person.objects.get(name="张三丰").name_initials == "zsf"

    again = run(worker, "persons", data)
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 2)
    versions = dict(Person.objects.values_list("pk", "version"))

    rows[0][2] = "13900009999"
    changed = run(worker, "persons", csv_bytes(rows, "utf-8"))
    assert (changed["created"], changed["updated"], changed["unchanged"]) == (0, 1, 1)
    zs = Person.objects.get(name="张三丰")
    assert zs.phone_masked == "139********" and zs.version == versions[zs.pk] + 1

    book = IMPORTERS["persons"].error_workbook(data, "p.csv", report["errors"])
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(book)).get_sheet_by_index(0).to_python()
    assert sheet[0][-1] == "错误原因" and len(sheet) == 7
    assert sheet[1][0] == "王五" and "校验位" in sheet[1][-1]


def test_places_chain_xlsx(worker, ids):
    def xlsx(rows):
        buf = io.BytesIO()
        wb = xlsxwriter.Workbook(buf)
        ws = wb.add_worksheet()
        for r, row in enumerate(rows):
            ws.write_row(r, 0, row)
        wb.close()
        return buf.getvalue()

    r = run(worker, "buildings", xlsx([["小区", "楼栋", "层数"], ["玺园", "3栋", 6], ["玺园", "4栋", 11]]), "b.xlsx")
    assert r["created"] == 2 and Estate.objects.get().name == "玺园"
    assert run(worker, "buildings", xlsx([["小区", "楼栋", "层数"], ["玺园", "3栋", 6]]), "b.xlsx")["unchanged"] == 1
    r = run(worker, "dwellings", xlsx([["小区", "楼栋", "单元", "房号", "房屋状态"], ["玺园", "3栋", 1, "501", "出租"],
                                       ["玺园", "9栋", 1, "101", ""]]), "d.xlsx")
    assert (r["created"], r["rejected"]) == (1, 1) and "不存在" in r["errors"][0]["message"]
    d = Dwelling.objects.get()
    assert d.floor == 5 and d.occupancy == c.Occupancy.RENTED
    r = run(worker, "households", xlsx([["户号", "小区", "楼栋", "单元", "房号"], ["H100", "玺园", "3栋", 1, "501"]]),
            "h.xlsx")
    assert r["created"] == 1 and Household.objects.get().dwelling == d
    rows = [HEAD.strip().split(","), ["张三", ids(seq=1), "", "", "H100", "玺园", "3栋", "1", "501", ""]]
    r = run(worker, "persons", xlsx(rows), "p.xlsx")
    assert r["created"] == 1
    p = Person.objects.get()
    assert p.household.household_number == "H100" and p.dwelling == d
    assert run(worker, "households", xlsx([["户号", "小区", "楼栋", "单元", "房号"], ["H100", "玺园", "3栋", 1, "501"]]),
               "h.xlsx")["unchanged"] == 1
    r = run(worker, "units", xlsx([["单位名称", "统一社会信用代码", "联系电话"],
                                   ["扬州某公司", "91320191MA1MDLH86Y", "0514-87654321"]]), "u.xlsx")
    assert r["created"] == 1
    assert run(worker, "units", xlsx([["单位名称", "统一社会信用代码", "联系电话"],
                                      ["扬州某公司", "91320191MA1MDLH86Y", "0514-87654321"]]), "u.xlsx")["unchanged"] == 1
    assert Unit.objects.get().contact_phone_masked == "051*********"
    assert Building.objects.count() == 2


def test_out_of_scope_region_refused(other_worker):
    with pytest.raises(NotAllowed):
        run(other_worker, "persons", csv_bytes([]))


def test_person_registered_elsewhere_is_rejected(world, worker, other_worker, ids):
    run(other_worker, "persons", csv_bytes([["甲", ids(seq=1), "", "", "", "", "", "", "", ""]]),
        region=world.other_grid.code)
    r = run(worker, "persons", csv_bytes([["甲", ids(seq=1), "", "", "", "", "", "", "", ""]]))
    assert r["rejected"] == 1 and "其他辖区" in r["errors"][0]["message"]


def test_command_json_and_exit_code(world, tmp_path, ids, capsys):
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes([["甲", ids(seq=1), "", "", "", "", "", "", "", ""]]))
    call_command("import", "persons", str(good), "--region", world.grid.code, "--json")
    out = json.loads(capsys.readouterr().out)
    assert out == {"rows": 1, "created": 1, "updated": 0, "unchanged": 0, "rejected": 0, "errors": []}
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([["乙", "123", "", "", "", "", "", "", "", ""]]))
    with pytest.raises(SystemExit) as e:
        call_command("import", "persons", str(bad), "--region", world.grid.code, "--json", "--dry-run")
    assert e.value.code == 1
    assert json.loads(capsys.readouterr().out)["errors"][0]["row"] == 3
    tpl = tmp_path / "t.xlsx"
    call_command("import", "template", "persons", "-o", str(tpl))
    assert tpl.read_bytes()[:2] == b"PK"


def test_background_import_reports_progress(worker, ids, django_capture_on_commit_callbacks):
    data = csv_bytes([["甲", ids(seq=1), "", "", "", "", "", "", "", ""], ["乙", "bad", "", "", "", "", "", "", "", ""]])
    with django_capture_on_commit_callbacks(execute=True):  # progress is written when the work commits
        pid = import_enqueue(actor=worker, kind="persons", data=data, filename="p.csv",
                             region_code="321002004001001", dry_run=False)
    progress = TaskProgress.objects.get(pk=pid)
    assert progress.state == TaskProgress.State.DONE and progress.owner == worker
    assert (progress.result["created"], progress.result["rejected"]) == (1, 1)
    assert Person.objects.count() == 1


def test_background_import_failure_is_reported(worker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        pid = import_enqueue(actor=worker, kind="persons", data=b"\x00\x01", filename="p.pdf",
                             region_code="321002004001001", dry_run=True)
    progress = TaskProgress.objects.get(pk=pid)
    assert progress.state == TaskProgress.State.FAILED and "不支持" in progress.message
