"""The sync endpoint: each client id written once (a retry answers the first answer), items in order, conflicts shown
with both versions, scope (another grid's record is refused as not found), forged ids, CSRF and roles."""

import base64
import uuid

import pytest
from django.test import Client

from shanzhi.cases.models import Case, CasePhoto, HomeVisit
from shanzhi.cases.testing import image_upload, make_category
from shanzhi.core.roles import Role
from shanzhi.core.testing import make_user
from shanzhi.field.models import SyncReceipt
from shanzhi.registry.models import Household, Person
from shanzhi.registry.services import household_update
from shanzhi.registry.testing import dwelling_in, household_in, person_in

pytestmark = pytest.mark.django_db
GOOD_ID = "11010519491231002X"  # a valid GB 11643 number (check character X)


@pytest.fixture
def setup(world):
    worker = make_user(Role.GRID_WORKER, world.grid.code, username="wang")
    client = Client()
    client.force_login(worker)
    make_category(code="water", name="水管漏水")
    mine = dwelling_in(world.grid.code)
    other = dwelling_in(world.other_grid.code)
    return {"world": world, "worker": worker, "client": client, "dwelling": mine, "other_dwelling": other,
            "household": household_in(world.grid.code, dwelling=mine),
            "other_household": household_in(world.other_grid.code, dwelling=other)}


def post(client, *items):
    r = client.post("/api/field/sync", {"items": list(items)}, content_type="application/json")
    assert r.status_code == 200, r.content
    return r.json()["results"]


def household_item(dwelling, number="", name="李四", id_number="", suggested=True, cid=None):
    return {"client_id": cid or str(uuid.uuid4()), "kind": "household_create",
            "payload": {"dwelling": str(dwelling.pk), "household_number": number, "kind": "family", "name": name,
                        "id_number": id_number, "phone": "", "number_suggested": "on" if suggested else ""}}


def visit_item(household_ref, notes="独居老人，身体尚好", cid=None):
    return {"client_id": cid or str(uuid.uuid4()), "kind": "visit_create",
            "payload": {"household": str(household_ref), "notes": notes}}


def test_a_household_with_its_head_is_written_once_and_a_retry_gets_the_first_answer(setup):
    c, world = setup["client"], setup["world"]
    item = household_item(setup["dwelling"], number=f"{world.grid.code}0001", id_number=GOOD_ID)
    first = post(c, item)[0]
    assert first["status"] == "done" and not first["repeat"], first.get("detail")
    again = post(c, item)[0]
    assert again["status"] == "done" and again["repeat"] and again["record"] == first["record"]
    household = Household.objects.get(pk=first["record"]["id"])
    assert household.household_number == f"{world.grid.code}0001" and household.head.name == "李四"
    assert Household.objects.filter(dwelling=setup["dwelling"]).count() == 2  # the fixture's and this one
    assert Person.objects.filter(name="李四").count() == 1
    assert SyncReceipt.objects.filter(user=setup["worker"]).count() == 1


def test_every_request_sent_twice_writes_nothing_twice(setup):
    c = setup["client"]
    items = [visit_item(setup["household"].pk) for _ in range(5)] + [household_item(setup["dwelling"])]
    before = (HomeVisit.objects.count(), Household.objects.count())
    first = post(c, *items)
    second = post(c, *items)
    assert [a["status"] for a in first] == ["done"] * 6
    assert all(a["repeat"] for a in second) and [a.get("record") for a in first] == [a.get("record") for a in second]
    assert (HomeVisit.objects.count(), Household.objects.count()) == (before[0] + 5, before[1] + 1)


def test_items_sync_in_order_a_visit_to_a_household_registered_offline(setup):
    c = setup["client"]
    h = household_item(setup["dwelling"])
    v = visit_item(f"c:{h['client_id']}")
    household, visit = post(c, h, v)
    assert household["status"] == visit["status"] == "done"
    assert HomeVisit.objects.get(pk=visit["record"]["id"]).household_id == household["record"]["id"]
    # the other way round the visit has nothing to point at yet: refused with the reason, nothing written
    h2 = household_item(setup["dwelling"])
    v2 = visit_item(f"c:{h2['client_id']}")
    visit2, household2 = post(c, v2, h2)
    assert visit2["status"] == "refused" and visit2["field"] == "household" and "尚未同步" in visit2["detail"]
    assert household2["status"] == "done" and HomeVisit.objects.count() == 1


def test_a_suggested_number_taken_meanwhile_is_replaced_a_typed_one_is_refused(setup):
    c, code = setup["client"], setup["world"].grid.code
    Household.objects.create(region_code=code, household_number=f"{code}0007")
    answer = post(c, household_item(setup["dwelling"], number=f"{code}0007"))[0]
    assert answer["status"] == "done" and answer["record"]["number"] == f"{code}0008"
    assert f"{code}0008" in answer["detail"]
    typed = post(c, household_item(setup["dwelling"], number=f"{code}0007", suggested=False))[0]
    assert typed["status"] == "refused" and typed["field"] == "household_number"


def test_a_change_against_an_older_version_is_a_conflict_with_both_versions(setup):
    c, household = setup["client"], setup["household"]
    other = make_user(Role.GRID_LEADER, setup["world"].grid.code)
    household_update(actor=other, household=household, version=1, kind="collective")  # the office, meanwhile
    item = {"client_id": str(uuid.uuid4()), "kind": "household_update",
            "payload": {"household": str(household.pk), "version": "1", "kind": "family", "living_here": ""}}
    answer = post(c, item)[0]
    assert answer["status"] == "conflict"
    assert answer["server"] == {"kind": "collective", "kind_label": "集体户", "living_here": True, "version": 2}
    assert answer["mine"]["kind"] == "family" and answer["mine"]["living_here"] is False
    household.refresh_from_db()
    assert household.kind == "collective" and household.version == 2  # nothing overwritten
    assert post(c, item)[0]["status"] == "conflict"  # a retry: the same answer
    # the worker chose their own: a new item against the server's version
    chosen = {**item, "client_id": str(uuid.uuid4()), "payload": {**item["payload"], "version": "2"}}
    assert post(c, chosen)[0]["status"] == "done"
    household.refresh_from_db()
    assert household.kind == "family" and not household.living_here and household.version == 3


def test_another_grids_records_and_forged_ids_are_refused_and_nothing_is_written(setup):
    c = setup["client"]
    before = (HomeVisit.objects.count(), Household.objects.count(), Case.objects.count())
    answers = post(
        c,
        visit_item(setup["other_household"].pk),
        visit_item(999999),
        household_item(setup["other_dwelling"]),
        {"client_id": str(uuid.uuid4()), "kind": "household_update",
         "payload": {"household": str(setup["other_household"].pk), "version": "1", "kind": "family"}},
        {"client_id": str(uuid.uuid4()), "kind": "case_create",
         "payload": {"category": "water", "title": "漏水", "description": "漏水", "urgency": "normal",
                     "region_code": setup["world"].other_grid.code}},
        {"client_id": "not-a-uuid", "kind": "visit_create", "payload": {}},
        {"client_id": str(uuid.uuid4()), "kind": "delete_everything", "payload": {}},
        visit_item(f"c:{uuid.uuid4()}"),
    )
    assert [a["status"] for a in answers] == ["refused"] * 8
    assert [a.get("code") for a in answers[:4]] == ["not_found"] * 4
    assert answers[4]["field"] == "region_code"
    assert (HomeVisit.objects.count(), Household.objects.count(), Case.objects.count()) == before


def test_a_client_id_belongs_to_its_user(setup):
    cid = str(uuid.uuid4())
    post(setup["client"], visit_item(setup["household"].pk, cid=cid))
    colleague = make_user(Role.GRID_WORKER, setup["world"].grid.code)
    other = Client()
    other.force_login(colleague)
    answer = post(other, visit_item(setup["household"].pk, cid=cid, notes="第二次走访"))[0]
    assert answer["status"] == "done" and not answer["repeat"]
    assert HomeVisit.objects.filter(visitor=colleague).count() == 1


def test_bad_input_is_refused_with_the_field_and_the_reason(setup):
    answer = post(setup["client"], household_item(setup["dwelling"], id_number="110105194912310029"))[0]
    assert answer["status"] == "refused" and answer["field"] == "id_number" and "校验位" in answer["detail"]
    assert not Person.objects.filter(name="李四").exists()


def test_a_case_with_a_photo(setup):
    data = base64.b64encode(image_upload().read()).decode()
    item = {"client_id": str(uuid.uuid4()), "kind": "case_create",
            "payload": {"category": "water", "title": "3栋楼道漏水", "description": "楼道顶部漏水", "urgency": "normal",
                        "region_code": setup["world"].grid.code, "photos": [f"data:image/jpeg;base64,{data}"]}}
    answer = post(setup["client"], item)[0]
    assert answer["status"] == "done"
    case = Case.objects.get(pk=answer["record"]["id"])
    assert case.channel == "patrol" and CasePhoto.objects.filter(case=case).count() == 1
    assert post(setup["client"], item)[0]["repeat"] and Case.objects.count() == 1


def test_writes_need_the_csrf_token_and_a_field_role(setup, world):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(setup["worker"])
    token = strict.get("/api/field/session").json()["csrf"]
    item = visit_item(setup["household"].pk)
    r = strict.post("/api/field/sync", {"items": [item]}, content_type="application/json")
    assert r.status_code in (401, 403) and not HomeVisit.objects.exists()
    r = strict.post("/api/field/sync", {"items": [item]}, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert r.status_code == 200 and HomeVisit.objects.count() == 1
    resident = Client()
    resident.force_login(make_user(Role.RESIDENT, world.grid.code))
    assert resident.post("/api/field/sync", {"items": [item]}, content_type="application/json").status_code == 403
    assert resident.get("/api/field/roster").status_code == 403
    assert Client().get("/api/field/roster").status_code == 401


def test_the_roster_holds_masked_numbers_only_and_the_next_free_number(setup):
    person_in(setup["world"].grid.code, household=setup["household"], name="王五", id_number=GOOD_ID,
              phone="13912345678")
    r = setup["client"].get("/api/field/roster")
    text = r.content.decode()
    assert GOOD_ID not in text and "13912345678" not in text
    data = r.json()
    member = next(m for h in data["households"] for m in h["members"] if m["name"] == "王五")
    assert member["id_number"] != GOOD_ID and "*" in member["id_number"] and "*" in member["phone"]
    assert [g["code"] for g in data["grids"]] == [setup["world"].grid.code]
    assert data["grids"][0]["next_number"] == f"{setup['world'].grid.code}0001"
    assert all(h["region_code"] == setup["world"].grid.code for h in data["households"])


def test_the_batch_is_bounded(setup):
    r = setup["client"].post("/api/field/sync", {"items": [visit_item(setup["household"].pk)] * 51},
                             content_type="application/json")
    assert r.status_code == 400
