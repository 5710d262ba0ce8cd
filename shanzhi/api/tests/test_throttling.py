"""REST API rate limits: per department token, per signed-in user, per client IP for calls without valid
credentials; 429 with Retry-After and a Chinese message; budgets reset as the window moves on."""

import threading

import pytest
from django.test import RequestFactory

from shanzhi.api.throttling import AnonThrottle, TokenThrottle
from shanzhi.api.tokens import token_create
from shanzhi.core.ratelimit import check_rates
from shanzhi.core.roles import Role

pytestmark = pytest.mark.django_db
URL = "/api/cases/"



@pytest.fixture
def leader(world, make_user):
    return make_user(Role.GRID_LEADER, world.grid.code)


def bearer(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def _token(user, world):
    return token_create(actor=None, user=user, regions=[world.grid.code], fields=[], days=30)[1]


def test_token_budget_is_per_token_and_refusal_says_when_to_retry(client, settings, clock, leader, world):
    settings.SHANZHI_API_RATE_TOKEN = "3/min"
    first, second = _token(leader, world), _token(leader, world)
    for _ in range(3):  # at 0, 10 and 20 s
        assert client.get(URL, **bearer(first)).status_code == 200
        clock[0] += 10
    # at 30 s: the first call leaves the window in 30 s
    refused = client.get(URL, **bearer(first))
    assert refused.status_code == 429
    assert refused["Retry-After"] == "30"
    assert refused.json() == {"detail": "请求过于频繁，请 30 秒后再试"}
    assert client.get(URL, **bearer(second)).status_code == 200  # another token: its own budget
    client.force_login(leader)
    assert client.get(URL).status_code == 200  # the owner's session: the user budget
    client.logout()
    clock[0] += 29
    assert client.get(URL, **bearer(first)).status_code == 429
    clock[0] += 1  # the first call has left the window
    assert client.get(URL, **bearer(first)).status_code == 200
    assert client.get(URL, **bearer(first)).status_code == 429


def test_user_budget_is_per_user(client, settings, clock, leader, world, make_user):
    settings.SHANZHI_API_RATE_USER = "2/min"
    other = make_user(Role.GRID_LEADER, world.grid.code)
    client.force_login(leader)
    assert [client.get(URL).status_code for _ in range(3)] == [200, 200, 429]
    r = client.get(URL)
    assert r.status_code == 429 and r["Retry-After"] == "60"
    client.force_login(other)
    assert client.get(URL).status_code == 200
    client.force_login(leader)
    clock[0] += 60
    assert client.get(URL).status_code == 200


def test_token_calls_do_not_spend_the_owner_session_budget(client, settings, clock, leader, world):
    settings.SHANZHI_API_RATE_USER = "1/min"
    token = _token(leader, world)
    assert [client.get(URL, **bearer(token)).status_code for _ in range(3)] == [200, 200, 200]
    client.force_login(leader)
    assert [client.get(URL).status_code for _ in range(2)] == [200, 429]


def test_calls_without_valid_credentials_are_limited_per_ip(client, settings, clock, leader, world):
    settings.SHANZHI_API_RATE_ANON = "3/min"
    ip1, ip2 = {"REMOTE_ADDR": "203.0.113.7"}, {"REMOTE_ADDR": "203.0.113.8"}
    assert client.get(URL, **ip1).status_code == 401
    assert client.get(URL, **ip1, **bearer("sz_guessed")).status_code == 401  # a wrong token counts too
    assert client.get(URL, **ip1, HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 401
    # a forged X-Forwarded-For is not a new client: the address is REMOTE_ADDR, as in the audit log
    refused = client.get(URL, **ip1, HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert refused.status_code == 429 and refused["Retry-After"] == "60"
    assert refused.json()["detail"] == "请求过于频繁，请 60 秒后再试"
    assert client.get(URL, **ip2).status_code == 401
    # valid credentials from the same address are not anonymous
    assert client.get(URL, **ip1, **bearer(_token(leader, world))).status_code == 200
    clock[0] += 60
    assert client.get(URL, **ip1).status_code == 401


def test_empty_rate_means_no_limit(client, settings, clock, leader):
    settings.SHANZHI_API_RATE_USER = ""
    client.force_login(leader)
    assert {client.get(URL).status_code for _ in range(5)} == {200}


def test_throttle_state_is_per_thread(settings, clock):
    """One throttle instance serves every request: a request in another thread keeps its own state."""
    settings.SHANZHI_API_RATE_ANON = "1/min"
    throttle, rf = AnonThrottle(), RequestFactory()
    assert throttle.allow_request(rf.get("/", REMOTE_ADDR="192.0.2.1"))
    seen = {}

    def other():
        seen["allowed"] = throttle.allow_request(rf.get("/", REMOTE_ADDR="192.0.2.2"))
        seen["key"] = throttle.key

    t = threading.Thread(target=other)
    t.start()
    t.join()
    assert seen == {"allowed": True, "key": "throttle_api_anon_192.0.2.2"}
    assert throttle.key == "throttle_api_anon_192.0.2.1"
    assert not throttle.allow_request(rf.get("/", REMOTE_ADDR="192.0.2.1")) and throttle.wait() == 60


def test_token_throttle_ignores_requests_without_a_token(settings, clock):
    settings.SHANZHI_API_RATE_TOKEN = "1/min"
    request = RequestFactory().get("/")
    assert TokenThrottle().get_cache_key(request) is None
    assert all(TokenThrottle().allow_request(request) for _ in range(3))


def test_malformed_rates_stop_the_start(settings):
    assert check_rates() == []
    settings.SHANZHI_API_RATE_TOKEN = "lots"
    settings.SHANZHI_OPEN311_RATE_KEY = "0/min"
    settings.SHANZHI_API_RATE_USER = ""
    errors = check_rates()
    assert [e.id for e in errors] == ["shanzhi.E101", "shanzhi.E101"]
    assert "SHANZHI_API_RATE_TOKEN" in errors[0].msg and "SHANZHI_OPEN311_RATE_KEY" in errors[1].msg
