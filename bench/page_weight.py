"""Page weight and first paint on an emulated mid-range phone, against a running shanzhi (as `scripts/run` starts it,
with the demo): the grid worker's home, the case form, and the 民情指数 dashboard (community staff).

For each page, in a fresh browser context with an empty cache, Chromium (Debian's, through Playwright and CDP) is
throttled to 150 ms latency, 1.6 Mbps down / 750 kbps up (Network.emulateNetworkConditions) and a 4× slower CPU
(Emulation.setCPUThrottlingRate). Printed as JSON: bytes transferred (compressed, as on the wire; from
Network.loadingFinished), the number of requests, first paint and first contentful paint (Paint Timing), the load
event, and the bytes a second visit transfers (what the cache saves). Each figure is the median of --runs runs.

    .venv/bin/python bench/page_weight.py [--url http://127.0.0.1:8000] [--logins var/demo-logins.json] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--no-first-run"]
PHONE = {"width": 375, "height": 812}
NETWORK = {"offline": False, "latency": 150, "downloadThroughput": 1_600_000 / 8, "uploadThroughput": 750_000 / 8}
CPU_SLOWDOWN = 4
PAGES = [("grid_worker_home", "grid_worker", "/"), ("case_form", "grid_worker", "/cases/new/"),
         ("dashboard", "community_staff", "/cases/dashboard/")]


def _login(page, base, username, password):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("form[action$='/accounts/login/'] button[type=submit]")


def _measure(page, cdp, url) -> dict:
    sizes: dict[str, float] = {}
    cdp.on("Network.loadingFinished", lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]))
    cdp.send("Network.emulateNetworkConditions", NETWORK)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    page.goto(url, wait_until="load", timeout=120_000)
    timing = page.evaluate("""() => {
        const p = Object.fromEntries(performance.getEntriesByType('paint').map(e => [e.name, e.startTime]));
        const n = performance.getEntriesByType('navigation')[0];
        return {first_paint_ms: p['first-paint'], first_contentful_paint_ms: p['first-contentful-paint'],
                load_ms: n ? n.loadEventEnd : null};
    }""")
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 1})
    return {"bytes": int(sum(sizes.values())), "requests": len(sizes), **timing}


def run_page(browser, base, logins, name, who, path, runs) -> dict:
    cold, warm = [], []
    for _ in range(runs):
        ctx = browser.new_context(viewport=PHONE, locale="zh-CN")
        page = ctx.new_page()
        _login(page, base, who, logins[who])
        cdp = ctx.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.clearBrowserCache")
        page.goto("about:blank")
        cold.append(_measure(page, cdp, base + path))
        page.goto("about:blank")
        warm.append(_measure(page, cdp, base + path))
        ctx.close()
    med = lambda rows, key: statistics.median(r[key] for r in rows if r[key] is not None)  # noqa: E731
    return {"page": name, "path": path, "user": who,
            "transfer_kb": round(med(cold, "bytes") / 1024, 1), "requests": med(cold, "requests"),
            "first_paint_ms": round(med(cold, "first_paint_ms")),
            "first_contentful_paint_ms": round(med(cold, "first_contentful_paint_ms")),
            "load_ms": round(med(cold, "load_ms")),
            "repeat_visit_transfer_kb": round(med(warm, "bytes") / 1024, 1),
            "repeat_visit_first_paint_ms": round(med(warm, "first_paint_ms"))}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", default="http://127.0.0.1:8000")
    ap.add_argument("--logins", default=str(Path(__file__).resolve().parent.parent / "var" / "demo-logins.json"))
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    logins = {row["username"]: row["password"] for row in json.loads(Path(args.logins).read_text())}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        results = [run_page(browser, args.url.rstrip("/"), logins, *page, args.runs) for page in PAGES]
        browser.close()
    goals = {"grid_worker_home": 2000, "case_form": 2000, "dashboard": 4000}
    for r in results:
        r["first_paint_goal_ms"] = goals[r["page"]]
        r["meets_goal"] = r["first_paint_ms"] <= goals[r["page"]] and (r["page"] == "dashboard" or r["transfer_kb"] <= 200)
    json.dump({"network": NETWORK, "cpu_slowdown": CPU_SLOWDOWN, "viewport": PHONE, "runs": args.runs,
               "pages": results}, sys.stdout, ensure_ascii=False, indent=1)
    print()


if __name__ == "__main__":
    main()
