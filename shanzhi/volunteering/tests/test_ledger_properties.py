"""A randomised state machine of awards, voids, orders, redemptions and cancels across several people and
items; after every step the books reconcile, no volunteer balance or stock is negative, and each
person's balance equals what a simple model of the rules predicts."""

import uuid

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from shanzhi.core.errors import ServiceError
from shanzhi.core.testing import make_user, make_world
from shanzhi.ledger.choices import Ledger
from shanzhi.ledger.models import Transfer
from shanzhi.ledger.selectors import balance_of, reconcile
from shanzhi.ledger.services import points_award, transfer_void
from shanzhi.volunteering.choices import OrderState
from shanzhi.volunteering.models import Order, StoreItem
from shanzhi.volunteering.store import order_cancel, order_place, order_redeem, store_item_create
from shanzhi.volunteering.testing import make_person

PEOPLE, ITEMS = 3, 2


class LedgerMachine(RuleBasedStateMachine):
    @initialize()
    def setup(self):
        world = make_world()
        self.staff = make_user("community_staff", world.community.code)
        self.people = [make_person(world.grid.code) for _ in range(PEOPLE)]
        self.items = [store_item_create(actor=self.staff, region_code=world.community.code, name=f"物品{i}",
                                        points_price=7 + 5 * i, stock=4, per_person_limit=0) for i in range(ITEMS)]
        self.expected = [0] * PEOPLE
        self.stock = [4] * ITEMS
        self.awards = []  # (transfer, person index)

    @rule(p=st.integers(0, PEOPLE - 1), amount=st.integers(1, 40), repeat=st.booleans())
    def award(self, p, amount, repeat):
        key = f"award:{uuid.uuid4()}"  # examples share the database, so keys must be unique across them
        t = points_award(actor=None, ledger=Ledger.VOLUNTEER, person=self.people[p], amount=amount,
                         idempotency_key=key)
        if repeat:  # the same key again changes nothing
            assert points_award(actor=None, ledger=Ledger.VOLUNTEER, person=self.people[p], amount=amount,
                                idempotency_key=key).pk == t.pk
        self.expected[p] += amount
        self.awards.append((t, p))

    @rule(data=st.data())
    def void(self, data):
        if not self.awards:
            return
        t, p = data.draw(st.sampled_from(self.awards))
        already = Transfer.objects.filter(reverses=t).exists()
        try:
            transfer_void(actor=None, transfer=t, reason="测试")
        except ServiceError:
            assert self.expected[p] < t.amount  # refused only when the points were already spent
            return
        if not already:
            self.expected[p] -= t.amount

    @rule(p=st.integers(0, PEOPLE - 1), i=st.integers(0, ITEMS - 1), q=st.integers(1, 3))
    def order(self, p, i, q):
        item = StoreItem.objects.get(pk=self.items[i].pk)
        cost = item.points_price * q
        try:
            order_place(actor=None, item=item, person=self.people[p], quantity=q)
        except ServiceError:
            assert self.expected[p] < cost or self.stock[i] < q
            return
        assert self.expected[p] >= cost and self.stock[i] >= q
        self.expected[p] -= cost
        self.stock[i] -= q

    @rule(data=st.data(), redeem=st.booleans())
    def close(self, data, redeem):
        open_orders = list(Order.objects.filter(state=OrderState.FROZEN, person__in=self.people).order_by("pk"))
        if not open_orders:
            return
        order = data.draw(st.sampled_from(open_orders))
        if redeem:
            order_redeem(actor=self.staff, code=order.code)
        else:
            order_cancel(actor=self.staff, order=order)
            self.expected[self.people.index(order.person)] += order.points
            self.stock[self.items.index(order.item)] += order.quantity

    @invariant()
    def books_balance(self):
        if not hasattr(self, "people"):
            return
        report = reconcile()
        assert report.ok, report.problems
        for p, person in enumerate(self.people):
            assert balance_of(person=person, ledger=Ledger.VOLUNTEER) == self.expected[p]
        assert [StoreItem.objects.get(pk=i.pk).stock for i in self.items] == self.stock


@pytest.mark.django_db(transaction=True)
def test_randomised_awards_voids_orders_and_cancels_keep_the_books_balanced():
    def run():
        LedgerMachine.TestCase.settings = settings(max_examples=25, stateful_step_count=30, deadline=None,
                                                   suppress_health_check=list(HealthCheck))
        state_machine_test = LedgerMachine.TestCase("runTest")
        state_machine_test.runTest()

    run()
    call_command("ledger", "reconcile")  # exits 0 on balanced books
