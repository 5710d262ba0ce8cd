"""Long texts get a limit that fits their use: a 10,000-character description is refused with a Chinese message
on the page, through the API and in the service, and nothing is written."""

import json

import pytest

from shanzhi.cases.models import Case
from shanzhi.cases.testing import make_category
from shanzhi.core.roles import Role

pytestmark = pytest.mark.django_db
LONG = "井盖破损" * 2500  # 10,000 characters


def test_case_form_refuses_a_10000_character_description(client, world, make_user):
    worker = make_user(Role.GRID_WORKER, world.grid.code)
    category = make_category()
    client.force_login(worker)
    page = client.get("/cases/new/").content.decode()
    assert 'maxlength="2000"' in page  # the phone stops typing at the limit
    r = client.post("/cases/new/", {"channel": "patrol", "category": category.pk, "region_code": world.grid.code,
                                    "urgency": "normal", "title": "井盖", "description": LONG, "address": "东门"})
    assert r.status_code == 200
    body = r.content.decode()
    assert "2000" in body and "字符" in body
    assert LONG[:100] in body  # what the user typed is kept
    assert not Case.objects.exists()


def test_api_refuses_a_10000_character_description(client, world, make_user):
    worker = make_user(Role.GRID_WORKER, world.grid.code)
    category = make_category()
    client.force_login(worker)
    r = client.post("/api/cases/", json.dumps({"category": category.code, "title": "井盖", "description": LONG,
                                               "region_code": world.grid.code}), content_type="application/json")
    assert r.status_code == 400, r.content[:300]
    assert "2000" in r.json()["detail"]
    assert not Case.objects.exists()
