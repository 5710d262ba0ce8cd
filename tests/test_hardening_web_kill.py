"""Fault injection: kill -9 of the web process while cases move through their workflow.

A real gunicorn serves the API from its own copy of the test database (tests/conftest.py's scratch_database);
a client drives cases through 受理 → 分派 → 处置 → 办结 → 核查 → 反馈 → 评价 → 归档 while the server is killed
with SIGKILL at random moments and started again. Afterwards nothing may be half written: every case's state and
version agree with its history rows, every transition has its audit row, and `shanzhi ledger reconcile` passes.
The figures (transitions, kills, refused or lost requests, inconsistencies) are printed and written to
test-artifacts/hardening-web-kill-<backend>.json and printed in the run's "hardening figures" block.
"""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from threading import Timer

import pytest
import requests

from tests.hardening import ROOT, manage, record

pytestmark = [pytest.mark.hardening, pytest.mark.django_db(transaction=True)]

# the next step from each state, with its form data; one grid leader can take every step of its grid's cases
STEPS = [("accept", {}), ("assign", {"assignee": "LEADER"}), ("start", {}),
         ("complete", {"outcome": "fixed", "note": "已修复"}), ("verify", {}), ("feedback", {"note": "已反馈"}),
         ("rate", {"score": 5}), ("archive", {})]
NEXT = dict(zip(["reported", "accepted", "dispatched", "handling", "completed", "verified", "feedback", "rated"],
                STEPS, strict=True))
CASES = 12  # as made by SETUP
KILLS = 6

SETUP = """
import json
from shanzhi.core.roles import Role
from shanzhi.cases.testing import make_case, make_category
from shanzhi.core.testing import make_user, make_world
world = make_world()
leader = make_user(Role.GRID_LEADER, world.grid.code, username="killtest")
category = make_category()
cases = [make_case(world.grid.code, actor=leader, category=category, title=f"井盖{i}").pk for i in range(12)]
print(json.dumps({"leader": leader.pk, "cases": cases}))
"""

CHECK = """
import json, os
from shanzhi.audit.models import AuditEvent
from shanzhi.cases.models import Case
steps = json.loads(os.environ["KILL_STEPS"])
out = {"cases": 0, "history": 0, "audit": 0, "bad": []}
for case in Case.objects.order_by("pk"):
    rows = [h for h in case.history.order_by("at", "pk") if h.action in steps]
    audits = AuditEvent.objects.filter(object_type="cases.case", object_id=str(case.pk),
                                       action__in=[f"case.{a}" for a in steps]).count()
    out["cases"] += 1
    out["history"] += len(rows)
    out["audit"] += audits
    if rows and rows[-1].to_state != case.state:
        out["bad"].append(f"case {case.pk}: state {case.state} but its last history row says {rows[-1].to_state}")
    if len({h.action for h in rows}) != len(rows):
        out["bad"].append(f"case {case.pk}: a step was written twice")
    if audits != len(rows):
        out["bad"].append(f"case {case.pk}: {len(rows)} transitions but {audits} audit rows")
print(json.dumps(out))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, env, port):
        self.env, self.port, self.proc = env, port, None

    def start(self):
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.proc = subprocess.Popen(
            [str(gunicorn), "shanzhi.wsgi:application", "--bind", f"127.0.0.1:{self.port}", "--workers", "1",
             "--threads", "1", "--timeout", "60"], env=self.env, cwd=ROOT, start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(300):
            try:
                requests.get(f"http://127.0.0.1:{self.port}/accounts/login/", timeout=10)
                return
            except requests.RequestException:
                time.sleep(0.1)
        raise AssertionError("gunicorn did not start")

    def kill(self):
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()


def _login(base: str) -> requests.Session:
    s = requests.Session()
    s.get(f"{base}/accounts/login/", timeout=10)
    r = s.post(f"{base}/accounts/login/", data={"username": "killtest", "password": "Tz-Secr3t-pass",
                                                 "csrfmiddlewaretoken": s.cookies["csrftoken"]},
               headers={"Referer": f"{base}/accounts/login/"}, timeout=10)
    assert r.status_code == 200 and "sessionid" in s.cookies, r.text[-500:]
    return s


def test_kill_the_web_process_during_transitions(scratch_database):
    env = scratch_database.env({**os.environ, "KILL_STEPS": json.dumps([a for a, _d in STEPS])})
    made = json.loads(manage(env, "shell", code=SETUP).strip().splitlines()[-1])
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = Server(env, port)
    server.start()
    session = _login(base)
    rng = random.Random(20261130)
    figures = {"transitions": 0, "kills": 0, "lost_requests": 0, "server_errors": 0}
    kill_at = sorted(rng.sample(range(3, CASES * len(STEPS) - 3), KILLS))
    sent = 0
    for pk in made["cases"]:
        while True:
            detail = session.get(f"{base}/api/cases/{pk}", timeout=30).json()
            if detail["state"] == "archived":
                break
            action, data = NEXT[detail["state"]]
            payload = {"action": action, "version": detail["version"],
                       **{k: (made["leader"] if v == "LEADER" else v) for k, v in data.items()}}
            headers = {"X-CSRFToken": session.cookies["csrftoken"]}
            sent += 1
            if figures["kills"] < KILLS and sent == kill_at[figures["kills"]]:
                # kill while the request is in flight: some commit, some never reach the database
                Timer(rng.uniform(0.0, 0.05), server.kill).start()
                try:
                    session.post(f"{base}/api/cases/{pk}/transitions", json=payload, timeout=30, headers=headers)
                except requests.RequestException:
                    figures["lost_requests"] += 1
                time.sleep(0.1)
                if server.proc.poll() is None:
                    server.kill()
                figures["kills"] += 1
                server.start()
                continue
            r = session.post(f"{base}/api/cases/{pk}/transitions", json=payload, timeout=30, headers=headers)
            if r.status_code >= 500:
                figures["server_errors"] += 1
            assert r.status_code == 200, (action, r.status_code, r.text[:500])
            figures["transitions"] += 1
    server.kill()
    check = json.loads(manage(env, "shell", code=CHECK).strip().splitlines()[-1])
    reconcile = subprocess.run([sys.executable, "-m", "shanzhi", "ledger", "reconcile"], env=env, cwd=ROOT,
                               capture_output=True, text=True, timeout=300)
    figures |= {"cases": check["cases"], "history_rows": check["history"], "audit_rows": check["audit"],
                "half_written": len(check["bad"]), "ledger_reconcile_rc": reconcile.returncode}
    record("web-kill", "transitions", figures)
    assert check["bad"] == [], check["bad"]
    assert figures["kills"] == KILLS and figures["server_errors"] == 0
    assert reconcile.returncode == 0, reconcile.stdout + reconcile.stderr
