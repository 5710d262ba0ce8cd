"""The workbench home's cached to-dos and counters (core.dashboard.home_cached): per user and scope, and the
user's own writes show at once."""

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from shanzhi.accounts.models import RoleGrant
from shanzhi.core.roles import Role
from shanzhi.core.testing import verified_login
from shanzhi.regions.choices import Level
from shanzhi.regions.models import Region

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_home_cache_on")]


@pytest.fixture
def _home_cache_on():
    cache.clear()
    with override_settings(SHANZHI_HOME_CACHE_SECONDS=10, SHANZHI_READ_YOUR_WRITES=10):
        yield
    cache.clear()


def grids(client) -> int:
    return {c["key"]: c["value"] for c in client.get("/").context["counters"]}["regions.grids"]


def test_one_users_cached_figures_are_never_served_to_another(client, world, make_user):
    community, district = make_user(Role.COMMUNITY_STAFF, world.community.code), \
        make_user(Role.DISTRICT_MANAGER, world.district.code)
    other_street = make_user(Role.COMMUNITY_STAFF, world.other_community.code)
    client.force_login(community)
    assert grids(client) == 2  # cached now
    verified_login(client, district)
    assert grids(client) == 3
    client.force_login(other_street)
    assert grids(client) == 1
    client.force_login(community)
    assert grids(client) == 2


def test_cached_until_the_user_writes_or_the_grants_change(client, world, make_user):
    staff = make_user(Role.COMMUNITY_STAFF, world.community.code)
    client.force_login(staff)
    assert grids(client) == 2
    Region.objects.create(code="321002004001003", name="玺园第3网格", level=Level.GRID, parent=world.community)
    assert grids(client) == 2  # another's change: shown when the entry expires (within the TTL)
    client.post(reverse("core:elder_mode"), {"on": "0", "next": "/"})  # any write of the user's own
    assert grids(client) == 3
    RoleGrant.objects.create(user=staff, role=Role.COMMUNITY_STAFF, region=world.other_community,
                             region_code=world.other_community.code)
    assert grids(client) == 4  # a new grant is a new key


@override_settings(SHANZHI_HOME_CACHE_SECONDS=0)
def test_off_computes_every_time(client, world, make_user):
    client.force_login(make_user(Role.COMMUNITY_STAFF, world.community.code))
    assert grids(client) == 2
    Region.objects.create(code="321002004001003", name="玺园第3网格", level=Level.GRID, parent=world.community)
    assert grids(client) == 3
