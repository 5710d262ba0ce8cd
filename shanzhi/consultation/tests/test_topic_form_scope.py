from shanzhi.core.roles import Role
from shanzhi.registry.models import Building


def test_new_topic_form_lists_buildings_of_own_communities_only(client, world, make_user):
    Building.objects.create(region_code=world.grid.code, name="玺园3栋")
    Building.objects.create(region_code=world.other_grid.code, name="琼花9栋")
    client.force_login(make_user(Role.COMMUNITY_STAFF, world.community.code))
    html = client.get("/consultation/new/", {"community": world.other_community.code}).content.decode()
    assert "玺园3栋" in html and "琼花9栋" not in html
