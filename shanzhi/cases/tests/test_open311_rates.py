"""Open311 rate limits: POSTs per api_key and per client IP, GETs per client IP; a refusal is HTTP 429 with
Retry-After and the spec's error list (code 429) in JSON and XML; budgets reset as the window moves on."""

import xml.etree.ElementTree as ET  # noqa: S405

import pytest

from shanzhi.cases.models import Case
from shanzhi.cases.services import open311_key_create
from shanzhi.cases.testing import make_category

pytestmark = pytest.mark.django_db
INSIDE = {"lat": "32.365", "long": "119.445"}  # inside the test world's grid polygon
IP1, IP2 = {"REMOTE_ADDR": "198.51.100.10"}, {"REMOTE_ADDR": "198.51.100.11"}



@pytest.fixture
def keys(world):
    make_category(code="light", name="路灯损坏")
    return open311_key_create(name="partner A")[1], open311_key_create(name="partner B")[1]


def post(client, key, ip, fmt="json", **extra):
    data = {"api_key": key, "service_code": "light", **INSIDE, "description": "路灯不亮", **extra}
    return client.post(f"/open311/v2/requests.{fmt}", data, **ip)


def test_gets_are_limited_per_ip_with_json_and_xml_errors(client, settings, clock, keys):
    settings.SHANZHI_OPEN311_RATE_GET_IP = "2/min"
    assert client.get("/open311/v2/services.json", **IP1).status_code == 200
    clock[0] += 15
    assert client.get("/open311/v2/requests.xml", **IP1).status_code == 200
    clock[0] += 5
    r = client.get("/open311/v2/services.json", **IP1)
    assert r.status_code == 429 and r["Retry-After"] == "40"
    assert r["Content-Type"] == "application/json; charset=utf-8"
    assert r.json() == [{"code": 429, "description": "too many requests: retry after 40 seconds"}]
    r = client.get("/open311/v2/services.xml", **IP1)
    assert r.status_code == 429 and r["Retry-After"] == "40"
    root = ET.fromstring(r.content)
    assert root.tag == "errors" and [(e.findtext("code"), e.findtext("description")) for e in root] == [
        ("429", "too many requests: retry after 40 seconds")]
    assert client.get("/open311/v2/services.json", **IP2).status_code == 200  # another client
    clock[0] += 40  # the first GET has left the window
    assert client.get("/open311/v2/services.json", **IP1).status_code == 200
    assert client.get("/open311/v2/services.json", **IP1).status_code == 429


def test_posts_are_limited_per_api_key(client, settings, clock, keys):
    settings.SHANZHI_OPEN311_RATE_KEY = "2/min"
    a, b = keys
    assert post(client, a, IP1).status_code == 200
    assert post(client, a, IP2).status_code == 200
    r = post(client, a, {"REMOTE_ADDR": "198.51.100.12"})  # a third address does not help: same key
    assert r.status_code == 429 and r["Retry-After"] == "60"
    assert r.json()[0]["code"] == 429
    r = post(client, a, IP1, fmt="xml")
    assert r.status_code == 429 and ET.fromstring(r.content).findtext("error/code") == "429"
    assert Case.objects.count() == 2  # refused POSTs file nothing
    assert post(client, b, IP1).status_code == 200  # another key has its own budget
    assert client.get("/open311/v2/services.json", **IP1).status_code == 200  # reads are not POSTs
    clock[0] += 60
    assert post(client, a, IP1).status_code == 200


def test_posts_are_limited_per_ip_even_with_wrong_keys(client, settings, clock, keys):
    settings.SHANZHI_OPEN311_RATE_POST_IP = "2/min"
    a, b = keys
    assert post(client, "not-a-key", IP1).status_code == 403
    assert post(client, a, IP1).status_code == 200
    r = post(client, b, IP1)
    assert r.status_code == 429 and r["Retry-After"] == "60"
    assert post(client, "", IP1).status_code == 429  # no key: still this address
    assert post(client, b, IP2).status_code == 200
    assert client.get("/open311/v2/services.json", **IP1).status_code == 200  # GETs have their own budget
    clock[0] += 60
    assert post(client, b, IP1).status_code == 200


def test_default_rates_leave_ordinary_use_alone(client, clock, keys):
    a, _b = keys
    assert all(post(client, a, IP1).status_code == 200 for _ in range(5))
    assert {client.get("/open311/v2/requests.json", **IP1).status_code for _ in range(20)} == {200}
