"""The input guard (core.middleware.InputGuardMiddleware) and the log filter: NUL bytes and identifying
numbers in URLs are refused before any view, numbers are masked in every log line, and pages with personal
data are not stored by caches (issue 10 item 7, issue 12 item 4)."""

import io
import logging

import pytest

from shanzhi.core.logfilter import ScrubPersonalNumbers
from shanzhi.core.roles import Role
from shanzhi.core.testing import verified_login
from shanzhi.registry.selectors import registry_search
from shanzhi.registry.testing import household_in, person_in

pytestmark = pytest.mark.django_db
ID = "32100219800517091X"
PHONE = "13851234567"
FULL_WIDTH_ID = "３２１００２１９８００５１７０９１Ｘ"

ANONYMOUS_ROUTES = [
    ("get", "/cases/track/", {"number": "2026\x00", "code": "AB"}),
    ("get", "/public/", {"c": "321002004001\x00"}),
    ("get", "/volunteering/verify/", {"code": "AB\x00CD"}),
    ("get", "/open311/v2/requests.json", {"service_code": "x\x00"}),
    ("get", "/accounts/login/", {"next": "/\x00"}),
]
STAFF_ROUTES = [
    ("get", "/cases/", {"q": "漏水\x00"}),
    ("get", "/consultation/", {"q": "\x00"}),
    ("get", "/registry/persons/", {"q": "张\x00"}),
    ("get", "/accounts/users/", {"q": "\x00"}),
    ("get", "/api/registry/persons", {"q": "张\x00"}),
    ("post", "/registry/search/", {"q": "张\x00"}),
    ("get", "/cases/visits/", {"q": "\x00"}),
]


@pytest.fixture
def staff(client, world, make_user):
    verified_login(client, make_user(Role.COMMUNITY_SECRETARY, world.community.code))
    return client


@pytest.mark.parametrize(("method", "url", "data"), ANONYMOUS_ROUTES)
def test_nul_byte_is_a_400_in_chinese_for_anonymous_routes(client, world, method, url, data):
    r = getattr(client, method)(url, data)
    assert r.status_code == 400 and "控制字符" in r.content.decode()


@pytest.mark.parametrize(("method", "url", "data"), STAFF_ROUTES)
def test_nul_byte_is_a_400_in_chinese_for_search_boxes(staff, method, url, data):
    r = getattr(staff, method)(url, data)
    assert r.status_code == 400 and "控制字符" in r.content.decode()


def test_nul_byte_in_a_json_body_is_a_400(staff):
    r = staff.post("/api/registry/persons", '{"q": "\\u0000"}', content_type="application/json")
    assert r.status_code == 400 and "控制字符" in r.json()["detail"]


@pytest.mark.parametrize("number", [ID, ID.lower(), FULL_WIDTH_ID, PHONE, "138 5123 4567", "１３８５１２３４５６７"])
@pytest.mark.parametrize("url", ["/registry/persons/", "/cases/", "/api/registry/persons", "/public/"])
def test_identifying_numbers_in_query_strings_are_refused(staff, url, number):
    r = staff.get(url, {"q": number})
    assert r.status_code == 400
    assert "请用页面上方的搜索框" in r.content.decode()


def test_codes_that_are_not_identifying_pass(staff, world):
    household_number = world.grid.code + "0001"  # 19 digits: a household number, not an ID number
    for params in ({"region": world.grid.code}, {"q": household_number}, {"_": "1732950000000"}):
        assert staff.get("/registry/persons/", params).status_code == 200, params


def test_search_by_id_number_or_phone_still_works_by_post(staff, world):
    h = household_in(world.grid.code)
    person_in(world.grid.code, household=h, name="钱多多", id_number=ID, phone=PHONE)
    for q in (ID, FULL_WIDTH_ID, PHONE, "１３８５１２３４５６７"):
        r = staff.post("/registry/search/", {"q": q})
        assert r.status_code == 200 and "钱多多" in r.content.decode(), q


def test_pages_of_signed_in_users_and_the_api_are_not_stored(client, staff):
    for url in ("/registry/", "/cases/", "/api/registry/persons", "/consultation/"):
        r = staff.get(url, follow=True)
        assert "no-store" in r["Cache-Control"], url
    client.logout()
    assert "no-store" in client.get("/api/registry/persons")["Cache-Control"]


def _configured_handlers():
    """The handlers settings.LOGGING installed: the root's console and runserver's access log."""
    handlers = [*logging.getLogger().handlers, *logging.getLogger("django.server").handlers]
    return [h for h in handlers if any(isinstance(f, ScrubPersonalNumbers) for f in h.filters)]


def test_every_log_handler_masks_identifying_numbers():
    handlers = _configured_handlers()
    assert len(handlers) >= 2
    for handler in handlers:
        buf = io.StringIO()
        old = handler.setStream(buf)
        try:
            logging.getLogger("shanzhi.test").error("lookup of %s by phone %s", ID, PHONE)
            logging.getLogger("django.server").error('"GET /registry/persons/?q=%s HTTP/1.1" 400 12', FULL_WIDTH_ID)
            try:
                raise ValueError(f"no person {ID}")
            except ValueError:
                logging.getLogger("shanzhi.test").exception("failed")
        finally:
            handler.setStream(old)
        text = buf.getvalue()
        assert "321002***********X" in text or "138********" in text, text
        for secret in (ID, PHONE, FULL_WIDTH_ID, ID[6:14]):
            assert secret not in text, text


def test_full_width_digits_find_people_like_rooms(staff, world, make_user):
    h = household_in(world.grid.code)
    person_in(world.grid.code, household=h, name="钱多多", current_address="文昌路18号")
    worker = make_user(Role.GRID_WORKER, world.grid.code)
    assert [p.name for p in registry_search(actor=worker, q="文昌路１８号")["persons"]] == ["钱多多"]
    assert "钱多多" in staff.post("/registry/search/", {"q": "文昌路１８号"}).content.decode()
    assert "钱多多" in staff.get("/registry/persons/", {"q": "钱多多"}).content.decode()
    listed = staff.get("/api/registry/persons", {"q": "文昌路１８号"}).json()["items"]
    assert [p["name"] for p in listed] == ["钱多多"]
