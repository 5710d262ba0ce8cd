"""Every write to the ledger: transfers between accounts, awards, voids.

A transfer first inserts its row (the UNIQUE idempotency key makes a repeat — even a concurrent
one — fail there and return the first transfer), then debits the source with a conditional UPDATE
(`balance >= amount` unless the account may go negative; a CHECK constraint backs it), credits the
target with F(), and writes the two entries, all in one transaction.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from shanzhi.audit.services import audit_log
from shanzhi.core.errors import ServiceError

from .choices import ISSUER, Ledger, OwnerKind, TransferKind
from .models import Account, Entry, Transfer

SYSTEM_NAMES = {ISSUER: _("积分发放"), "escrow": _("兑换冻结")}


def system_account(*, ledger: str, key: str, name: str = "", region_code: str = "",
                   allow_negative: bool | None = None) -> Account:
    """A system or store account, created on first use. The issuer may go negative."""
    owner_kind = OwnerKind.STORE if key.startswith("store:") else OwnerKind.SYSTEM
    account, _created = Account.objects.get_or_create(
        ledger=ledger, key=key,
        defaults={"owner_kind": owner_kind, "name": name or SYSTEM_NAMES.get(key, key), "region_code": region_code,
                  "allow_negative": key == ISSUER if allow_negative is None else allow_negative})
    return account


def person_account(*, ledger: str, person) -> Account:
    """The person's account on a ledger. Party points may go below zero (错误减分); volunteer points may not."""
    account, _created = Account.objects.get_or_create(
        ledger=ledger, person=person,
        defaults={"owner_kind": OwnerKind.PERSON, "name": person.name, "region_code": person.region_code,
                  "allow_negative": ledger == Ledger.PARTY})
    return account


def transfer_create(*, actor, source: Account, target: Account, amount: int, kind: str, idempotency_key: str,
                    memo: str = "", reverses: Transfer | None = None) -> Transfer:
    """Move `amount` points from source to target. Repeating a key returns the first transfer unchanged."""
    amount = int(amount)
    if amount <= 0:
        raise ServiceError(_("积分必须大于零"), field="amount")
    if source.ledger != target.ledger:
        raise ServiceError(_("不能在不同账本之间转移积分"))
    if source.pk == target.pk:
        raise ServiceError(_("转出与转入不能是同一账户"))
    existing = Transfer.objects.filter(idempotency_key=idempotency_key).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            transfer = Transfer.objects.create(
                ledger=source.ledger, kind=kind, idempotency_key=idempotency_key, amount=amount, source=source,
                target=target, memo=memo[:200], reverses=reverses, actor=actor if actor and actor.pk else None,
                region_code=target.region_code if source.owner_kind != OwnerKind.PERSON else source.region_code)
            debited = Account.objects.filter(Q(allow_negative=True) | Q(balance__gte=amount), pk=source.pk).update(
                balance=F("balance") - amount, version=F("version") + 1)
            if debited != 1:
                # no account name: the message may reach someone other than the account's owner
                raise ServiceError(_("积分不足：账户余额少于 %(amount)s 分") % {"amount": amount},
                                   field="amount", code="insufficient")
            Account.objects.filter(pk=target.pk).update(balance=F("balance") + amount, version=F("version") + 1)
            Entry.objects.bulk_create([
                Entry(transfer=transfer, account=source, ledger=source.ledger, kind=kind, amount=-amount,
                      region_code=source.region_code),
                Entry(transfer=transfer, account=target, ledger=target.ledger, kind=kind, amount=amount,
                      region_code=target.region_code),
            ])
    except IntegrityError:
        existing = Transfer.objects.filter(idempotency_key=idempotency_key).first()
        if existing:
            return existing
        raise
    return transfer


@transaction.atomic
def points_award(*, actor, ledger: str, person, amount: int, idempotency_key: str, memo: str = "") -> Transfer:
    """Give a person points from the ledger's issuer (idempotent by key)."""
    issuer = system_account(ledger=ledger, key=ISSUER)
    transfer = transfer_create(actor=actor, source=issuer, target=person_account(ledger=ledger, person=person),
                               amount=amount, kind=TransferKind.AWARD, idempotency_key=idempotency_key, memo=memo)
    audit_log(actor=actor, action="ledger.award", obj=transfer, after={"amount": amount, "key": idempotency_key})
    return transfer


@transaction.atomic
def points_deduct(*, actor, ledger: str, person, amount: int, idempotency_key: str, memo: str = "") -> Transfer:
    """Take points back from a person into the issuer (错误减分)."""
    issuer = system_account(ledger=ledger, key=ISSUER)
    transfer = transfer_create(actor=actor, source=person_account(ledger=ledger, person=person), target=issuer,
                               amount=amount, kind=TransferKind.DEDUCT, idempotency_key=idempotency_key, memo=memo)
    audit_log(actor=actor, action="ledger.deduct", obj=transfer, after={"amount": amount, "key": idempotency_key})
    return transfer


@transaction.atomic
def transfer_void(*, actor, transfer: Transfer, reason: str = "") -> Transfer:
    """Reverse a transfer with an equal and opposite one. Voiding twice returns the first reversal."""
    if transfer.reverses_id:
        raise ServiceError(_("冲正流水不能再冲正"))
    reversal = transfer_create(actor=actor, source=transfer.target, target=transfer.source, amount=transfer.amount,
                               kind=TransferKind.VOID, idempotency_key=f"void:{transfer.pk}",
                               memo=(_("冲正：%(memo)s") % {"memo": reason or transfer.memo})[:200], reverses=transfer)
    audit_log(actor=actor, action="ledger.void", obj=transfer, reason=reason)
    return reversal
