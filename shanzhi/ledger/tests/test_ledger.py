import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from shanzhi.core.errors import ServiceError
from shanzhi.ledger.choices import ISSUER, Ledger, TransferKind
from shanzhi.ledger.models import Account, Entry, Immutable, Transfer
from shanzhi.ledger.selectors import balance_of, reconcile
from shanzhi.ledger.services import (
    person_account,
    points_award,
    points_deduct,
    system_account,
    transfer_create,
    transfer_void,
)
from shanzhi.registry.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(world):
    return Person.objects.create(name="王小明", region_code=world.grid.code)


def test_award_writes_two_opposite_entries_and_caches_balance(person):
    t = points_award(actor=None, ledger=Ledger.VOLUNTEER, person=person, amount=30, idempotency_key="a1", memo="活动")
    assert sorted(Entry.objects.filter(transfer=t).values_list("amount", flat=True)) == [-30, 30]
    assert balance_of(person=person, ledger=Ledger.VOLUNTEER) == 30
    assert system_account(ledger=Ledger.VOLUNTEER, key=ISSUER).balance == -30
    assert reconcile().ok


def test_repeated_award_with_same_key_is_harmless(person):
    first = points_award(actor=None, ledger=Ledger.VOLUNTEER, person=person, amount=10, idempotency_key="k")
    again = points_award(actor=None, ledger=Ledger.VOLUNTEER, person=person, amount=10, idempotency_key="k")
    assert first.pk == again.pk
    assert balance_of(person=person, ledger=Ledger.VOLUNTEER) == 10
    assert Entry.objects.count() == 2


def test_volunteer_and_party_points_are_separate_ledgers(person):
    points_award(actor=None, ledger=Ledger.VOLUNTEER, person=person, amount=10, idempotency_key="v")
    points_award(actor=None, ledger=Ledger.PARTY, person=person, amount=3, idempotency_key="p")
    assert balance_of(person=person, ledger=Ledger.VOLUNTEER) == 10
    assert balance_of(person=person, ledger=Ledger.PARTY) == 3
    party = person_account(ledger=Ledger.PARTY, person=person)
    volunteer = person_account(ledger=Ledger.VOLUNTEER, person=person)
    with pytest.raises(ServiceError):
        transfer_create(actor=None, source=volunteer, target=party, amount=1, kind=TransferKind.AWARD,
                        idempotency_key="x")


def test_no_overdraft_of_volunteer_points_but_party_points_may_go_negative(person):
    points_award(actor=None, ledger=Ledger.VOLUNTEER, person=person, amount=5, idempotency_key="v")
    escrow = system_account(ledger=Ledger.VOLUNTEER, key="escrow")
    with pytest.raises(ServiceError) as e:
        transfer_create(actor=None, source=person_account(ledger=Ledger.VOLUNTEER, person=person), target=escrow,
                        amount=6, kind=TransferKind.ORDER_FREEZE, idempotency_key="o")
    assert "积分不足" in e.value.user_message
    assert not Transfer.objects.filter(idempotency_key="o").exists()
    points_deduct(actor=None, ledger=Ledger.PARTY, person=person, amount=2, idempotency_key="d")
    assert balance_of(person=person, ledger=Ledger.PARTY) == -2
    assert reconcile().ok


def test_check_constraint_refuses_negative_balance_even_past_the_service(person):
    account = person_account(ledger=Ledger.VOLUNTEER, person=person)
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.filter(pk=account.pk).update(balance=-1)


def test_void_is_a_reversal_and_only_once(person):
    t = points_award(actor=None, ledger=Ledger.VOLUNTEER, person=person, amount=8, idempotency_key="a")
    r1 = transfer_void(actor=None, transfer=t, reason="误发")
    r2 = transfer_void(actor=None, transfer=t, reason="误发")
    assert r1.pk == r2.pk and r1.reverses_id == t.pk and r1.kind == TransferKind.VOID
    assert balance_of(person=person, ledger=Ledger.VOLUNTEER) == 0
    assert Entry.objects.count() == 4
    with pytest.raises(ServiceError):
        transfer_void(actor=None, transfer=r1)
    assert reconcile().ok


def test_entries_and_transfers_are_never_edited_or_deleted(person):
    t = points_award(actor=None, ledger=Ledger.VOLUNTEER, person=person, amount=8, idempotency_key="a")
    entry = Entry.objects.filter(transfer=t).first()
    with pytest.raises(Immutable):
        entry.save()
    with pytest.raises(Immutable):
        entry.delete()
    with pytest.raises(Immutable):
        Entry.objects.filter(pk=entry.pk).update(amount=1)
    with pytest.raises(Immutable):
        Transfer.objects.all().delete()
    # the database refuses too, behind the model's back
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as c:
        c.execute("UPDATE ledger_entry SET amount = 1 WHERE id = %s", [entry.pk])


def test_reconcile_command_fails_when_the_books_do_not_balance(person, capsys):
    points_award(actor=None, ledger=Ledger.VOLUNTEER, person=person, amount=8, idempotency_key="a")
    call_command("ledger", "reconcile")
    assert "账平" in capsys.readouterr().out
    Account.objects.filter(person=person).update(balance=9)
    with pytest.raises(SystemExit) as e:
        call_command("ledger", "reconcile", "--json")
    assert e.value.code == 1
    assert '"ok": false' in capsys.readouterr().out
