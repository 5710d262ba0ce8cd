"""Writes of 阳光五务. Nothing personal may be disclosed: texts with ID or phone numbers are refused."""

from __future__ import annotations

import re
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from shanzhi.core.errors import ServiceError
from shanzhi.core.permissions import require
from shanzhi.core.writes import create_audited, versioned_update

from .models import DisclosureEntry, EntryState, LedgerLine
from .permissions import EDIT, LEDGER
from .workflow import WORKFLOW

ID_NUMBER = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def check_not_personal(*texts: str) -> None:
    for text in texts:
        if ID_NUMBER.search(text or "") or PHONE.search(text or ""):
            raise ServiceError(_("公开内容不能包含身份证号或手机号，请删除个人信息后再保存"))


def _editable(entry: DisclosureEntry) -> None:
    if entry.state not in (EntryState.DRAFT, EntryState.REJECTED):
        raise ServiceError(_("已提交或已公开的事项不能修改"))


@transaction.atomic
def entry_create(*, actor, community_code: str, category: str, title: str, body: str = "",
                 period: str = "") -> DisclosureEntry:
    require(actor, EDIT.action, community_code)
    check_not_personal(title, body)
    return create_audited(DisclosureEntry, actor=actor, action="disclosure.entry_create",
                          audit_after={"category": category}, region_code=community_code[:12], category=category,
                          title=title.strip(), body=body.strip(), period=period.strip(), author=actor)


@transaction.atomic
def ledger_line_add(*, actor, entry: DisclosureEntry, date, direction: str, amount: Decimal, summary: str,
                    document_ref: str = "") -> LedgerLine:
    require(actor, LEDGER.action, entry)
    _editable(entry)
    if entry.category != "finance":
        raise ServiceError(_("只有财务公开可以登记收支"))
    check_not_personal(summary, document_ref)
    line = LedgerLine(entry=entry, date=date, direction=direction, amount=amount, summary=summary.strip(),
                      document_ref=document_ref.strip())
    line.full_clean()
    line.save()
    # the entry changed: its version moves, so a review started before this line conflicts
    versioned_update(entry, entry.version, actor=actor, action="disclosure.ledger_line_add", validate=False,
                     before={}, after={"direction": direction, "amount": str(amount)})
    return line


@transaction.atomic
def entry_transition(*, actor, entry: DisclosureEntry, action: str, reason: str = "") -> DisclosureEntry:
    """One step of the review; the table declares what each step writes besides the state."""
    return WORKFLOW.apply(obj=entry, actor=actor, action=action, data={"reason": reason})
