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
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from shanzhi.audit.models import AuditEvent
from shanzhi.cases.models import Case
from shanzhi.cases.testing import make_category
from shanzhi.core.roles import TWO_FACTOR_ROLES, Role
from shanzhi.core.testing import PASSWORD, make_user, make_world, matrix_factories, verified_login
from tests import a11y
from tests.test_route_matrix import GET_ROUTES, _grow, _pick_role, _url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
once = pytest.mark.skipif(connection.vendor != "sqlite",
                          reason="the browser side does not depend on the database: run once, on SQLite")

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

    def pages(self, shard: int = 0, shards: int = 1):
        """[(route name, url, viewer)] for every GET route that answers an HTML page; with `shards`, only every
        shards-th route from `shard` on, so that the sweep runs as parallel tests."""
        found = []
        owner = self.users["resident"][0]
        routes = [r for r in GET_ROUTES if r[0] not in SKIP]
        for name, pattern, view in routes[shard::shards]:
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


def _write(report, path=REPORT):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    old = {}
    if os.path.exists(path):
        with open(path) as f:
            old = json.load(f)
    old.update(report)
    with open(path, "w") as f:
        json.dump(old, f, ensure_ascii=False, indent=1)


def _summary(report) -> str:
    lines = []
    for key, found in report.items():
        for v in found["axe"]:
            lines.append(f"{key}: axe {v['id']} ×{v['count']} {v['nodes'][:3]}")
        lines += [f"{key}: {p}" for p in found["checks"]]
    return "\n".join(lines)


SHARDS = 4  # the sweep is the suite's longest test: in parts, the test workers share it


def test_every_viewer_has_pages_to_sweep():
    """Every kind of visitor is given page types to sweep (each shard of the sweep sees only some of them)."""
    audience = Audience(SimpleNamespace(url="http://127.0.0.1:1"))
    routes = [r for r in GET_ROUTES if r[0] not in SKIP]
    assert len(routes) >= 40
    assert {"anonymous", "resident", "grid_worker", "staff", "manager"} <= {audience.viewer(r[2].access)
                                                                            for r in routes}


@once
@pytest.mark.parametrize("shard", range(SHARDS))
def test_every_page_type_passes_axe_and_the_scripted_checks(chromium, live_server, audience, shard):
    report_file = REPORT.replace(".json", f"-{shard}.json")
    if os.path.exists(report_file):
        os.remove(report_file)
    pages = audience.pages(shard, SHARDS)
    assert len(pages) >= 40 // SHARDS, f"only {len(pages)} HTML page types found in shard {shard}"
    report = {}
    by_viewer: dict[str, list] = {}
    for name, url, who in pages:
        by_viewer.setdefault(who, []).append((name, url))
    if shard == 0:
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
    _write(report, report_file)
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


def _focused(page) -> str:
    return page.evaluate("(() => { const e = document.activeElement; return e.id || e.dataset.testid || e.className || e.tagName; })()")


def _tab_to(page, want: str, limit: int = 40) -> int:
    for n in range(1, limit + 1):
        page.keyboard.press("Tab")
        if _focused(page) == want:
            return n
    raise AssertionError(f"{want} not reached in {limit} tab stops (last: {_focused(page)})")


@once
def test_a_grid_worker_files_a_case_with_the_keyboard_only(browser_page, world):
    """Tab, arrows, typing and Enter only: skip link → the form's fields in order → 提交; the new case opens. A wrong
    password on the login form puts focus on the error summary, which names the problem."""
    make_category(code="light", name="路灯损坏")
    make_user(Role.GRID_WORKER, world.grid.code, username="kbd")
    page = browser_page("phone")
    page.goto("/accounts/login/")
    page.keyboard.type("kbd")  # the user name field has autofocus
    page.keyboard.press("Tab")
    page.keyboard.type("wrong-passw0rd")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_function("document.activeElement.matches('[data-sz-error-summary]')", timeout=3000)
    assert "用户名或密码错误" in page.inner_text("[data-sz-error-summary]")
    page.fill("#id_username", "kbd")
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.goto("/cases/new/")
    page.keyboard.press("Tab")
    assert "sz-skip" in _focused(page)
    page.keyboard.press("Enter")  # skip link: the next Tab starts inside <main>
    stops = _tab_to(page, "id_channel", 10)
    page.keyboard.press("Tab")
    assert _focused(page) == "id_category"
    page.keyboard.press("ArrowDown")  # 请选择 → 路灯损坏
    assert page.eval_on_selector("#id_category", "e => e.selectedOptions[0].text") == "路灯损坏"
    page.keyboard.press("Tab")
    assert _focused(page) == "id_region_code"
    if not page.eval_on_selector("#id_region_code", "e => e.value"):
        page.keyboard.press("ArrowDown")
    _tab_to(page, "id_title", 5)
    page.keyboard.type("路灯不亮（键盘）")
    page.keyboard.press("Tab")
    assert _focused(page) == "id_description"
    page.keyboard.type("晚上一片漆黑")
    _tab_to(page, "submit", 20)
    page.shot("a11y-keyboard-case-form")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/cases/\d+/(#sz-main)?$"))  # the skip link's fragment stays on the URL
    assert Case.objects.filter(title="路灯不亮（键盘）", region_code=world.grid.code).exists()
    assert stops <= 12, f"{stops} tab stops from <main> to the first field"


@once
def test_the_idle_timeout_warns_extends_and_keeps_a_draft(browser_page, world, settings):
    """With a 125 s idle limit the warning appears after 5 s (2 minutes before the logout), 继续使用 extends the
    session through the POST endpoint; the form being filled is kept in localStorage without the phone, and is
    restored after the session has run out and the worker has signed in again."""
    settings.SESSION_IDLE_TIMEOUT = 125
    make_category(code="light", name="路灯损坏")
    make_user(Role.GRID_WORKER, world.grid.code, username="idle")
    page = browser_page("phone")
    page.login("idle", PASSWORD)
    page.goto("/cases/new/")
    page.fill("#id_title", "草稿标题")
    page.fill("#id_description", "写了一半的描述")
    page.fill("#id_reporter_phone", "13800138000")
    assert page.get_attribute("#id_reporter_phone", "type") == "tel"
    assert page.get_attribute("#id_reporter_phone", "data-sz-sensitive") is not None
    page.wait_for_selector("#sz-timeout:not([hidden])", timeout=10000)
    assert page.evaluate("document.activeElement.matches('[data-sz-extend-now]')")
    page.shot("a11y-timeout-warning")
    drafts = page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('sz-draft:')).map(k => localStorage[k])")
    assert len(drafts) == 1 and "草稿标题" in drafts[0] and "13800138000" not in drafts[0]
    with page.expect_response(lambda r: "/session/extend/" in r.url and r.request.method == "POST") as resp:
        page.keyboard.press("Enter")
    assert resp.value.status == 200
    page.wait_for_selector("#sz-timeout[hidden]", state="attached")
    # the session runs out (the server's clock, moved by shortening the limit): the draft survives the login
    settings.SESSION_IDLE_TIMEOUT = 0
    page.goto("/cases/new/")
    assert "/accounts/login/" in page.url
    settings.SESSION_IDLE_TIMEOUT = 125
    page.fill("input[name=username]", "idle")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/cases/new/$"))
    page.wait_for_function("document.getElementById('id_title').value === '草稿标题'")
    assert page.input_value("#id_description") == "写了一半的描述"
    assert page.input_value("#id_reporter_phone") == ""
    page.fill("#id_reporter_phone", "")
    page.select_option("#id_category", label="路灯损坏")
    page.click("[data-testid=submit]")
    page.wait_for_url(re.compile(r"/cases/\d+/$"))
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('sz-draft:')).length") == 0


def test_session_extend_and_elder_mode_endpoints(client, world):
    user = make_user(Role.RESIDENT, world.grid.code)
    assert client.post("/session/extend/").status_code == 302  # anonymous: to the login page
    resp = client.post("/elder/", {"on": "1", "next": "https://evil.example/"})
    assert resp.status_code == 302 and resp["Location"] == "/elder/" and resp.cookies["sz_elder"].value == "1"
    assert 'class="sz-elder"' in client.get("/cases/report/").content.decode()
    client.force_login(user)
    assert client.post("/session/extend/").json()["idle_timeout"] == settings.SESSION_IDLE_TIMEOUT
    client.post("/elder/", {"on": "1", "next": "/cases/my/"})
    user.refresh_from_db()
    assert user.ui_preference.elder_mode is True
    assert AuditEvent.objects.filter(action="core.preference.elder", actor=user).count() == 1
    client.post("/elder/", {"on": "0", "next": "/cases/my/"})
    user.refresh_from_db()
    assert user.ui_preference.elder_mode is False
    assert 'class="sz-elder"' not in client.get("/cases/report/").content.decode()
