import pytest

from shanzhi.core.roles import Role
from shanzhi.volunteering.models import VolunteerTeam
from shanzhi.volunteering.testing import make_person

pytestmark = pytest.mark.django_db


def test_resident_pages_say_when_no_person_is_linked(client, world, make_user):
    client.force_login(make_user(Role.RESIDENT, world.grid.code))
    for url in ("/volunteering/my/", "/volunteering/store/"):
        assert 'data-testid="no-person"' in client.get(url).content.decode()


def test_resident_can_register_and_staff_can_export(client, world, make_user):
    resident = make_user(Role.RESIDENT, world.grid.code)
    make_person(world.grid.code, resident, "吴居民")
    client.force_login(resident)
    client.post("/volunteering/my/register/", {"intro": "愿意帮忙"})
    assert "待核验" in client.get("/volunteering/my/").content.decode()
    client.force_login(make_user(Role.COMMUNITY_STAFF, world.community.code))
    assert "吴居民" in client.get("/volunteering/volunteers/").content.decode()
    for url in ("/volunteering/exports/hours.xlsx?year=2026&month=11", "/volunteering/exports/points.xlsx"):
        resp = client.get(url)
        assert resp.status_code == 200 and b"".join(resp.streaming_content)[:2] == b"PK"


def test_public_verifier_and_donations_need_no_login(client):
    assert "没有找到" in client.get("/volunteering/verify/?code=NOSUCHCODE").content.decode()
    assert client.get("/volunteering/donations/").status_code == 200


def test_staff_found_a_team_in_their_community_only(client, world, make_user):
    client.force_login(make_user(Role.COMMUNITY_STAFF, world.community.code))
    client.post("/volunteering/teams/new/", {"name": "红马甲服务队", "region_code": world.community.code})
    client.post("/volunteering/teams/new/", {"name": "越界队", "region_code": world.other_community.code})
    assert list(VolunteerTeam.objects.values_list("name", flat=True)) == ["红马甲服务队"]
