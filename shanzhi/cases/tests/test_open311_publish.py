"""What the public Open311 feed publishes: cases of public categories once staff looked at them, descriptions
and addresses only with the reporter's consent, the spec's 90-day default window, 50 requests a page."""

import datetime as dt

import pytest
from django.utils import timezone

from shanzhi.cases import choices as c
from shanzhi.cases.models import Case
from shanzhi.cases.services import case_transition
from shanzhi.cases.testing import make_case, make_category
from shanzhi.core.roles import Role

pytestmark = pytest.mark.django_db
URL = "/open311/v2/requests.json"
SPOT = {"lat": 32.365123, "lng": 119.445678, "address": "玺园3栋2单元门口"}


@pytest.fixture
def light(world):
    return make_category(code="light", name="路灯损坏")


@pytest.fixture
def accept(world, make_user):
    leader = make_user(Role.GRID_LEADER, world.grid.code)

    def run(*cases):
        for case in cases:
            case_transition(actor=leader, case=case, action="accept")

    return run


def _resident_case(world, make_user, category, consent, **kw):
    resident = make_user(Role.RESIDENT, world.grid.code)
    return make_case(world.grid.code, actor=resident, category=category, channel=c.Channel.RESIDENT,
                     publish_consent=consent, **SPOT, **kw)


def test_a_case_is_published_only_once_staff_accepted_it(client, world, make_user, light, accept):
    case = _resident_case(world, make_user, light, True)
    assert client.get(URL).json() == []
    assert client.get(f"/open311/v2/requests/{case.pk}.json").status_code == 404
    assert client.get(f"{URL}?service_request_id={case.pk}").json() == []
    accept(case)
    assert [r["service_request_id"] for r in client.get(URL).json()] == [str(case.pk)]
    assert client.get(f"/open311/v2/requests/{case.pk}.json").status_code == 200


def test_cases_of_non_public_categories_stay_out(client, world, make_user, accept):
    hidden = make_category(code="internal", name="内部事项", is_public=False)
    accept(make_case(world.grid.code, category=hidden))
    assert client.get(URL).json() == []


def test_description_and_address_only_with_consent(client, world, make_user, light, accept):
    consented = _resident_case(world, make_user, light, True, description="路灯三天不亮")
    withheld = _resident_case(world, make_user, light, False, description="我家楼下路灯坏了，我住302")
    accept(consented, withheld)
    rows = {r["service_request_id"]: r for r in client.get(URL).json()}
    shown, hidden = rows[str(consented.pk)], rows[str(withheld.pk)]
    assert shown["description"] == "路灯三天不亮" and shown["address"] == SPOT["address"]
    assert (shown["lat"], shown["long"]) == (SPOT["lat"], SPOT["lng"])
    assert hidden["description"] == "" and hidden["address"] == "" and hidden["address_id"] == world.grid.code
    assert (hidden["lat"], hidden["long"]) == (32.365, 119.446)  # about 100 m


def test_grid_worker_cases_never_consent(client, world, make_user, light, accept):
    patrol = make_case(world.grid.code, category=light, publish_consent=True, description="3栋302住户私搭乱建",
                       **SPOT)
    assert patrol.publish_consent is False
    accept(patrol)
    [row] = client.get(URL).json()
    assert row["description"] == "" and row["address"] == ""


def test_rejected_case_shows_its_status_never_its_description(client, world, make_user, light):
    case = _resident_case(world, make_user, light, True, description="骂人的话")
    case_transition(actor=make_user(Role.GRID_LEADER, world.grid.code), case=case, action="reject",
                    data={"reason": "不属实"})
    [row] = client.get(URL).json()
    assert row["status"] == "closed" and row["description"] == ""


def test_default_window_is_ninety_days(client, world, make_user, light, accept):
    recent, old = (_resident_case(world, make_user, light, True) for _ in range(2))
    accept(recent, old)
    Case.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=91))
    assert [r["service_request_id"] for r in client.get(URL).json()] == [str(recent.pk)]
    wide = client.get(URL, {"start_date": (timezone.now() - dt.timedelta(days=120)).isoformat()}).json()
    assert {r["service_request_id"] for r in wide} == {str(recent.pk), str(old.pk)}


def test_fifty_a_page(client, world, make_user, light, accept):
    cases = [make_case(world.grid.code, category=light) for _ in range(53)]
    Case.objects.filter(pk__in=[x.pk for x in cases]).update(accepted_at=timezone.now())
    first, second = client.get(URL).json(), client.get(URL, {"page": 2}).json()
    assert len(first) == 50 and len(second) == 3
    assert {r["service_request_id"] for r in first + second} == {str(x.pk) for x in cases}
    assert len(client.get(URL, {"page_size": 10, "page": 6}).json()) == 3
    for bad in ({"page": 0}, {"page": "x"}, {"page_size": 51}, {"page": "２"}):
        r = client.get(URL, bad)
        assert r.status_code == 400 and r.json()[0]["code"] == 400


def test_odd_ids_and_dates_are_400_or_404_never_500(client, world):
    assert client.get("/open311/v2/requests/99999999999999999999999.json").status_code == 404
    assert client.get(URL, {"service_request_id": "１,99999999999999999999999,x"}).json() == []
    assert client.get(URL, {"end_date": "0001-01-01T00:00:00Z"}).status_code == 400
    assert client.get("/open311/v2/servicerequestupdates.json", {"end_date": "0001-01-01T00:00:00Z"}).status_code == 400


def test_resident_form_records_the_consent(client, world, make_user, light):
    client.force_login(make_user(Role.RESIDENT, world.grid.code))
    form = {"category": light.pk, "region_code": world.grid.code, "title": "路灯", "description": "路灯不亮",
            "address": "", "publish_consent": "on"}
    client.post("/cases/report/", form)
    client.post("/cases/report/", {**form, "publish_consent": ""})
    assert sorted(Case.objects.values_list("publish_consent", flat=True)) == [False, True]
