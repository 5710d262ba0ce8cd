"""The route×role matrix, generated from the URLConf.

Every shanzhi route is visited as anonymous (→ login), signed in without a grant (→ 403), in scope
(→ 200) and, for object routes, out of scope (→ 404). A new route is covered by declaring its access
with a decorator from shanzhi.core.access; a route without a declaration fails here.
"""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from shanzhi.core.roles import TWO_FACTOR_ROLES
from shanzhi.core.testing import make_user, matrix_factories, verified_login

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
