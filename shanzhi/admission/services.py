"""Every write of 社区准入: lists and their versions, departments, pushing a work item (cite a list item or wait
for the district's review; 费随事转 for funded 协助 items), the review, and a community's handling."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from shanzhi.audit.services import audit_log
from shanzhi.core.errors import ServiceError
from shanzhi.core.permissions import allows, require
from shanzhi.core.roles import Role
from shanzhi.core.scope import user_roles
from shanzhi.core.writes import conditional_update, create_audited, save_audited
from shanzhi.regions.choices import Level
from shanzhi.regions.models import Region

from . import permissions  # noqa: F401  (declares the rules used below)
from .choices import ListKind, ListState, WorkState
from .models import AdmissionList, Delivery, Department, ListItem, WorkItem
from .workflow import DELIVERY, REVIEW

# --- lists --------------------------------------------------------------------------------------------

@transaction.atomic
def list_create(*, actor, district_code: str, kind: str, note: str = "") -> AdmissionList:
    """A new draft version of one list, starting from the items of the version in force."""
    require(actor, "admission.manage_lists", district_code)
    if not Region.objects.filter(code=district_code, level=Level.DISTRICT).exists():
        raise ServiceError(_("区划代码不是一个区：%(c)s") % {"c": district_code}, field="district_code")
    if AdmissionList.objects.filter(region_code=district_code, kind=kind, state=ListState.DRAFT).exists():
        raise ServiceError(_("该清单已有一个草稿版本，请先发布或继续编辑它"), field="kind")
    last = AdmissionList.objects.filter(region_code=district_code, kind=kind).aggregate(n=Max("number"))["n"] or 0
    lst = create_audited(AdmissionList, actor=actor, region_code=district_code, kind=kind, number=last + 1,
                         note=note, action="admission.list.create")
    current = current_list(district_code, kind)
    if current is not None:
        ListItem.objects.bulk_create([
            ListItem(list=lst, seq=i.seq, name=i.name, legal_basis=i.legal_basis, department=i.department,
                     funding_required=i.funding_required) for i in current.items.all()])
    return lst


def current_list(district_code: str, kind: str) -> AdmissionList | None:
    return (AdmissionList.objects.filter(region_code=district_code, kind=kind, state=ListState.PUBLISHED)
            .order_by("-number").first())


@transaction.atomic
def list_item_add(*, actor, lst: AdmissionList, name: str, legal_basis: str = "", department: str = "",
                  funding_required: bool = False) -> ListItem:
    require(actor, "admission.manage_lists", lst)
    if lst.state != ListState.DRAFT:
        raise ServiceError(_("只能修改草稿版本的清单；请先新建版本"))
    if lst.kind != ListKind.ASSIST and funding_required:
        raise ServiceError(_("只有协助事项可以要求费随事转"), field="funding_required")
    seq = (lst.items.aggregate(n=Max("seq"))["n"] or 0) + 1
    item = ListItem(list=lst, seq=seq, name=(name or "").strip(), legal_basis=legal_basis, department=department,
                    funding_required=funding_required)
    return save_audited(item, actor=actor, action="admission.list_item.add", audit_obj=lst,
                        after={"name": item.name, "funding_required": funding_required}, unique=False)


@transaction.atomic
def list_item_remove(*, actor, item: ListItem) -> None:
    lst = item.list
    require(actor, "admission.manage_lists", lst)
    if lst.state != ListState.DRAFT:
        raise ServiceError(_("只能修改草稿版本的清单；请先新建版本"))
    audit_log(actor=actor, action="admission.list_item.remove", obj=lst, before={"name": item.name})
    item.delete()


@transaction.atomic
def list_publish(*, actor, lst: AdmissionList) -> AdmissionList:
    """Put a draft in force; the version it replaces is kept as superseded (old work items still cite it)."""
    require(actor, "admission.manage_lists", lst)
    if lst.state != ListState.DRAFT:
        raise ServiceError(_("该版本已发布"))
    if not lst.items.exists():
        raise ServiceError(_("清单没有事项，不能发布"))
    AdmissionList.objects.filter(region_code=lst.region_code, kind=lst.kind, state=ListState.PUBLISHED).update(
        state=ListState.SUPERSEDED)
    conditional_update(lst, lst.version, {"state": ListState.PUBLISHED, "published_at": timezone.now()})
    audit_log(actor=actor, action="admission.list.publish", obj=lst, after={"number": lst.number})
    return lst


# --- departments ----------------------------------------------------------------------------------------

@transaction.atomic
def department_create(*, actor, region_code: str, name: str, kind: str, members=()) -> Department:
    require(actor, "admission.manage_lists", region_code)
    dept = create_audited(Department, actor=actor, region_code=region_code, name=(name or "").strip(), kind=kind,
                          action="admission.department.create",
                          duplicate_message=_("该区域已有同名部门"), duplicate_field="name")
    if members:
        dept.members.add(*members)
    return dept


def may_send_as(actor, dept: Department) -> bool:
    """A manager of the department's region, or a member of it holding the department staff role there."""
    if allows(actor, "admission.send_manager", dept):
        return True
    return Role.HANDLING_BODY_STAFF in user_roles(actor) and dept.members.filter(pk=actor.pk).exists()


# --- work items -----------------------------------------------------------------------------------------

def _communities(dept: Department, codes) -> list[str]:
    codes = sorted({str(c).strip() for c in codes or () if str(c).strip()})
    if not codes:
        raise ServiceError(_("请至少选择一个社区"), field="communities")
    found = set(Region.objects.filter(code__in=codes, level=Level.COMMUNITY).values_list("code", flat=True))
    for code in codes:
        if code not in found:
            raise ServiceError(_("%(c)s 不是一个社区") % {"c": code}, field="communities")
        if not code.startswith(dept.region_code):
            raise ServiceError(_("社区 %(c)s 不在“%(d)s”的管辖范围内") % {"c": code, "d": dept.name},
                               field="communities")
    return codes


def _check_list_item(dept: Department, list_item: ListItem | None, amount, source: str) -> None:
    if list_item is None:
        return
    lst = list_item.list
    if lst.state != ListState.PUBLISHED or not dept.region_code.startswith(lst.region_code):
        raise ServiceError(_("所引用的清单事项不在本区现行清单中"), field="list_item")
    if lst.kind == ListKind.NEGATIVE:
        raise ServiceError(_("“%(n)s”属于负面清单，不得下派社区") % {"n": list_item.name}, field="list_item")
    if list_item.funding_required:
        if amount is None or Decimal(amount) <= 0:
            raise ServiceError(_("“%(n)s”须费随事转：请填写随事经费金额") % {"n": list_item.name},
                               field="funding_amount")
        if not (source or "").strip():
            raise ServiceError(_("“%(n)s”须费随事转：请填写经费来源") % {"n": list_item.name},
                               field="funding_source")


def _deliver(item: WorkItem, when: datetime.date) -> None:
    Delivery.objects.bulk_create([
        Delivery(work_item=item, region_code=code, sender_id=item.sender_id, kind=item.kind, listed=item.listed,
                 sent_on=when, month=when.replace(day=1), deadline=item.deadline) for code in item.communities])


@transaction.atomic
def work_item_push(*, actor, sender: Department, kind: str, title: str, deadline: datetime.date, communities,
                   list_item: ListItem | None = None, description: str = "", funding_amount=None,
                   funding_source: str = "", today: datetime.date | None = None) -> WorkItem:
    """Push a work item: a listed one reaches the communities at once; an unlisted one waits for review."""
    if not may_send_as(actor, sender):
        raise ServiceError(_("只能以本人所在区域的科室或部门名义下派工作事项"), code="permission")
    if not sender.active:
        raise ServiceError(_("该部门已停用"), field="sender")
    today = today or timezone.localdate()
    if deadline and deadline < today:
        raise ServiceError(_("完成期限不能早于今天"), field="deadline")
    codes = _communities(sender, communities)
    _check_list_item(sender, list_item, funding_amount, funding_source)
    listed = list_item is not None
    item = WorkItem(sender=sender, region_code=sender.region_code, kind=kind, title=(title or "").strip(),
                    description=description, list_item=list_item, deadline=deadline, communities=codes,
                    funding_amount=funding_amount, funding_source=(funding_source or "").strip(),
                    state=WorkState.SENT if listed else WorkState.REVIEW, created_by=actor,
                    sent_at=timezone.now() if listed else None)
    save_audited(item, actor=actor, action="admission.work_item.push", unique=False,
                 after={"title": item.title, "listed": listed, "communities": len(codes)})
    if listed:
        _deliver(item, today)
    return item


@transaction.atomic
def work_item_review(*, actor, item: WorkItem, action: str, reason: str = "",
                     today: datetime.date | None = None) -> WorkItem:
    """The district's 准入 review of an unlisted item: approved, it reaches the communities; rejected, none sees it."""
    require(actor, "admission.review", item)
    item = REVIEW.apply(obj=item, actor=actor, action=action, data={"reason": reason})
    if action == "approve":
        _deliver(item, today or timezone.localdate())
    return item


@transaction.atomic
def delivery_handle(*, actor, delivery: Delivery, action: str, reason: str = "") -> Delivery:
    """A community completes a work item, or refuses an unlisted one with a reason (one step)."""
    require(actor, "admission.handle", delivery)
    return DELIVERY.apply(obj=delivery, actor=actor, action=action, data={"reason": reason})

