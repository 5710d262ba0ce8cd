"""Every write of 代办参与. Keyword-only, one transaction, an audit row each.

An action goes through the owning app's own 代办 service (`support_on_behalf`, `survey_answer_on_behalf`,
`case_rate_on_behalf`, `signup_on_behalf`, `order_place`) with the resident as the one it is for. Those services
ask `registry.permissions.can_act_for`; this app registers an authority there (apps.ready, `context.py`) that
allows the staff member of the session that is open *while this module runs the action* (`acting_in`), and nobody
else. The records stay the resident's, so the owning apps' uniqueness rules (one support per registry person, one
answer per person…) hold whether the resident acts from their own account or through the desk; each act is also
an `AssistedAction` row naming the session and the record it made, and an `assisted.act` audit row.
"""

from __future__ import annotations

import secrets
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shanzhi.audit.services import audit_log
from shanzhi.cases.models import CaseRating
from shanzhi.cases.selectors import cases_to_rate_for
from shanzhi.cases.services import case_rate_on_behalf
from shanzhi.consultation.models import Support, Survey, Topic
from shanzhi.consultation.services import (
    support_on_behalf,
    support_withdraw,
    survey_answer_on_behalf,
    survey_answer_withdraw,
)
from shanzhi.core.errors import NotAllowed, ServiceError
from shanzhi.core.pii import blind_index
from shanzhi.core.scope import roles_at
from shanzhi.core.writes import clean_or_refuse
from shanzhi.registry.models import Person
from shanzhi.registry.permissions import can_act_for
from shanzhi.registry.services import canonical_id_number
from shanzhi.volunteering.models import Activity, Order, SignUp, StoreItem
from shanzhi.volunteering.services import signup_on_behalf, signup_transition
from shanzhi.volunteering.store import order_cancel, order_place

from . import choices as c
from .context import acting_in
from .models import DEFAULT_LIMITS, REVIEW_ROLES, AssistedAction, AssistedSession, AssistRule
from .permissions import can_dispute_for, can_review

# --- limits --------------------------------------------------------------------------------------------------

def ancestor_codes(code: str) -> list[str]:
    return [code[:n] for n in (4, 6, 9, 12, 15) if len(code) >= n]


def limits_for(code: str) -> dict:
    """The rule with the longest code that `code` starts with, else DEFAULT_LIMITS."""
    rule = AssistRule.objects.filter(region_code__in=ancestor_codes(code)).order_by("-region_code").first()
    if rule is None:
        return dict(DEFAULT_LIMITS)
    return {k: getattr(rule, k) for k in DEFAULT_LIMITS}


def start_of_today():
    return timezone.make_aware(datetime.combine(timezone.localdate(), time.min))


def _refuse_over(used: int, limit: int, what: str) -> None:
    if used >= limit:
        raise ServiceError(_("您今天的%(what)s已达每日上限（%(n)s），如确需继续，请联系社区书记调整代办限额") % {
            "what": what, "n": limit}, code="limit")


@transaction.atomic
def assist_rule_set(*, actor, region_code: str, session_minutes: int, sessions_per_day: int,
                    actions_per_day: int) -> AssistRule:
    """A street or district manager (or a community secretary for their community) sets the limits of a region."""
    if not roles_at(actor, region_code) & REVIEW_ROLES:
        raise NotAllowed(_("只有社区书记或街道管理员可以设置本辖区的代办限额"))
    rule = AssistRule.objects.select_for_update().filter(region_code=region_code).first() or \
        AssistRule(region_code=region_code)
    before = {k: getattr(rule, k) for k in DEFAULT_LIMITS} if rule.pk else {}
    rule.session_minutes, rule.sessions_per_day, rule.actions_per_day = session_minutes, sessions_per_day, \
        actions_per_day
    clean_or_refuse(rule)
    if rule.pk:
        rule.version += 1
        rule.save(update_fields=[*DEFAULT_LIMITS, "version"])
    else:
        rule.save()
    audit_log(actor=actor, action="assisted.rule_set", object_repr=region_code, region_code=region_code,
              before=before, after={k: getattr(rule, k) for k in DEFAULT_LIMITS})
    return rule


# --- identity and the session ------------------------------------------------------------------------------

def _by_id(actor, name: str, id_number: str) -> Person | None:
    """The living person the actor may see whose ID number (blind index) and name both match, else None."""
    number = canonical_id_number(id_number or "")  # however it was typed (spaces, lower-case x, 15 digits)
    if not number or not name:
        return None
    person = (Person.objects.restrict(actor, "view").select_related("household")
              .filter(id_number_hash=blind_index(number, purpose="id_number"), status="living").first())
    return person if person is not None and person.name == name else None


def _identify(actor, method: str, name: str, id_number: str, head_name: str) -> tuple[Person | None, Person | None]:
    if method == c.Method.ID_NUMBER:
        return _by_id(actor, name, id_number), None
    head = _by_id(actor, head_name, id_number)
    if head is None or head.household_id is None or head.household.head_id != head.pk:
        return None, None
    member = Person.objects.filter(household_id=head.household_id, name=name, status="living").exclude(
        pk=head.pk).first()
    return member, head


def _new_receipt_code() -> str:
    while True:
        code = "DB" + "".join(secrets.choice("23456789ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(8))
        if not AssistedSession.objects.filter(receipt_code=code).exists():
            return code


# one sentence for every failure: it must not tell which part was wrong
IDENTITY_REFUSED = gettext_lazy("身份核验未通过：所填信息与居民信息库不符，或该居民不在您的工作范围内。请核对证件后重试。")


def session_start(*, actor, method: str, name: str, id_number: str, head_name: str = "") -> AssistedSession:
    """Check identity in person and open a session. Every failure gives the same sentence (no hint whether the
    name, the number, the household or the region was wrong) and leaves an audit row without personal data."""
    name, head_name = (name or "").strip(), (head_name or "").strip()
    if method not in c.Method.values:
        raise ServiceError(_("请选择核验方式"), field="method")
    person, head = _identify(actor, method, name, id_number, head_name)
    if person is None:
        audit_log(actor=actor, action="assisted.identity_refused", after={"method": method})
        raise ServiceError(str(IDENTITY_REFUSED), code="identity")
    return _open_session(actor=actor, person=person, head=head, method=method)


@transaction.atomic
def _open_session(*, actor, person: Person, head, method: str) -> AssistedSession:
    limits = limits_for(person.region_code)
    used = AssistedSession.objects.filter(staff=actor, started_at__gte=start_of_today()).count()
    _refuse_over(used, limits["sessions_per_day"], _("代办次数"))
    now = timezone.now()
    session = AssistedSession(staff=actor, person=person, head=head, method=method, region_code=person.region_code,
                              receipt_code=_new_receipt_code(), started_at=now,
                              expires_at=now + timedelta(minutes=limits["session_minutes"]))
    clean_or_refuse(session)
    session.save()
    audit_log(actor=actor, action="assisted.session_start", obj=session,
              after={"person": person.pk, "head": head.pk if head else None, "method": method,
                     "minutes": limits["session_minutes"]})
    return session


@transaction.atomic
def session_end(*, actor, session: AssistedSession) -> AssistedSession:
    if session.staff_id != actor.pk:
        raise NotAllowed(_("只有发起本次代办的工作人员可以结束它"))
    if session.ended_at is None:
        session.ended_at = min(timezone.now(), session.expires_at)
        session.save(update_fields=["ended_at"])
        audit_log(actor=actor, action="assisted.session_end", obj=session)
    return session


# --- actions -----------------------------------------------------------------------------------------------

def _community_rows(model, person: Person):
    """Rows of a community-held model (activities, store items) the person's region falls under."""
    return model.objects.filter(region_code__in=ancestor_codes(person.region_code))


def _support(*, actor, person, target_id, **_kw):
    topic = Topic.objects.filter(pk=target_id, region_code=person.region_code[:12]).first()
    if topic is None:
        raise ServiceError(_("找不到该议题"), field="target")
    support_on_behalf(actor=actor, topic=topic, person=person)
    return topic.title, Support.objects.get(topic=topic, person=person).pk


def _survey(*, actor, person, target_id, option=None, **_kw):
    survey = Survey.objects.select_related("topic").filter(pk=target_id,
                                                           topic__region_code=person.region_code[:12]).first()
    if survey is None:
        raise ServiceError(_("找不到该问卷"), field="target")
    if option is None:
        raise ServiceError(_("请选择一个选项"), field="option")
    answer = survey_answer_on_behalf(actor=actor, survey=survey, person=person, option=option)
    return survey.question, answer.pk


def _rate(*, actor, person, target_id, score=None, comment="", **_kw):
    case = cases_to_rate_for(actor=actor, person=person).filter(pk=target_id).first()
    if case is None:
        raise ServiceError(_("该事项不是本人反映的待评价事项"), field="target")
    case_rate_on_behalf(actor=actor, case=case, person=person, score=score or 0, comment=comment)
    return f"{case.number} {case.title}", CaseRating.objects.filter(case=case).latest("pk").pk


def _signup(*, actor, person, target_id, **_kw):
    activity = _community_rows(Activity, person).filter(pk=target_id).first()
    if activity is None:
        raise ServiceError(_("找不到该活动"), field="target")
    return activity.title, signup_on_behalf(actor=actor, activity=activity, person=person).pk


def _redeem(*, actor, person, target_id, **_kw):
    item = _community_rows(StoreItem, person).filter(pk=target_id, active=True).first()
    if item is None:
        raise ServiceError(_("找不到该物品"), field="target")
    ok, reason = can_act_for(actor, person, "redeem")
    if not ok:
        raise NotAllowed(reason)
    return item.name, order_place(actor=actor, item=item, person=person).pk


ACT = {c.Kind.SUPPORT: _support, c.Kind.SURVEY: _survey, c.Kind.RATE: _rate, c.Kind.SIGNUP: _signup,
       c.Kind.REDEEM: _redeem}


def _open_for(actor, session: AssistedSession) -> AssistedSession:
    session = AssistedSession.objects.select_for_update().select_related("person").get(pk=session.pk)
    if session.staff_id != actor.pk:
        raise NotAllowed(_("只有发起本次代办的工作人员可以在其中办理"))
    if not session.is_open():
        raise ServiceError(_("本次代办已结束或已超时，请重新核验身份后再办理"), code="expired")
    return session


@transaction.atomic
def session_act(*, actor, session: AssistedSession, kind: str, target_id: int, option: int | None = None,
                score: int | None = None, comment: str = "") -> AssistedAction:
    """One act for the resident, through the owning app's service; recorded with the session."""
    session = _open_for(actor, session)
    if kind not in ACT:
        raise ServiceError(_("请选择代办事项"), field="kind")
    limits = limits_for(session.region_code)
    used = AssistedAction.objects.filter(session__staff=actor, created_at__gte=start_of_today()).count()
    _refuse_over(used, limits["actions_per_day"], _("代办事项"))
    with acting_in(session):
        label, record_id = ACT[kind](actor=actor, person=session.person, target_id=target_id, option=option,
                                     score=score, comment=comment)
    action = AssistedAction.objects.create(session=session, kind=kind, target_id=target_id,
                                           target_label=str(label)[:200], record_id=record_id)
    audit_log(actor=actor, action="assisted.act", obj=session,
              after={"session": session.pk, "kind": kind, "target": target_id, "record": record_id,
                     "person": session.person_id})
    return action


# --- disputes and review -------------------------------------------------------------------------------------

def _undo_support(actor, action, person, reason):
    support_withdraw(actor=actor, topic=Topic.objects.get(pk=action.target_id), person=person, reason=reason)
    return _("附议已撤回")


def _undo_survey(actor, action, person, reason):
    survey_answer_withdraw(actor=actor, survey=Survey.objects.get(pk=action.target_id), person=person, reason=reason)
    return _("答卷已撤回")


def _undo_rate(actor, action, person, reason):
    raise ServiceError(_("评价已计入办理结果，不能撤回，已交复核"))


def _undo_signup(actor, action, person, reason):
    signup_transition(actor=actor, signup=SignUp.objects.get(pk=action.record_id), action="cancel", reason=reason)
    return _("报名已取消")


def _undo_redeem(actor, action, person, reason):
    order_cancel(actor=actor, order=Order.objects.select_related("person").get(pk=action.record_id))
    return _("兑换已取消，积分已退回")


UNDO = {c.Kind.SUPPORT: _undo_support, c.Kind.SURVEY: _undo_survey, c.Kind.RATE: _undo_rate,
        c.Kind.SIGNUP: _undo_signup, c.Kind.REDEEM: _undo_redeem}


def _may_dispute(actor, session: AssistedSession) -> None:
    if getattr(actor, "is_authenticated", False) and session.person.user_id == actor.pk:
        return  # the resident, from their own account
    ok, reason = can_dispute_for(actor, session)
    if not ok:
        raise NotAllowed(reason)


@transaction.atomic
def action_dispute(*, actor, action: AssistedAction, reason: str) -> AssistedAction:
    """The resident says they did not want this: it is reverted where it can be (a support withdrawn, an answer
    withdrawn, a sign-up or an order cancelled), and the session is flagged for review either way."""
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ServiceError(_("请写明异议理由"), field="reason")
    action = AssistedAction.objects.select_for_update().select_related("session__person").get(pk=action.pk)
    session = action.session
    _may_dispute(actor, session)
    if action.disputed_at:
        raise ServiceError(_("这一项已经提出过异议"))
    try:
        with transaction.atomic():
            note, reverted = UNDO[action.kind](actor, action, session.person, reason), True
    except ServiceError as e:  # not reversible (any more): flagged for review only
        note, reverted = e.user_message, False
    now = timezone.now()
    action.disputed_at, action.disputed_by, action.dispute_reason = now, actor, reason[:300]
    action.reverted, action.revert_note = reverted, str(note)[:300]
    action.save(update_fields=["disputed_at", "disputed_by", "dispute_reason", "reverted", "revert_note"])
    flag = _("%(kind)s“%(label)s”有异议") % {"kind": action.get_kind_display(), "label": action.target_label}
    session.flagged = True
    session.flag_reason = "；".join(x for x in (session.flag_reason, flag) if x)[:500]
    session.reviewed_at, session.reviewed_by, session.review_note = None, None, ""
    session.save(update_fields=["flagged", "flag_reason", "reviewed_at", "reviewed_by", "review_note"])
    audit_log(actor=actor, action="assisted.dispute", obj=session, reason=reason[:200],
              after={"action": action.pk, "kind": action.kind, "reverted": reverted})
    return action


@transaction.atomic
def session_review(*, actor, session: AssistedSession, note: str) -> AssistedSession:
    """A community secretary or street manager closes the review of a flagged session with a note."""
    note = (note or "").strip()
    if len(note) < 2:
        raise ServiceError(_("请填写复核意见"), field="note")
    session = AssistedSession.objects.select_for_update().get(pk=session.pk)
    ok, reason = can_review(actor, session)
    if not ok:
        raise NotAllowed(reason)
    session.reviewed_by, session.reviewed_at, session.review_note = actor, timezone.now(), note[:300]
    session.save(update_fields=["reviewed_by", "reviewed_at", "review_note"])
    audit_log(actor=actor, action="assisted.review", obj=session, reason=note[:200])
    return session
