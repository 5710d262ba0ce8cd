"""Writes of 阳光五务. Nothing personal may be disclosed: texts with ID or phone numbers are refused."""

from __future__ import annotations

import re
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from shanzhi.audit.services import audit_log
from shanzhi.core.errors import ServiceError
from shanzhi.core.permissions import require

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
    entry = DisclosureEntry(region_code=community_code[:12], category=category, title=title.strip(),
                            body=body.strip(), period=period.strip(), author=actor)
    entry.full_clean()
    entry.save()
    audit_log(actor=actor, action="disclosure.entry_create", obj=entry, after={"category": category})
    return entry


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
    DisclosureEntry.objects.filter(pk=entry.pk).update(version=F("version") + 1)
    audit_log(actor=actor, action="disclosure.ledger_line_add", obj=entry,
              after={"direction": direction, "amount": str(amount)})
    return line


@transaction.atomic
def entry_transition(*, actor, entry: DisclosureEntry, action: str, reason: str = "") -> DisclosureEntry:
    now = timezone.now()
    extra = {"submit": {"submitted_by": actor}, "approve": {"reviewed_by": actor, "published_at": now,
                                                            "review_note": reason},
             "reject": {"reviewed_by": actor, "review_note": reason}}.get(action, {})
    return WORKFLOW.apply(obj=entry, actor=actor, action=action, data={"reason": reason}, extra_updates=extra)
