"""Locust users for bench/load_test.py (issue 20): grid workers, staff, managers and residents on the cluster.

Each simulated user takes a ready session cookie from the file LOAD_SESSIONS names (bench/load_test.py signs the
users in once, with the 2FA step done, so the run measures pages, not Argon2). Requests are named by page type;
the wrapper turns Locust's statistics into JSON.

Think time: a user waits 5–15 s (10 s on average) between two requests, the assumption docs/scaling.md
extrapolates from (an active user opens about one page every 10 s).

The writes of the mix: a grid worker files a case (POST /cases/new/), staff accept a newly reported case
(POST /cases/<id>/act/, a workflow transition), a resident follows an open case of their community
(POST /cases/<id>/follow/). Each POST carries the CSRF token and is followed, as a browser does, by the page it
redirects to (its own request name); the write counts as failed unless that page shows Django's success message.
bench/load_test.py hands each staff user its own reported cases and each resident the cases it may still follow,
so a refusal is a real failure, not two users racing for one case; a user whose list is used up skips the write. Two `Probe` users (not counted in --users) fetch /healthz/ and one static
file every second: their p95 under the same load is the run's baseline, so the figures stay honest on a busy
machine.
"""

import json
import os
import random
import re
from itertools import count

from locust import HttpUser, between, constant, events, task

SESSIONS = json.load(open(os.environ["LOAD_SESSIONS"]))
_next = {kind: count() for kind in SESSIONS["users"]}
ALERT = re.compile(r'class="alert alert-danger"[^>]*>([^<]*)')
TIMES: dict[str, list] = {}  # request name -> [response ms, ...]; failed requests are kept under "!" + name


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception=None, **kwargs):
    TIMES.setdefault(("!" if exception else "") + name, []).append(round(response_time, 1))


@events.quitting.add_listener
def _dump(environment, **kwargs):
    if out := os.environ.get("LOAD_TIMES"):
        with open(out, "w") as f:
            json.dump(TIMES, f)


class Base(HttpUser):
    abstract = True
    wait_time = between(5, 15)  # docs/scaling.md: an active user opens about one page every 10 s
    kind = ""

    def on_start(self):
        users = SESSIONS["users"][self.kind]
        self.mine = users[next(_next[self.kind]) % len(users)]  # shared by the users given the same account
        self.client.cookies.set("sessionid", self.mine["sessionid"])
        self.client.cookies.set("csrftoken", self.mine["csrftoken"])
        self.csrftoken = self.mine["csrftoken"]

    def page(self, url, name):
        with self.client.get(url, name=name, catch_response=True, allow_redirects=False) as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code}")

    def write(self, url, data, name, then):
        """POST a form, then GET the page it redirects to (named `then`); failed unless the POST redirects and that
        page shows the success message (Django's messages render as `alert alert-success` in base.html)."""
        data = {"csrfmiddlewaretoken": self.csrftoken, **data}
        with self.client.post(url, data=data, name=name, catch_response=True, allow_redirects=False,
                              headers={"Referer": self.host + url}) as r:
            if r.status_code != 302:
                r.failure(f"{r.status_code}")
                return
            with self.client.get(r.headers["Location"], name=then, catch_response=True, allow_redirects=False) as page:
                if page.status_code != 200:
                    page.failure(f"{page.status_code}")
                    r.failure(f"redirected to a failing page ({page.status_code})")
                elif "alert alert-success" not in page.text:
                    refused = ALERT.search(page.text)
                    r.failure("refused: " + (refused.group(1).strip() if refused else "no success message"))


class GridWorker(Base):
    weight = 4
    kind = "grid_worker"

    @task(4)
    def roster(self):
        self.page("/registry/persons/", "grid: roster")

    @task(2)
    def case_form(self):
        self.page("/cases/new/", "grid: case filing form")

    @task(2)
    def visits(self):
        self.page("/cases/visits/", "grid: visits")

    @task(1)
    def home(self):
        self.page("/", "grid: workbench")

    @task(1)
    def file_case(self):
        self.write("/cases/new/", {"channel": "patrol", "category": random.choice(SESSIONS["file_categories"]),
                                   "region_code": self.mine["region_code"], "urgency": "normal",
                                   "title": "压测巡查：路灯不亮", "description": "压测：巡查发现小区路灯不亮，需要维修。",
                                   "address": ""},
                   "grid: file a case", then="grid: case detail after filing")


class Staff(Base):
    weight = 3
    kind = "community_staff"

    @task(4)
    def case_list(self):
        self.page("/cases/", "staff: case list")

    @task(3)
    def case_detail(self):
        self.page(f"/cases/{random.choice(SESSIONS['case_ids'])}/", "staff: case detail")

    @task(1)
    def export(self):
        self.page("/cases/export/", "staff: case export")

    @task(1)
    def api_list(self):
        self.page("/api/cases/?limit=20", "staff: API case list")

    @task(2)
    def accept(self):
        if not self.mine["accept"]:
            return
        case = self.mine["accept"].pop()
        self.write(f"/cases/{case['id']}/act/", {"action": "accept", "version": case["version"]},
                   "staff: case transition", then="staff: case detail")


class Manager(Base):
    weight = 1
    kind = "street_manager"

    @task(3)
    def cases_dashboard(self):
        self.page("/cases/dashboard/", "manager: cases dashboard")

    @task(2)
    def analytics_dashboard(self):
        self.page("/analytics/", "manager: analytics dashboard")


class Resident(Base):
    weight = 4
    kind = "resident"

    @task(2)
    def report_form(self):
        self.page("/cases/report/", "resident: report form")

    @task(3)
    def follow(self):
        self.page("/cases/mine/", "resident: my cases")

    @task(1)
    def open311(self):
        self.page("/open311/v2/requests.json", "resident: Open311 list")

    @task(1)
    def public(self):
        self.page("/public/", "resident: public notices")

    @task(1)
    def follow_case(self):
        if not self.mine["follow"]:
            return
        self.write(f"/cases/{self.mine['follow'].pop()}/follow/", {}, "resident: follow a case",
                   then="resident: my case detail")


class Probe(HttpUser):
    """The baseline: the cheapest request the app answers, and a static file (whitenoise), under the same load."""
    fixed_count = 2
    wait_time = constant(1)

    @task
    def healthz(self):
        with self.client.get("/healthz/", name="baseline: /healthz/", catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code}")

    @task
    def static(self):
        with self.client.get(SESSIONS["static_url"], name="baseline: static file", catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code}")
