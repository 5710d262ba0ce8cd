"""The pages: one dashboard per level, drill-down, compare, pivot and its XLSX, the 大屏 and its data, resources,
reports, open data with k-anonymity; out of scope is 404; queries stay constant as data grows."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from python_calamine import CalamineWorkbook

from shanzhi.analytics.models import Facility, MonthlyReport, Rollup
from shanzhi.analytics.reports import report_build
from shanzhi.analytics.rollups import rollup_refresh
from shanzhi.cases.testing import make_case
from shanzhi.core.roles import Role
from shanzhi.core.testing import make_user, verified_login
from shanzhi.notifications.models import Notification
from shanzhi.registry.testing import person_in
from shanzhi.services.testing import make_venue

pytestmark = pytest.mark.django_db


def _login(client, role, code):
    user = make_user(role, code)
    verified_login(client, user)
    return user


@pytest.fixture
def rolled(world, facts, typology):
    rollup_refresh(months=[facts["last_month"], facts["this_month"]])
    return facts


@pytest.mark.parametrize("role,level", [(Role.COMMUNITY_SECRETARY, "community"), (Role.STREET_MANAGER, "street"),
                                        (Role.DISTRICT_MANAGER, "district"), (Role.CITY_MANAGER, "city")])
def test_one_dashboard_per_level_shows_rollup_figures(client, world, rolled, role, level):
    region = getattr(world, level)
    _login(client, role, region.code)
    resp = client.get(reverse("analytics:dashboard"))
    assert resp.status_code == 200
    body = resp.content.decode()
    assert region.name in body
    month = rolled["this_month"]
    cell = Rollup.objects.get(region_code=region.code, month=month, indicator="registry.persons")
    assert f'data-figure="registry.persons">{int(cell.value)} ' in body
    assert "计算方法" in body and "100 × (0.15·响应率" in body
    for child in region.children.filter(level__in=["street", "community", "grid", "district"]):
        assert f"?region={child.code}&" in body  # drill-down links
    if level == "community":
        assert "分类施策" in body and "本类目标" in body
    assert "张三丰" not in body  # care groups as counts only, never names


def test_a_region_out_of_scope_is_404(client, world, rolled):
    _login(client, Role.STREET_MANAGER, world.street.code)
    for name, params in (("analytics:dashboard", {"region": world.other_street.code}),
                         ("analytics:dashboard", {"region": world.district.code}),
                         ("analytics:compare", {"a": world.street.code, "b": world.other_community.code}),
                         ("analytics:pivot", {"root": world.other_street.code}),
                         ("analytics:pivot_xlsx", {"root": world.other_street.code}),
                         ("analytics:screen", {"region": world.other_street.code}),
                         ("analytics:screen_data", {"region": world.other_street.code}),
                         ("analytics:resources", {"region": world.other_community.code}),
                         ("analytics:reports", {"region": world.other_street.code})):
        assert client.get(reverse(name), params).status_code == 404, name
    other = MonthlyReport.objects.create(region_code=world.other_street.code, month=rolled["this_month"], pdf=b"%PDF")
    assert client.get(reverse("analytics:report_pdf", args=[other.pk])).status_code == 404


def test_a_community_secretary_sees_no_other_community_in_the_pivot(client, world, rolled):
    _login(client, Role.COMMUNITY_SECRETARY, world.community.code)
    resp = client.get(reverse("analytics:pivot"), {"root": world.community.code, "level": "grid",
                                                   "i": ["registry.persons"]})
    assert resp.status_code == 200
    assert world.grid.name in resp.content.decode() and world.other_grid.name not in resp.content.decode()


def test_compare_two_regions(client, world, rolled):
    _login(client, Role.DISTRICT_MANAGER, world.district.code)
    resp = client.get(reverse("analytics:compare"), {"a": world.street.code, "b": world.other_street.code,
                                                     "month": rolled["this_month"].strftime("%Y-%m")})
    body = resp.content.decode()
    assert resp.status_code == 200 and world.street.name in body and world.other_street.name in body
    assert 'data-testid="compare"' in body


def test_pivot_table_and_xlsx_read_rollups(client, world, rolled):
    _login(client, Role.DISTRICT_MANAGER, world.district.code)
    params = {"root": world.district.code, "level": "community", "i": ["registry.persons", "cases.reported"],
              "from": rolled["last_month"].strftime("%Y-%m"), "to": rolled["this_month"].strftime("%Y-%m")}
    resp = client.get(reverse("analytics:pivot"), params)
    assert resp.status_code == 200
    resp = client.get(reverse("analytics:pivot_xlsx"), params)
    assert resp.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(resp.streaming_content)))
    rows = book.get_sheet_by_index(0).to_python()
    assert len(rows) == 1 + 2 * 2  # header + 2 indicators × 2 communities
    persons = next(r for r in rows if r[3] == world.community.code and r[0] == "实有人口")
    assert persons[5] == Rollup.objects.get(region_code=world.community.code, month=rolled["this_month"],
                                            indicator="registry.persons").value


def test_screen_data_has_live_counts_and_grids(client, world, rolled):
    _login(client, Role.STREET_MANAGER, world.street.code)
    page = client.get(reverse("analytics:screen"), {"region": world.street.code})
    assert page.status_code == 200 and "<script>" not in page.content.decode()
    data = client.get(reverse("analytics:screen_data"), {"region": world.street.code}).json()
    assert data["live"]["open"] >= 1
    assert data["grids"]["features"][0]["properties"]["code"] == world.grid.code
    assert "reporter" not in str(data) and "张三丰" not in str(data)


def test_resources_facility_registered_and_gap_listed(client, world, rolled):
    _login(client, Role.COMMUNITY_SECRETARY, world.community.code)
    resp = client.post(reverse("analytics:resources") + f"?region={world.community.code}",
                       {"form": "facility", "region": world.community.code, "kind": "activity", "name": "文体活动室",
                        "area_m2": "1.5", "opening_hours": "9:00–21:00"})
    assert resp.status_code == 302
    assert Facility.objects.get(region_code=world.community.code).area_m2 == 1.5
    rollup_refresh(months=[rolled["this_month"]], modules=["analytics"])
    resp = client.get(reverse("analytics:resources"), {"region": world.community.code})
    assert "每百户服务用房面积" in resp.content.decode() and 'data-testid="gaps"' in resp.content.decode()
    bad = client.post(reverse("analytics:resources") + f"?region={world.community.code}",
                      {"form": "facility", "kind": "activity", "name": "", "area_m2": "-3"})
    assert bad.status_code == 200 and Facility.objects.count() == 1


def test_a_bookable_venue_joins_the_inventory_once_and_counts_in_the_gaps(client, world, rolled):
    venue = make_venue(world.community.code, name="育才小学操场", area=1200, weekdays="67")
    elsewhere = make_venue(world.other_community.code, name="琼花活动室")
    _login(client, Role.COMMUNITY_SECRETARY, world.community.code)
    url = reverse("analytics:resources") + f"?region={world.community.code}"
    page = client.get(url).content.decode()
    assert "育才小学操场" in page and "琼花活动室" not in page
    # another community's venue: not found, nothing written
    assert client.post(url, {"form": "venue", "region": world.community.code, "venue": elsewhere.pk,
                             "kind": "activity"}).status_code == 404
    assert client.post(url, {"form": "venue", "region": world.community.code, "venue": venue.pk,
                             "kind": "activity"}).status_code == 302
    facility = Facility.objects.get(venue=venue)
    assert (facility.region_code, facility.area_m2, facility.opening_hours) == (
        world.community.code, 1200, "周六至周日 08:00–21:00")
    # linked once: the venue leaves the list and a second try changes nothing
    assert 'data-testid="venues-outside"' not in client.get(url).content.decode()
    client.post(url, {"form": "venue", "region": world.community.code, "venue": venue.pk, "kind": "activity"})
    assert Facility.objects.filter(venue=venue).count() == 1


def test_monthly_report_rendered_kept_and_delivered(client, world, rolled):
    manager = make_user(Role.STREET_MANAGER, world.street.code)
    report = report_build(region_code=world.street.code, month=rolled["this_month"])
    assert bytes(report.pdf).startswith(b"%PDF") and report.size > 1000
    note = Notification.objects.get(recipient=manager, kind="analytics.report")
    assert note.url == reverse("analytics:report_pdf", args=[report.pk])
    verified_login(client, manager)
    resp = client.get(note.url)
    assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"


def test_open_data_suppresses_small_cells_and_offers_csv(client, world, rolled):
    params = {"street": world.street.code, "month": rolled["this_month"].strftime("%Y-%m")}
    resp = client.get(reverse("open_data:index"), params)
    body = resp.content.decode()
    assert resp.status_code == 200 and "data-suppressed" in body
    # 5 cases reported in the street this month: below 10, never shown
    assert Rollup.objects.get(region_code=world.street.code, month=rolled["this_month"],
                              indicator="cases.reported").value == 5
    resp = client.get(reverse("open_data:csv"), params)
    rows = list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"))))
    reported = next(r for r in rows if r[0] == "上报民情")
    assert reported[3] == "<10"
    persons = next(r for r in rows if r[0] == "实有人口")
    assert persons[3] == "16"  # 12 + 4 living in the street's community (2 grids): above the threshold
    assert client.get(reverse("open_data:index"), {"street": world.community.code}).status_code == 404
    assert "民情指数" not in [r[0] for r in rows if r[3] not in ("", "<10")]


def _dashboard_queries(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_dashboard_and_pivot_queries_do_not_grow_with_the_data(client, world, rolled):
    _login(client, Role.DISTRICT_MANAGER, world.district.code)
    urls = [reverse("analytics:dashboard") + f"?region={world.street.code}",
            reverse("analytics:dashboard") + f"?region={world.district.code}",
            reverse("analytics:pivot") + f"?root={world.district.code}&level=grid&i=cases.index&i=registry.persons",
            reverse("analytics:screen_data") + f"?region={world.street.code}"]
    before = [_dashboard_queries(client, u) for u in urls]
    for _ in range(5):
        make_case(world.grid2.code)
        person_in(world.grid2.code)
    rollup_refresh(months=[rolled["this_month"]])
    after = [_dashboard_queries(client, u) for u in urls]
    assert after == before
