"""Case create + three transitions (accept, assign, start) per second, against django-helpdesk doing
ticket create + three follow-ups (its `update_ticket` service: comment, assign, status change) on the
same database in the same run.

Both sides do what their own create does: ours files the case with its history row, audit row,
deadline and inbox messages; helpdesk's saves the ticket, opens it with a follow-up and sends its
new-ticket messages (see setup_helpdesk). A bare ticket INSERT is reported too, as a lower bound.

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
    from shanzhi.cases.services import case_create, case_transition
    from shanzhi.cases.testing import make_category
    from shanzhi.core.roles import Role
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


def setup_helpdesk(*, bare: bool):
    """django-helpdesk's create + three follow-ups. Its create (what its ticket form and its REST API's
    TicketSerializer run, minus the form's field parsing) saves the ticket, opens it with a follow-up
    and sends the new-ticket messages; with `bare` the ticket is only inserted, as a lower bound."""
    try:
        from helpdesk.forms import TicketForm
        from helpdesk.models import FollowUp, Queue, Ticket
        from helpdesk.update_ticket import update_ticket
    except ImportError:
        return None
    from django.utils import timezone

    from shanzhi.core.testing import make_user

    staff = make_user(username=f"hd{time.time_ns()}", is_staff=True, email="hd@example.org")
    queue, _ = Queue.objects.get_or_create(slug="bench", defaults={"title": "Bench", "allow_public_submission": False})

    def create(i):
        ticket = Ticket.objects.create(title=f"问题{i}", queue=queue, description="描述", status=Ticket.OPEN_STATUS,
                                       submitter_email="r@example.org")
        if not bare:
            followup = FollowUp.objects.create(ticket=ticket, title="Ticket Opened", date=timezone.now(), public=True,
                                               comment="描述", user=staff)
            TicketForm._send_messages(ticket, queue, followup, None, user=staff)
        return ticket

    def run(n: int) -> float:
        t = time.perf_counter()
        for i in range(n):
            ticket = create(i)
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

    # alternate rounds so that every side sees the same load on a shared machine
    runs = {"shanzhi": setup_cases(), "helpdesk": setup_helpdesk(bare=False),
            "helpdesk_bare_insert": setup_helpdesk(bare=True)}
    runs = {k: v for k, v in runs.items() if v}
    rounds = 10
    spent = dict.fromkeys(runs, 0.0)
    for _ in range(rounds):
        for name, run in runs.items():
            spent[name] += run(args.n // rounds)
    done = args.n // rounds * rounds
    rate = {name: done / t for name, t in spent.items()}
    out = {"database": connection.vendor, "n": args.n, "shanzhi_cases_per_s": round(rate["shanzhi"], 1)}
    if "helpdesk" in rate:
        out["helpdesk_tickets_per_s"] = round(rate["helpdesk"], 1)
        out["ratio"] = round(rate["shanzhi"] / rate["helpdesk"], 2)
        out["helpdesk_bare_insert_tickets_per_s"] = round(rate["helpdesk_bare_insert"], 1)
        out["ratio_vs_bare_insert"] = round(rate["shanzhi"] / rate["helpdesk_bare_insert"], 2)
    else:
        out["helpdesk_tickets_per_s"] = "skipped (django-helpdesk not importable)"
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
