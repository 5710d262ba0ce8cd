"""Load test of the cluster (issue 20): Locust drives grid workers, staff, managers and residents at the haproxy
front of `scripts/cluster up` on loopback, bounded in users and time; prints JSON with requests/s, p50/p95/p99
per page type, errors and the machine's load average.

    scripts/cluster up
    eval "$(scripts/cluster env)"; .venv/bin/python bench/load_test.py --users 200 --spawn-rate 20 --time 60

The simulated users are load-test accounts made here (`load-<role>-<n>`, the demo's roles and scopes), signed in
once through Django's session store (Redis in the cluster), with the 2FA step done for the roles that need it.
Locust runs from its own virtualenv (var/cluster/locust-venv, made by this script if missing).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
LOCUST_VENV = ROOT / "var" / "cluster" / "locust-venv"
KINDS = {"grid_worker": "grid_worker", "community_staff": "community_staff", "street_manager": "street_manager",
         "resident": "resident"}  # locust user kind → the demo account whose role and scope it copies


def locust_bin() -> Path:
    exe = LOCUST_VENV / "bin" / "locust"
    if not exe.exists():
        subprocess.run(["python3", "-m", "venv", str(LOCUST_VENV)], check=True)
        subprocess.run([str(LOCUST_VENV / "bin" / "pip"), "install", "-q", "locust"], check=True)
    return exe


def sessions(per_kind: int) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shanzhi.settings")
    import django

    django.setup()
    from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret
    from django.test import Client

    from shanzhi.accounts.models import RoleGrant, User
    from shanzhi.cases.models import Case
    from shanzhi.core.testing import verified_login

    out = {"users": {}, "case_ids": []}
    for kind, demo in KINDS.items():
        grant = RoleGrant.objects.filter(user__username=demo).first()
        if grant is None:
            raise SystemExit(f"demo account {demo} missing: run `shanzhi demo` on the cluster first")
        out["users"][kind] = []
        for n in range(per_kind):
            user, _ = User.objects.get_or_create(username=f"load-{kind}-{n:03d}",
                                                 defaults={"display_name": f"压测{n}", "is_demo": True})
            RoleGrant.objects.get_or_create(user=user, role=grant.role, region_code=grant.region_code,
                                            defaults={"region": grant.region})
            client = Client()
            verified_login(client, user)
            secret = _get_new_csrf_string()
            out["users"][kind].append({"sessionid": client.cookies["sessionid"].value,
                                       "csrftoken": _mask_cipher_secret(secret)})
    staff = RoleGrant.objects.filter(user__username="community_staff").first()
    out["case_ids"] = list(Case.objects.filter(region_code__startswith=staff.region_code)
                           .values_list("pk", flat=True)[:200]) or [0]
    return out


def summarise(prefix: str) -> dict:
    rows = list(csv.DictReader(open(f"{prefix}_stats.csv")))
    pages, total = {}, None
    for r in rows:
        entry = {"requests": int(r["Request Count"]), "failures": int(r["Failure Count"]),
                 "req_per_s": round(float(r["Requests/s"]), 1), "p50_ms": int(float(r["50%"] or 0)),
                 "p95_ms": int(float(r["95%"] or 0)), "p99_ms": int(float(r["99%"] or 0)),
                 "max_ms": int(float(r["Max Response Time"] or 0))}
        if r["Name"] == "Aggregated":
            total = entry
        else:
            pages[r["Name"]] = entry
    failures = []
    if Path(f"{prefix}_failures.csv").exists():
        failures = [{"page": f["Name"], "error": f["Error"], "count": int(f["Occurrences"])}
                    for f in csv.DictReader(open(f"{prefix}_failures.csv"))]
    return {"total": total, "pages": pages, "errors": failures}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--spawn-rate", type=float, default=20)
    parser.add_argument("--time", default="60s")
    parser.add_argument("--host", default="http://127.0.0.1:8100")
    args = parser.parse_args()
    if not args.host.startswith(("http://127.0.0.1", "http://localhost")):
        raise SystemExit("loopback only")
    exe = locust_bin()
    per_kind = max(5, args.users // 4)
    with tempfile.TemporaryDirectory() as tmp:
        session_file = Path(tmp) / "sessions.json"
        session_file.write_text(json.dumps(sessions(per_kind)))
        prefix = str(Path(tmp) / "locust")
        load_before = os.getloadavg()
        subprocess.run([str(exe), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless", "-u", str(args.users),
                        "-r", str(args.spawn_rate), "-t", args.time, "--host", args.host, "--csv", prefix,
                        "--only-summary", "--stop-timeout", "5", "--loglevel", "WARNING"],
                       env={**os.environ, "LOAD_SESSIONS": str(session_file)}, check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        load_after = os.getloadavg()
        result = summarise(prefix)
    total = result["total"] or {}
    worst_p95 = max((p["p95_ms"] for p in result["pages"].values()), default=0)
    out = {"benchmark": "load_test", "users": args.users, "duration": args.time, "host": args.host,
           "cpus": os.cpu_count(), "load_average_before": [round(x, 2) for x in load_before],
           "load_average_after": [round(x, 2) for x in load_after], **result,
           "goal": {"users": 200, "page_p95_ms": 300, "errors": 0},
           "goal_met": bool(total) and worst_p95 <= 300 and total.get("failures", 1) == 0,
           "worst_page_p95_ms": worst_p95}
    print(json.dumps(out, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
