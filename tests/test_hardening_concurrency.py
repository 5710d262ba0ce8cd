"""Hardening: 50 concurrent edits of one person, one case, one store item and one sign-up slot, each on
its own thread and database connection. Nothing may be lost (every success is exactly one version, one
audit or history row) and nothing may fail with a server error; refusals are conflicts or a clear
"sold out"/"full". The figures of each run go to test-artifacts/hardening-concurrency-<backend>.json and the
run's "hardening figures" block.

Real threads need a database that lets several connections wait for each other: PostgreSQL, or SQLite in
a file (WAL, busy timeout, IMMEDIATE transactions). Shared-cache in-memory SQLite — the suite's usual test
database — refuses a second writer outright instead of waiting, so on it this module copies the migrated
test database into a temporary file and points every connection there while its tests run."""

from __future__ import annotations

import sqlite3
import threading
from collections import Counter

import pytest
from django.db import connection

from shanzhi.audit.models import AuditEvent
from shanzhi.cases.models import Case, CaseHistory
from shanzhi.cases.services import case_recategorise
from shanzhi.cases.testing import make_case, make_category
from shanzhi.core.errors import ConflictError, ServiceError
from shanzhi.core.roles import Role
from shanzhi.ledger.choices import Ledger
from shanzhi.ledger.services import points_award
from shanzhi.registry.models import Person
from shanzhi.registry.services import person_update
from shanzhi.registry.testing import person_in
from shanzhi.volunteering.choices import OrderState, SignUpState
from shanzhi.volunteering.models import Order, SignUp, StoreItem
from shanzhi.volunteering.services import signup_transition
from shanzhi.volunteering.store import order_place, store_item_create
from shanzhi.volunteering.testing import make_activity, make_person, make_volunteer
from tests.hardening import record

N = 50
BUSY_TIMEOUT_MS = 60_000  # 50 writers queue for one lock on a busy 2-core machine

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.hardening]


@pytest.fixture(scope="module", autouse=True)
def _sqlite_in_a_file(django_db_setup, django_db_blocker, tmp_path_factory):
    """On in-memory SQLite: this module's tests (and their threads) use a WAL file copy of the test database."""
    settings_dict = connection.settings_dict
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield
        return
    memory_name, options = settings_dict["NAME"], settings_dict["OPTIONS"]
    path = tmp_path_factory.mktemp("concurrency") / "db.sqlite3"
    with django_db_blocker.unblock():
        keep = sqlite3.connect(memory_name, uri=True)  # the in-memory database lives while one connection does
        try:
            with sqlite3.connect(path) as copy:
                keep.backup(copy)
            copy.close()
            settings_dict["NAME"] = str(path)
            settings_dict["OPTIONS"] = {**options, "init_command": (
                f"PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout={BUSY_TIMEOUT_MS};"
                " PRAGMA foreign_keys=ON;"), "transaction_mode": "IMMEDIATE"}
            connection.close()  # the next query opens the file
            yield
        finally:
            connection.close()
            settings_dict["NAME"], settings_dict["OPTIONS"] = memory_name, options
            connection.ensure_connection()  # back on the in-memory database before `keep` lets it go
            keep.close()


def _race(work, n: int = N) -> dict:
    """Run `work(i)` on n threads released together. It returns an outcome label or raises: a ServiceError
    is a refusal (its code), anything else a server error. Returns the labels counted and the errors."""
    barrier, outcomes, errors = threading.Barrier(n), [], []

    def run(i):
        try:
            barrier.wait()
            outcomes.append(work(i))
        except ConflictError:
            outcomes.append("conflict")
        except ServiceError as e:  # NotAllowed and other refusals the user sees in Chinese
            outcomes.append(getattr(e, "code", None) or "refused")
        except Exception as e:  # noqa: BLE001 — exactly what the test counts
            errors.append(f"{type(e).__name__}: {e}")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"counts": Counter(outcomes), "errors": errors}


def _record(name: str, result: dict, **extra) -> dict:
    counts = result["counts"]
    figures = {"attempts": N, "successes": counts.get("ok", 0), "conflicts": counts.get("conflict", 0),
               "refusals": sum(v for k, v in counts.items() if k not in {"ok", "conflict"}),
               "errors": len(result["errors"]), "backend": connection.vendor, **extra}
    record("concurrency", name, figures)
    assert not result["errors"], result["errors"][:5]
    assert figures["successes"] + figures["conflicts"] + figures["refusals"] == N
    return figures


def _retrying(edit, reload, tries: int = 3):
    """An editor who reloads and tries again after a conflict, as a person would."""
    def work(i):
        for attempt in range(tries):
            try:
                return edit(i, reload())
            except ConflictError:
                if attempt == tries - 1:
                    raise
        return None
    return work


def test_fifty_concurrent_edits_of_one_person(world, make_user):
    worker = make_user(Role.GRID_WORKER, world.grid.code)
    person = person_in(world.grid.code, name="赵一", id_number="")
    start = person.version
    written = {}

    def edit(i, fresh):
        updated = person_update(actor=worker, person=fresh, version=fresh.version, current_address=f"幸福路{i}号")
        written[updated.version] = f"幸福路{i}号"
        return "ok"

    result = _race(_retrying(edit, lambda: Person.objects.get(pk=person.pk)))
    figures = _record("person", result)
    final = Person.objects.get(pk=person.pk)
    # no lost update: every success wrote its own version, and the row holds the last one's value
    assert sorted(written) == list(range(start + 1, start + 1 + figures["successes"]))
    assert final.version == start + figures["successes"] and final.current_address == written[final.version]
    assert AuditEvent.objects.filter(action="registry.person.update", object_id=str(person.pk)).count() \
        == figures["successes"]


def test_fifty_concurrent_recategorisations_of_one_case(world, make_user):
    leader = make_user(Role.GRID_LEADER, world.grid.code)
    case = make_case(world.grid.code)
    categories = [make_category(code=f"cat{i}", name=f"类别{i}") for i in range(3)]
    start = case.version
    written = {}

    def edit(i, fresh):
        updated = case_recategorise(actor=leader, case=fresh, category=categories[i % 3], reason=f"调整{i}")
        written[updated.version] = categories[i % 3].pk
        return "ok"

    result = _race(_retrying(edit, lambda: Case.objects.select_related("category").get(pk=case.pk)))
    figures = _record("case", result)
    final = Case.objects.get(pk=case.pk)
    assert final.version == start + figures["successes"] and final.category_id == written[final.version]
    assert CaseHistory.objects.filter(case=case, action="recategorise").count() == figures["successes"]


def test_fifty_concurrent_orders_of_one_store_item(world, make_user):
    staff = make_user(Role.COMMUNITY_STAFF, world.community.code)
    stock, price = 20, 5
    item = store_item_create(actor=staff, region_code=world.community.code, name="毛巾", points_price=price,
                             stock=stock)
    people = [make_person(world.grid.code) for _ in range(N)]
    for i, p in enumerate(people):
        points_award(actor=None, ledger=Ledger.VOLUNTEER, person=p, amount=price, idempotency_key=f"hc:{item.pk}:{i}")

    def work(i):
        order_place(actor=None, item=StoreItem.objects.get(pk=item.pk), person=people[i])
        return "ok"

    figures = _record("store_item", _race(work))
    item.refresh_from_db()
    # every unit is sold once: no oversell, no unit lost
    assert figures["successes"] == stock and item.stock == 0
    assert Order.objects.filter(item=item, state=OrderState.FROZEN).count() == stock


def test_fifty_concurrent_approvals_for_one_slot(world, make_user):
    staff = make_user(Role.COMMUNITY_STAFF, world.community.code)
    activity = make_activity(world.grid.code, staff, slots=1)
    signups = [SignUp.objects.create(activity=activity, volunteer=make_volunteer(world.grid.code, verified_by=staff),
                                     region_code=activity.region_code) for _ in range(N)]

    def work(i):
        signup_transition(actor=staff, signup=signups[i], action="approve")
        return "ok"

    figures = _record("signup_slot", _race(work))
    assert figures["successes"] == 1
    assert SignUp.objects.filter(activity=activity, state=SignUpState.APPROVED).count() == 1
