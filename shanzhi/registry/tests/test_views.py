"""Registry pages: scope (in scope 200, out of scope 404), masking and reveal, special population,
search, and life events through the forms."""

import datetime

import pytest

from shanzhi.audit.models import AuditEvent
from shanzhi.core.roles import Role
from shanzhi.registry import choices as c
from shanzhi.registry.models import Building, Dwelling, Household, MoveRequest, Person, RegistryEvent
from shanzhi.registry.testing import (
    building_in,
    care_tag_in,
    dwelling_in,
    household_in,
    move_request_in,
    person_in,
    special_in,
)

pytestmark = pytest.mark.django_db
ID = "32100219800517091X"  # synthetic, valid check digit
PHONE = "17012345678"


@pytest.fixture
def home(world):
    b = building_in(world.grid.code, floors=3)
    d = dwelling_in(world.grid.code, building=b, floor=2, room="201")
    h = household_in(world.grid.code, dwelling=d)
    p = person_in(world.grid.code, household=h, id_number=ID, phone=PHONE, birth_date=datetime.date(1980, 5, 17),
                  sex=c.Sex.MALE)
    return b, d, h, p


@pytest.fixture
def worker_client(client, world, make_user):
    client.force_login(make_user(Role.GRID_WORKER, world.grid.code))
    return client


def test_pages_in_scope_and_out_of_scope(worker_client, world, home):
    b, d, h, p = home
    for url in (f"/registry/regions/{world.grid.code}/", f"/registry/buildings/{b.pk}/",
                f"/registry/dwellings/{d.pk}/", f"/registry/households/{h.pk}/", f"/registry/persons/{p.pk}/"):
        assert worker_client.get(url).status_code == 200, url
    other = person_in(world.other_grid.code, id_number="")
    for url in (f"/registry/buildings/{other.dwelling.building_id}/", f"/registry/dwellings/{other.dwelling_id}/",
                f"/registry/households/{other.household_id}/", f"/registry/persons/{other.pk}/",
                f"/registry/regions/{world.other_grid.code}/"):
        assert worker_client.get(url).status_code == 404, url


def test_floor_plan_colours_dwellings_and_counts_residents_and_tags(worker_client, world, home):
    b, d, h, p = home
    care_tag_in(world.grid.code, person=p)
    dwelling_in(world.grid.code, building=b, floor=3, room="301", occupancy=c.Occupancy.VACANT)
    html = worker_client.get(f"/registry/buildings/{b.pk}/").content.decode()
    assert 'data-occupancy="owner_occupied"' in html and 'data-occupancy="vacant"' in html
    assert "自住 · 1人" in html and "♥1" in html
    assert html.index("3层") < html.index("2层")  # top floor first


def test_person_page_masks_numbers_and_is_not_cached(worker_client, home):
    p = home[3]
    resp = worker_client.get(f"/registry/persons/{p.pk}/")
    html = resp.content.decode()
    assert resp["Cache-Control"] == "no-store"
    assert ID not in html and PHONE not in html
    assert "321002***********X" in html and "170********" in html
    assert "查看完整号码" not in html  # grid workers may not reveal


def test_reveal_needs_reason_shows_once_and_audits(client, world, make_user, home):
    p = home[3]
    leader = make_user(Role.GRID_LEADER, world.grid.code)
    client.force_login(leader)
    assert "查看完整号码" in client.get(f"/registry/persons/{p.pk}/").content.decode()
    url = f"/registry/persons/{p.pk}/reveal/"
    resp = client.post(url, {"field": "id_number", "reason": ""})
    assert ID not in resp.content.decode()
    resp = client.post(url, {"field": "id_number", "reason": "核对入户登记信息"})
    assert ID in resp.content.decode() and resp["Cache-Control"] == "no-store"
    event = AuditEvent.objects.get(action="registry.person.reveal")
    assert event.reason == "核对入户登记信息" and ID not in str(event.after)


def test_grid_worker_cannot_reveal(worker_client, home):
    resp = worker_client.post(f"/registry/persons/{home[3].pk}/reveal/", {"field": "phone", "reason": "核对信息"})
    assert resp.status_code == 403 and PHONE not in resp.content.decode()


def test_special_population_only_for_purpose_bound_roles(client, world, make_user, home):
    p = home[3]
    special_in(world.grid.code, person=p)
    client.force_login(make_user(Role.GRID_WORKER, world.grid.code))
    html = client.get(f"/registry/persons/{p.pk}/").content.decode()
    assert "社区矫正" not in html and "测试帮教方案" not in html
    client.force_login(make_user(Role.GRID_LEADER, world.grid.code))
    html = client.get(f"/registry/persons/{p.pk}/").content.decode()
    assert "社区矫正" in html and "测试帮教方案" in html


def test_search_by_initials_and_full_id(worker_client, world, home):
    p = home[3]
    other = person_in(world.other_grid.code, name="张三丰")  # same name, out of scope
    html = worker_client.post("/registry/search/", {"q": "zsf"}).content.decode()
    assert f"/registry/persons/{p.pk}/" in html and f"/registry/persons/{other.pk}/" not in html
    response = worker_client.post("/registry/search/", {"q": ID})
    assert f"/registry/persons/{p.pk}/" in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    # a GET with the number in the query string is not searched (it would sit in URLs and logs)
    assert f"/registry/persons/{p.pk}/" not in worker_client.get("/registry/search/", {"q": ID}).content.decode()


def test_person_list_filters_and_masks(worker_client, world, home):
    person_in(world.grid.code, name="李四", residence_type=c.ResidenceType.FLOATING)
    html = worker_client.get("/registry/persons/", {"residence_type": "floating"}).content.decode()
    assert "李四" in html and "张三丰" not in html
    assert ID not in worker_client.get("/registry/persons/").content.decode()


def test_move_out_through_the_form_writes_history(worker_client, home):
    p = home[3]
    url = f"/registry/persons/{p.pk}/act/?do=move_out"
    assert worker_client.get(url).status_code == 200
    resp = worker_client.post(url, {"destination": "江苏省南京市", "date": "2026-11-01"})
    assert resp.status_code == 302
    p.refresh_from_db()
    assert p.status == c.PersonStatus.MOVED_OUT and p.move_out_destination == "江苏省南京市"
    html = worker_client.get(f"/registry/persons/{p.pk}/").content.decode()
    assert "迁出至 江苏省南京市" in html


def test_birth_adds_a_member_and_vacate_with_residents_is_refused(worker_client, home):
    b, d, h, p = home
    resp = worker_client.post(f"/registry/households/{h.pk}/act/?do=birth",
                              {"name": "张小宝", "sex": "female", "birth_date": "2026-10-01"})
    assert resp.status_code == 302
    assert Person.objects.filter(household=h, name="张小宝", relation_to_head=c.Relation.CHILD).exists()
    resp = worker_client.post(f"/registry/dwellings/{d.pk}/act/?do=vacate", {"date": "2026-11-01"})
    assert resp.status_code == 200 and "仍有在住人员" in resp.content.decode()
    d.refresh_from_db()
    assert d.occupancy == c.Occupancy.OWNER_OCCUPIED


def test_create_building_dwelling_and_household(worker_client, world):
    resp = worker_client.post(f"/registry/regions/{world.grid.code}/buildings/new/",
                              {"name": "9栋", "building_type": "residential", "floors": "6", "entrances": "2"})
    b = Building.objects.get(name="9栋")
    assert resp.status_code == 302 and b.region_code == world.grid.code
    worker_client.post(f"/registry/buildings/{b.pk}/dwellings/new/",
                       {"entrance": "1", "floor": "5", "room": "502", "use": "residential"})
    d = Dwelling.objects.get(building=b, room="502")
    worker_client.post(f"/registry/dwellings/{d.pk}/act/?do=new_household",
                       {"household_number": "H9001", "kind": "family", "registered_here": "on", "living_here": "on"})
    assert Household.objects.filter(household_number="H9001", dwelling=d).exists()
    assert RegistryEvent.objects.filter(household__household_number="H9001").exists()


def test_move_request_approval(client, world, make_user):
    req = move_request_in(world.grid.code)
    client.force_login(make_user(Role.COMMUNITY_STAFF, world.community.code))
    assert req.person.name in client.get("/registry/moves/").content.decode()
    resp = client.post(f"/registry/moves/{req.pk}/decide/", {"decision": "approve", "note": "同意"})
    assert resp.status_code == 302
    req.refresh_from_db()
    assert req.state == MoveRequest.State.APPROVED
    person = Person.objects.get(pk=req.person_id)
    assert person.dwelling_id == req.to_dwelling_id and person.region_code == world.grid.code


def test_edit_person_and_change_head(worker_client, world, home):
    b, d, h, p = home
    spouse = person_in(world.grid.code, household=h, name="李秀英", relation_to_head=c.Relation.SPOUSE)
    resp = worker_client.post(f"/registry/persons/{spouse.pk}/edit/", {
        "name": "李秀英", "residence_type": "registered", "phone": "17012340000", "ethnicity": "汉族",
        "version": spouse.version})
    assert resp.status_code == 302
    spouse.refresh_from_db()
    assert spouse.ethnicity == "汉族" and spouse.phone_masked == "170********"
    resp = worker_client.post(f"/registry/persons/{spouse.pk}/edit/", {"name": "李秀英", "residence_type": "registered",
                                                                      "id_number": "321002198005170910",
                                                                      "version": spouse.version})
    assert resp.status_code == 200 and "校验位" in resp.content.decode()
    resp = worker_client.post(f"/registry/households/{h.pk}/act/?do=change_head", {"head": spouse.pk})
    h.refresh_from_db()
    assert resp.status_code == 302 and h.head == spouse
    assert "户主变更为 李秀英" in worker_client.get(f"/registry/households/{h.pk}/").content.decode()


def test_split_merge_and_rent_out(worker_client, world, home):
    b, d, h, p = home
    son = person_in(world.grid.code, household=h, name="张小军", relation_to_head=c.Relation.CHILD)
    resp = worker_client.post(f"/registry/households/{h.pk}/act/?do=split",
                              {"members": [son.pk], "head": son.pk, "household_number": "H9002"})
    assert resp.status_code == 302
    new = Household.objects.get(household_number="H9002")
    son.refresh_from_db()
    assert son.household == new and new.head == son
    resp = worker_client.post(f"/registry/households/{new.pk}/act/?do=merge", {"household_number": h.household_number})
    new.refresh_from_db()
    son.refresh_from_db()
    assert resp.status_code == 302 and new.dissolved and son.household == h
    empty = dwelling_in(world.grid.code, building=b, floor=3, room="302", occupancy=c.Occupancy.VACANT)
    resp = worker_client.post(f"/registry/dwellings/{empty.pk}/act/?do=rent_out", {"tenant_name": "周先生",
                                                                                  "date": "2026-11-01"})
    empty.refresh_from_db()
    assert resp.status_code == 302 and empty.occupancy == c.Occupancy.RENTED


def test_person_list_refuses_identifying_numbers_in_the_url(worker_client, world, home):
    resp = worker_client.get("/registry/persons/", {"q": ID})
    assert resp.status_code == 400 and "请用页面上方的搜索框" in resp.content.decode()
    html = worker_client.get("/registry/persons/", {"q": "87654321"}).content.decode()  # a landline: the form
    assert "请用页面上方的搜索框" in html
