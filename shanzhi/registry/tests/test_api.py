import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from shanzhi.api.models import ApiToken
from shanzhi.api.tokens import token_create, token_revoke
from shanzhi.core.roles import Role
from shanzhi.registry import choices as c
from shanzhi.registry import services as s

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(world, worker, other_worker, place, ids):
    _, d, h = place
    mine = [s.person_create(actor=worker, name=f"居民{i}", dwelling=d, household=h, id_number=ids(seq=i),
                            phone=f"1380000{i:04d}") for i in range(1, 6)]
    ob = s.building_create(actor=other_worker, region_code=world.other_grid.code, name="1栋")
    od = s.dwelling_create(actor=other_worker, building=ob, room="101")
    theirs = s.person_create(actor=other_worker, name="外人", dwelling=od, id_number=ids(seq=9))
    return mine, theirs


def bearer(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_session_list_is_scoped_masked_and_keyset_paginated(client, worker, people, ids):
    mine, theirs = people
    client.force_login(worker)
    r = client.get("/api/registry/persons", {"limit": 2})
    assert r.status_code == 200
    body = r.json()
    assert [p["id"] for p in body["items"]] == [mine[0].pk, mine[1].pk] and body["next"] == mine[1].pk
    first = body["items"][0]
    assert first["id_number"] == ids(seq=1)[:6] + "*" * 11 + ids(seq=1)[-1:]
    assert first["phone"] == "138********"
    seen = [p["id"] for p in body["items"]]
    while body["next"]:
        body = client.get("/api/registry/persons", {"limit": 2, "after": body["next"]}).json()
        seen += [p["id"] for p in body["items"]]
    assert seen == [p.pk for p in mine]
    assert client.get(f"/api/registry/persons/{theirs.pk}").status_code == 404
    assert client.get(f"/api/registry/persons/{mine[0].pk}").status_code == 200
    raw = client.get("/api/registry/persons", {"limit": 1000}).content.decode()
    assert ids(seq=1) not in raw and "13800000001" not in raw


def test_anonymous_and_no_grant_get_nothing(client, make_user, people):
    assert client.get("/api/registry/persons").status_code == 401
    client.force_login(make_user())
    assert client.get("/api/registry/persons").json()["items"] == []


def test_department_token_regions_fields_expiry_revocation(client, world, make_user, people):
    mine, theirs = people
    dept = make_user(Role.DEPARTMENT_VIEWER, world.district.code)
    token, plain = token_create(actor=None, user=dept, regions=[world.grid.code], fields=["name", "sex"], days=30)
    assert plain not in token.token_hash and ApiToken.objects.get().prefix == plain[:10]
    body = client.get("/api/registry/persons", **bearer(plain)).json()
    assert [p["id"] for p in body["items"]] == [p.pk for p in mine]
    assert set(body["items"][0]) == {"id", "name", "sex"}
    assert client.get(f"/api/registry/persons/{theirs.pk}", **bearer(plain)).status_code == 404
    assert client.get(f"/api/registry/buildings/{mine[0].dwelling.building_id}", **bearer(plain)).json() == {
        "id": mine[0].dwelling.building_id, "name": "3栋"}
    assert client.get("/api/registry/persons", **bearer("sz_wrong")).status_code == 401

    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert client.get("/api/registry/persons", **bearer(plain)).status_code == 401
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() + datetime.timedelta(days=1))
    assert client.get("/api/registry/persons", **bearer(plain)).status_code == 200
    token_revoke(actor=None, token=token)
    assert client.get("/api/registry/persons", **bearer(plain)).status_code == 401


def test_token_cannot_widen_owner_scope(client, world, make_user, people):
    mine, theirs = people
    dept = make_user(Role.DEPARTMENT_VIEWER, world.street.code)
    _, plain = token_create(actor=None, user=dept, regions=[world.district.code], fields=[], days=1)
    ids_seen = [p["id"] for p in client.get("/api/registry/persons", **bearer(plain)).json()["items"]]
    assert theirs.pk not in ids_seen and mine[0].pk in ids_seen


def test_special_population_never_in_api(client, world, leader, people):
    mine, _ = people
    s.special_population_create(actor=leader, person=mine[0], category=c.SpecialCategory.DRUG_USER)
    client.force_login(leader)
    text = client.get(f"/api/registry/persons/{mine[0].pk}").content.decode()
    assert "drug_user" not in text and "special" not in text
    paths = client.get("/api/openapi.json").json()["paths"]
    assert not [p for p in paths if "special" in p]


def test_page_size_is_capped(client, worker, people):
    client.force_login(worker)
    assert len(client.get("/api/registry/dwellings", {"limit": 5000}).json()["items"]) <= 200


def test_apitoken_command_prints_token_once(world, make_user, capsys):
    dept = make_user(Role.DEPARTMENT_VIEWER, world.district.code, username="dept1")
    call_command("apitoken", "create", "--user", "dept1", "--regions", world.grid.code, "--fields", "name",
                 "--days", "7")
    plain = capsys.readouterr().out.strip()
    assert plain.startswith("sz_")
    token = ApiToken.objects.get(user=dept)
    assert token.region_codes == [world.grid.code] and token.fields == ["name"]
    assert plain not in str(ApiToken.objects.values_list())
