"""Load test of the cluster (issue 20): Locust drives grid workers, staff, managers and residents at the haproxy
front of `scripts/cluster up` on loopback, bounded in users and time; prints JSON with requests/s, p50/p95/p99
per page type, errors and the machine's load average.

    scripts/cluster up
    eval "$(scripts/cluster env)"; .venv/bin/python bench/load_test.py --users 200 --spawn-rate 20 --time 60

The JSON: users (+ 2 probe users), per page type and overall requests, failures, req/s, p50/p95/p99/max (exact,
from every response time the locustfile recorded), errors (Locust's failure table), the load average before and
after, and the baseline in the same run: /healthz/ (through haproxy and an app thread, so it shows queueing in the
app tier) and a static file (served from haproxy's cache, so it shows the machine itself); each page's p95 is also
given as a ratio to /healthz/'s.

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


PROBES = 2  # the locustfile's Probe users (baseline requests), spawned on top of --users


def locust_bin() -> Path:
    exe = LOCUST_VENV / "bin" / "locust"
    if not exe.exists():
        subprocess.run(["python3", "-m", "venv", str(LOCUST_VENV)], check=True)
        subprocess.run([str(LOCUST_VENV / "bin" / "pip"), "install", "-q", "locust"], check=True)
    return exe


def sessions(per_kind: int, seconds: float) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shanzhi.settings")
    import django

    django.setup()
    from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret
    from django.templatetags.static import static
    from django.test import Client

    from shanzhi.accounts.models import RoleGrant, User
    from shanzhi.cases.models import Case, Category
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
                                       "csrftoken": _mask_cipher_secret(secret), "region_code": grant.region_code,
                                       "user": user})
    staff = RoleGrant.objects.filter(user__username="community_staff").first()
    out["case_ids"] = list(Case.objects.filter(region_code__startswith=staff.region_code)
                           .values_list("pk", flat=True)[:200]) or [0]
    # what the writes need: categories a case can be filed under without extra answers, each staff user's own
    # newly reported cases to accept (one case, one user: a refusal is then a real failure, not a race), and for
    # each resident the open public cases of their community they may still follow
    fileable = [cat for cat in Category.objects.filter(active=True, children__isnull=True, is_public=True)
                if not any(f.get("required") for f in cat.extra_fields or [])]
    if not fileable:
        raise SystemExit("no active leaf category without required extra fields to file cases under")
    out["file_categories"] = [cat.pk for cat in fileable]
    pool = int(seconds // 20) + 2  # a staff user starts a transition at most every 5 s × 11/2 (its task weights)
    staff_entries = out["users"]["community_staff"]
    # cases still waiting from earlier runs (the grid workers' filings, unused pools) first, so runs do not pile up
    waiting = list(Case.objects.filter(region_code__startswith=staff.region_code, state="reported",
                                       duplicate_of__isnull=True).order_by("pk")
                   .values("id", "version")[:pool * len(staff_entries)])
    for i, entry in enumerate(staff_entries):
        entry["accept"] = waiting[i::len(staff_entries)]
        entry["accept"] += _reported_cases(entry, fileable[0], pool - len(entry["accept"]))
    for entry in out["users"]["resident"]:
        entry["follow"] = _followable(entry["user"])
    for entries in out["users"].values():
        for entry in entries:
            del entry["user"]
    out["static_url"] = static("shanzhi/app.css")  # the hashed name whitenoise serves with a year's cache
    return out


def _reported_cases(entry: dict, category, n: int) -> list[dict]:
    """`n` new cases in the staff user's community, state 报告 (reported), for that user to accept: [{id, version}]."""
    from shanzhi.cases import choices as c
    from shanzhi.cases import services
    from shanzhi.regions.choices import Level
    from shanzhi.regions.models import Region

    grids = list(Region.objects.filter(code__startswith=entry["region_code"], level=Level.GRID)
                 .order_by("code").values_list("code", flat=True)[:20])
    made = []
    for i in range(n):
        case = services.case_create(actor=entry["user"], category=category, channel=c.Channel.WALK_IN,
                                    title=f"压测来访 {i}", description="压测：居民来访反映的问题，待受理。",
                                    region_code=grids[i % len(grids)], notify_staff=False)
        made.append({"id": case.pk, "version": case.version})
    return made


def _followable(user) -> list[int]:
    """Open public cases of the resident's community, not reported by them, not yet followed by them (shuffled)."""
    import random

    from shanzhi.cases import choices as c
    from shanzhi.cases.duplicates import visible_cases
    from shanzhi.cases.models import CaseFollower
    from shanzhi.core.scope import grants_of

    communities = {code[:12] for _, code in grants_of(user)}
    followed = CaseFollower.objects.filter(user=user).values_list("case_id", flat=True)
    ids = [pk for pk, code in visible_cases(user).filter(state__in=c.OPEN_STATES, duplicate_of__isnull=True)
           .exclude(reporter_user=user).exclude(pk__in=followed).values_list("pk", "region_code")
           if code[:12] in communities]
    random.shuffle(ids)
    return ids


def _percentile(values: list[float], p: float) -> int:
    values = sorted(values)
    if not values:
        return 0
    return int(values[min(len(values) - 1, int(round(p * (len(values) - 1))))])


def _entry(ok: list[float], failed: list[float], seconds: float) -> dict:
    every = ok + failed
    return {"requests": len(every), "failures": len(failed), "req_per_s": round(len(every) / seconds, 1),
            "p50_ms": _percentile(every, 0.50), "p95_ms": _percentile(every, 0.95),
            "p99_ms": _percentile(every, 0.99), "max_ms": int(max(every, default=0))}


def summarise(times_file: Path, failures_csv: Path, seconds: float) -> dict:
    """Exact percentiles from every response time the locustfile recorded (a failed request counts with its time)."""
    times = json.loads(times_file.read_text()) if times_file.exists() else {}
    names = sorted({n.removeprefix("!") for n in times})
    pages, baseline, ok_all, failed_all = {}, {}, [], []
    for name in names:
        ok, failed = times.get(name, []), times.get("!" + name, [])
        if name.startswith("baseline: "):
            baseline[name.removeprefix("baseline: ")] = _entry(ok, failed, seconds)
        else:
            pages[name] = _entry(ok, failed, seconds)
            ok_all += ok
            failed_all += failed
    failures = []
    if failures_csv.exists():
        failures = [{"page": f["Name"], "error": f["Error"], "count": int(f["Occurrences"])}
                    for f in csv.DictReader(open(failures_csv))]
    peer = baseline.get("/healthz/", {}).get("p95_ms") or 0
    for entry in pages.values():
        entry["p95_vs_healthz"] = round(entry["p95_ms"] / peer, 1) if peer else None
    total = _entry(ok_all, failed_all, seconds)
    total["p95_vs_healthz"] = round(total["p95_ms"] / peer, 1) if peer else None
    return {"total": total, "pages": pages, "baseline": baseline, "errors": failures}


def seconds_of(duration: str) -> float:
    units = {"s": 1, "m": 60, "h": 3600}
    return float(duration[:-1]) * units[duration[-1]] if duration[-1] in units else float(duration)


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
        session_file.write_text(json.dumps(sessions(per_kind, seconds_of(args.time))))
        prefix = str(Path(tmp) / "locust")
        times_file = Path(tmp) / "times.json"
        load_before = os.getloadavg()
        subprocess.run([str(exe), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
                        "-u", str(args.users + PROBES), "-r", str(args.spawn_rate), "-t", args.time, "--host", args.host, "--csv", prefix,
                        "--only-summary", "--stop-timeout", "5", "--loglevel", "WARNING"],
                       env={**os.environ, "LOAD_SESSIONS": str(session_file), "LOAD_TIMES": str(times_file)},
                       check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        load_after = os.getloadavg()
        result = summarise(times_file, Path(f"{prefix}_failures.csv"), seconds_of(args.time))
    total = result["total"] or {}
    worst_p95 = max((p["p95_ms"] for p in result["pages"].values()), default=0)
    out = {"benchmark": "load_test", "users": args.users, "probe_users": PROBES, "duration": args.time, "host": args.host,
           "cpus": os.cpu_count(), "load_average_before": [round(x, 2) for x in load_before],
           "load_average_after": [round(x, 2) for x in load_after], **result,
           "goal": {"users": 200, "page_p95_ms": 300, "errors": 0},
           "goal_met": bool(total.get("requests")) and worst_p95 <= 300 and total.get("failures", 1) == 0,
           "worst_page_p95_ms": worst_p95}
    print(json.dumps(out, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
