"""Writes for the 爱心超市: donations, items, orders (freeze → redeem or cancel).

Ordering freezes the points in the ledger's escrow account and reserves stock, in one transaction:
stock moves with `UPDATE … WHERE stock >= n` (a CHECK constraint backs it) and the points with the
ledger's conditional debit, so concurrent orders can't oversell or overdraw. Redeeming with the code
(核销) moves the frozen points to the community's store account; cancelling refunds them and restores
the stock.
"""

from __future__ import annotations

import secrets

from django.db import transaction
from django.db.models import F, Sum
from django.utils.translation import gettext as _

from shanzhi.audit.services import audit_log
from shanzhi.core.errors import NotAllowed, ServiceError
from shanzhi.core.permissions import require
from shanzhi.core.scope import roles_at
from shanzhi.core.writes import save_audited
from shanzhi.ledger.choices import ESCROW, Ledger, TransferKind
from shanzhi.ledger.models import Account
from shanzhi.ledger.services import person_account, system_account, transfer_create

from .choices import OrderState
from .models import CHANGE_ROLES, Donation, Order, StoreItem, community_prefix
from .permissions import STAFF
from .workflow import ORDER

CODE_ALPHABET = "23456789"


def _escrow():
    return system_account(ledger=Ledger.VOLUNTEER, key=ESCROW)


def store_account(region_code: str):
    code = community_prefix(region_code)
    return system_account(ledger=Ledger.VOLUNTEER, key=f"store:{code}", name=_("爱心超市 %(code)s") % {"code": code},
                          region_code=code)


@transaction.atomic
def donation_record(*, actor, region_code: str, donor_name: str, description: str, quantity: int, received_on,
                    unit=None, value=None, public: bool = True) -> Donation:
    require(actor, STAFF.action, region_code)
    donation = Donation(region_code=region_code, donor_name=donor_name or (unit.name if unit else ""), unit=unit,
                        description=description, quantity=quantity, value=value, received_on=received_on,
                        public=public, created_by=actor)
    save_audited(donation, actor=actor, action="volunteering.donation.record")
    return donation


@transaction.atomic
def store_item_create(*, actor, region_code: str, name: str, points_price: int, stock: int,
                      per_person_limit: int = 0, description: str = "", donation=None) -> StoreItem:
    require(actor, STAFF.action, region_code)
    item = StoreItem(region_code=region_code, name=name, points_price=points_price, stock=stock,
                     per_person_limit=per_person_limit, description=description, donation=donation)
    save_audited(item, actor=actor, action="volunteering.store_item.create", after={"stock": stock})
    return item


@transaction.atomic
def store_item_restock(*, actor, item: StoreItem, quantity: int) -> StoreItem:
    require(actor, STAFF.action, item.region_code)
    if quantity <= 0:
        raise ServiceError(_("补货数量必须大于零"), field="quantity")
    StoreItem.objects.filter(pk=item.pk).update(stock=F("stock") + quantity, version=F("version") + 1)
    item.refresh_from_db()
    audit_log(actor=actor, action="volunteering.store_item.restock", obj=item, after={"added": quantity})
    return item


def _new_code() -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
        if not Order.objects.filter(code=code).exists():
            return code


@transaction.atomic
def order_place(*, actor, item: StoreItem, person, quantity: int = 1) -> Order:
    if quantity <= 0:
        raise ServiceError(_("数量必须大于零"), field="quantity")
    account = person_account(ledger=Ledger.VOLUNTEER, person=person)
    # serialise one person's orders (PostgreSQL row lock; SQLite writers are serialised already)
    Account.objects.select_for_update().filter(pk=account.pk).first()
    if item.per_person_limit:
        used = (Order.objects.filter(person=person, item=item, state__in=[OrderState.FROZEN, OrderState.REDEEMED])
                .aggregate(n=Sum("quantity"))["n"] or 0)
        if used + quantity > item.per_person_limit:
            raise ServiceError(_("“%(name)s”每人限兑 %(n)s 件") % {"name": item.name, "n": item.per_person_limit},
                               field="quantity")
    reserved = StoreItem.objects.filter(pk=item.pk, active=True, stock__gte=quantity).update(
        stock=F("stock") - quantity, version=F("version") + 1)
    if reserved != 1:
        raise ServiceError(_("“%(name)s”库存不足或已下架") % {"name": item.name}, field="quantity", code="stock")
    code = _new_code()
    points = item.points_price * quantity
    freeze = transfer_create(actor=actor, source=account, target=_escrow(), amount=points,
                             kind=TransferKind.ORDER_FREEZE, idempotency_key=f"order:{code}:freeze",
                             memo=_("兑换 %(name)s × %(n)s") % {"name": item.name, "n": quantity})
    order = Order(item=item, person=person, quantity=quantity, points=points, code=code, freeze_transfer=freeze,
                  region_code=item.region_code)
    save_audited(order, actor=actor, action="volunteering.order.place", after={"points": points})
    return order


def _close(order: Order, actor, action: str) -> Order:
    """Redeem or cancel a frozen order (the ORDER table); the order is read back with its item and person."""
    ORDER.apply(obj=order, actor=actor, action=action)
    return Order.objects.select_related("item", "person").get(pk=order.pk)


@transaction.atomic
def order_redeem(*, actor, code: str) -> Order:
    """核销: staff of the item's community enter the resident's code; the frozen points go to the store."""
    order = (Order.objects.restrict(actor, "change").select_related("item", "person")
             .filter(code=code.strip()).first())
    if order is None:
        raise ServiceError(_("核销码不存在，或不属于您管理的社区"), field="code")
    if order.state != OrderState.FROZEN:
        raise ServiceError(_("该兑换单%(state)s，不能重复核销") % {"state": order.get_state_display()}, field="code")
    order = _close(order, actor, "redeem")
    settle = transfer_create(actor=actor, source=_escrow(), target=store_account(order.region_code),
                             amount=order.points, kind=TransferKind.REDEEM, idempotency_key=f"order:{order.code}:redeem",
                             memo=_("核销 %(name)s × %(n)s") % {"name": order.item.name, "n": order.quantity})
    Order.objects.filter(pk=order.pk).update(settle_transfer=settle)
    order.refresh_from_db()
    return order


@transaction.atomic
def order_cancel(*, actor, order: Order) -> Order:
    """Cancel an unredeemed order: the points are refunded and the stock restored."""
    if order.person.user_id != actor.pk and not roles_at(actor, order.region_code) & CHANGE_ROLES:
        raise NotAllowed(_("只有本人或社区工作人员可以取消兑换"))
    if order.state != OrderState.FROZEN:
        raise ServiceError(_("该兑换单%(state)s，不能取消") % {"state": order.get_state_display()})
    order = _close(order, actor, "cancel")
    refund = transfer_create(actor=actor, source=_escrow(), target=person_account(ledger=Ledger.VOLUNTEER,
                                                                                  person=order.person),
                             amount=order.points, kind=TransferKind.REFUND, idempotency_key=f"order:{order.code}:refund",
                             memo=_("取消兑换 %(name)s") % {"name": order.item.name})
    StoreItem.objects.filter(pk=order.item_id).update(stock=F("stock") + order.quantity, version=F("version") + 1)
    Order.objects.filter(pk=order.pk).update(settle_transfer=refund)
    order.refresh_from_db()
    return order
