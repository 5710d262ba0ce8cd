"""The grid worker's phone app at 375 px (issue 19): the three jobs done offline — file a case with a photo, register a
household with its head, log a visit — counted in taps and timed; the page closed, reopened online, everything
synced exactly once. Then the same three jobs on a throttled 3G connection; 200 queued items synced after the
connection returns with every request sent twice (0 duplicates) and the page closed in between (0 lost); a
change made offline to a household the office changed meanwhile shows both versions and the worker chooses.

The figures are printed as JSON and written to var/bench-field.json (bench/field_sync.py runs this test and prints
them); screenshots go to var/screenshots/pwa/.
"""

import json
import os
import time
import uuid

import pytest
from django.conf import settings
from PIL import Image
from stdnum.cn import ric

from shanzhi.cases.models import Case, CasePhoto, HomeVisit
from shanzhi.cases.testing import make_category
from shanzhi.core.roles import Role
from shanzhi.core.testing import PASSWORD, make_user
from shanzhi.field.models import SyncReceipt
from shanzhi.registry.models import Household, Person
from shanzhi.registry.services import household_update
from shanzhi.registry.testing import building_in, dwelling_in, household_in, person_in
from tests import a11y

SHOTS = os.path.join(settings.ROOT_DIR, "var", "screenshots", "pwa")
FIGURES = os.path.join(settings.ROOT_DIR, "var", "bench-field.json")
# every sync request reaches the server twice: the first answer is dropped, as on a lost connection, and the
# page gets the second — which must come from the receipts, not from a second write
SEND_TWICE = """(() => {
  const real = window.fetch.bind(window);
  window.__sentTwice = 0;
  window.fetch = async (url, opts) => {
    if (String(url).includes("/api/field/sync") && opts && opts.method === "POST") {
      await real(url, opts).then((r) => r.text());
      window.__sentTwice += 1;
    }
    return real(url, opts);
  };
})();"""
# Chrome DevTools' "Fast 3G" profile: 562.5 ms round trip, 1.44 Mbit/s down, 675 kbit/s up
THREE_G = {"offline": False, "latency": 562.5, "downloadThroughput": 1.6 * 1024 * 1024 / 8 * 0.9,
           "uploadThroughput": 750 * 1024 / 8 * 0.9}
QUEUED = 200


class Taps:
    """Drives the page as a thumb would, counting taps: a field is one tap (then typing), a native picker two (open,
    choose), the camera two (open, shutter)."""

    def __init__(self, page):
        self.page, self.n = page, 0

    def tap(self, locator):
        self.n += 1
        locator.click()

    def type(self, locator, text):
        self.n += 1
        locator.click()
        locator.fill(text)

    def pick(self, locator, value):
        self.n += 2
        locator.select_option(value)

    def photo(self, locator, path):
        self.n += 2
        locator.set_input_files(path)


def shot(page, name):
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def home(page):
    page.goto("/field/")
    page.wait_for_selector("body[data-sz-ready='1']", timeout=60000)


def waiting(page) -> int:
    return int(page.locator("[data-sz-queue-summary]").get_attribute("data-waiting") or 0)


def wait_synced(page, timeout=60):
    """Until nothing waits in the queue (polled from here: the page's CSP allows no eval)."""
    end = time.monotonic() + timeout
    probe = ("() => document.querySelector('[data-sz-queue-summary]')?.dataset.waiting === '0' && "
             "!document.querySelector('[data-sz-state=waiting]')")
    while not page.evaluate(probe):
        assert time.monotonic() < end, "the queue did not sync"
        page.wait_for_timeout(100)


def file_case(page, photo, title):
    t, start = Taps(page), time.monotonic()
    t.tap(page.locator("[data-sz-action=case]"))
    page.wait_for_selector("form[data-sz-ready='1']")
    t.pick(page.locator("select[name=category]"), "water")
    t.type(page.locator("input[name=title]"), title)
    t.type(page.locator("textarea[name=description]"), "楼道顶部漏水，墙面起皮")
    t.photo(page.locator("[data-sz-photos]"), photo)
    page.wait_for_selector("[data-sz-photo-preview] img")
    shot(page, f"02-case-{title[:2]}")
    t.tap(page.locator("[data-sz-save]"))
    page.wait_for_selector("body[data-sz-ready='1']", timeout=60000)
    return t.n, time.monotonic() - start


def register_household(page, dwelling, name, id_number, tag):
    t, start = Taps(page), time.monotonic()
    t.tap(page.locator("[data-sz-action=household]"))
    page.wait_for_selector("form[data-sz-ready='1']")
    t.pick(page.locator("select[name=dwelling]"), str(dwelling.pk))
    number = page.locator("input[name=household_number]").input_value()
    t.type(page.locator("input[name=name]"), name)
    t.type(page.locator("input[name=id_number]"), id_number)
    t.type(page.locator("input[name=phone]"), "13912345678")
    shot(page, f"03-household-{tag}")
    t.tap(page.locator("[data-sz-save]"))
    page.wait_for_selector("body[data-sz-ready='1']", timeout=60000)
    return t.n, time.monotonic() - start, number


def log_visit(page, who, notes, tag):
    t, start = Taps(page), time.monotonic()
    t.tap(page.locator("[data-sz-action=visit]"))
    page.wait_for_selector("form[data-sz-ready='1']")
    t.type(page.locator("[data-sz-search]"), who)
    t.tap(page.locator("[data-sz-pick]").first)
    t.type(page.locator("textarea[name=notes]"), notes)
    shot(page, f"04-visit-{tag}")
    t.tap(page.locator("[data-sz-save]"))
    page.wait_for_selector("body[data-sz-ready='1']", timeout=60000)
    return t.n, time.monotonic() - start


def three_jobs(page, photo, dwelling, tag, id_number, name):
    case = file_case(page, photo, f"{tag}楼道漏水")
    household = register_household(page, dwelling, name, id_number, tag)
    visit = log_visit(page, name, f"{tag}：新登记住户，家中两人", tag)
    return {"case": case, "household": household[:2], "visit": visit}, household[2]


QUEUE_200 = """async ([uid, items]) => {
  const db = await idb.openDB("sz-field-" + uid, 1);
  const tx = db.transaction("queue", "readwrite");
  for (const it of items) tx.store.put(it);
  await tx.done;
}"""


def queued_items(household_id, dwelling_id, n):
    out, base = [], int(time.time() * 1000) * 1000
    for i in range(n):
        kind = ("visit_create", "case_create", "household_create", "visit_create", "visit_create")[i % 5]
        payload = {"visit_create": {"household": str(household_id), "notes": f"批量走访 {i}"},
                   "case_create": {"category": "water", "title": f"批量民情 {i}", "description": "楼道漏水",
                                   "urgency": "normal", "region_code": "321002004001001", "photos": []},
                   "household_create": {"dwelling": str(dwelling_id), "household_number": "", "kind": "family",
                                        "name": f"批量户主{i}", "id_number": "", "phone": "",
                                        "number_suggested": "True"}}[kind]
        out.append({"client_id": str(uuid.uuid4()), "seq": base + i, "kind": kind, "payload": payload,
                    "summary": f"#{i}", "state": "waiting", "detail": "", "created_at": ""})
    return out


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_three_jobs_offline_then_synced_once(browser_page, world, tmp_path):
    make_category(code="water", name="水管漏水")
    worker = make_user(Role.GRID_WORKER, world.grid.code, username="wang", display_name="王网格")
    building = building_in(world.grid.code)
    dwellings = [dwelling_in(world.grid.code, building=building, floor=f, room=f"{f}01") for f in (1, 2, 3, 4)]
    elder = person_in(world.grid.code, household=household_in(world.grid.code, dwelling=dwellings[3]), name="王大爷",
                      id_number="11010519491231002X", phone="13800001111")
    photo = tmp_path / "leak.jpg"
    Image.new("RGB", (2400, 1800), "teal").save(photo, quality=90)
    figures = {}

    page = browser_page("phone")
    page.login("wang", PASSWORD)
    ctx = page.context
    home(page)
    assert page.locator("h1.page-title").inner_text() == "今日工作"
    assert "1 户" in page.locator("[data-sz-roster-status]").inner_text()
    # the manifest and the service worker are served as the browser wants them
    sw = page.request.get("/sw.js")
    assert sw.headers["content-type"].startswith("application/javascript") and sw.headers["service-worker-allowed"] == "/"
    assert page.request.get("/field/manifest.webmanifest").json()["start_url"] == "/field/"
    assert page.evaluate("navigator.serviceWorker.controller !== null")
    shot(page, "01-home-online")

    # --- offline: the three jobs ---
    ctx.set_offline(True)
    page.reload()
    page.wait_for_selector("body[data-sz-ready='1']")
    assert page.evaluate("navigator.onLine") is False
    jobs, number = three_jobs(page, str(photo), dwellings[0], "离线", "32100219800101123" + "3", "李四")
    assert number == f"{world.grid.code}0001"  # suggested, not typed
    assert waiting(page) == 3 and page.locator("[data-sz-state=waiting]").count() == 3
    shot(page, "05-home-offline-queued")
    assert not Case.objects.exists() and not HomeVisit.objects.exists() and Household.objects.count() == 1
    figures["offline"] = {k: {"taps": v[0], "seconds": round(v[1], 2)} for k, v in jobs.items()}

    # --- the page is closed; reopened online, the queue syncs, once ---
    page.close()
    ctx.set_offline(False)
    page = ctx.new_page()
    page.set_default_timeout(30000)
    home(page)
    wait_synced(page)
    shot(page, "06-home-synced")
    assert page.locator("[data-sz-state=sent]").count() == 3
    case = Case.objects.get()
    assert case.title == "离线楼道漏水" and CasePhoto.objects.filter(case=case).count() == 1
    household = Household.objects.get(household_number=number)
    assert household.head.name == "李四" and household.dwelling_id == dwellings[0].pk
    assert HomeVisit.objects.get().household_id == household.pk
    assert SyncReceipt.objects.filter(user=worker, status="done").count() == 3

    # --- throttled 3G, online: the same three jobs ---
    cdp = ctx.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", THREE_G)
    home(page)
    body = "32100219900202123"
    jobs3g, _number = three_jobs(page, str(photo), dwellings[1], "三G", body + ric.calc_check_digit(body + "0"), "赵六")
    wait_synced(page)
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 0, "downloadThroughput": -1,
                                                  "uploadThroughput": -1})
    figures["3g"] = {k: {"taps": v[0], "seconds": round(v[1], 2)} for k, v in jobs3g.items()}
    assert Case.objects.count() == 2 and HomeVisit.objects.count() == 2 and Person.objects.filter(name="赵六").exists()

    # --- a change made offline against a household the office changed meanwhile: both versions, the worker chooses
    ctx.set_offline(True)
    page.goto("/field/visit/new/")
    page.wait_for_selector("form[data-sz-ready='1']")
    page.fill("[data-sz-search]", "王大爷")
    page.locator("[data-sz-pick]").first.click()
    page.locator("[data-sz-change] summary").click()
    page.select_option("[name=change_kind]", "collective")
    page.fill("textarea[name=notes]", "老人已搬去女儿家")
    page.locator("[data-sz-change] [name=change_living_here]").uncheck()
    page.locator("[data-sz-save]").click()
    page.wait_for_selector("body[data-sz-ready='1']")
    leader = make_user(Role.GRID_LEADER, world.grid.code)
    household_update(actor=leader, household=elder.household, version=1, kind="family", living_here=True,
                     registered_here=False)
    ctx.set_offline(False)
    page.locator("[data-sz-sync]").click()
    page.wait_for_selector("[data-sz-state=conflict] [data-sz-conflict]")
    conflict = page.locator("[data-sz-state=conflict]")
    assert "第 2 版" in conflict.inner_text() and "集体户" in conflict.inner_text() and "家庭户" in conflict.inner_text()
    shot(page, "07-conflict-both-versions")
    elder.household.refresh_from_db()
    assert elder.household.kind == "family" and elder.household.version == 2  # nothing overwritten
    conflict.locator("[data-sz-keep=mine]").click()
    page.wait_for_selector("[data-sz-state=resolved]")
    wait_synced(page)
    elder.household.refresh_from_db()
    assert elder.household.kind == "collective" and not elder.household.living_here and elder.household.version == 3
    shot(page, "08-conflict-resolved")

    # --- 200 queued offline, the page closed, reopened online; every sync request reaches the server twice ---
    ctx.set_offline(True)
    items = queued_items(elder.household.pk, dwellings[2].pk, QUEUED)
    page.evaluate(QUEUE_200, [str(worker.pk), items])
    page.close()
    before = {"visits": HomeVisit.objects.count(), "cases": Case.objects.count(), "households": Household.objects.count()}
    page = ctx.new_page()
    page.set_default_timeout(60000)
    page.add_init_script(SEND_TWICE)
    ctx.set_offline(False)
    start = time.monotonic()
    page.goto("/field/")
    wait_synced(page, timeout=120)
    sync_seconds = time.monotonic() - start
    shot(page, "09-home-200-synced")
    sent_twice = page.evaluate("window.__sentTwice")
    expected = {"visits": sum(i["kind"] == "visit_create" for i in items),
                "cases": sum(i["kind"] == "case_create" for i in items),
                "households": sum(i["kind"] == "household_create" for i in items)}
    got = {"visits": HomeVisit.objects.count() - before["visits"], "cases": Case.objects.count() - before["cases"],
           "households": Household.objects.count() - before["households"]}
    receipts = SyncReceipt.objects.filter(user=worker, client_id__in=[i["client_id"] for i in items])
    figures["sync_200"] = {
        "items": QUEUED, "seconds": round(sync_seconds, 2), "requests_sent_twice": sent_twice,
        "duplicates": sum(max(0, got[k] - expected[k]) for k in expected),
        "lost": sum(max(0, expected[k] - got[k]) for k in expected),
        "refused": receipts.exclude(status="done").count(),
    }
    print(json.dumps(figures, ensure_ascii=False))
    os.makedirs(os.path.dirname(FIGURES), exist_ok=True)
    with open(FIGURES, "w", encoding="utf-8") as f:
        json.dump(figures, f, ensure_ascii=False, indent=2)
    assert got == expected and receipts.filter(status="done").count() == QUEUED and sent_twice >= QUEUED // 50
    for run in ("offline", "3g"):
        assert all(job["taps"] <= 12 for job in figures[run].values()), figures[run]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_field_pages_pass_axe_at_both_widths(browser_page, world):
    """The sweep of tests/test_a11y.py, for these pages alone (it covers them too: they are declared routes)."""
    make_category(code="water", name="水管漏水")
    make_user(Role.GRID_WORKER, world.grid.code, username="li")
    person_in(world.grid.code, household=household_in(world.grid.code), name="王大爷")
    page = browser_page("phone")
    page.login("li", PASSWORD)
    found = {}
    for url in ("/field/", "/field/household/new/", "/field/visit/new/", "/field/case/new/"):
        page.goto(url)
        page.wait_for_selector("body[data-sz-ready='1'], form[data-sz-ready='1']")
        for width in (375, 1440):
            page.set_viewport_size({"width": width, "height": 900})
            problems = [v["id"] for v in a11y.axe_violations(page)] + a11y.structure_problems(page)
            if problems:
                found[f"{url} {width}"] = problems
    assert not found, found
