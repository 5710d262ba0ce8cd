"""Writes of 阳光五务. Nothing personal may be disclosed: texts with ID or phone numbers are refused."""

from __future__ import annotations

import re
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shanzhi.audit.services import audit_log
from shanzhi.core.errors import ServiceError
from shanzhi.core.permissions import require, require_any
from shanzhi.core.privacy import counts, mask_all
from shanzhi.core.writes import create_audited, versioned_update
from shanzhi.regions.selectors import region_place
from shanzhi.replies.choices import Kind
from shanzhi.replies.render import render as render_template
from shanzhi.replies.selectors import template_usable

from .models import Category, DisclosureEntry, EntryState, LedgerLine, PublishingSchedule
from .permissions import EDIT, LEDGER, REVIEW, SCHEDULE
from .privacy import entry_findings
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
def template_values(*, community_code: str, category: str = "", title: str = "", period: str = "") -> dict:
    """The response templates' placeholders (replies.render.PLACEHOLDERS) for an entry's text."""
    return {"标题": title, "类别": str(dict(Category.choices).get(category, "")), "期限": period,
            "社区": region_place(code=community_code[:12]).rsplit(" · ", 1)[-1], "日期": timezone.localdate().isoformat()}


def entry_create(*, actor, community_code: str, category: str, title: str, body: str = "",
                 period: str = "", template=None) -> DisclosureEntry:
    """A draft entry. `template`: the id of the response template (用途“公开文本”) the body was started from —
    checked (active, of the community or above), its placeholders filled, recorded on the entry."""
    require(actor, EDIT.action, community_code)  # personal data is caught by the scan before publishing
    used = None
    if template not in (None, ""):
        used = template_usable(actor=actor, pk=template, region_code=community_code, kinds=[Kind.DISCLOSURE])
        if used is None:
            raise ServiceError(_("所选答复模板不可用"), field="template")
        body = render_template(body, template_values(community_code=community_code, category=category,
                                                     title=title.strip(), period=period.strip()))
    return create_audited(DisclosureEntry, actor=actor, action="disclosure.entry_create",
                          audit_after={"category": category, "template": used.pk if used else None},
                          region_code=community_code[:12], category=category, title=title.strip(),
                          body=body.strip(), period=period.strip(), author=actor, template=used)


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
def entry_transition(*, actor, entry: DisclosureEntry, action: str, reason: str = "",
                     override: bool = False) -> DisclosureEntry:
    """One step of the review; the table declares what each step writes besides the state. Publishing with
    findings of the privacy scan left needs `override` and a reason (audited)."""
    return WORKFLOW.apply(obj=entry, actor=actor, action=action, data={"reason": reason, "override": override})


MASKABLE = (EntryState.DRAFT, EntryState.REJECTED, EntryState.SUBMITTED)


@transaction.atomic
def entry_mask(*, actor, entry: DisclosureEntry, ref: str = "") -> DisclosureEntry:
    """Replace one finding of the privacy scan (`ref`, or all of them when empty) by its masked form — the
    author's or the reviewer's one tap before publishing. The audit row counts what was masked, by kind."""
    require_any(actor, (EDIT.action, REVIEW.action), entry)
    if entry.state not in MASKABLE:
        raise ServiceError(_("已公开的事项不能再修改"))
    found = [f for f in entry_findings(entry) if not ref or f.ref == ref]
    if not found:
        raise ServiceError(_("内容已变化，请刷新后再遮盖"))
    by_field: dict[str, list] = {}
    for f in found:
        by_field.setdefault(f.field, []).append(f)
    changes = {}
    for field, items in by_field.items():
        if field.startswith("line."):
            line = entry.lines.get(pk=int(field.split(".", 1)[1]))
            line.summary = mask_all(line.summary, items)
            line.save(update_fields=["summary"])
        else:
            changes[field] = mask_all(getattr(entry, field), items)
    return versioned_update(entry, entry.version, actor=actor, action="disclosure.entry_mask", before={},
                            after={"masked": counts(found)}, **changes)


# 阳光五务 publishing calendar: party and affairs quarterly, residents' affairs and finance monthly, services
# quarterly — the usual street practice, adopted as a default and then edited
DEFAULT_SCHEDULE = {Category.PARTY: 3, Category.AFFAIRS: 3, Category.RESIDENTS: 1, Category.FINANCE: 1,
                    Category.SERVICES: 3}


@transaction.atomic
def schedule_set(*, actor, region_code: str, category: str, every_months: int, due_day: int = 10) -> PublishingSchedule:
    """Create or change one category's publishing interval (before/after audited, optimistic version)."""
    if actor is not None:
        require(actor, SCHEDULE.action, region_code)
    if category not in Category.values:
        raise ServiceError(_("未知的公开类别"), field="category")
    cur = PublishingSchedule.objects.select_for_update().filter(region_code=region_code, category=category).first()
    if cur is None:
        return create_audited(PublishingSchedule, actor=actor, action="disclosure.schedule_create",
                              region_code=region_code, category=category, every_months=every_months, due_day=due_day)
    changed = {k: v for k, v in {"every_months": every_months, "due_day": due_day}.items() if getattr(cur, k) != v}
    if not changed:
        return cur
    return versioned_update(cur, cur.version, actor=actor, action="disclosure.schedule_update", **changed)


@transaction.atomic
def schedule_adopt_defaults(*, actor, region_code: str) -> int:
    """The default calendar for categories the street has none for; returns how many were added."""
    have = set(PublishingSchedule.objects.filter(region_code=region_code).values_list("category", flat=True))
    missing = [c for c in DEFAULT_SCHEDULE if c not in have]
    for c in missing:
        schedule_set(actor=actor, region_code=region_code, category=c, every_months=DEFAULT_SCHEDULE[c])
    return len(missing)


BULK_ACTIONS = ("submit", "approve")  # submit drafts for review; publish (审核通过并公开) submitted entries


def entry_bulk_transition(*, actor, action: str, ids) -> dict:
    """Bulk work on the manage list: each entry through `entry_transition` (its scope, roles, the second-person
    rule), each in its own transaction; an id outside the actor's scope, or forged, is refused, never acted on.
    Returns {"ok", "refused", "results": [{"id", "title", "ok", "reason"}]}, the refused first."""
    if action not in BULK_ACTIONS:
        raise ServiceError(_("不支持的批量操作"), field="action")
    ids = list(dict.fromkeys(int(x) for x in ids if str(x).strip().isdigit()))
    if not ids:
        raise ServiceError(_("请先勾选公开事项"), field="ids")
    found = {e.pk: e for e in DisclosureEntry.objects.restrict(actor, "view").filter(pk__in=ids)}
    results = []
    for pk in ids:
        entry = found.get(pk)
        if entry is None:
            results.append({"id": pk, "title": "", "ok": False, "reason": _("不存在或不在您的工作范围内")})
            continue
        try:
            entry_transition(actor=actor, entry=entry, action=action)
        except ServiceError as e:
            results.append({"id": pk, "title": entry.title, "ok": False, "reason": e.user_message})
        else:
            results.append({"id": pk, "title": entry.title, "ok": True, "reason": ""})
    results.sort(key=lambda r: r["ok"])
    ok = sum(1 for r in results if r["ok"])
    audit_log(actor=actor, action="disclosure.bulk", object_repr=action,
              after={"action": action, "items": len(ids), "ok": ok, "refused": len(ids) - ok})
    return {"action": action, "label": str(WORKFLOW.transition(action).label), "ok": ok, "refused": len(ids) - ok,
            "results": results}
