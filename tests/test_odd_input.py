"""Odd input answers a Chinese form error, a 400 or a 422 — never a 500: a non-digit region in the registry
API lists, the person list and its export, the volunteering rankings (page and API); month=13; a year out of
range; a cursor past 64 bits; points=99999999999."""

import pytest
from django.test import Client

from shanzhi.core.roles import Role
from shanzhi.party.models import PartyMember, PartyOrg, ServiceRecord
from shanzhi.registry.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(world, make_user):
    client = Client(raise_request_exception=False)
    client.force_login(make_user(Role.COMMUNITY_STAFF, world.community.code))
    return client


@pytest.mark.parametrize("url", [
    *(f"/api/registry/{kind}?region=abc" for kind in ("persons", "households", "dwellings", "buildings", "units")),
    "/api/registry/persons?region=3210020040010010011", "/api/registry/persons?after=99999999999999999999",
    "/api/volunteering/rankings?region=abc", "/api/volunteering/rankings?month=13",
    "/api/volunteering/rankings?year=99999999",
])
def test_api_refuses_odd_parameters_with_422_in_chinese(staff_client, url):
    r = staff_client.get(url)
    assert r.status_code == 422 and r.json()["message"].startswith("参数不正确")


def test_api_still_takes_good_parameters(staff_client, world):
    assert staff_client.get(f"/api/registry/persons?region={world.grid.code}").status_code == 200
    assert staff_client.get("/api/registry/persons?region=").status_code == 200
    assert staff_client.get("/api/volunteering/rankings?year=2026&month=12").status_code == 200


def test_person_list_shows_the_region_error_and_exports_nothing(staff_client):
    r = staff_client.get("/registry/persons/?region=abc")
    assert r.status_code == 200 and "区划代码只能是 1 到 15 位数字" in r.content.decode()
    r = staff_client.get("/registry/persons/?region=abc&export=xlsx")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/html")


def test_region_export_refuses_a_non_digit_region(staff_client):
    r = staff_client.get("/registry/export/?kind=households&region=abc")
    assert r.status_code == 400 and "区划代码" in r.content.decode()


@pytest.mark.parametrize("query", ["region=abc", "month=13", "year=99999", "month=x"])
def test_rankings_page_says_what_is_wrong(staff_client, query):
    r = staff_client.get(f"/volunteering/rankings/?{query}", follow=True)
    assert r.status_code == 200 and 'class="alert alert-danger"' in r.content.decode()


def test_service_record_with_absurd_points_is_a_message(staff_client, world):
    org = PartyOrg.objects.create(name="第1网格党支部", level="branch", region_code=world.grid.code)
    member = PartyMember.objects.create(person=Person.objects.create(name="周在职", region_code=world.grid.code),
                                        org=org, region_code=world.grid.code)
    r = staff_client.post(f"/party/members/{member.pk}/records/", {
        "description": "走访", "points": "99999999999", "happened_on": "2026-11-20"}, follow=True)
    assert r.status_code == 200 and "积分：" in r.content.decode() and not ServiceRecord.objects.exists()
