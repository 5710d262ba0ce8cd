"""The double-entry points ledger shared by volunteering and party.

Every movement is a Transfer with exactly two Entry rows of equal and opposite amounts. Entries and
transfers are never edited or deleted (model guards here, database triggers in migration 0002); a
void is a reversal transfer. `Account.balance` caches the sum of the account's entries and is
changed with F() in the same transaction as the entries. Person accounts of the volunteer ledger
can't go below zero: a CHECK constraint backs the conditional UPDATE in services.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shanzhi.core.roles import STAFF_ROLES
from shanzhi.core.scoping import ScopedModel, ScopedQuerySet

from .choices import Ledger, OwnerKind, TransferKind


class Immutable(Exception):
    pass


class AppendOnlyQuerySet(ScopedQuerySet):
    def update(self, **kwargs):
        raise Immutable("ledger rows cannot be updated")

    def delete(self):
        raise Immutable("ledger rows cannot be deleted")


class AppendOnly(ScopedModel):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise Immutable("ledger rows cannot be updated")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise Immutable("ledger rows cannot be deleted")


LEDGER_ROLES = {"view": set(STAFF_ROLES)}


class Account(ScopedModel):
    """One points account. Person accounts carry the person's grid code; system and store accounts the
    code of the region they serve (system accounts of a ledger: the street or "")."""

    scope_roles = LEDGER_ROLES

    ledger = models.CharField(_("账本"), max_length=12, choices=Ledger.choices)
    owner_kind = models.CharField(_("账户类型"), max_length=8, choices=OwnerKind.choices)
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="points_accounts", verbose_name=_("人员"))
    key = models.CharField(_("账户标识"), max_length=40, blank=True,
                           help_text=_("系统与超市账户的标识，如 issuer、escrow、store:<区划>"))
    name = models.CharField(_("名称"), max_length=100)
    balance = models.BigIntegerField(_("余额"), default=0)
    allow_negative = models.BooleanField(_("允许负余额"), default=False)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("积分账户")
        verbose_name_plural = _("积分账户")
        constraints = [
            models.UniqueConstraint(fields=["ledger", "person"], condition=Q(person__isnull=False),
                                    name="uniq_ledger_person_account"),
            models.UniqueConstraint(fields=["ledger", "key"], condition=~Q(key=""), name="uniq_ledger_key_account"),
            models.CheckConstraint(condition=Q(allow_negative=True) | Q(balance__gte=0), name="account_no_overdraft"),
            models.CheckConstraint(condition=Q(owner_kind="person", person__isnull=False) | ~Q(key=""),
                                   name="account_has_owner"),
        ]

    def __str__(self):
        return f"{self.get_ledger_display()} · {self.name}"


class Transfer(AppendOnly):
    """One movement of points between two accounts of the same ledger."""

    scope_roles = LEDGER_ROLES

    ledger = models.CharField(_("账本"), max_length=12, choices=Ledger.choices)
    kind = models.CharField(_("类型"), max_length=16, choices=TransferKind.choices, db_index=True)
    idempotency_key = models.CharField(_("幂等键"), max_length=120, unique=True)
    amount = models.PositiveBigIntegerField(_("积分"))
    source = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+", verbose_name=_("转出账户"))
    target = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+", verbose_name=_("转入账户"))
    memo = models.CharField(_("摘要"), max_length=200, blank=True)
    reverses = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="reversed_by", verbose_name=_("冲正的流水"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+")
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("积分流水")
        verbose_name_plural = _("积分流水")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="transfer_positive"),
                       models.CheckConstraint(condition=~Q(source=models.F("target")), name="transfer_two_accounts")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount} · {self.memo}"


class Entry(AppendOnly):
    """One side of a transfer: + to the receiving account, − to the giving one. Never edited."""

    scope_roles = LEDGER_ROLES

    transfer = models.ForeignKey(Transfer, on_delete=models.PROTECT, related_name="entries")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries")
    ledger = models.CharField(_("账本"), max_length=12, choices=Ledger.choices)
    kind = models.CharField(_("类型"), max_length=16, choices=TransferKind.choices)
    amount = models.BigIntegerField(_("积分"))
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("分录")
        verbose_name_plural = _("分录")
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="entry_nonzero"),
                       models.UniqueConstraint(fields=["transfer", "account"], name="uniq_entry_side")]
        indexes = [models.Index(fields=["account", "created_at"]),
                   models.Index(fields=["ledger", "kind", "region_code", "created_at"])]
