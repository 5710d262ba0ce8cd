"""Case create + three transitions (accept, assign, start) per second, against django-helpdesk doing
ticket create + three follow-ups (its `update_ticket` service: comment, assign, status change) on the
same database in the same run.

django-helpdesk is not a project dependency. Put it in a separate directory (never the project venv):
    .venv/bin/pip install --target /tmp/helpdesk_pkgs django-helpdesk
    HELPDESK_PATH=/tmp/helpdesk_pkgs DATABASE_URL=postgres://postgres@127.0.0.1:5432/shanzhi_cases_tp \\
        .venv/bin/python bench/cases_throughput.py
Without it the peer is reported as "skipped". Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
if os.environ.get("HELPDESK_PATH"):
    sys.path.append(os.environ["HELPDESK_PATH"])  # after the venv, so the project's Django wins


def settings_module() -> str:
    try:
        import helpdesk  # noqa: F401
    except ImportError:
        return "shanzhi.settings"
    return "bench.helpdesk_settings"


os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module())


def setup_cases():
    from shanzhi.accounts.roles import Role
    from shanzhi.cases.services import case_create, case_transition
    from shanzhi.cases.testing import make_category
    from shanzhi.core.testing import make_user, make_world

    world = make_world()
    stamp = time.time_ns()
    worker = make_user(Role.GRID_WORKER, world.grid.code, username=f"tpw{stamp}")
    leader = make_user(Role.GRID_LEADER, world.grid.code, username=f"tpl{stamp}")
    cat = make_category(code="tp", name="吞吐")

    def run(n: int) -> float:
        t = time.perf_counter()
        for i in range(n):
            case = case_create(actor=worker, category=cat, channel="patrol", title=f"问题{i}", description="描述",
                               region_code=world.grid.code)
            case = case_transition(actor=leader, case=case, action="accept")
            case = case_transition(actor=leader, case=case, action="assign", data={"assignee": worker.pk})
            case_transition(actor=worker, case=case, action="start")
        return time.perf_counter() - t

    return run


def setup_helpdesk():
    try:
        from helpdesk.models import Queue, Ticket
        from helpdesk.update_ticket import update_ticket
    except ImportError:
        return None
    from shanzhi.core.testing import make_user

    staff = make_user(username=f"hd{time.time_ns()}", is_staff=True, email="hd@example.org")
    queue, _ = Queue.objects.get_or_create(slug="bench", defaults={"title": "Bench", "allow_public_submission": False})

    def run(n: int) -> float:
        t = time.perf_counter()
        for i in range(n):
            ticket = Ticket.objects.create(title=f"问题{i}", queue=queue, description="描述",
                                           submitter_email="r@example.org")
            update_ticket(staff, ticket, comment="受理")
            update_ticket(staff, ticket, comment="分派", owner=staff.pk)
            update_ticket(staff, ticket, comment="开始处置", new_status=Ticket.OPEN_STATUS)
        return time.perf_counter() - t

    return run


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=300)
    args = ap.parse_args()
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from django.db import connection

    # alternate rounds so that both sides see the same load on a shared machine
    ours_run, peer_run = setup_cases(), setup_helpdesk()
    rounds, ours_t, peer_t = 10, 0.0, 0.0
    for _ in range(rounds):
        ours_t += ours_run(args.n // rounds)
        if peer_run:
            peer_t += peer_run(args.n // rounds)
    done = args.n // rounds * rounds
    ours, peer = done / ours_t, (done / peer_t if peer_run else None)
    out = {"database": connection.vendor, "n": args.n,
           "shanzhi_cases_per_s": round(ours, 1),
           "helpdesk_tickets_per_s": round(peer, 1) if peer else "skipped (django-helpdesk not importable)"}
    if peer:
        out["ratio"] = round(ours / peer, 2)
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
