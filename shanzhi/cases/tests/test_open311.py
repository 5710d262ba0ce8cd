"""Open311 GeoReport v2 against the spec with raw HTTP (Django test client): exact shapes, errors and
edge cases. test_open311_clients.py drives the same endpoints over real HTTP with independent client
libraries from PyPI (civicbot, georeport).
"""

import json
import xml.etree.ElementTree as ET  # noqa: S405

import pytest
from django.core.management import call_command

from shanzhi.cases import choices as c
from shanzhi.cases.models import Case
from shanzhi.cases.services import case_transition, open311_key_create
from shanzhi.cases.testing import make_body, make_body_staff, make_case, make_category
from shanzhi.core.roles import Role

pytestmark = pytest.mark.django_db
INSIDE = {"lat": "32.365", "long": "119.445"}  # inside the test world's grid polygon


@pytest.fixture
def api(world):
    make_category(code="light", name="路灯损坏", description="路灯不亮或损坏")
    make_category(code="tree", name="树木倒伏", extra_fields=[
        {"code": "size", "label": "树干粗细", "type": "singlevaluelist", "required": True,
         "values": [{"key": "small", "name": "细"}, {"key": "big", "name": "粗"}]}])
    make_category(code="internal", name="内部事项", is_public=False)
    return open311_key_create(name="test client")[1]


def test_services_json_and_xml(client, api):
    data = client.get("/open311/v2/services.json").json()
    assert {s["service_code"] for s in data} == {"light", "tree"}
    tree = next(s for s in data if s["service_code"] == "tree")
    assert tree["metadata"] is True and tree["type"] == "realtime"
    root = ET.fromstring(client.get("/open311/v2/services.xml").content)
    assert root.tag == "services" and len(root.findall("service")) == 2
    assert root.find("service/service_name").text


def test_service_definition(client, api):
    d = client.get("/open311/v2/services/tree.json").json()
    attr = d["attributes"][0]
    assert d["service_code"] == "tree" and attr["code"] == "size" and attr["required"] is True
    assert attr["datatype"] == "singlevaluelist" and attr["values"][1] == {"key": "big", "name": "粗"}
    root = ET.fromstring(client.get("/open311/v2/services/tree.xml").content)
    assert root.tag == "service_definition" and root.find("attributes/attribute/values/value/key").text == "small"
    r = client.get("/open311/v2/services/internal.json")
    assert r.status_code == 404 and r.json()[0]["code"] == 404


def test_post_request_then_read_it(client, api, world, make_user):
    r = client.post("/open311/v2/requests.json", {"api_key": api, "service_code": "light", **INSIDE,
                                                  "description": "东门路灯不亮", "first_name": "三", "last_name": "张"})
    assert r.status_code == 200, r.content
    created = r.json()[0]
    case = Case.objects.get(pk=created["service_request_id"])
    assert case.channel == c.Channel.OPEN311 and case.region_code == world.grid.code and case.reporter_name == "张 三"
    assert client.get(f"/open311/v2/requests/{case.pk}.json").status_code == 404  # not published before 受理
    case_transition(actor=make_user(Role.GRID_LEADER, world.grid.code), case=case, action="accept")
    got = client.get(f"/open311/v2/requests/{case.pk}.json").json()[0]
    assert got["status"] == "open" and got["service_code"] == "light" and got["status_notes"] == "已受理"
    assert "张" not in json.dumps(got, ensure_ascii=False)  # no reporter data published
    tok = client.get(f"/open311/v2/tokens/{created['token']}.json").json()[0]
    assert tok["service_request_id"] == str(case.pk)
    xml = ET.fromstring(client.get(f"/open311/v2/requests/{case.pk}.xml").content)
    assert xml.tag == "service_requests" and xml.find("request/status").text == "open"


def test_post_errors(client, api):
    r = client.post("/open311/v2/requests.json", {"service_code": "light", **INSIDE, "description": "x"})
    assert r.status_code == 403 and r.json() == [{"code": 403, "description": "api_key is missing or invalid"}]
    r = client.post("/open311/v2/requests.json", {"api_key": api, "service_code": "nope", **INSIDE, "description": "x"})
    assert r.status_code == 404
    r = client.post("/open311/v2/requests.json", {"api_key": api, "service_code": "light", "description": "x"})
    assert r.status_code == 400
    r = client.post("/open311/v2/requests.json", {"api_key": api, "service_code": "light", "lat": "1", "long": "1",
                                                  "description": "x"})
    assert r.status_code == 400 and "outside" in r.json()[0]["description"]
    r = client.post("/open311/v2/requests.xml", {"api_key": api, "service_code": "tree", **INSIDE, "description": "x"})
    root = ET.fromstring(r.content)
    assert r.status_code == 400 and root.tag == "errors" and root.find("error/code").text == "400"
    r = client.post("/open311/v2/requests.json", {"api_key": api, "service_code": "tree", **INSIDE,
                                                  "description": "倒了", "attribute[size]": "big"})
    assert r.status_code == 200 and Case.objects.get(pk=r.json()[0]["service_request_id"]).extra == {"size": "big"}
    assert client.get("/open311/v2/requests/999999.json").status_code == 404


def test_get_requests_filters_and_status_mapping(client, api, world, make_user):
    ids = [client.post("/open311/v2/requests.json", {"api_key": api, "service_code": code, **INSIDE,
                                                     "description": "问题", **extra}).json()[0]["service_request_id"]
           for code, extra in (("light", {}), ("light", {}), ("tree", {"attribute[size]": "small"}))]
    leader = make_user(Role.GRID_LEADER, world.grid.code)
    case_transition(actor=leader, case=Case.objects.get(pk=ids[0]), action="reject", data={"reason": "重复"})
    for pk in ids[1:]:
        case_transition(actor=leader, case=Case.objects.get(pk=pk), action="accept")
    data = client.get("/open311/v2/requests.json").json()
    assert {d["service_request_id"] for d in data} == set(ids)
    closed = client.get("/open311/v2/requests.json?status=closed").json()
    assert [d["service_request_id"] for d in closed] == [ids[0]]
    assert closed[0]["status_notes"].startswith("不予受理")
    assert len(client.get("/open311/v2/requests.json?service_code=tree").json()) == 1
    assert len(client.get(f"/open311/v2/requests.json?service_request_id={ids[1]},{ids[2]}").json()) == 2
    assert client.get("/open311/v2/requests.json?start_date=2000-01-01T00:00:00Z&end_date=2000-02-01T00:00:00Z"
                      ).json() == []
    assert client.get("/open311/v2/requests.json?start_date=bad").status_code == 400
    updates = client.get("/open311/v2/servicerequestupdates.json").json()
    assert updates[0]["service_request_id"] == ids[0] and updates[0]["status"] == "closed"


def test_key_command_prints_a_working_key(client, api, capsys):
    call_command("open311", "key", "create", "--name", "partner")
    key = capsys.readouterr().out.strip()
    r = client.post("/open311/v2/requests.json", {"api_key": key, "service_code": "light", **INSIDE,
                                                  "description": "x"})
    assert r.status_code == 200


def test_non_public_cases_are_not_listed(client, api, world, make_user):
    body = make_body()
    make_body_staff(body)

    make_case(world.grid.code, category=make_category(code="internal"))
    assert client.get("/open311/v2/requests.json").json() == []


def test_discovery_file(client, api):
    d = client.get("/open311/discovery.json").json()
    [endpoint] = d["endpoints"]
    assert endpoint["url"] == "http://testserver/open311/v2" and endpoint["type"] == "production"
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert set(endpoint["formats"]) == {"text/xml", "application/json"}
    root = ET.fromstring(client.get("/open311/discovery.xml").content)
    assert root.tag == "discovery" and [f.text for f in root.findall("endpoints/endpoint/formats/format")] == [
        "text/xml", "application/json"]


def test_several_problems_in_one_answer_and_optional_description(client, api):
    r = client.post("/open311/v2/requests.json", {"api_key": api, "service_code": "tree", "lat": "32.365",
                                                  "description": "x" * 4001, "attribute[size]": "huge"})
    assert r.status_code == 400
    assert [e["description"].split(" ")[0] for e in r.json()] == ["lat", "description", "attribute[size]:"]
    assert {e["code"] for e in r.json()} == {400}
    r = client.post("/open311/v2/requests.json", {"api_key": api, "service_code": "light", **INSIDE})
    case = Case.objects.get(pk=r.json()[0]["service_request_id"])
    assert case.description == "路灯损坏" and case.anonymous
    r = client.post("/open311/v2/requests.json", {"api_key": api, "service_code": "light",
                                                  "address_id": "321002004001001"})
    assert r.status_code == 200
    r = client.post("/open311/v2/requests.json", {"api_key": api, "service_code": "light", "address_string": "东门"})
    assert r.status_code == 400 and "address_string alone" in r.json()[0]["description"]
    r = client.post("/open311/v2/requests.json", {"api_key": api, "service_code": ""})
    assert r.status_code == 400 and r.json()[0]["description"] == "service_code was not provided"


def test_jurisdiction_id_is_optional_and_checked(client, api, settings):
    assert client.get("/open311/v2/services.json?jurisdiction_id=").status_code == 200
    assert client.get("/open311/v2/services.json?jurisdiction_id=testserver").status_code == 200
    r = client.get("/open311/v2/requests.xml?jurisdiction_id=sfgov.org")
    assert r.status_code == 404 and ET.fromstring(r.content).find("error/description").text == \
        "jurisdiction_id provided was not found"
    settings.SHANZHI_OPEN311_JURISDICTION = "yz.example.cn,gl.example.cn"
    assert client.get("/open311/v2/services.json?jurisdiction_id=GL.example.cn").status_code == 200
    assert client.get("/open311/v2/services.json?jurisdiction_id=testserver").status_code == 404
    r = client.post("/open311/v2/requests.json", {"api_key": api, "jurisdiction_id": "sfgov.org",
                                                  "service_code": "light", **INSIDE})
    assert r.status_code == 404 and not Case.objects.exists()
