"""Cases' cards on other apps' pages come through core.panels, not through imports in those apps."""

import pytest

from shanzhi.cases.patrols import home_visit_create
from shanzhi.core.roles import Role
from shanzhi.registry.models import Household

pytestmark = pytest.mark.django_db


def test_household_page_shows_the_visits_panel_and_only_grid_roles_may_log_one(client, world, make_user):
    worker = make_user(Role.GRID_WORKER, world.grid.code)
    household = Household.objects.create(region_code=world.grid.code, household_number="H001")
    home_visit_create(actor=worker, household=household, notes="独居老人家中水管漏水")
    url = f"/registry/households/{household.pk}/"

    client.force_login(worker)
    page = client.get(url).content.decode()
    assert 'data-testid="household-visits"' in page and "独居老人家中水管漏水" in page
    assert f'href="/cases/visits/?household={household.pk}" data-testid="home-visit"' in page

    client.force_login(make_user(Role.COMMUNITY_STAFF, world.community.code))
    page = client.get(url).content.decode()
    assert "独居老人家中水管漏水" in page and 'data-testid="home-visit"' not in page
