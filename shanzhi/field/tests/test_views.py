"""The phone app's pages without scripts (the forms post and write at once), the service worker and the manifest."""

import pytest
from django.test import Client

from shanzhi.cases.testing import make_category
from shanzhi.core.roles import Role
from shanzhi.core.testing import make_user
from shanzhi.registry.models import Household
from shanzhi.registry.testing import dwelling_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker_client(world):
    client = Client()
    client.force_login(make_user(Role.GRID_WORKER, world.grid.code))
    return client


def test_home_leads_with_the_days_work_and_three_quick_actions(worker_client):
    page = worker_client.get("/field/").content.decode()
    main = page[page.index('<h1 class="page-title">'):]
    assert main.index("今日工作") < main.index("登记民情") < main.index("入户走访") < main.index("登记住户") \
        < main.index("待办") < main.index("本机记录")
    assert 'rel="manifest"' in page and "field/field.js" in page and "<script>" not in page


def test_household_and_head_on_one_page_with_the_number_suggested(world, worker_client):
    dwelling = dwelling_in(world.grid.code)
    Household.objects.create(region_code=world.grid.code, household_number=f"{world.grid.code}0041")
    page = worker_client.get("/field/household/new/").content.decode()
    assert f'value="{world.grid.code}0042"' in page and f'<option value="{dwelling.pk}"' in page
    r = worker_client.post("/field/household/new/", {"dwelling": dwelling.pk, "household_number": f"{world.grid.code}0042",
                                                     "number_suggested": "True", "kind": "family", "name": "周七",
                                                     "id_number": "", "phone": "0514-87654321"})
    assert r.status_code == 302
    household = Household.objects.get(household_number=f"{world.grid.code}0042")
    assert household.head.name == "周七" and household.head.dwelling_id == dwelling.pk
    # a bad ID number: the form again, with the reason beside the field; nothing written
    r = worker_client.post("/field/household/new/", {"dwelling": dwelling.pk, "kind": "family", "name": "吴八",
                                                     "number_suggested": "True", "id_number": "110105194912310029"})
    assert r.status_code == 200 and "校验位" in r.content.decode() and Household.objects.count() == 2


def test_the_case_form_offers_the_workers_grid_and_the_leaf_categories(world, worker_client):
    make_category(code="water", name="水管漏水")
    page = worker_client.get("/field/case/new/").content.decode()
    assert 'value="water"' in page and f'value="{world.grid.code}" selected' in page
    assert 'capture="environment"' in page


def test_the_service_worker_and_the_manifest(client):
    r = client.get("/sw.js")
    body = r.content.decode()
    assert r["Content-Type"].startswith("application/javascript") and r["Service-Worker-Allowed"] == "/"
    assert "__VERSION__" not in body and "__ASSETS__" not in body and "/static/field/field.js" in body
    m = client.get("/field/manifest.webmanifest")
    assert m["Content-Type"] == "application/manifest+json"
    data = m.json()
    assert data["start_url"] == data["scope"] == "/field/" and data["display"] == "standalone"
    assert {i["sizes"] for i in data["icons"]} == {"192x192", "512x512"}


def test_only_grid_workers_and_leaders(world):
    resident = Client()
    resident.force_login(make_user(Role.RESIDENT, world.grid.code))
    r = resident.get("/field/")
    assert r.status_code == 403 and "只有网格员、网格长使用手机端" in r.content.decode()
