"""Every write of 帮教: records, team, plans, reviews, visits, overdue alerts, break-the-glass and closure.

Audit rows name the record by its reference (BJ000123) and never carry the person's name or the notes.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shanzhi.audit.services import audit_log
from shanzhi.core.errors import NotAllowed, ServiceError
from shanzhi.core.permissions import require
from shanzhi.core.roles import Role
from shanzhi.core.writes import clean_or_refuse, versioned_update
from shanzhi.notifications.services import notification_resolve, notify

from . import choices as c
from . import selectors
from .models import Category, GlassGrant, Plan, Record, Review, TeamMember, Visit
from .permissions import GLASS_BREAK, RECORD_CLOSE, RECORD_CREATE, RECORD_MANAGE
from .workflow import RECORD

GLASS_MAX_HOURS = 24


def _visit_interval(risk: str) -> dt.timedelta:
    return dt.timedelta(days=c.VISIT_EVERY_DAYS[c.Risk(risk)])


def _review_interval(risk: str) -> dt.timedelta:
    return dt.timedelta(days=c.REVIEW_EVERY_DAYS[c.Risk(risk)])


def _reachable(actor, record: Record, action: str) -> Record:
    """Re-check inside the transaction that the actor reaches the record for `action` (404 for pages)."""
    fresh = Record.objects.restrict(actor, action).filter(pk=record.pk).select_for_update().first()
    if fresh is None:
        raise NotAllowed(_("您不能操作此帮教档案"))
    return fresh


def _open_state(record: Record) -> None:
    if record.state == c.State.CLOSED:
        raise ServiceError(_("帮教档案已结案，不能再修改"))


# --- records ---------------------------------------------------------------------------------------------

@transaction.atomic
def record_create(*, actor, person, category: Category, risk: str, risk_reasons: str, started_on: dt.date,
                  source_document: str, responsible, ends_on: dt.date | None = None) -> Record:
    """A new 帮教 record in the person's grid, its responsible worker on the team and the first visit due."""
    require(actor, RECORD_CREATE.action, person.region_code)
    if not category.active:
        raise ServiceError(_("该帮教类别已停用"), field="category")
    if ends_on and ends_on < started_on:
        raise ServiceError(_("预计结束日期不能早于开始日期"), field="ends_on")
    record = Record(region_code=person.region_code, person=person, category=category, risk=risk,
                    risk_reasons=(risk_reasons or "").strip(), started_on=started_on, ends_on=ends_on,
                    source_document=(source_document or "").strip(), responsible=responsible, created_by=actor,
                    next_review_on=started_on + _review_interval(risk))
    clean_or_refuse(record)
    if Record.objects.filter(person=person, category=category).exclude(state=c.State.CLOSED).exists():
        raise ServiceError(_("此人已有同类别的在册帮教档案"), field="category")
    record.save(force_insert=True)
    TeamMember.objects.create(record=record, user=responsible, name=_display(responsible), side=c.Side.COMMUNITY,
                              role=c.TeamRole.RESPONSIBLE)
    first_due = timezone.localdate() + min(_visit_interval(risk), dt.timedelta(days=7))
    Visit.objects.create(record=record, region_code=record.region_code, due_on=first_due, responsible=responsible)
    audit_log(actor=actor, action="support.record.create", obj=record,
              after={"category": category.code, "risk": risk, "responsible": responsible.pk})
    return record


def _display(user) -> str:
    return (getattr(user, "display_name", "") or user.get_username())[:50]


def record_read(*, actor, record: Record, glass: bool = False) -> None:
    """Every read of a record leaves an audit row (who, when, which record; through a glass grant or not)."""
    audit_log(actor=actor, action="support.record.read_glass" if glass else "support.record.read", obj=record)


def record_list_read(*, actor, records) -> None:
    """A list of records read: one audit row naming the references shown."""
    if records:
        audit_log(actor=actor, action="support.record.list", object_repr=",".join(r.reference for r in records)[:200],
                  after={"ids": [r.pk for r in records]})


@transaction.atomic
def record_update(*, actor, record: Record, expected_version: int | None = None, **fields) -> Record:
    require(actor, RECORD_MANAGE.action, record)
    record = _reachable(actor, record, "manage") if expected_version is None else record
    _open_state(record)
    allowed = {"risk_reasons", "ends_on", "source_document", "category"}
    unknown = set(fields) - allowed
    if unknown:
        raise ServiceError(_("不能修改这些字段：%(f)s") % {"f": ", ".join(sorted(unknown))})
    return versioned_update(record, expected_version, actor=actor, action="support.record.update", **fields)


# --- team ------------------------------------------------------------------------------------------------

@transaction.atomic
def team_add(*, actor, record: Record, side: str, name: str = "", unit: str = "", user=None,
             role: str = c.TeamRole.MEMBER) -> TeamMember:
    """Add a member: a platform user (who then sees the record), or a name and unit (family, teacher …)."""
    require(actor, RECORD_MANAGE.action, record)
    record = _reachable(actor, record, "manage")
    _open_state(record)
    name = (name or "").strip() or (_display(user) if user else "")
    member = TeamMember(record=record, user=user, name=name, unit=(unit or "").strip(), side=side, role=role)
    clean_or_refuse(member, exclude=["record", "user"])
    if user is not None and record.team.filter(user=user, active=True).exists():
        raise ServiceError(_("此用户已在帮教小组中"), field="user")
    member.save(force_insert=True)
    audit_log(actor=actor, action="support.team.add", obj=record,
              after={"side": side, "role": role, "user": getattr(user, "pk", None)})
    return member


@transaction.atomic
def team_remove(*, actor, member: TeamMember) -> None:
    record = member.record
    require(actor, RECORD_MANAGE.action, record)
    _reachable(actor, record, "manage")
    if member.user_id and member.user_id == record.responsible_id:
        raise ServiceError(_("帮教责任人不能移出小组，请先更换责任人"))
    TeamMember.objects.filter(pk=member.pk).update(active=False)
    audit_log(actor=actor, action="support.team.remove", obj=record, after={"member": member.pk})


# --- plans and reviews -----------------------------------------------------------------------------------

@transaction.atomic
def plan_add(*, actor, record: Record, goals: str, help_kinds: list[str], help_given: str = "") -> Plan:
    require(actor, RECORD_MANAGE.action, record)
    record = _reachable(actor, record, "manage")
    _open_state(record)
    unknown = set(help_kinds) - set(c.Help.values)
    if unknown:
        raise ServiceError(_("未知的帮扶措施：%(k)s") % {"k": ", ".join(sorted(unknown))}, field="help_kinds")
    plan = Plan(record=record, region_code=record.region_code, goals=(goals or "").strip(),
                help_kinds=list(help_kinds), help_given=(help_given or "").strip(), created_by=actor)
    clean_or_refuse(plan, exclude=["record"])
    plan.save(force_insert=True)
    audit_log(actor=actor, action="support.plan.create", obj=record, after={"help_kinds": list(help_kinds)})
    return plan


@transaction.atomic
def review_add(*, actor, record: Record, findings: str, risk_after: str) -> Review:
    """A plan review: may change the risk, which resets the review date and brings the open visit forward."""
    require(actor, RECORD_MANAGE.action, record)
    record = _reachable(actor, record, "manage")
    _open_state(record)
    today = timezone.localdate()
    review = Review(record=record, region_code=record.region_code, reviewed_on=today, risk_before=record.risk,
                    risk_after=risk_after, findings=(findings or "").strip(), reviewer=actor)
    clean_or_refuse(review, exclude=["record"])
    review.save(force_insert=True)
    Record.objects.filter(pk=record.pk).update(risk=risk_after, next_review_on=today + _review_interval(risk_after))
    latest_due = today + _visit_interval(risk_after)
    Visit.objects.filter(record=record, done_at__isnull=True, due_on__gt=latest_due).update(due_on=latest_due)
    audit_log(actor=actor, action="support.review.create", obj=record,
              before={"risk": review.risk_before}, after={"risk": risk_after})
    if record.next_review_on:
        notification_resolve(dedupe_key=f"support.review.due:{record.pk}:{record.next_review_on.isoformat()}")
    return review


# --- visits and overdue alerts ---------------------------------------------------------------------------

def _overdue_key(visit: Visit) -> str:
    return f"support.visit.overdue:{visit.pk}"


@transaction.atomic
def visit_log(*, actor, visit: Visit, kind: str, notes: str) -> Visit:
    """Record a done visit; the next one falls due by the risk's schedule; the overdue alert is cleared."""
    record = _reachable(actor, visit.record, "change")
    _open_state(record)
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    if visit.done_at is not None:
        raise ServiceError(_("这次走访已经登记过了"))
    if not (notes or "").strip():
        raise ServiceError(_("请填写走访情况"), field="notes")
    if kind not in c.VisitKind.values:
        raise ServiceError(_("请选择走访方式"), field="kind")
    now = timezone.now()
    Visit.objects.filter(pk=visit.pk).update(done_at=now, done_by=actor, kind=kind, notes=notes.strip()[:2000])
    next_visit = Visit.objects.create(record=record, region_code=record.region_code, responsible=record.responsible,
                                      due_on=timezone.localdate() + _visit_interval(record.risk))
    audit_log(actor=actor, action="support.visit.log", obj=record,
              after={"visit": visit.pk, "kind": kind, "overdue": visit.overdue, "next_due": next_visit.due_on})
    notification_resolve(dedupe_key=_overdue_key(visit))
    visit.done_at, visit.kind = now, kind
    return visit


def overdue_alerts(now: dt.datetime | None = None) -> int:
    """The periodic job: tell the responsible worker and the grid's 网格长 of each visit past its due date,
    once per visit. Returns the number of visits alerted."""
    today = timezone.localdate(now or timezone.now())
    due = list(Visit.objects.filter(done_at__isnull=True, due_on__lt=today, overdue_alerted_at__isnull=True,
                                    record__state__in=[c.State.ACTIVE, c.State.CLOSING])
               .select_related("record", "responsible")[:1000])
    for visit in due:
        with transaction.atomic():
            leaders = selectors.role_holders(Role.GRID_LEADER, visit.region_code)
            notify(recipients=[visit.responsible, *leaders], kind="support.visit_overdue",
                   title=_("帮教走访已逾期：%(ref)s") % {"ref": visit.record.reference},
                   body=_("应访日期 %(d)s，请尽快走访并登记。") % {"d": visit.due_on.isoformat()},
                   url=reverse("support:record", args=[visit.record_id]), obj=visit.record,
                   dedupe_key=_overdue_key(visit))
            Visit.objects.filter(pk=visit.pk).update(overdue_alerted_at=timezone.now())
            audit_log(action="support.visit.overdue_alert", obj=visit.record, after={"visit": visit.pk})
    return len(due)


def review_alerts(now: dt.datetime | None = None) -> int:
    """The periodic job's second half: a plan review past its date (the schedule the risk sets) is told to the
    综治专干 of the record's community, once per record and due date."""
    today = timezone.localdate(now or timezone.now())
    due = list(Record.objects.filter(state=c.State.ACTIVE, next_review_on__lt=today).order_by("pk")[:1000])
    for record in due:
        notify(recipients=selectors.role_holders(Role.SAFETY_OFFICER, record.region_code), kind="support.review_due",
               title=_("帮教方案评估已到期：%(ref)s") % {"ref": record.reference},
               body=_("应于 %(d)s 前评估，请组织评估并调整风险等级。") % {"d": record.next_review_on.isoformat()},
               url=reverse("support:record", args=[record.pk]), obj=record,
               dedupe_key=f"support.review.due:{record.pk}:{record.next_review_on.isoformat()}")
    return len(due)


def support_alerts() -> None:
    """The hourly job: overdue visits and due plan reviews."""
    overdue_alerts()
    review_alerts()


# --- break the glass -------------------------------------------------------------------------------------

@transaction.atomic
def glass_break(*, actor, record: Record, reason: str, hours: int) -> GlassGrant:
    """Staff outside the team read one record for a stated reason until a time; the security admin is told."""
    require(actor, GLASS_BREAK.action, record)
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise ServiceError(_("请具体说明紧急查阅的理由（至少4个字）"), field="reason")
    if not 1 <= int(hours) <= GLASS_MAX_HOURS:
        raise ServiceError(_("查阅时限须在1至%(n)d小时之间") % {"n": GLASS_MAX_HOURS}, field="hours")
    grant = GlassGrant.objects.create(record=record, user=actor, reason=reason[:300], region_code=record.region_code,
                                      expires_at=timezone.now() + dt.timedelta(hours=int(hours)))
    audit_log(actor=actor, action="support.glass.break", obj=record, reason=reason,
              after={"grant": grant.pk, "hours": int(hours)})
    notify(recipients=selectors.role_holders(Role.SECURITY_ADMIN, record.region_code), kind="support.glass",
           title=_("紧急查阅：%(user)s 查阅了帮教档案 %(ref)s") % {"user": actor.get_username(), "ref": record.reference},
           body=_("理由：%(reason)s；时限 %(h)d 小时") % {"reason": reason[:200], "h": int(hours)},
           url=reverse("support:glass_log"), obj=record, actor=actor, security=True)
    return grant


@transaction.atomic
def glass_acknowledge(*, actor, grant: GlassGrant) -> None:
    """The security admin marks a break-the-glass event as reviewed."""
    if grant.seen_at is None:
        GlassGrant.objects.filter(pk=grant.pk).update(seen_by_security=actor, seen_at=timezone.now())
        audit_log(actor=actor, action="support.glass.acknowledge", obj=grant.record, after={"grant": grant.pk})


@transaction.atomic
def glass_end(*, actor, grant: GlassGrant) -> None:
    """End a grant before its time (the holder is done, or the security admin revokes it)."""
    GlassGrant.objects.filter(pk=grant.pk, expires_at__gt=timezone.now()).update(expires_at=timezone.now())
    audit_log(actor=actor, action="support.glass.end", obj=grant.record, after={"grant": grant.pk})


# --- closure ---------------------------------------------------------------------------------------------

def record_transition(*, actor, record: Record, action: str, data: dict) -> Record:
    if action in {"approve_close", "reject_close"}:
        require(actor, RECORD_CLOSE.action, record)
    else:
        require(actor, RECORD_MANAGE.action, record)
    with transaction.atomic():
        _reachable(actor, record, "manage")
        record = RECORD.apply(obj=record, actor=actor, action=action, data=data)
        if record.state == c.State.CLOSED:
            for visit in Visit.objects.filter(record=record, done_at__isnull=True):
                notification_resolve(dedupe_key=_overdue_key(visit))
            Visit.objects.filter(record=record, done_at__isnull=True).delete()
            GlassGrant.objects.filter(record=record, expires_at__gt=timezone.now()).update(expires_at=timezone.now())
    return record


# --- categories (data) -----------------------------------------------------------------------------------

CATEGORIES = [
    ("released", "刑满释放人员"), ("corrections", "社区矫正对象"), ("drug", "吸毒人员"),
    ("mental", "严重精神障碍患者"), ("youth", "重点青少年"), ("idle", "闲散人员"),
    ("petition", "重点信访人员"), ("cult", "邪教人员"),
]


def categories_ensure() -> None:
    """The standard categories (idempotent; the demo and first use call it)."""
    for order, (code, name) in enumerate(CATEGORIES):
        Category.objects.get_or_create(code=code, defaults={"name": name, "order": order * 10})
