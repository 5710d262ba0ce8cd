import datetime
import io

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from python_calamine import CalamineWorkbook

from shanzhi.audit.models import AuditEvent
from shanzhi.core.export import write_xlsx
from shanzhi.core.roles import Role
from shanzhi.registry import choices as c
from shanzhi.registry import selectors as sel
from shanzhi.registry import services as s
from shanzhi.registry.exporting import EXPORT_HEADERS, EXPORTERS

pytestmark = pytest.mark.django_db


@pytest.fixture
def town(world, worker, other_worker, place, ids):
    b, d, h = place
    zsf = s.person_create(actor=worker, name="张三丰", dwelling=d, household=h, id_number=ids(seq=1),
                          phone="13800001234", relation_to_head=c.Relation.HEAD, current_address="文昌路5号3栋501")
    li = s.person_create(actor=worker, name="李四", dwelling=d, household=h, id_number=ids(seq=2, male=False),
                         residence_type=c.ResidenceType.FLOATING)
    s.care_tag_add(actor=worker, person=zsf, tag=c.CareTagKind.ELDERLY_ALONE)
    d2 = s.dwelling_create(actor=worker, building=b, room="601", occupancy=c.Occupancy.VACANT)
    ob = s.building_create(actor=other_worker, region_code=world.other_grid.code, name="9栋")
    od = s.dwelling_create(actor=other_worker, building=ob, room="501")
    far = s.person_create(actor=other_worker, name="张三丰", dwelling=od, id_number=ids(seq=3))
    return {"zsf": zsf, "li": li, "far": far, "d": d, "d2": d2, "b": b, "h": h}


@pytest.mark.parametrize("q", ["张三", "zsf", "ZSF", "zhangsan", "13800001234", "138 0000 1234", "文昌路5号"])
def test_search_finds_person_in_scope_only(worker, town, q):
    found = sel.registry_search(actor=worker, q=q)["persons"]
    assert found == [town["zsf"]]


def test_search_by_id_number_variants(worker, town, ids):
    assert sel.registry_search(actor=worker, q=ids(seq=1))["persons"] == [town["zsf"]]
    assert sel.person_by_id_number(actor=worker, id_number=" " + ids(seq=1).lower()) == town["zsf"]
    assert sel.person_by_id_number(actor=worker, id_number=ids(seq=3)) is None  # out of scope


def test_search_places(worker, town):
    r = sel.registry_search(actor=worker, q="H0001")
    assert r["households"] == [town["h"]]
    assert town["b"] in sel.registry_search(actor=worker, q="3栋")["buildings"]
    assert sel.registry_search(actor=worker, q="501")["dwellings"] == [town["d"]]
    assert sel.registry_search(actor=worker, q="")["persons"] == []


def test_person_list_filters(worker, town):
    assert set(sel.person_list(actor=worker)) == {town["zsf"], town["li"]}
    assert list(sel.person_list(actor=worker, filters={"residence_type": c.ResidenceType.FLOATING})) == [town["li"]]
    assert list(sel.person_list(actor=worker, filters={"care_tag": c.CareTagKind.ELDERLY_ALONE})) == [town["zsf"]]
    assert list(sel.person_list(actor=worker, filters={"q": "li"})) == [town["li"]]
    age = datetime.date.today().year - 1980
    assert len(sel.person_list(actor=worker, filters={"age_min": age - 1, "age_max": age})) == 2
    assert list(sel.person_list(actor=worker, filters={"age_min": age + 2})) == []


def test_get_out_of_scope_is_404(worker, town):
    with pytest.raises(Http404):
        sel.person_get(actor=worker, pk=town["far"].pk)
    with pytest.raises(Http404):
        sel.dwelling_get(actor=worker, pk=town["far"].dwelling_id)
    assert sel.person_get(actor=worker, pk=town["zsf"].pk) == town["zsf"]


def test_floor_plan(worker, town):
    plan = sel.building_floor_plan(actor=worker, building=town["b"])
    assert [f["floor"] for f in plan["floors"]] == [6, 5]
    cell = plan["floors"][1]["cells"][0]
    assert (cell["room"], cell["residents"], cell["tags"]) == ("501", 2, {c.CareTagKind.ELDERLY_ALONE: 1})
    assert plan["floors"][0]["cells"][0]["occupancy"] == c.Occupancy.VACANT
    assert plan["residents"] == 2 and plan["dwellings"] == 2


def test_floor_plan_query_count_is_constant(worker, town):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            sel.building_floor_plan(actor=worker, building=town["b"])
        return len(ctx)

    before = count()
    for room in ("701", "702", "801"):
        d = s.dwelling_create(actor=worker, building=town["b"], room=room)
        s.person_create(actor=worker, name="新人", dwelling=d)
    assert count() == before


def _read(rows, kind):
    buf = io.BytesIO()
    write_xlsx(buf, EXPORT_HEADERS[kind], rows)
    return CalamineWorkbook.from_filelike(io.BytesIO(buf.getvalue())).get_sheet_by_index(0).to_python()


@pytest.mark.parametrize("kind", ["persons", "households", "dwellings", "buildings", "units"])
def test_exports_are_scoped_masked_and_audited(world, worker, town, ids, kind):
    s.unit_create(actor=worker, region_code=world.grid.code, name="某店", contact_phone="13600002222")
    sheet = _read(EXPORTERS[kind](actor=worker, filters={}), kind)
    text = str(sheet)
    assert sheet[0] == EXPORT_HEADERS[kind]
    assert AuditEvent.objects.filter(action=f"registry.export.{kind}").count() == 1
    for secret in (ids(seq=1), "13800001234", "13600002222", "9栋"):
        assert secret not in text
    if kind == "persons":
        assert len(sheet) == 3 and ids(seq=1)[:6] + "*" * 11 in text and "138********" in text


def test_export_needs_a_role_with_export(world, make_user, town):
    nobody = make_user(Role.RESIDENT, world.grid.code)
    assert list(EXPORTERS["persons"](actor=nobody, filters={})) == []


def test_special_population_not_exported(worker, leader, town):
    s.special_population_create(actor=leader, person=town["zsf"], category=c.SpecialCategory.MENTAL_DISORDER)
    text = str(_read(EXPORTERS["persons"](actor=leader, filters={}), "persons"))
    assert "精神" not in text and "mental" not in text
