"""WCAG 2.1 AA (GB/T 37668) in Debian Chromium: axe-core over one URL of every page type the route matrix knows,
as anonymous, resident, grid worker, community staff and street manager, at 375 and 1440 px, with 0 violations
of the WCAG 2.0/2.1 A/AA rules; the scripted checks (tests/a11y.py) on every page; the elder mode (长辈模式) on the
resident's pages at 375 px with 44 px targets; a keyboard-only walk through filing a case; the idle-timeout
warning with its draft.

The sweep renders the same templates on either database, so it runs once, on SQLite (CI runs the suite on both).
Findings are written to var/a11y-report.json as well as asserted."""

from __future__ import annotations

import json
import os
import re

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from shanzhi.core.roles import TWO_FACTOR_ROLES, Role
from shanzhi.core.testing import PASSWORD, make_user, make_world, matrix_factories, verified_login
from tests import a11y
from tests.test_route_matrix import GET_ROUTES, _grow, _pick_role, _url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
once = pytest.mark.skipif(connection.vendor != "sqlite", reason="templates are the same on PostgreSQL: the sweep runs on SQLite")

REPORT = os.path.join(settings.ROOT_DIR, "var", "a11y-report.json")
WIDTHS = {"phone": {"width": 375, "height": 812}, "desk": {"width": 1440, "height": 900}}
# who looks at a page: the first of these the route admits (a public page: anonymous)
VIEWERS = [("resident", Role.RESIDENT, "grid"), ("grid_worker", Role.GRID_WORKER, "grid"),
           ("staff", Role.COMMUNITY_STAFF, "community"), ("manager", Role.STREET_MANAGER, "street")]
SKIP = {"core:favicon", "core:healthz"}


class Audience:
    """The five kinds of visitor, their sessions (cookies for the live server) and the page each one sees."""

    def __init__(self, live_server):
        self.world = make_world()
        self.host = re.sub(r"^https?://", "", live_server.url).split(":")[0]
        self.users, self.cookies = {}, {"anonymous": []}
        for key, role, level in VIEWERS:
            user = make_user(role, getattr(self.world, level).code, username=key)
            self.users[key] = (user, role)
            self.cookies[key] = self._session(user, role)

    def _session(self, user, role):
        client = Client()
        if role in TWO_FACTOR_ROLES:
            verified_login(client, user)
        else:
            client.force_login(user)
        return [{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                 "domain": self.host, "path": "/"}]

    def viewer(self, access):
        if access.kind == "public":
            return "anonymous"
        if access.kind == "login":
            return "resident"
        for key, role, _level in VIEWERS:
            if role in access.roles:
                return key
        role = _pick_role(access)
        key = f"role:{role}"
        if key not in self.users:
            user = make_user(role, self.world.street.code)
            self.users[key] = (user, role)
            self.cookies[key] = self._session(user, role)
        return key

    def pages(self):
        """[(route name, url, viewer)] for every GET route that answers an HTML page."""
        found = []
        owner = self.users["resident"][0]
        for name, pattern, view in GET_ROUTES:
            if name in SKIP:
                continue
            access = view.access
            who = self.viewer(access)
            obj = None
            if access.kind == "object":
                user = self.users[who][0]
                obj = matrix_factories()[access.model](self.world.grid.code, user)
            found.append((name, _url(pattern, obj, access), who))
        _grow(self.world.grid.code, owner, 2)  # lists with rows in them
        html = []
        clients = {}
        for name, url, who in found:
            if who not in clients:
                clients[who] = Client()
                if who != "anonymous":
                    clients[who].cookies[settings.SESSION_COOKIE_NAME] = self.cookies[who][0]["value"]
            resp = clients[who].get(url)
            if resp.status_code == 200 and resp.get("Content-Type", "").startswith("text/html") and not resp.streaming \
                    and b"<html" in resp.content[:400]:  # htmx fragments are parts of pages, not pages
                html.append((name, url, who))
        return html


@pytest.fixture
def audience(live_server):
    return Audience(live_server)


def _context(chromium, live_server, cookies, width="phone", elder=False):
    ctx = chromium.new_context(viewport=WIDTHS[width], locale="zh-CN", base_url=live_server.url)
    jar = list(cookies)
    if elder:
        host = re.sub(r"^https?://", "", live_server.url).split(":")[0]
        jar.append({"name": "sz_elder", "value": "1", "domain": host, "path": "/"})
    if jar:
        ctx.add_cookies(jar)
    page = ctx.new_page()
    page.set_default_timeout(15000)
    return ctx, page


def _audit(page, url, *, focus=True):
    page.goto(url)
    page.wait_for_load_state("load")
    page.wait_for_timeout(50)
    found = {"axe": a11y.axe_violations(page), "checks": a11y.structure_problems(page)}
    if focus:
        found["checks"] += a11y.focus_problems(page)
    return found


def _write(report):
    os.makedirs(os.path.dirname(REPORT), exist_ok=True)
    old = {}
    if os.path.exists(REPORT):
        with open(REPORT) as f:
            old = json.load(f)
    old.update(report)
    with open(REPORT, "w") as f:
        json.dump(old, f, ensure_ascii=False, indent=1)


def _summary(report) -> str:
    lines = []
    for key, found in report.items():
        for v in found["axe"]:
            lines.append(f"{key}: axe {v['id']} ×{v['count']} {v['nodes'][:3]}")
        lines += [f"{key}: {p}" for p in found["checks"]]
    return "\n".join(lines)


@once
def test_every_page_type_passes_axe_and_the_scripted_checks(chromium, live_server, audience):
    if os.path.exists(REPORT):
        os.remove(REPORT)
    pages = audience.pages()
    assert len(pages) >= 40, f"only {len(pages)} HTML page types found"
    report = {}
    by_viewer: dict[str, list] = {}
    for name, url, who in pages:
        by_viewer.setdefault(who, []).append((name, url))
    by_viewer.setdefault("anonymous", []).append(("accounts:login", "/accounts/login/"))
    for who in ("staff", "grid_worker", "manager"):  # the workbench home as each role sees it
        by_viewer.setdefault(who, []).append(("core:home", "/"))
    for who, visits in by_viewer.items():
        ctx, page = _context(chromium, live_server, audience.cookies[who], "phone")
        try:
            for name, url in visits:
                report[f"{name} {who} 375"] = _audit(page, url)
                page.set_viewport_size(WIDTHS["desk"])
                page.wait_for_timeout(30)
                report[f"{name} {who} 1440"] = {"axe": a11y.axe_violations(page), "checks": a11y.structure_problems(page)}
                page.set_viewport_size(WIDTHS["phone"])
        finally:
            ctx.close()
    _write(report)
    viewers = {k.split()[1] for k in report}
    assert {"anonymous", "resident", "grid_worker", "staff", "manager"} <= viewers
    assert not _summary(report), "\n" + _summary(report)


RESIDENT_PAGES = ["/", "/cases/report/", "/cases/my/", "/cases/track/", "/volunteering/open/", "/volunteering/store/",
                  "/volunteering/my/", "/public/", "/inbox/", "/elder/"]


@once
def test_the_elder_mode_on_a_phone(chromium, live_server, audience):
    """长辈模式 on the resident's pages at 375 px: large text, no axe violation, every target ≥ 44 px; the toggle in
    the header turns it on and it is kept with the account (a new session starts in it)."""
    ctx, page = _context(chromium, live_server, audience.cookies["resident"], "phone")
    report = {}
    try:
        page.goto("/cases/report/")
        assert page.get_attribute("html", "class") in (None, "")
        page.click("[data-testid=elder-toggle]")
        page.wait_for_load_state("load")
        assert "sz-elder" in page.get_attribute("html", "class")
        assert page.get_attribute("[data-testid=elder-toggle]", "aria-pressed") == "true"
        assert page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)") >= 19
        page.screenshot(path=_shot("elder-report-phone"), full_page=True)
        for url in RESIDENT_PAGES:
            page.goto(url)
            page.wait_for_load_state("load")
            key = f"elder {url} 375"
            report[key] = {"axe": a11y.axe_violations(page), "checks": a11y.structure_problems(page)}
            report[key]["checks"] += [f"small target {t}" for t in a11y.small_targets(page)]
            assert page.evaluate("document.documentElement.scrollWidth") <= 375 + 1, f"{url} scrolls sideways"
        page.goto("/cases/my/")
        page.screenshot(path=_shot("elder-my-cases-phone"), full_page=True)
        page.goto("/volunteering/store/")
        page.screenshot(path=_shot("elder-store-phone"), full_page=True)
    finally:
        ctx.close()
    _write(report)
    # kept with the account: a fresh session on another device starts in the elder mode
    user = audience.users["resident"][0]
    assert user.ui_preference.elder_mode is True
    fresh = Client()
    fresh.post("/accounts/login/", {"username": "resident", "password": PASSWORD})
    assert 'class="sz-elder"' in fresh.get("/cases/report/").content.decode()
    assert not _summary(report), "\n" + _summary(report)


def _shot(name):
    folder = os.path.join(settings.ROOT_DIR, "var", "screenshots")
    os.makedirs(folder, exist_ok=True)
    return os.path.join(folder, f"{name}.png")
