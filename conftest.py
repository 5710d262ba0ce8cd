import contextlib
import json
import os

import pytest
from hypothesis import settings as hypothesis_settings
from playwright.sync_api import Error as PlaywrightError

# Property tests run on shared, busy CI machines: a slow example is not a failure. "ci" is loaded always
# (HYPOTHESIS_PROFILE=default brings back Hypothesis' own deadline for local profiling).
hypothesis_settings.register_profile("ci", deadline=None, print_blob=True)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_configure(config):
    """One id for this run's hardening figures (unless the caller, e.g. a bench script, chose one); set before
    xdist starts its workers, which inherit it."""
    from tests.hardening import RUN_ENV, new_run_id

    if not hasattr(config, "workerinput"):
        os.environ.setdefault(RUN_ENV, new_run_id())


def pytest_terminal_summary(terminalreporter, config):
    """The figures of every hardening test of this run (read from test-artifacts/, where each xdist worker
    wrote its own), in one block that can be read off CI's log."""
    from tests.hardening import RUN_ENV, figures_of_run

    if hasattr(config, "workerinput"):
        return
    found = figures_of_run(os.environ.get(RUN_ENV, ""))
    if not found:
        return
    terminalreporter.section("hardening figures")
    for name, figures in found:
        for key, values in figures.items():
            terminalreporter.write_line(f"{name} {key}: {json.dumps(values, ensure_ascii=False)}")


@pytest.fixture(autouse=True)
def _default_language():
    """A request in English leaves the thread's language active; every test starts in Chinese."""
    from django.utils import translation

    translation.activate("zh-hans")
    yield
    translation.activate("zh-hans")


@pytest.fixture(autouse=True)
def _fresh_process_caches():
    """Rows a test rolled back must not linger in a process cache for the next test."""
    from shanzhi.core.memo import clear_all

    clear_all()


@pytest.fixture(scope="session", autouse=True)
def _uploads_in_tmp(tmp_path_factory):
    """Files that tests upload (case photos) go to a temporary folder, never to var/media."""
    from django.conf import settings
    from django.test import override_settings

    storages = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                                 "OPTIONS": {"location": tmp_path_factory.mktemp("media")}}}
    with override_settings(STORAGES=storages):
        yield


@pytest.fixture(scope="session", autouse=True)
def _catalogues_compiled_from_source(tmp_path_factory):
    """Tests read the translations compiled from the .po files as they are now, never a .mo that setup left
    behind (missing, or stale after an edit to the .po)."""
    from django.conf import settings
    from django.test import override_settings

    from shanzhi.core.testing import compile_catalogues

    compiled = compile_catalogues(settings.LOCALE_PATHS, tmp_path_factory.mktemp("locale"))
    with override_settings(LOCALE_PATHS=[compiled]):
        yield


@pytest.fixture
def world(db):
    from shanzhi.core.testing import make_world

    return make_world()


@pytest.fixture
def make_user(db):
    from shanzhi.core.testing import make_user

    return make_user


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
SCREENSHOT_DIR = os.path.join(os.path.dirname(__file__), "var", "screenshots")
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 375, "height": 812}}


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium driven by Playwright (never `playwright install`)."""
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(chromium, live_server):
    """`page = browser_page("phone")` opens a fresh context at that viewport; `page.login(user, password)`
    signs in through the real login form; `page.shot(name)` saves var/screenshots/<name>-<viewport>.png."""
    contexts = []

    def open_page(viewport: str = "desktop"):
        ctx = chromium.new_context(viewport=VIEWPORTS[viewport], locale="zh-CN", base_url=live_server.url)
        contexts.append(ctx)
        page = ctx.new_page()
        page.set_default_timeout(15000)

        def login(username, password):
            page.goto("/accounts/login/")
            page.fill("input[name=username]", username)
            page.fill("input[name=password]", password)
            page.click("button[type=submit]")
            page.wait_for_load_state("networkidle")

        def shot(name):
            os.makedirs(SCREENSHOT_DIR, exist_ok=True)
            path = os.path.join(SCREENSHOT_DIR, f"{name}-{viewport}.png")
            page.screenshot(path=path, full_page=True)
            return path

        page.login, page.shot = login, shot
        return page

    yield open_page
    for ctx in contexts:
        # let the last page's own requests (a map's GeoJSON, an htmx fragment) finish before the context closes:
        # a request the live server is still answering holds the test database while the test's flush empties it
        for page in ctx.pages:
            with contextlib.suppress(PlaywrightError):
                page.wait_for_load_state("networkidle", timeout=5000)
        ctx.close()


@pytest.fixture
def clock(monkeypatch):
    """The rate limits' clock, frozen until a test moves it (`clock[0] += 61`); the counters start empty."""
    from django.core.cache import cache

    from shanzhi.core.ratelimit import SettingRateThrottle

    cache.clear()
    now = [1_700_000_000.0]
    monkeypatch.setattr(SettingRateThrottle, "timer", staticmethod(lambda: now[0]))
    return now


def pytest_collection_modifyitems(config, items):
    """Browser tests first: they are the longest, and started first they don't leave one test worker running alone
    at the end (scripts/test has idle workers steal the rest: --dist worksteal).

    Browser tests run once, in the SQLite pass: what they check (pages, forms, scripts, accessibility) does not
    depend on the database, and every service they drive is tested on both databases by the apps' own tests."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is None)  # stable: the order within each kind
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        return
    once = pytest.mark.skip(reason="browser test: runs once, in the SQLite pass")
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(once)
