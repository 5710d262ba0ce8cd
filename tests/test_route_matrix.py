"""The route×role matrix, generated from the URLConf.

Every shanzhi route is visited as anonymous (→ login), signed in without a grant (→ 403), in scope
(→ 200) and, for object routes, out of scope (→ 404). A new route is covered by declaring its access
with a decorator from shanzhi.core.access; a route without a declaration fails here.

Methods are checked too: a GET to a POST-only route answers 405; a POST to every write route is sent in
scope (never a server error, never refused) and out of scope (404, and no row of any table changed);
and a user holding a grant on the object's region, but with a role the route does not name, gets 403.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver

from shanzhi.core.memo import clear_all
from shanzhi.core.roles import ADMIN_TRIO, TWO_FACTOR_ROLES, Role
from shanzhi.core.testing import make_user, make_world, matrix_factories, rows_checksum, verified_login

# the API is tested per app (tests/test_api_*); Open311 in shanzhi/cases/tests/test_open311.py
SKIP_NAMESPACES = {"admin", "api", "open311"}
SKIP_NAMES = {"set_language"}


def _walk(resolver, prefix="", ns=None):
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            if p.namespace in SKIP_NAMESPACES:
                continue
            yield from _walk(p, prefix + str(p.pattern), p.namespace or ns)
        elif isinstance(p, URLPattern):
            if p.name in SKIP_NAMES:
                continue
            yield (f"{ns}:{p.name}" if ns else p.name), prefix + str(p.pattern), p.callback


ROUTES = sorted(_walk(get_resolver()), key=lambda r: r[1])


def test_routes_were_found():
    assert len(ROUTES) >= 10


@pytest.mark.parametrize("name,pattern,view", ROUTES, ids=[r[0] for r in ROUTES])
def test_every_route_declares_access(name, pattern, view):
    access = getattr(view, "access", None)
    assert access is not None, f"{name} ({pattern}) has no access declaration (shanzhi.core.access)"
    if access.kind in {"public", "login", "roles"}:
        assert "<" not in pattern, f"{name}: a route with URL parameters must be an object_view"


def _pick_role(access):
    roles = sorted(access.roles)
    plain = [r for r in roles if r not in TWO_FACTOR_ROLES]
    return (plain or roles)[0]


def _url(pattern: str, obj=None, access=None) -> str:
    url = "/" + pattern
    if obj is not None:
        for kwarg, field in access.lookup.items():
            url = re.sub(r"<(?:\w+:)?" + kwarg + ">", str(getattr(obj, field)), url)
    assert "<" not in url, f"unfilled URL parameter in {url}"
    return url


def _login(client, user, role):
    if role in TWO_FACTOR_ROLES:
        verified_login(client, user)
    else:
        client.force_login(user)


@pytest.mark.parametrize("name,pattern,view", ROUTES, ids=[r[0] for r in ROUTES])
def test_route_matrix(client, world, name, pattern, view):
    access = view.access
    if "GET" not in access.methods:
        # POST-only routes: anonymous is sent to login (or refused), never served
        obj = None
        if access.kind == "object":
            obj = matrix_factories()[access.model](world.grid.code, None)
        resp = client.post(_url(pattern, obj, access))
        assert resp.status_code in (302, 403, 405)
        if resp.status_code == 302:
            assert "/accounts/login/" in resp["Location"]
        return

    factories = matrix_factories()
    role = _pick_role(access) if access.roles else None
    in_user = make_user(role, world.street.code) if role else make_user()
    obj = None
    if access.kind == "object":
        assert access.model in factories, f"{name}: no MATRIX_FACTORIES entry for {access.model}"
        obj = factories[access.model](world.grid.code, in_user)
    url = _url(pattern, obj, access)

    # anonymous
    resp = client.get(url)
    if access.kind == "public":
        assert resp.status_code == 200, f"{name}: public page answered {resp.status_code}"
        return
    assert resp.status_code == 302 and "/accounts/login/" in resp["Location"], f"{name}: anonymous got {resp.status_code}"

    # signed in without any grant
    if access.kind in {"roles", "object"}:
        nobody = make_user()
        client.force_login(nobody)
        resp = client.get(url)
        assert resp.status_code == 403, f"{name}: user without a grant got {resp.status_code}"
        assert "无权访问" in resp.content.decode()
        client.logout()

    # in scope
    _login(client, in_user, role)
    resp = client.get(url, follow=True)
    assert resp.status_code == 200, f"{name}: in-scope {role} got {resp.status_code}"
    assert "/accounts/login/" not in resp.request["PATH_INFO"] or access.kind == "login"
    client.logout()

    # out of scope: the same role on the other street
    if access.kind == "object":
        out_user = make_user(role, world.other_street.code)
        _login(client, out_user, role)
        resp = client.get(url)
        assert resp.status_code == 404, f"{name}: out-of-scope {role} got {resp.status_code}"


# --- methods, writes and wrong roles ------------------------------------------------------------------

WRITE_ROUTES = [r for r in ROUTES if "POST" in r[2].access.methods]
POST_ONLY = [r for r in ROUTES if "GET" not in r[2].access.methods]
GUARDED = [r for r in ROUTES if r[2].access.kind in {"roles", "object"}]


def _in_scope(access, world):
    """A user who may use the route, and the object it works on (in the world's first grid)."""
    role = _pick_role(access) if access.roles else None
    user = make_user(role, world.street.code) if role else make_user()
    obj = None
    if access.kind == "object":
        obj = matrix_factories()[access.model](world.grid.code, user)
    return role, user, obj


@pytest.mark.parametrize("name,pattern,view", POST_ONLY, ids=[r[0] for r in POST_ONLY])
def test_get_to_a_post_only_route_is_not_allowed(client, world, name, pattern, view):
    access = view.access
    role, user, obj = _in_scope(access, world)
    _login(client, user, role)
    before = rows_checksum()
    resp = client.get(_url(pattern, obj, access))
    assert resp.status_code == 405, f"{name}: GET answered {resp.status_code}"
    assert "POST" in resp["Allow"]
    assert rows_checksum() == before, f"{name}: a GET changed rows"


@pytest.mark.parametrize("name,pattern,view", WRITE_ROUTES, ids=[r[0] for r in WRITE_ROUTES])
def test_post_to_a_write_route_in_and_out_of_scope(client, world, name, pattern, view):
    access = view.access
    role, user, obj = _in_scope(access, world)
    url = _url(pattern, obj, access)
    data = POST_DATA.get(name, {})

    if access.kind == "object":
        out_user = make_user(role, world.other_street.code) if role else make_user()
        _login(client, out_user, role)
        before = rows_checksum()
        resp = client.post(url, data)
        assert resp.status_code == 404, f"{name}: out-of-scope POST answered {resp.status_code}"
        assert rows_checksum() == before, f"{name}: an out-of-scope POST changed rows"
        client.logout()

    _login(client, user, role)
    before = rows_checksum()
    resp = client.post(url, data)
    assert resp.status_code < 500, f"{name}: in-scope POST answered {resp.status_code}"
    if name in POST_DATA:
        assert rows_checksum() != before, f"{name}: the in-scope POST wrote nothing"
    refused = (403, 405) if name in NOT_THIS_KIND else (403, 404, 405)
    assert resp.status_code not in refused, f"{name}: in-scope POST answered {resp.status_code}"


def _wrong_role(access):
    """A role the route does not name, preferring one without two-factor login; None if every role may."""
    others = sorted(set(Role.values) - set(access.roles) - ADMIN_TRIO)
    plain = [r for r in others if r not in TWO_FACTOR_ROLES]
    return (plain or others or [None])[0]


@pytest.mark.parametrize("name,pattern,view", GUARDED, ids=[r[0] for r in GUARDED])
def test_a_grant_on_the_right_region_with_the_wrong_role_is_refused(client, world, name, pattern, view):
    access = view.access
    wrong = _wrong_role(access)
    if wrong is None:
        pytest.skip("every role may use this route")
    _, _, obj = _in_scope(access, world)
    user = make_user(wrong, world.street.code)
    _login(client, user, wrong)
    url = _url(pattern, obj, access)
    before = rows_checksum()
    resp = client.post(url, POST_DATA.get(name, {})) if "GET" not in access.methods else client.get(url)
    assert resp.status_code == 403, f"{name}: {wrong} on the object's street got {resp.status_code}"
    assert rows_checksum() == before


# Routes whose view answers 404 to the matrix's generic object because it is not of the kind they act on
# (the matrix's task is no import job); the imports tests post to them with a real one.
NOT_THIS_KIND = {"imports:commit", "imports:retry"}

# Form data that makes a POST do its work, so that "no row changed" out of scope is not vacuous: for these
# routes the in-scope POST must change rows (the checksum sees a real write).
POST_DATA: dict[str, dict] = {
    "volunteering:volunteer_verify": {},
    "registry:care_tag_remove": {},
}


# --- queries do not grow with the data -----------------------------------------------------------------

GET_ROUTES = [r for r in ROUTES if "GET" in r[2].access.methods]
SMALL, LARGE = 2, 6  # rows of each kind


def _grow(code, owner, rows):
    """`rows` more rows of every kind the matrix knows, in grid `code`."""
    for factory in matrix_factories().values():
        for _ in range(rows):
            factory(code, owner)


def _count(client, url) -> tuple[int, int]:
    clear_all()
    warm = client.get(url)  # warm the per-process caches a live server would have
    if warm.streaming:
        b"".join(warm.streaming_content)
    with CaptureQueriesContext(connection) as ctx:
        resp = client.get(url)
        body = b"".join(resp.streaming_content) if resp.streaming else resp.content  # exports stream their rows
    return resp.status_code, len(ctx.captured_queries), len(body)


@pytest.fixture(scope="module")
def query_counts(django_db_setup, django_db_blocker):
    """Render every GET route at SMALL and at LARGE rows of each kind; built once for the module, on one xdist
    worker (the cases are in KEEP_TOGETHER, tests/conftest.py). The session's
    last-seen write is driven by the clock, not by the data (every SHANZHI_SESSION_TOUCH_SECONDS): on a slow machine
    it could fall between a route's warm-up and its counted request, so the clock is left out here."""
    counts: dict[str, dict[int, tuple[int, int, int]]] = {}
    with django_db_blocker.unblock(), override_settings(SHANZHI_SESSION_TOUCH_SECONDS=10 ** 9), transaction.atomic():
        world = make_world()
        me = make_user(Role.RESIDENT, world.grid.code)
        users: dict[str | None, object] = {None: me}
        visits = []
        for name, pattern, view in GET_ROUTES:
            access = view.access
            role = _pick_role(access) if access.roles else None
            if access.action == "own":  # one owner per owned row: a factory gives a user one volunteer record
                user = make_user(role, world.street.code) if role else make_user()
            else:
                if role not in users:
                    users[role] = make_user(role, world.street.code)
                user = users[role]
            obj = matrix_factories()[access.model](world.grid.code, user) if access.kind == "object" else None
            visits.append((name, _url(pattern, obj, access), None if access.kind == "public" else (user, role)))
        _grow(world.grid.code, me, SMALL)
        clients = {}
        for size in (SMALL, LARGE):
            if size == LARGE:
                _grow(world.grid.code, me, LARGE - SMALL)
            for name, url, who in visits:
                key = who and who[0].pk
                if key not in clients:
                    clients[key] = Client()
                    if who:
                        _login(clients[key], *who)
                counts.setdefault(name, {})[size] = _count(clients[key], url)
        transaction.set_rollback(True)
    return counts


@pytest.mark.django_db  # also tells pytest-django to set up the test database for the module fixture
@pytest.mark.parametrize("name,pattern,view", GET_ROUTES, ids=[r[0] for r in GET_ROUTES])
def test_queries_do_not_grow_with_the_data(query_counts, name, pattern, view):
    (small_status, small, _), (large_status, large, _) = query_counts[name][SMALL], query_counts[name][LARGE]
    assert small_status < 500 and large_status < 500, f"{name}: answered {small_status}/{large_status}"
    assert large <= small, f"{name}: {small} queries with {SMALL} rows of each kind, {large} with {LARGE}"
