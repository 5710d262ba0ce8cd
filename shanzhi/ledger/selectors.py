"""Reads of the ledger: balances, statements and the books check."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, F, Q, Sum

from .models import Account, Entry, Transfer


def balance_of(*, person, ledger: str) -> int:
    """The cached balance of the person's account (0 if none yet)."""
    return Account.objects.filter(ledger=ledger, person=person).values_list("balance", flat=True).first() or 0


def statement(*, account: Account, limit: int = 50):
    return (Entry.objects.filter(account=account).select_related("transfer").order_by("-created_at", "-id")[:limit])


def account_list(*, actor, ledger: str | None = None):
    qs = Account.objects.restrict(actor, "view")
    return qs.filter(ledger=ledger) if ledger else qs


@dataclass
class Reconciliation:
    ledgers: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)
    accounts: int = 0
    transfers: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict:
        return {"ok": self.ok, "ledgers": self.ledgers, "accounts": self.accounts, "transfers": self.transfers,
                "problems": self.problems}


def reconcile() -> Reconciliation:
    """Prove the books balance: per ledger the entries sum to zero; each account's cached balance equals the
    sum of its entries; each transfer has exactly two entries, netting to zero, on its own two accounts."""
    r = Reconciliation()
    for row in Entry.objects.values("ledger").annotate(total=Sum("amount"), n=Count("id")).order_by("ledger"):
        r.ledgers[row["ledger"]] = {"entries": row["n"], "sum": row["total"]}
        if row["total"] != 0:
            r.problems.append(f"账本 {row['ledger']} 分录合计 {row['total']} ≠ 0")
    sums = dict(Entry.objects.values_list("account").annotate(s=Sum("amount")).order_by())
    for pk, name, balance, allow_negative in Account.objects.values_list("pk", "name", "balance", "allow_negative"):
        r.accounts += 1
        if balance != sums.get(pk, 0):
            r.problems.append(f"账户 {pk}（{name}）缓存余额 {balance} ≠ 分录合计 {sums.get(pk, 0)}")
        if balance < 0 and not allow_negative:
            r.problems.append(f"账户 {pk}（{name}）余额为负：{balance}")
    bad = (Transfer.objects.annotate(n=Count("entries"), total=Sum("entries__amount"),
                                     own=Count("entries", filter=Q(entries__account=F("source"))
                                               | Q(entries__account=F("target"))))
           .exclude(n=2, total=0, own=2).values_list("pk", "n", "total"))
    for pk, n, total in bad:
        r.problems.append(f"流水 {pk} 有 {n} 条分录，合计 {total}")
    r.transfers = Transfer.objects.count()
    return r

