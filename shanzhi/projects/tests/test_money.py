"""No contract is ever overpaid: releases past the contract's remaining amount are refused whole (state, ledger
and paid total together), also when managers approve at the same moment (threads, PostgreSQL)."""

import threading

import pytest
from django.db import connection

from shanzhi.core.errors import ServiceError
from shanzhi.core.roles import Role
from shanzhi.projects import money, services
from shanzhi.projects.models import Milestone, Payment, Project
from shanzhi.projects.testing import make_project


def _requests(project, n, amount):
    m = project.milestones.get(seq=1)
    Milestone.objects.filter(pk=m.pk).update(state="accepted")
    # requests made at the same moment can slip past the request check; the release is the guard
    return Payment.objects.bulk_create([Payment(project=project, milestone=m, region_code=project.region_code,
                                                amount_fen=amount, requested_by=project.signed_by)
                                        for _ in range(n)])


@pytest.mark.django_db
def test_release_past_the_contract_is_refused_whole(world, make_user):
    manager = make_user(Role.STREET_MANAGER, world.street.code)
    project = make_project(world.grid.code, amount_fen=10_000_00, instalments=(10_000_00,))
    payments = _requests(project, 3, 4_000_00)
    services.payment_release(actor=manager, payment=payments[0])
    services.payment_release(actor=manager, payment=payments[1])
    with pytest.raises(ServiceError, match="合同余额不足"):
        services.payment_release(actor=manager, payment=payments[2])
    payments[2].refresh_from_db()
    project.refresh_from_db()
    assert payments[2].state == "requested" and payments[2].transfer_id is None
    assert project.paid_fen == 8_000_00
    assert money.project_account(project).balance == 2_000_00
    assert money.reconcile()["ok"]


@pytest.mark.django_db
def test_a_payment_is_released_once(world, make_user):
    manager = make_user(Role.STREET_MANAGER, world.street.code)
    project = make_project(world.grid.code)
    (payment,) = _requests(project, 1, 1_000_00)
    services.payment_release(actor=manager, payment=payment)
    with pytest.raises(ServiceError):
        services.payment_release(actor=manager, payment=payment)
    project.refresh_from_db()
    assert project.paid_fen == 1_000_00


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks between threads need PostgreSQL")
def test_concurrent_releases_never_overpay(world, make_user):
    manager = make_user(Role.STREET_MANAGER, world.street.code)
    project = make_project(world.grid.code, amount_fen=10_000_00, instalments=(10_000_00,))
    payments = _requests(project, 12, 2_500_00)
    barrier, outcomes, lock = threading.Barrier(len(payments)), [], threading.Lock()

    def release(payment):
        try:
            barrier.wait()
            services.payment_release(actor=manager, payment=payment)
            result = "ok"
        except ServiceError:
            result = "refused"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=release, args=(p,)) for p in payments]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    project = Project.objects.get(pk=project.pk)
    assert outcomes.count("ok") == 4
    assert project.paid_fen == 10_000_00
    assert Payment.objects.filter(project=project, state="released").count() == 4
    assert money.project_account(project).balance == 0
    assert money.reconcile()["ok"]
