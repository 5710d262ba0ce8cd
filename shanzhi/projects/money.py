"""Project money on the ledger (`ledger=money`, amounts in fen), double entry beside the volunteer points.

Accounts: `appropriation:<region>` (the fiscal source; may go negative: minus what was appropriated),
`programme:<id>` (a programme's unspent budget), `project:<id>` (a contract's committed and unpaid amount) and
`org:<id>` (what an organisation received). Committing a contract moves money programme → project, paying an
instalment project → org; the ledger's conditional debit (balance ≥ amount, backed by a CHECK constraint) is what
makes a programme or a contract impossible to overspend, even under concurrent approvals.
"""

from __future__ import annotations

from django.db.models import Sum

from shanzhi.ledger.choices import Ledger, TransferKind
from shanzhi.ledger.models import Account, Entry
from shanzhi.ledger.services import system_account, transfer_create

MONEY = Ledger.MONEY


def yuan(fen: int | None) -> str:
    fen = int(fen or 0)
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100:,}.{fen % 100:02d}"


def appropriation_account(region_code: str) -> Account:
    return system_account(ledger=MONEY, key=f"appropriation:{region_code}", name=f"财政资金 {region_code}",
                          region_code=region_code, allow_negative=True)


def programme_account(programme) -> Account:
    return system_account(ledger=MONEY, key=f"programme:{programme.pk}", name=f"资金项目 {programme.name}"[:100],
                          region_code=programme.region_code, allow_negative=False)


def project_account(project) -> Account:
    return system_account(ledger=MONEY, key=f"project:{project.pk}", name=f"项目 {project.contract_no}"[:100],
                          region_code=project.region_code, allow_negative=False)


def org_account(organisation) -> Account:
    return system_account(ledger=MONEY, key=f"org:{organisation.pk}", name=f"组织 {organisation.name}"[:100],
                          region_code=organisation.region_code, allow_negative=False)


def appropriate(*, actor, programme):
    return transfer_create(actor=actor, source=appropriation_account(programme.region_code),
                           target=programme_account(programme), amount=programme.budget_fen,
                           kind=TransferKind.APPROPRIATE, idempotency_key=f"money:programme:{programme.pk}",
                           memo=f"预算下达：{programme.name}")


def commit(*, actor, project):
    return transfer_create(actor=actor, source=programme_account(project.programme), target=project_account(project),
                           amount=project.amount_fen, kind=TransferKind.COMMIT,
                           idempotency_key=f"money:project:{project.pk}", memo=f"合同锁定：{project.contract_no}")


def pay(*, actor, payment):
    project = payment.project
    return transfer_create(actor=actor, source=project_account(project), target=org_account(project.organisation),
                           amount=payment.amount_fen, kind=TransferKind.PAY,
                           idempotency_key=f"money:payment:{payment.pk}",
                           memo=f"拨付：{project.contract_no} 第{payment.milestone.seq}期")


def reconcile() -> dict:
    """Whether the money ledger balances: entries sum to zero, and each account's balance is its entries' sum."""
    total = Entry.objects.filter(ledger=MONEY).aggregate(s=Sum("amount"))["s"] or 0
    sums = dict(Entry.objects.filter(ledger=MONEY).values_list("account").annotate(s=Sum("amount")))
    mismatched = [a.pk for a in Account.objects.filter(ledger=MONEY) if a.balance != sums.get(a.pk, 0)]
    return {"entries_sum": total, "mismatched_accounts": mismatched, "ok": total == 0 and not mismatched}
