"""Store orders run on the ORDER table: redeeming and cancelling each write a history row and an audit row,
and a second close of the same order is refused."""

import pytest

from shanzhi.audit.models import AuditEvent
from shanzhi.core.errors import ServiceError
from shanzhi.core.roles import Role
from shanzhi.core.workflow import transition_history
from shanzhi.ledger.choices import Ledger
from shanzhi.ledger.services import points_award
from shanzhi.volunteering.choices import OrderState
from shanzhi.volunteering.store import order_cancel, order_place, order_redeem, store_item_create
from shanzhi.volunteering.testing import make_person

pytestmark = pytest.mark.django_db


def test_redeem_and_cancel_write_history_and_audit(world, make_user):
    staff = make_user(Role.COMMUNITY_STAFF, world.community.code)
    item = store_item_create(actor=staff, region_code=world.community.code, name="肥皂", points_price=3, stock=5)
    person = make_person(world.grid.code)
    points_award(actor=None, ledger=Ledger.VOLUNTEER, person=person, amount=10, idempotency_key="owf:1")
    first = order_place(actor=None, item=item, person=person)
    second = order_place(actor=None, item=item, person=person)
    redeemed = order_redeem(actor=staff, code=first.code)
    cancelled = order_cancel(actor=staff, order=second)
    assert (redeemed.state, cancelled.state) == (OrderState.REDEEMED, OrderState.CANCELLED)
    assert redeemed.decided_by == staff and redeemed.settle_transfer_id
    assert [(h.action, h.to_state) for h in transition_history(redeemed)] == [("redeem", OrderState.REDEEMED)]
    assert [(h.action, h.to_state) for h in transition_history(cancelled)] == [("cancel", OrderState.CANCELLED)]
    assert AuditEvent.objects.filter(action="volunteering.order.redeem", object_id=str(first.pk)).count() == 1
    assert AuditEvent.objects.filter(action="volunteering.order.cancel", object_id=str(second.pk)).count() == 1
    with pytest.raises(ServiceError):
        order_redeem(actor=staff, code=first.code)
