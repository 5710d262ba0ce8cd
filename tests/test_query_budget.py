"""Query ceilings for the pages the load test hits (bench/locustfile.py): a page whose query count grows with
its rows (an N+1) fails here. Each ceiling is the count measured here plus a query or two (less than ROWS); the
figures on the demo data are in bench/load_pages.py's JSON."""

import pytest

from shanzhi.cases.testing import make_case, reported_case_in
from shanzhi.core.roles import Role
from shanzhi.core.testing import verified_login
from shanzhi.registry.testing import person_in

pytestmark = pytest.mark.django_db
ROWS = 8  # more rows than any ceiling's slack: one query per row would break it


@pytest.fixture
def busy(world, make_user):
    for i in range(ROWS):
        make_case(world.grid.code, title=f"井盖破损{i}")
        person_in(world.grid.code, name=f"张{i}")
    return world


@pytest.mark.parametrize("role,where,url,ceiling", [
    (Role.GRID_WORKER, "grid", "/registry/persons/", 8),
    (Role.GRID_WORKER, "grid", "/cases/new/", 9),
    (Role.GRID_WORKER, "grid", "/", 28),
    (Role.COMMUNITY_STAFF, "community", "/cases/", 12),
    (Role.COMMUNITY_STAFF, "community", "/api/cases/?limit=20", 7),
    (Role.STREET_MANAGER, "street", "/cases/dashboard/", 15),
])
def test_page_queries_do_not_grow_with_rows(client, busy, make_user, django_assert_max_num_queries,
                                            role, where, url, ceiling):
    verified_login(client, make_user(role, getattr(busy, where).code))
    client.get(url)  # warm the process caches, as a running server has them
    with django_assert_max_num_queries(ceiling):
        assert client.get(url).status_code == 200


def test_case_detail_and_my_cases(client, busy, make_user, django_assert_max_num_queries):
    staff = make_user(Role.COMMUNITY_STAFF, busy.community.code)
    verified_login(client, staff)
    case = make_case(busy.grid.code)
    client.get(f"/cases/{case.pk}/")
    with django_assert_max_num_queries(18):
        assert client.get(f"/cases/{case.pk}/").status_code == 200
    resident = make_user(Role.RESIDENT, busy.grid.code)
    for _ in range(ROWS):
        reported_case_in(busy.grid.code, owner=resident)
    client.force_login(resident)
    client.get("/cases/mine/")
    with django_assert_max_num_queries(7):
        assert client.get("/cases/mine/").status_code == 200
