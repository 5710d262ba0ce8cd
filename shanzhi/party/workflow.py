"""Approval of party service records (做事加分、错误减分)."""

from django.utils.translation import gettext_lazy as _

from shanzhi.core.workflow import Transition, Workflow
from shanzhi.ledger.choices import Ledger
from shanzhi.ledger.services import points_award, points_deduct

from .choices import RecordState as S
from .models import PARTY_ROLES

APPROVERS = frozenset(PARTY_ROLES["approve"])


def _award(record, actor, data):
    move = points_award if record.points > 0 else points_deduct
    transfer = move(actor=actor, ledger=Ledger.PARTY, person=record.member.person, amount=abs(record.points),
                    idempotency_key=f"party-record:{record.pk}", memo=record.description)
    type(record).objects.filter(pk=record.pk).update(transfer=transfer, decided_by=actor)


SERVICE_RECORD = Workflow(
    name="party.service_record",
    states=dict(S.choices),
    transitions=[
        Transition("approve", (S.PENDING,), S.APPROVED, _("通过"), roles=APPROVERS, effect=_award),
        Transition("reject", (S.PENDING,), S.REJECTED, _("驳回"), roles=APPROVERS, requires=("reason",)),
    ],
    field_labels={"reason": _("驳回理由")},
)
