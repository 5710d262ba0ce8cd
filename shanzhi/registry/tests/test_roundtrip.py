"""The grid roster's Excel round-trip (issues 19.6, 22.6): export in the import template, edit with openpyxl as
WPS/Excel would, import back — only changed rows change, after a preview; conflicts flagged; proposers' rows become
change requests; hostile files get a Chinese message naming row and field."""

import datetime
import io

import openpyxl
import pytest

from shanzhi.audit.models import AuditEvent
from shanzhi.core.errors import NotAllowed, ServiceError
from shanzhi.core.roles import Role
from shanzhi.registry import roundtrip as rt
from shanzhi.registry import services as s
from shanzhi.registry.changes import change_approve
from shanzhi.registry.models import ChangeBatch, ChangeRequest, Person
from shanzhi.registry.testing import dwelling_in, household_in, person_in
from shanzhi.registry.tests.conftest import make_id


@pytest.fixture
def grid(world, make_user):
    dwelling = dwelling_in(world.grid.code)
    household = household_in(world.grid.code, dwelling=dwelling)
    persons = [person_in(world.grid.code, household=household, name=f"居民{i}",
                         id_number=make_id(seq=i + 10, birth=datetime.date(1960 + i, 1, 1)),
                         phone=f"1380000{i:04d}") for i in range(5)]

    class G:
        code = world.grid.code
        worker = make_user(Role.GRID_WORKER, world.grid.code)
        assistant = make_user(Role.GRID_ASSISTANT, world.grid.code)
        other = make_user(Role.GRID_WORKER, world.other_grid.code)
        outside = person_in(world.other_grid.code, name="别网格")
    G.persons = persons
    return G


def _sheet(data: bytes):
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb.active
    headers = [c.value.rstrip("*") for c in ws[1]]
    return wb, ws, headers


def _edit(data: bytes, edits: dict, *, formula=None) -> bytes:
    """edits: {person pk: {header: value}}; formula: (pk, header, formula)."""
    wb, ws, headers = _sheet(data)
    key = headers.index("记录编号") + 1
    for row in range(3, ws.max_row + 1):
        pk = int(ws.cell(row, key).value)
        for header, value in edits.get(pk, {}).items():
            ws.cell(row, headers.index(header) + 1).value = value
        if formula and formula[0] == pk:
            ws.cell(row, headers.index(formula[1]) + 1).value = formula[2]
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _versions():
    return dict(Person.objects.values_list("pk", "version"))


def test_export_is_the_template_masked_with_keys_and_audited(grid):
    data, n = rt.roster_workbook(actor=grid.worker, region_code=grid.code)
    assert n == 5
    wb, ws, headers = _sheet(data)
    assert headers[:3] == ["姓名", "证件类型", "证件号码"] and headers[-2:] == ["记录编号", "版本"]
    text = "".join(str(c.value or "") for row in ws.iter_rows() for c in row)
    assert "别网格" not in text
    for p in grid.persons:
        assert p.phone_masked in text and s.pii.decrypt(p.phone_enc) not in text
        assert s.pii.decrypt(p.id_number_enc) not in text
    assert AuditEvent.objects.filter(action="registry.roundtrip.export").count() == 1
    with pytest.raises(NotAllowed):
        rt.roster_workbook(actor=grid.other, region_code=grid.code)


def test_only_the_three_changed_rows_change_after_the_preview(grid):
    data, _ = rt.roster_workbook(actor=grid.worker, region_code=grid.code)
    a, b, c = grid.persons[0], grid.persons[2], grid.persons[4]
    edited = _edit(data, {a.pk: {"工作单位": "扬州市图书馆"}, b.pk: {"联系电话": "13912345678"},
                          c.pk: {"文化程度": "本科", "民族": "回族"}})
    before = _versions()
    audits = AuditEvent.objects.count()
    batch = rt.roundtrip_preview(actor=grid.worker, region_code=grid.code, data=edited, filename="花名册.xlsx")
    assert _versions() == before  # nothing written by the preview
    assert (batch.rows, batch.unchanged, batch.errors) == (5, 2, [])
    rows = rt.batch_rows(batch)
    assert [(r["label"], [(d["label"], d["old"], d["new"]) for d in r["diff"]]) for r in rows] == [
        ("居民0", [("工作单位", "（空）", "扬州市图书馆")]),
        ("居民2", [("联系电话", "138********", "139********")]),
        ("居民4", [("民族", "（空）", "回族"), ("文化程度", "（空）", "本科")]),
    ]
    result = rt.roundtrip_confirm(actor=grid.worker, batch=batch)
    assert result == {"done": 3, "failed": []}
    after = _versions()
    changed = {pk for pk in after if after[pk] != before[pk]}
    assert changed == {a.pk, b.pk, c.pk} and all(after[pk] == before[pk] + 1 for pk in changed)
    new_audits = AuditEvent.objects.order_by("pk")[audits:]
    updates = [e for e in new_audits if e.action == "registry.person.update"]
    assert sorted(int(e.object_id) for e in updates) == sorted([a.pk, b.pk, c.pk])
    b.refresh_from_db()
    assert s.pii.decrypt(b.phone_enc) == "13912345678"
    assert set(ChangeRequest.objects.values_list("state", flat=True)) == {"approved"}
    # the same file again: nothing left to change
    again = rt.roundtrip_preview(actor=grid.worker, region_code=grid.code, data=edited, filename="花名册.xlsx")
    assert not again.changes.exists() and again.errors == [] and again.unchanged == 5


def test_a_row_changed_on_the_server_since_the_export_is_a_conflict(grid):
    data, _ = rt.roster_workbook(actor=grid.worker, region_code=grid.code)
    a, b = grid.persons[0], grid.persons[1]
    s.person_update(actor=grid.worker, person=a, workplace="服务器上改过")
    edited = _edit(data, {a.pk: {"工作单位": "表格里改的"}, b.pk: {"工作单位": "另一行"}})
    batch = rt.roundtrip_preview(actor=grid.worker, region_code=grid.code, data=edited, filename="r.xlsx")
    conflicts = [p for p in batch.errors if p["kind"] == "conflict"]
    assert len(conflicts) == 1 and conflicts[0]["label"] == "居民0" and "已被修改" in conflicts[0]["message"]
    assert [r["label"] for r in rt.batch_rows(batch)] == ["居民1"]
    rt.roundtrip_confirm(actor=grid.worker, batch=batch)
    a.refresh_from_db()
    assert a.workplace == "服务器上改过"


def test_a_change_after_the_preview_is_not_written_either(grid):
    data, _ = rt.roster_workbook(actor=grid.worker, region_code=grid.code)
    a = grid.persons[0]
    batch = rt.roundtrip_preview(actor=grid.worker, region_code=grid.code,
                                 data=_edit(data, {a.pk: {"工作单位": "表格"}}), filename="r.xlsx")
    s.person_update(actor=grid.worker, person=a, workplace="抢先")
    result = rt.roundtrip_confirm(actor=grid.worker, batch=batch)
    assert result["done"] == 0 and len(result["failed"]) == 1
    a.refresh_from_db()
    assert a.workplace == "抢先"


def test_a_proposers_import_becomes_change_requests(grid, world, make_user):
    data, _ = rt.roster_workbook(actor=grid.assistant, region_code=grid.code)
    a = grid.persons[3]
    batch = rt.roundtrip_preview(actor=grid.assistant, region_code=grid.code,
                                 data=_edit(data, {a.pk: {"现住址": "文昌路 1 号"}}), filename="r.xlsx")
    assert batch.mode == "propose"
    rt.roundtrip_confirm(actor=grid.assistant, batch=batch)
    req = ChangeRequest.objects.get()
    assert req.state == "pending" and req.source == "import"
    a.refresh_from_db()
    assert a.current_address == ""
    staff = make_user(Role.COMMUNITY_STAFF, world.community.code)
    change_approve(actor=staff, request=req)
    a.refresh_from_db()
    assert a.current_address == "文昌路 1 号"


@pytest.mark.parametrize("edit,header,words", [
    ({"单元": "99999999999999999999"}, "单元", "数字过大"),
    ({"工作单位": "某公司\u202e"}, "工作单位", "控制字符"),
    ({"证件号码": "32100219600101abcd"}, "证件号码", ""),
    ({"联系电话": "12"}, "联系电话", ""),
    ({"房号": "999"}, "房号", "迁移"),
    ({"文化程度": "博士后在读中"}, "文化程度", "可选"),
    ({"记录编号": "12345678"}, "记录编号", "不存在"),
])
def test_hostile_cells_name_row_and_field(grid, edit, header, words):
    data, _ = rt.roster_workbook(actor=grid.worker, region_code=grid.code)
    a = grid.persons[1]
    before = _versions()
    batch = rt.roundtrip_preview(actor=grid.worker, region_code=grid.code, data=_edit(data, {a.pk: edit}),
                                 filename="r.xlsx")
    errors = [p for p in batch.errors if p["kind"] == "error"]
    assert len(errors) == 1 and errors[0]["row"] == 4 and errors[0]["field"] == header, batch.errors
    assert words in errors[0]["message"]
    assert not batch.changes.exists() and _versions() == before


def test_a_formula_is_refused_naming_row_and_field(grid):
    data, _ = rt.roster_workbook(actor=grid.worker, region_code=grid.code)
    a = grid.persons[0]
    batch = rt.roundtrip_preview(actor=grid.worker, region_code=grid.code,
                                 data=_edit(data, {}, formula=(a.pk, "工作单位", '=HYPERLINK("http://x","y")')),
                                 filename="r.xlsx")
    assert batch.errors[0]["row"] == 3 and batch.errors[0]["field"] == "工作单位"
    assert "公式" in batch.errors[0]["message"] and not batch.changes.exists()


@pytest.mark.parametrize("payload,name,words", [
    (b"not a spreadsheet at all", "x.xlsx", ""),
    (b"", "x.xlsx", "空"),
    (b"a,b\n1,2\n", "x.exe", "不支持"),
    ("姓名,证件号码\n张三,1\n".encode("gbk"), "x.csv", "表头"),
])
def test_wrong_files_are_refused_with_a_chinese_message(grid, payload, name, words):
    with pytest.raises(ServiceError) as e:
        rt.roundtrip_preview(actor=grid.worker, region_code=grid.code, data=payload, filename=name)
    assert e.value.field == "file" and words in e.value.user_message
    assert not ChangeBatch.objects.exists()


def test_pages_scope_and_methods(client, grid):
    data, _ = rt.roster_workbook(actor=grid.worker, region_code=grid.code)
    a = grid.persons[0]
    client.force_login(grid.worker)
    assert client.get("/registry/roundtrip/").status_code == 200
    resp = client.get(f"/registry/roundtrip/export/?grid={grid.code}")
    assert resp.status_code == 200 and resp["Content-Type"].startswith("application/vnd.openxmlformats")
    upload = io.BytesIO(_edit(data, {a.pk: {"工作单位": "新单位"}}))
    upload.name = "roster.xlsx"
    resp = client.post("/registry/roundtrip/", {"grid": grid.code, "file": upload})
    batch = ChangeBatch.objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"/registry/roundtrip/{batch.pk}/"
    html = client.get(resp["Location"]).content.decode()
    assert "新单位" in html and 'data-testid="confirm"' in html
    assert client.get(f"/registry/roundtrip/{batch.pk}/confirm/").status_code == 405
    client.force_login(grid.other)
    assert client.get(f"/registry/roundtrip/{batch.pk}/").status_code == 404
    assert client.post(f"/registry/roundtrip/{batch.pk}/confirm/").status_code == 404
    assert client.get(f"/registry/roundtrip/export/?grid={grid.code}").status_code == 302  # not their grid
    a.refresh_from_db()
    assert a.workplace == ""
    client.force_login(grid.worker)
    client.post(f"/registry/roundtrip/{batch.pk}/confirm/")
    a.refresh_from_db()
    assert a.workplace == "新单位"
