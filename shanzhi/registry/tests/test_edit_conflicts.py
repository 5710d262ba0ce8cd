"""Lost updates on edit forms: each edit form carries the version it was loaded at; a second save from
the same stale form gets the conflict page (both values side by side) and the row keeps the first edit."""

import re

import pytest

from shanzhi.audit.models import AuditEvent
from shanzhi.core.roles import Role
from shanzhi.registry.models import Building, Dwelling, Household, Person
from shanzhi.registry.testing import building_in, dwelling_in, household_in, person_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker_client(client, world, make_user):
    client.force_login(make_user(Role.GRID_WORKER, world.grid.code))
    return client


def _loaded_form(client, url) -> dict:
    """The values a GET of the edit page puts in the form, as a browser would send them back."""
    html = client.get(url).content.decode()
    data = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or name.group(1) == "csrfmiddlewaretoken":
            continue
        if 'type="checkbox"' in tag:
            if " checked" in tag:
                data[name.group(1)] = "on"
            continue
        value = re.search(r'value="([^"]*)"', tag)
        data[name.group(1)] = value.group(1) if value else ""
    for name, body in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', body)
        data[name] = chosen.group(1) if chosen else ""
    return data


CASES = [
    (Person, "persons", lambda w: person_in(w.grid.code, name="王芳", id_number=""), "name", "王芳甲", "王芳乙"),
    (Household, "households", lambda w: household_in(w.grid.code),
     "household_number", "H7002", "H7003"),
    (Dwelling, "dwellings", lambda w: dwelling_in(w.grid.code, room="101"), "room", "102", "103"),
    (Building, "buildings", lambda w: building_in(w.grid.code), "name", "甲栋", "乙栋"),
]


@pytest.mark.parametrize(("model", "path", "make", "field", "first", "second"), CASES,
                         ids=[c[1] for c in CASES])
def test_second_save_of_a_stale_form_gets_the_conflict_page(worker_client, world, model, path, make, field, first,
                                                            second):
    obj = make(world)
    url = f"/registry/{path}/{obj.pk}/edit/"
    stale = _loaded_form(worker_client, url)
    assert stale["version"] == str(obj.version)
    resp = worker_client.post(url, {**stale, field: first})
    assert resp.status_code == 302, resp.content.decode()[:2000]
    resp = worker_client.post(url, {**stale, field: second})
    assert resp.status_code == 409
    html = resp.content.decode()
    assert "记录已被他人修改" in html and first in html and second in html
    fresh = model.objects.get(pk=obj.pk)
    assert getattr(fresh, field) == first and fresh.version == obj.version + 1
    assert AuditEvent.objects.filter(action=f"registry.{model._meta.model_name}.update",
                                     object_id=str(obj.pk)).count() == 1


def test_an_edit_form_without_a_version_is_refused_in_chinese(worker_client, world):
    p = person_in(world.grid.code, name="王芳", id_number="")
    url = f"/registry/persons/{p.pk}/edit/"
    data = _loaded_form(worker_client, url)
    data.pop("version")
    resp = worker_client.post(url, {**data, "name": "王芳甲"})
    assert resp.status_code == 200 and "版本号" in resp.content.decode()
    assert Person.objects.get(pk=p.pk).name == "王芳"
