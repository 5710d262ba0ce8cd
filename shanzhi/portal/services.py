"""Writes of the resident portal: real-name binding, unbinding and account deletion, correction requests.

Real-name binding never tells whether an ID number exists: a try either binds at once (the name and ID
number match a living registry person who has no account) or becomes a request to the community — and a
number that is unknown, one that belongs to someone else, one whose name differs and one already bound all
take the same path (one lookup, one request row, one audit row) and get the same answer.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shanzhi.accounts.models import RoleGrant, User
from shanzhi.accounts.services import grant_add, grant_revoke
from shanzhi.audit.services import audit_log
from shanzhi.cases.choices import Channel
from shanzhi.cases.services import case_create, case_rate_on_behalf
from shanzhi.consultation.services import support_on_behalf, survey_answer_on_behalf
from shanzhi.core import pii
from shanzhi.core.errors import NotAllowed, ServiceError
from shanzhi.core.ratelimit import SettingRateThrottle
from shanzhi.core.roles import Role
from shanzhi.core.scope import roles_at
from shanzhi.notifications.services import notify
from shanzhi.regions.choices import Level
from shanzhi.regions.models import Region
from shanzhi.registry import choices as rc
from shanzhi.registry.changes import change_propose, change_requests_drop
from shanzhi.registry.models import ChangeRequest, ChangeSource, ChangeState, Person
from shanzhi.registry.permissions import can_act_for
from shanzhi.registry.services import (
    canonical_id_number,
    person_account_link,
    person_account_unlink,
)
from shanzhi.registry.validators import parse_id_number
from shanzhi.volunteering.services import signup_on_behalf
from shanzhi.volunteering.store import order_place

from .models import BindingAttempt, BindingRequest, CorrectionField, RequestState
from .workflow import BINDING


def person_of(user) -> Person | None:
    """The living registry person bound to `user`, if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (Person.objects.filter(user_id=user.pk, status=rc.PersonStatus.LIVING)
            .select_related("household", "dwelling__building").first())


def _attempt_limit() -> tuple[int, int]:
    rate = (getattr(settings, "SHANZHI_BINDING_RATE_USER", "") or "5/day").strip()
    return SettingRateThrottle().parse_rate(rate)


def _check_attempts(actor) -> None:
    count, seconds = _attempt_limit()
    since = timezone.now() - timedelta(seconds=seconds)
    if BindingAttempt.objects.filter(user=actor, created_at__gte=since).count() >= count:
        audit_log(actor=actor, action="portal.binding.throttled")
        raise ServiceError(_("实名认证尝试次数过多，请明天再试，或携带身份证件到社区服务站办理"), field="id_number")


def _community(code: str) -> Region:
    region = Region.objects.filter(code=(code or "").strip(), level=Level.COMMUNITY).first()
    if region is None:
        raise ServiceError(_("请选择您居住的社区"), field="community")
    return region


def _grant_resident(actor, user, person: Person) -> None:
    region = Region.objects.get(code=person.region_code)
    grant_add(actor=actor, user=user, role=Role.RESIDENT, region=region, check_actor=False)


def _matches(person: Person | None, name: str) -> bool:
    return (person is not None and person.name == name and person.user_id is None
            and person.status == rc.PersonStatus.LIVING)


def binding_submit(*, actor, name: str, id_number: str, community_code: str) -> tuple[str, object]:
    """("bound", person) when name and ID number match a living person without an account; otherwise
    ("requested", BindingRequest) — the same for an unknown number and for one already bound. A refusal by
    the per-account limit is audited (outside the write's transaction, so the row stays)."""
    if person_of(actor) is not None:
        raise ServiceError(_("您已完成实名认证"))
    name = (name or "").strip()
    if not name:
        raise ServiceError(_("请填写姓名"), field="name")
    region = _community(community_code)
    _check_attempts(actor)
    return _bind_or_request(actor, name, id_number, region)


@transaction.atomic
def _bind_or_request(actor, name: str, id_number: str, region: Region) -> tuple[str, object]:
    number = parse_id_number(id_number).number  # a malformed number says so (it tells nothing about the registry)
    h = pii.blind_index(canonical_id_number(number), purpose="id_number")
    person = Person.objects.select_for_update().filter(id_number_hash=h).first()
    matched = _matches(person, name)
    BindingAttempt.objects.create(user=actor, matched=matched)
    if matched:
        person = person_account_link(actor=actor, person=person, user=actor, via="self")
        _grant_resident(actor, actor, person)
        audit_log(actor=actor, action="portal.binding.matched", obj=person, region_code=person.region_code)
        return "bound", person
    req = BindingRequest.objects.filter(user=actor, state=RequestState.PENDING).first() or BindingRequest(user=actor)
    req.name, req.region_code = name, region.code
    req.id_number_enc, req.id_number_hash = pii.encrypt(number), h
    req.full_clean()
    req.save()
    audit_log(actor=actor, action="portal.binding.requested", obj=req, region_code=region.code)
    return "requested", req


@transaction.atomic
def binding_approve(*, actor, request: BindingRequest) -> BindingRequest:
    """Staff checked the papers: bind the account to the registry person with that ID number (in the actor's
    scope; a person bound to another account is moved to this one, audited)."""
    person = (Person.objects.restrict(actor, "change").select_for_update()
              .filter(id_number_hash=request.id_number_hash).first())
    if person is None:
        raise ServiceError(_("您管辖范围内的居民信息中没有这个证件号码，请先登记该居民，再通过申请"))
    if person.name != request.name:
        raise ServiceError(_("申请人姓名“%(a)s”与登记姓名不一致，请核对证件并先更正居民信息") % {"a": request.name})
    if person.user_id and person.user_id != request.user_id:
        old = User.objects.get(pk=person.user_id)
        person_account_unlink(actor=actor, person=person, reason=_("社区核验证件后改绑"))
        _revoke_resident(actor, old)
    req = BINDING.apply(obj=request, actor=actor, action="approve", extra_updates={"person": person})
    person_account_link(actor=actor, person=person, user=request.user, via="desk")
    _grant_resident(actor, request.user, person)
    notify(recipients=[request.user], kind="portal.binding", title=_("您的实名认证已通过"),
           url=reverse("core:home"), actor=actor)
    return req


def binding_reject(*, actor, request: BindingRequest, reason: str) -> BindingRequest:
    with transaction.atomic():
        req = BINDING.apply(obj=request, actor=actor, action="reject", data={"reason": reason})
        notify(recipients=[request.user], kind="portal.binding", title=_("您的实名认证申请未通过"),
               body=reason, url=reverse("portal:bind"), actor=actor)
    return req


def _revoke_resident(actor, user) -> None:
    for grant in RoleGrant.objects.filter(user=user, role=Role.RESIDENT):
        grant_revoke(actor=actor, grant=grant, check_actor=False)


@transaction.atomic
def binding_release(*, actor) -> None:
    """The resident unbinds their account from the registry (their record stays) and loses the 居民 role."""
    person = person_of(actor)
    if person is None:
        raise ServiceError(_("您的账号尚未实名认证"))
    person_account_unlink(actor=actor, person=person, reason=_("居民本人解除绑定"))
    _revoke_resident(actor, actor)
    audit_log(actor=actor, action="portal.binding.release", obj=actor)


@transaction.atomic
def account_delete(*, actor) -> None:
    """PIPL: the resident deletes their account. The registry keeps its record (only the link goes); the
    account row stays for the history it signed, emptied of personal data and disabled."""
    user = User.objects.select_for_update().get(pk=actor.pk)
    person = Person.objects.filter(user_id=user.pk).first()
    if person is not None:
        person_account_unlink(actor=actor, person=person, reason=_("居民注销账号"))
    for grant in RoleGrant.objects.filter(user=user):
        grant_revoke(actor=actor, grant=grant, check_actor=False)
    BindingRequest.objects.filter(user=user).delete()
    change_requests_drop(actor=actor, user=user)
    user.username = f"deleted-{user.pk}"
    user.display_name = user.email = user.first_name = user.last_name = ""
    user.phone_enc = user.phone_hash = ""
    user.is_active = False
    user.set_unusable_password()
    user.save()
    audit_log(actor=actor, action="portal.account_delete", obj=user)


# --- correction requests ---------------------------------------------------------------------------------------

def correction_submit(*, actor, field: str, value: str, note: str = "") -> ChangeRequest:
    """The resident asks to correct one field of their own record: a registry change request (source
    "resident"), decided by the community on the registry's 变更审核 page like staff proposals."""
    person = person_of(actor)
    if person is None:
        raise ServiceError(_("请先完成实名认证"))
    if field not in CorrectionField.values:
        raise ServiceError(_("请选择要更正的项目"), field="field")
    value = (value or "").strip()
    if not value:
        raise ServiceError(_("请填写更正后的内容"), field="value")
    try:
        return change_propose(actor=actor, target=person, values={field: value[:200]}, note=note,
                              source=ChangeSource.RESIDENT)
    except ServiceError as e:
        raise ServiceError(e.user_message, field="value") from None


def correction_decided(req: ChangeRequest) -> None:
    """registry.changes' hook: tell the resident how their correction was decided."""
    if req.source != ChangeSource.RESIDENT or req.requested_by_id is None:
        return
    approved = req.state == ChangeState.APPROVED
    notify(recipients=[req.requested_by], kind="portal.correction",
           title=_("您的信息更正已通过") if approved else _("您的信息更正申请未通过"), body="" if approved else req.reason,
           url=reverse("portal:household"), actor=req.decided_by)


# --- filing a case for someone else (民情收集员, 网格辅助员, 专属网格员) ------------------------------------------

@transaction.atomic
def case_collect(*, actor, category, region_code: str, title: str, description: str, collection_point: str = "",
                 address: str = "", reporter_name: str = "", reporter_phone: str = ""):
    """File a case heard from a resident, through the cases service. A 民情收集员 records the 民情收集站 where it
    was collected (on the case's first history entry and in the audit row); the grid's helpers file as 巡查."""
    collector = Role.CASE_COLLECTOR in roles_at(actor, region_code)
    point = (collection_point or "").strip()
    if collector and not point:
        raise ServiceError(_("请填写民情收集站"), field="collection_point")
    source = _("%(point)s·%(who)s") % {"point": point, "who": actor} if point else str(actor)
    case = case_create(actor=actor, category=category, channel=Channel.WALK_IN if collector else Channel.PATROL,
                       title=title, description=description, region_code=region_code, address=address,
                       reporter_name=reporter_name, reporter_phone=reporter_phone, source_name=source[:50])
    audit_log(actor=actor, action="portal.case_collect", obj=case, region_code=region_code,
              after={"collection_point": point, "number": case.number})
    return case


# --- 代办: a household head acts for a member without an account --------------------------------------------

def _proxy_member(actor, person_id, action: str) -> Person:
    """The household member `person_id`, if the actor may act for them in `action` (registry.can_act_for)."""
    person = Person.objects.select_related("household").filter(pk=person_id).first()
    ok, reason = can_act_for(actor, person, action)
    if not ok:
        raise NotAllowed(reason)
    return person


def proxy_support(*, actor, person_id, topic) -> object:
    """附议 in the member's name (consultation records the head as the one who entered it)."""
    return support_on_behalf(actor=actor, topic=topic, person=_proxy_member(actor, person_id, "support"))


@transaction.atomic
def proxy_redeem(*, actor, person_id, item) -> object:
    """兑换 from the member's own points; the order is the member's, the audit row names the head."""
    person = _proxy_member(actor, person_id, "redeem")
    order = order_place(actor=actor, item=item, person=person)
    audit_log(actor=actor, action="portal.proxy_redeem", obj=order, after={"person": person.pk})
    return order


def proxy_signup(*, actor, person_id, activity) -> object:
    """报名 in the member's name (volunteering records the head in the sign-up's history and the audit row)."""
    return signup_on_behalf(actor=actor, activity=activity, person=_proxy_member(actor, person_id, "signup"))


def proxy_rate(*, actor, person_id, case, score: int, comment: str = "") -> object:
    """评价 of the member's own case (cases records the head as the rater, for the member)."""
    return case_rate_on_behalf(actor=actor, case=case, person=_proxy_member(actor, person_id, "rate"),
                               score=score, comment=comment)


def proxy_survey(*, actor, person_id, survey, option: int) -> object:
    """问卷 answered in the member's name (consultation records the head as `entered_by`)."""
    return survey_answer_on_behalf(actor=actor, survey=survey, person=_proxy_member(actor, person_id, "survey"),
                                   option=option)
