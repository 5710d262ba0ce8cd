"""Open311 GeoReport v2 driven over real HTTP (pytest-django's `live_server`) by independent clients.

The server is exercised ONLY through two Open311 client libraries from PyPI, so what is tested is what
a partner's software sees:

- `civicbot` 0.4.0 (MIT, stdlib urllib): files requests (form POST with `attribute[code]` and
  `attribute[code][]` keys), reads tokens, single requests and filtered lists, JSON only. It checks a
  request against the live service definition before sending when `validate_remote=True`.
- `georeport` 0.3.1 (Apache-2.0, requests + xmltodict): reads services, service definitions and
  requests in JSON and in XML (it indexes `['services']['service']`, `['service_definition']`,
  `['service_requests']['request']`). It cannot write.

The older PyPI clients `open311` 1.1 and `three` 0.8 are Python 2 code (`itertools.ifilter`, implicit
relative imports) and do not import on Python 3, so they are not used. FixMyStreet's
`servicerequestupdates` extension has no client among these, so it is read with plain `requests`.
"""

import json

import pytest
import requests
from civicbot.http import HttpError, HttpTransport, RateLimiter
from civicbot.open311 import Open311Client
from civicbot.open311 import ValidationError as CivicValidationError
from civicbot.registry import Endpoint
from georeport import GeoReport

from shanzhi.cases import choices as c
from shanzhi.cases.models import Case
from shanzhi.cases.services import case_transition, open311_key_create
from shanzhi.cases.testing import make_category
from shanzhi.core.pii import decrypt
from shanzhi.core.roles import Role
from shanzhi.core.testing import make_user

pytestmark = pytest.mark.django_db(transaction=True)
LAT, LNG = 32.365, 119.445  # inside the test world's grid polygon
JURISDICTION = "yz.example.cn"


@pytest.fixture
def key(world, settings):
    settings.SHANZHI_OPEN311_JURISDICTION = JURISDICTION
    make_category(code="light", name="路灯损坏", description="路灯不亮或损坏", keywords="路灯, 照明")
    make_category(code="tree", name="树木倒伏", extra_fields=[
        {"code": "size", "label": "树干粗细", "type": "singlevaluelist", "required": True,
         "values": [{"key": "small", "name": "细"}, {"key": "big", "name": "粗"}]},
        {"code": "blocking", "label": "是否挡路", "type": "string", "help": "是/否"}])
    make_category(code="noise", name="噪声扰民", extra_fields=[
        {"code": "times", "label": "发生时段", "type": "multivaluelist",
         "values": [{"key": "day", "name": "白天"}, {"key": "night", "name": "夜间"}]}])
    make_category(code="internal", name="内部事项", is_public=False)
    return open311_key_create(name="partner app")[1]


@pytest.fixture
def root(live_server):
    return f"{live_server.url}/open311/v2"


def civic(root, jurisdiction_id=None) -> Open311Client:
    endpoint = Endpoint(id="shanzhi", name="善治", base_url=root, write=True)
    return Open311Client(endpoint, transport=HttpTransport(rate_limiter=RateLimiter(min_interval=0)),
                         jurisdiction_id=jurisdiction_id)


def file(client, key, code="tree", **kw):
    fields = {"lat": LAT, "lng": LNG, "description": "东门口的树倒了", "attributes": {"size": "big"}, **kw}
    if code != "tree" and fields["attributes"] == {"size": "big"}:
        fields["attributes"] = {}
    prepared = client.create_request(code, dry_run=False, confirm="SEND", api_key=key, validate_remote=True,
                                     **fields)
    return prepared.response[0]


def accept(world, *ids):
    """Staff accept the cases: the public feed shows a case only from then on."""
    leader = make_user(Role.GRID_LEADER, world.grid.code)
    for pk in ids:
        case_transition(actor=leader, case=Case.objects.get(pk=pk), action="accept")


def errors_of(exc) -> list:
    body = exc.body if isinstance(exc, HttpError) else exc.response.text
    return json.loads(body)


# --- civicbot: create, then read back ------------------------------------------------------------------

def test_civicbot_files_a_request_and_reads_it_back(root, key, world):
    client = civic(root, jurisdiction_id=JURISDICTION)
    services = client.list_services()
    assert {s["service_code"] for s in services} == {"light", "tree", "noise"}
    definition = client.get_service_definition("tree")
    size = next(a for a in definition["attributes"] if a["code"] == "size")
    assert size["required"] is True and size["datatype"] == "singlevaluelist"

    created = file(client, key, address_string="玺园东门", first_name="三", last_name="张",
                   phone="13812345678", email="zhang@example.cn")
    assert set(created) >= {"service_request_id", "token", "service_notice"}
    case = Case.objects.get(pk=created["service_request_id"])
    assert case.channel == c.Channel.OPEN311 and case.region_code == world.grid.code
    assert case.extra == {"size": "big"} and case.address == "玺园东门" and (case.lat, case.lng) == (LAT, LNG)
    assert case.reporter_name == "张 三" and decrypt(case.reporter_phone_enc) == "13812345678"
    assert case.number in created["service_notice"]

    [by_token] = client.get_token(created["token"])
    assert by_token == {"service_request_id": created["service_request_id"], "token": created["token"]}
    with pytest.raises(HttpError) as e:  # not published before staff accept it
        client.get_request(by_token["service_request_id"])
    assert e.value.status == 404
    accept(world, created["service_request_id"])
    got = client.get_request(by_token["service_request_id"])
    assert got["service_request_id"] == created["service_request_id"] and got["service_code"] == "tree"
    assert got["status"] == "open" and got["status_notes"] == "已受理" and got["description"] == "东门口的树倒了"
    assert (got["lat"], got["long"]) == (LAT, LNG) and got["address"] == "玺园东门"
    assert got["requested_datetime"].endswith("+08:00") and got["expected_datetime"]

    listed = client.list_requests(service_code="tree", status="open", page_size=10)
    assert [r["service_request_id"] for r in listed] == [created["service_request_id"]]
    assert client.list_requests(service_code="light") == []
    assert client.list_requests(status="closed") == []
    assert client.list_requests(start_date="2000-01-01T00:00:00Z", end_date="2000-02-01T00:00:00Z") == []
    assert len(client.list_requests(service_request_ids=[created["service_request_id"], "999999"])) == 1

    published = json.dumps([got, listed, client.list_requests()], ensure_ascii=False)
    for personal in ("张", "13812345678", "138****5678", "zhang@example.cn"):
        assert personal not in published  # no reporter data in any read


def test_multivaluelist_attribute_and_request_without_attributes(root, key):
    client = civic(root)
    definition = client.get_service_definition("noise")
    assert definition["attributes"][0]["datatype"] == "multivaluelist"
    created = file(client, key, code="noise", attributes={"times": ["day", "night"]}, description="夜里施工")
    assert Case.objects.get(pk=created["service_request_id"]).extra == {"times": ["day", "night"]}
    plain = file(client, key, code="light", description="路灯不亮", address_string="玺园北门")
    assert Case.objects.get(pk=plain["service_request_id"]).extra == {}


# --- civicbot: what it surfaces when the server refuses --------------------------------------------------

def test_bad_api_key_is_403_with_spec_errors(root, key):
    client = civic(root)
    with pytest.raises(HttpError) as e:
        file(client, "not-a-key")
    assert e.value.status == 403
    assert errors_of(e.value) == [{"code": 403, "description": "api_key is missing or invalid"}]
    assert not Case.objects.exists()


def test_missing_required_attribute(root, key):
    client = civic(root)
    with pytest.raises(CivicValidationError, match="required attribute 'size' missing"):
        file(client, key, attributes={})  # caught by the client against the live definition
    with pytest.raises(HttpError) as e:  # and by the server when the client skips that check
        client.create_request("tree", dry_run=False, confirm="SEND", api_key=key, lat=LAT, lng=LNG,
                              description="树倒了", attributes={"size": "huge"})
    assert e.value.status == 400
    assert [x["code"] for x in errors_of(e.value)] == [400] and "attribute[size]" in errors_of(e.value)[0][
        "description"]
    with pytest.raises(HttpError) as e:
        client.create_request("tree", dry_run=False, confirm="SEND", api_key=key, lat=LAT, lng=LNG,
                              description="树倒了")
    assert e.value.status == 400 and "树干粗细" in errors_of(e.value)[0]["description"]
    assert not Case.objects.exists()


def test_unknown_service_code(root, key):
    client = civic(root)
    with pytest.raises(CivicValidationError, match="not offered"):
        file(client, key, code="nope")
    for code in ("nope", "internal"):
        with pytest.raises(HttpError) as e:
            client.create_request(code, dry_run=False, confirm="SEND", api_key=key, lat=LAT, lng=LNG,
                                  description="x")
        assert e.value.status == 404 and errors_of(e.value)[0]["code"] == 404
    assert not Case.objects.exists()


def test_location_outside_the_area_and_unknown_jurisdiction(root, key):
    client = civic(root)
    with pytest.raises(HttpError) as e:
        client.create_request("light", dry_run=False, confirm="SEND", api_key=key, lat=1.0, lng=1.0,
                              description="x")
    assert e.value.status == 400 and "outside" in errors_of(e.value)[0]["description"]
    elsewhere = civic(root, jurisdiction_id="sfgov.org")
    with pytest.raises(HttpError) as e:
        elsewhere.list_services()
    assert e.value.status == 404 and errors_of(e.value) == [
        {"code": 404, "description": "jurisdiction_id provided was not found"}]
    with pytest.raises(HttpError) as e:
        elsewhere.create_request("light", dry_run=False, confirm="SEND", api_key=key, lat=LAT, lng=LNG,
                                 description="x")
    assert e.value.status == 404 and not Case.objects.exists()


# --- staff work shows up for the client --------------------------------------------------------------

def test_staff_transitions_map_to_open_closed_with_notes(root, key, world, make_user):
    client = civic(root)
    first, second = file(client, key), file(client, key, code="light")
    leader = make_user(Role.GRID_LEADER, world.grid.code)
    case_transition(actor=leader, case=Case.objects.get(pk=first["service_request_id"]), action="reject",
                    data={"reason": "不属于本辖区"})
    case_transition(actor=leader, case=Case.objects.get(pk=second["service_request_id"]), action="accept")

    rejected = client.get_request(first["service_request_id"])
    assert rejected["status"] == "closed" and rejected["status_notes"] == "不予受理：非本单位职责"
    accepted = client.get_request(second["service_request_id"])
    assert accepted["status"] == "open" and accepted["status_notes"] == "已受理"
    assert [r["service_request_id"] for r in client.list_requests(status="closed")] == [first["service_request_id"]]
    assert {r["service_request_id"] for r in client.list_requests(status="open,closed")} == {
        first["service_request_id"], second["service_request_id"]}

    updates = requests.get(f"{root}/servicerequestupdates.json", timeout=10)
    assert updates.headers["Content-Type"] == "application/json; charset=utf-8"
    by_request = {u["service_request_id"]: u for u in updates.json()}
    assert by_request[first["service_request_id"]]["status"] == "closed"
    assert by_request[first["service_request_id"]]["description"].startswith("不予受理")
    assert by_request[second["service_request_id"]]["status"] == "open"
    xml = requests.get(f"{root}/servicerequestupdates.xml", timeout=10)
    assert xml.headers["Content-Type"] == "text/xml; charset=utf-8" and b"<request_update>" in xml.content


# --- georeport: reads in JSON and XML ------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_georeport_reads_services_definitions_and_requests(root, key, fmt, world):
    ids = [file(civic(root), key)["service_request_id"], file(civic(root), key, code="light")["service_request_id"]]
    accept(world, *ids)
    geo = GeoReport(root, jurisdiction=JURISDICTION, output_format=fmt)
    yes = True if fmt == "json" else "true"

    services = {s["service_code"]: s for s in geo.get_service_list()}
    assert set(services) == {"light", "tree", "noise"}
    assert services["light"]["service_name"] == "路灯损坏" and services["light"]["keywords"] == "路灯, 照明"
    assert services["tree"]["metadata"] == yes and services["tree"]["type"] == "realtime"

    definition = geo.get_service_definition("tree")
    attrs = definition["attributes"] if fmt == "json" else definition["attributes"]["attribute"]
    assert definition["service_code"] == "tree" and [a["code"] for a in attrs] == ["size", "blocking"]
    values = attrs[0]["values"] if fmt == "json" else attrs[0]["values"]["value"]
    assert attrs[0]["required"] == yes and [v["key"] for v in values] == ["small", "big"]
    assert attrs[1]["datatype"] == "string" and attrs[1]["datatype_description"] == "是/否"
    assert str(attrs[1]["order"]) == "2" and attrs[1]["variable"] == yes

    listed = geo.get_service_requests()
    assert sorted(r["service_request_id"] for r in listed) == sorted(ids)
    both = geo.get_service_requests(service_request_id=",".join(ids), status="open")
    assert len(both) == 2
    only_tree = geo.get_service_requests(service_code="tree", start_date="2020-01-01T00:00:00Z")
    only_tree = [only_tree] if isinstance(only_tree, dict) else only_tree  # xmltodict: one element is a dict
    assert [r["service_request_id"] for r in only_tree] == [ids[0]]

    one = geo.get_service_request(ids[0])
    assert one["service_request_id"] == ids[0] and one["status"] == "open" and one["service_code"] == "tree"
    assert float(one["lat"]) == LAT and float(one["long"]) == LNG and one["requested_datetime"]


def test_georeport_errors_and_content_types(root, key):
    geo = GeoReport(root)
    with pytest.raises(requests.HTTPError) as e:
        geo.get_service_definition("internal")
    assert e.value.response.status_code == 404 and errors_of(e.value)[0]["code"] == 404
    with pytest.raises(requests.HTTPError) as e:
        geo.get_service_request("999999")
    assert e.value.response.status_code == 404
    with pytest.raises(requests.HTTPError) as e:
        GeoReport(root, jurisdiction="sfgov.org", output_format="xml").get_service_list()
    assert e.value.response.status_code == 404 and b"<errors><error><code>404</code>" in e.value.response.content
    assert e.value.response.headers["Content-Type"] == "text/xml; charset=utf-8"
    assert requests.get(f"{root}/services.json", timeout=10).headers["Content-Type"] == \
        "application/json; charset=utf-8"
