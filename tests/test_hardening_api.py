"""Hardening: generated calls against every operation of /api/openapi.json (schemathesis strategies), as a
signed-in session user and as a department token, and against the Open311 endpoints (a Hypothesis test
over their parameters: there is no OpenAPI document for Open311). No call may answer a server error.

The run is deterministic (derandomized, no example database) and bounded: EXAMPLES calls per operation and
identity, OPEN311_EXAMPLES per Open311 endpoint — at least 2,000 calls in all. The figures (calls, server
errors) go to test-artifacts/hardening-api-<backend>.json and the terminal summary. bench/schemathesis_nightly.py runs
the same with many more examples."""

from __future__ import annotations

import json
import os
from collections import Counter
from urllib.parse import urlencode

import pytest
import schemathesis
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.core import NotSet

from shanzhi.api.main import api
from shanzhi.api.tokens import token_create
from shanzhi.cases.services import open311_key_create
from shanzhi.cases.testing import make_case, make_category
from shanzhi.core.roles import Role
from tests.hardening import record

pytestmark = [pytest.mark.django_db, pytest.mark.hardening]

EXAMPLES = int(os.environ.get("SHANZHI_FUZZ_EXAMPLES", "50"))
OPEN311_EXAMPLES = int(os.environ.get("SHANZHI_FUZZ_OPEN311_EXAMPLES", "80"))
MIN_API_CALLS, MIN_OPEN311_CALLS = 1500, 500  # together at least 2,000 calls a run


def fuzz_settings(n: int):
    return settings(max_examples=n, deadline=None, derandomize=True, database=None, print_blob=False,
                    suppress_health_check=list(HealthCheck))


def api_operations():
    raw = json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api"), default=str))
    return [result.ok() for result in schemathesis.openapi.from_dict(raw).get_all_operations()]


def send(client: Client, case, extra: dict) -> int:
    """Sends a schemathesis case through Django's test client; returns the status code."""
    query = urlencode(case.query or {}, doseq=True)
    kwargs = {"QUERY_STRING": query, **extra}
    for name, value in (case.headers or {}).items():
        kwargs["HTTP_" + name.upper().replace("-", "_")] = str(value)
    body = b"" if isinstance(case.body, NotSet) else json.dumps(case.body, default=str).encode()
    response = client.generic(case.method.upper(), case.formatted_path, data=body,
                              content_type=case.media_type or "application/json", **kwargs)
    return response.status_code


@pytest.fixture
def fuzz_world(world, make_user):
    """A scope with data in it: categories, a few cases, a staff user and a department token."""
    light = make_category(code="light", name="路灯损坏")
    make_category(code="tree", name="树木倒伏", extra_fields=[
        {"code": "size", "label": "树干粗细", "type": "singlevaluelist", "required": True,
         "values": [{"key": "small", "name": "细"}, {"key": "big", "name": "粗"}]}])
    for i in range(3):
        make_case(world.grid.code, category=light, title=f"路灯{i}")
    staff = make_user(Role.COMMUNITY_STAFF, world.community.code)
    viewer = make_user(Role.DEPARTMENT_VIEWER, world.street.code)
    token = token_create(actor=None, user=viewer, regions=[world.street.code], fields=[], days=30)[1]
    return {"staff": staff, "token": token, "open311_key": open311_key_create(name="fuzz")[1]}


def run_api(client: Client, extra: dict) -> tuple[int, list]:
    calls, errors = 0, []
    for operation in api_operations():
        @fuzz_settings(EXAMPLES)
        @given(case=operation.as_strategy())
        def one(case):
            nonlocal calls
            calls += 1
            status = send(client, case, extra)
            if status >= 500:
                errors.append((case.method, case.formatted_path, case.query, status))

        one()
    return calls, errors


def test_api_as_session_user_and_as_department_token(fuzz_world, record_property):
    session = Client(raise_request_exception=False)
    session.force_login(fuzz_world["staff"])
    calls, errors = run_api(session, {})
    token_calls, token_errors = run_api(Client(raise_request_exception=False),
                                        {"HTTP_AUTHORIZATION": f"Bearer {fuzz_world['token']}"})
    figures = {"calls": calls + token_calls, "session_calls": calls, "token_calls": token_calls,
               "server_errors": len(errors) + len(token_errors)}
    record("api", "openapi", figures)
    for k, v in figures.items():
        record_property(k, v)
    assert errors + token_errors == []
    assert figures["calls"] >= MIN_API_CALLS


# --- Open311 ------------------------------------------------------------------------------------------

odd_text = st.one_of(st.text(max_size=30), st.sampled_from(["", "abc", "-1", "0", "99999999999999999999999",
                                                            "２", "1e9", "light", "tree", "open,closed"]))
w3_date = st.one_of(odd_text, st.datetimes().map(lambda d: d.isoformat() + "Z"),
                    st.sampled_from(["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2026-02-30T00:00:00Z"]))
list_params = st.fixed_dictionaries({}, optional={
    "service_request_id": odd_text, "service_code": odd_text, "start_date": w3_date, "end_date": w3_date,
    "status": odd_text, "page": odd_text, "page_size": odd_text, "jurisdiction_id": odd_text})
post_params = st.fixed_dictionaries({}, optional={
    "api_key": odd_text, "service_code": st.one_of(odd_text, st.sampled_from(["light", "tree"])),
    "lat": st.one_of(odd_text, st.floats(allow_nan=True, allow_infinity=True).map(str)),
    "long": st.one_of(odd_text, st.floats(allow_nan=True, allow_infinity=True).map(str)),
    "address_id": odd_text, "address_string": odd_text, "description": st.text(max_size=200),
    "attribute[size]": odd_text, "attribute[size][]": odd_text, "first_name": odd_text, "phone": odd_text})
fmt = st.sampled_from(["json", "xml"])


def test_open311_parameters(fuzz_world, record_property):
    client = Client(raise_request_exception=False)
    statuses: Counter = Counter()
    errors: list = []

    def check(response, what):
        statuses[response.status_code] += 1
        if response.status_code >= 500:
            errors.append((what, response.status_code))

    @fuzz_settings(OPEN311_EXAMPLES)
    @given(params=list_params, f=fmt)
    def lists(params, f):
        check(client.get(f"/open311/v2/requests.{f}", params), params)
        check(client.get(f"/open311/v2/servicerequestupdates.{f}", params), params)
        check(client.get(f"/open311/v2/services.{f}", params), params)

    @fuzz_settings(OPEN311_EXAMPLES)
    @given(ident=odd_text, f=fmt)
    def by_id(ident, f):
        safe = "".join(ch for ch in ident if ch.isalnum()) or "0"
        check(client.get(f"/open311/v2/requests/{safe}.{f}"), ident)
        check(client.get(f"/open311/v2/tokens/{safe}.{f}"), ident)
        check(client.get(f"/open311/v2/services/{safe}.{f}"), ident)

    @fuzz_settings(OPEN311_EXAMPLES)
    @given(params=post_params, f=fmt, real_key=st.booleans())
    def posts(params, f, real_key):
        if real_key:
            params = {**params, "api_key": fuzz_world["open311_key"]}
        check(client.post(f"/open311/v2/requests.{f}", params), params)

    lists()
    by_id()
    posts()
    figures = {"calls": sum(statuses.values()), "server_errors": len(errors),
               "statuses": dict(sorted(statuses.items()))}
    record("api", "open311", figures)
    record_property("calls", figures["calls"])
    record_property("server_errors", figures["server_errors"])
    assert errors == []
    assert figures["calls"] >= MIN_OPEN311_CALLS

