"""Writes for volunteers, teams, activities, sign-ups and attendance.

Attendance: the first scan of an approved sign-up checks in, the second checks out; check-out (or an
approved 补卡 that completes the pair) settles the sign-up: hours = time served capped by the
activity's duration, points = hours × points per hour, awarded once through the ledger with the
idempotency key `activity:<id>:volunteer:<id>`.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_DOWN, Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shanzhi.audit.services import audit_log
from shanzhi.core.errors import NotAllowed, ServiceError
from shanzhi.core.permissions import require, require_any
from shanzhi.core.writes import create_audited, save_audited, versioned_update
from shanzhi.ledger.choices import Ledger
from shanzhi.ledger.services import points_award
from shanzhi.registry.permissions import can_act_for

from . import tokens
from .choices import ActivityState, CheckKind, SignUpState
from .models import Activity, LateCheckRequest, PointRule, SignUp, SignUpHistory, Volunteer, VolunteerTeam
from .permissions import POINT_RULE, SELF, STAFF
from .workflow import LATE_CHECK, SIGNUP

CHECK_WINDOW = timedelta(hours=1)  # scanning opens an hour before the start and closes an hour after the end




@transaction.atomic
def volunteer_register(*, actor, person, skills=(), intro: str = "") -> Volunteer:
    require_any(actor, [SELF.action, STAFF.action], person)
    if Volunteer.objects.filter(person=person).exists():
        raise ServiceError(_("该居民已经注册为志愿者"))
    volunteer = create_audited(Volunteer, actor=actor, action="volunteering.volunteer.register", audit_after={},
                               person=person, region_code=person.region_code, intro=intro)
    volunteer.skills.set(skills)
    return volunteer


@transaction.atomic
def volunteer_verify(*, actor, volunteer: Volunteer) -> Volunteer:
    """实名核验: staff of the volunteer's region confirm the person behind the registration."""
    require(actor, STAFF.action, volunteer.region_code)
    if volunteer.verified:
        return volunteer
    return versioned_update(volunteer, None, actor=actor, action="volunteering.volunteer.verify", validate=False,
                            verified_by=actor, verified_at=timezone.now())


@transaction.atomic
def team_create(*, actor, region_code: str, name: str, description: str = "", leader=None) -> VolunteerTeam:
    require(actor, STAFF.action, region_code)
    team = create_audited(VolunteerTeam, actor=actor, action="volunteering.team.create", audit_after={},
                          region_code=region_code, name=name, description=description, leader=leader)
    if leader:
        team.members.add(leader)
    return team


@transaction.atomic
def team_add_member(*, actor, team: VolunteerTeam, volunteer: Volunteer) -> None:
    require(actor, STAFF.action, team.region_code)
    team.members.add(volunteer)
    audit_log(actor=actor, action="volunteering.team.add_member", obj=team, after={"volunteer": volunteer.pk})


@transaction.atomic
def activity_create(*, actor, region_code: str, title: str, place: str, starts_at, ends_at, slots: int,
                    points_per_hour: int | None = None, team=None, description: str = "", skills=(),
                    organiser=None) -> Activity:
    """Without its own points per hour the activity takes the 志愿积分规则 of its street or district (kept)."""
    require(actor, STAFF.action, region_code)
    if points_per_hour is None:
        points_per_hour = point_rule_effective(region_code=region_code)
    activity = Activity(region_code=region_code, title=title, place=place, starts_at=starts_at, ends_at=ends_at,
                        slots=slots, points_per_hour=points_per_hour, team=team, description=description,
                        organiser=organiser or actor)
    if starts_at and ends_at and ends_at <= starts_at:
        raise ServiceError(_("结束时间必须晚于开始时间"), field="ends_at")
    activity.full_clean()
    activity.save()
    activity.skills.set(skills)
    audit_log(actor=actor, action="volunteering.activity.create", obj=activity)
    return activity


def _history(signup, t, before, data):
    return SignUpHistory.objects.create(signup=signup, action=t.action, label=str(t.label), from_state=before,
                                        to_state=t.target, actor=data.get("_actor"),
                                        note=str(data.get("reason", ""))[:300])


@transaction.atomic
def signup_create(*, actor, activity: Activity, volunteer: Volunteer) -> SignUp:
    if not volunteer.verified:
        raise ServiceError(_("志愿者身份尚未经社区实名核验，暂不能报名"))
    if activity.state != ActivityState.OPEN or activity.ends_at <= timezone.now():
        raise ServiceError(_("该活动已停止报名"))
    existing = SignUp.objects.filter(activity=activity, volunteer=volunteer).first()
    if existing and existing.state != SignUpState.CANCELLED:
        raise ServiceError(_("您已报名该活动"))
    if existing:  # signing up again after cancelling reopens the same row
        versioned_update(existing, None, actor=actor, audit=False, validate=False, state=SignUpState.PENDING)
        signup = existing
    else:
        signup = SignUp(activity=activity, volunteer=volunteer, team=activity.team, region_code=activity.region_code)
        signup.full_clean()
        signup.save()
    SignUpHistory.objects.create(signup=signup, action="create", label=_("报名"), from_state="",
                                 to_state=SignUpState.PENDING, actor=actor)
    audit_log(actor=actor, action="volunteering.signup.create", obj=signup)
    return signup


@transaction.atomic
def signup_on_behalf(*, actor, activity: Activity, person) -> SignUp:
    """代办: a household head signs up a member without an account (registry.permissions.can_act_for). The
    sign-up is the member's (their verified volunteer record); its history and the audit row name the head."""
    ok, reason = can_act_for(actor, person, "signup")
    if not ok:
        raise NotAllowed(reason)
    volunteer = Volunteer.objects.filter(person=person).first()
    if volunteer is None:
        raise ServiceError(_("%(name)s还没有登记为志愿者，请社区工作人员代为登记") % {"name": person.name})
    if not person.region_code.startswith(activity.region_code[:12]):
        raise NotAllowed(_("该活动不在%(name)s所在的社区") % {"name": person.name})
    signup = signup_create(actor=actor, activity=activity, volunteer=volunteer)
    audit_log(actor=actor, action="volunteering.signup_on_behalf", obj=signup, after={"person": person.pk})
    return signup


@transaction.atomic
def signup_transition(*, actor, signup: SignUp, action: str, reason: str = "") -> SignUp:
    return SIGNUP.apply(obj=signup, actor=actor, action=action, data={"reason": reason, "_actor": actor},
                        history=_history)


def service_hours(activity: Activity, checked_in_at, checked_out_at) -> Decimal:
    seconds = max(0.0, (checked_out_at - checked_in_at).total_seconds())
    seconds = min(seconds, (activity.ends_at - activity.starts_at).total_seconds())
    return (Decimal(seconds) / Decimal(3600)).quantize(Decimal("0.1"), rounding=ROUND_DOWN)


def award_key(signup: SignUp) -> str:
    return f"activity:{signup.activity_id}:volunteer:{signup.volunteer_id}"


def _settle(*, actor, signup: SignUp) -> SignUp:
    """Compute hours and award points once both times are known."""
    if not (signup.checked_in_at and signup.checked_out_at) or signup.transfer_id:
        return signup
    activity = signup.activity
    hours = service_hours(activity, signup.checked_in_at, signup.checked_out_at)
    points = int(hours * activity.points_per_hour)
    transfer = None
    if points > 0:
        transfer = points_award(actor=actor, ledger=Ledger.VOLUNTEER, person=signup.volunteer.person, amount=points,
                                idempotency_key=award_key(signup),
                                memo=_("志愿服务：%(title)s %(hours)s小时") % {"title": activity.title, "hours": hours})
    versioned_update(signup, None, actor=actor, audit=False, validate=False, hours=hours, points=points, transfer=transfer)
    return signup


@transaction.atomic
def attendance_scan(*, actor, signup: SignUp, at=None, via: str = "qr") -> tuple[SignUp, str]:
    """One scan: check in, or check out if already in. Returns (signup, "check_in"|"check_out")."""
    at = at or timezone.now()
    signup = SignUp.objects.select_for_update().select_related("activity", "volunteer__person").get(pk=signup.pk)
    activity = signup.activity
    if signup.state != SignUpState.APPROVED:
        raise ServiceError(_("报名尚未通过审核，不能签到"))
    if not (activity.starts_at - CHECK_WINDOW <= at <= activity.ends_at + CHECK_WINDOW):
        raise ServiceError(_("不在活动签到时间内（开始前1小时至结束后1小时），请提交补卡申请"))
    if signup.checked_out_at:
        raise ServiceError(_("您已签退，服务时长已记录"))
    kind = CheckKind.CHECK_OUT if signup.checked_in_at else CheckKind.CHECK_IN
    field = "checked_out_at" if kind == CheckKind.CHECK_OUT else "checked_in_at"
    versioned_update(signup, None, actor=actor, audit=False, validate=False, **{field: at})
    SignUpHistory.objects.create(signup=signup, action=kind, label=CheckKind(kind).label, from_state=signup.state,
                                 to_state=signup.state, actor=actor, note=via)
    audit_log(actor=actor, action=f"volunteering.{kind}", obj=signup, after={"via": via})
    if kind == CheckKind.CHECK_OUT:
        signup = _settle(actor=actor, signup=signup)
    return signup, kind


def attendance_by_activity_code(*, actor, token: str) -> tuple[SignUp, str]:
    """The volunteer scanned the activity's QR code with their own phone."""
    activity_id = tokens.activity_id_from(token)
    if activity_id is None:
        raise ServiceError(_("二维码无效，请扫描活动现场的签到码"))
    signup = SignUp.objects.filter(activity_id=activity_id, volunteer__person__user=actor).first()
    if signup is None:
        raise ServiceError(_("您没有报名该活动"))
    return attendance_scan(actor=actor, signup=signup, via="activity_qr")


def attendance_by_volunteer_code(*, actor, activity: Activity, token: str) -> tuple[SignUp, str]:
    """Staff at the check-in desk scanned the volunteer's personal code."""
    require(actor, STAFF.action, activity.region_code)
    volunteer_id = tokens.volunteer_id_from(token)
    if volunteer_id is None:
        raise ServiceError(_("志愿者码无效或已过期，请让志愿者刷新“我的志愿码”"), field="token")
    signup = SignUp.objects.filter(activity=activity, volunteer_id=volunteer_id).first()
    if signup is None:
        raise ServiceError(_("该志愿者没有报名本活动"), field="token")
    return attendance_scan(actor=actor, signup=signup, via="desk")


@transaction.atomic
def late_check_request(*, actor, signup: SignUp, kind: str, claimed_at, reason: str) -> LateCheckRequest:
    if signup.volunteer.person.user_id != actor.pk:
        raise NotAllowed(_("只能为自己的报名申请补卡"))
    if signup.state != SignUpState.APPROVED:
        raise ServiceError(_("报名尚未通过审核"))
    activity = signup.activity
    if not (activity.starts_at - CHECK_WINDOW <= claimed_at <= activity.ends_at + CHECK_WINDOW):
        raise ServiceError(_("补卡时间必须在活动时间附近"), field="claimed_at")
    if (kind == CheckKind.CHECK_IN and signup.checked_in_at) or (kind == CheckKind.CHECK_OUT
                                                                and signup.checked_out_at):
        raise ServiceError(_("该项已有打卡记录，无需补卡"), field="kind")
    if signup.late_requests.filter(kind=kind, state="pending").exists():
        raise ServiceError(_("已有待审核的补卡申请"), field="kind")
    req = LateCheckRequest(signup=signup, kind=kind, claimed_at=claimed_at, reason=reason,
                           region_code=signup.region_code)
    save_audited(req, actor=actor, action="volunteering.late_check.request")
    return req


@transaction.atomic
def late_check_decide(*, actor, request: LateCheckRequest, action: str, reason: str = "") -> LateCheckRequest:
    """The organiser approves (records the time, settling the sign-up if both times are now known) or rejects."""
    req = LATE_CHECK.apply(obj=request, actor=actor, action=action, data={"reason": reason})
    if action == "approve":
        signup = SignUp.objects.select_for_update().get(pk=req.signup_id)
        field = "checked_in_at" if req.kind == CheckKind.CHECK_IN else "checked_out_at"
        if getattr(signup, field) is None:
            versioned_update(signup, None, actor=actor, audit=False, validate=False, **{field: req.claimed_at})
            SignUpHistory.objects.create(signup=signup, action="late_" + req.kind, label=_("补卡"),
                                         from_state=signup.state, to_state=signup.state, actor=actor)
            if signup.checked_in_at and signup.checked_out_at and signup.checked_out_at <= signup.checked_in_at:
                raise ServiceError(_("签退时间早于签到时间，不能同意"))
            _settle(actor=actor, signup=signup)
    return req


# --- 志愿积分规则: district default and ceiling, street override within it ---------------------------------------

DISTRICT_CODE_LEN, STREET_CODE_LEN = 6, 9
DEFAULT_POINTS_PER_HOUR = 10


def point_rule_effective(*, region_code: str) -> int:
    """Points per hour for a new activity in `region_code`: the street's rule (capped by the district's ceiling),
    else the district's, else the installation default."""
    rules = {r.region_code: r for r in PointRule.objects.filter(
        region_code__in=[region_code[:DISTRICT_CODE_LEN], region_code[:STREET_CODE_LEN]])}
    district = rules.get(region_code[:DISTRICT_CODE_LEN])
    street = rules.get(region_code[:STREET_CODE_LEN]) if len(region_code) >= STREET_CODE_LEN else None
    value = (street or district).points_per_hour if (street or district) else DEFAULT_POINTS_PER_HOUR
    if district is not None and district.max_points_per_hour:
        value = min(value, district.max_points_per_hour)
    return value


def _point_rule_check(region_code: str, points_per_hour: int, max_points_per_hour: int | None) -> None:
    if len(region_code) not in (DISTRICT_CODE_LEN, STREET_CODE_LEN):
        raise ServiceError(_("志愿积分规则只能设在区或街道"), field="region_code")
    if points_per_hour is None or points_per_hour < 1:
        raise ServiceError(_("每小时积分至少为 1"), field="points_per_hour")
    if len(region_code) == STREET_CODE_LEN:
        if max_points_per_hour:
            raise ServiceError(_("每小时积分上限由区级设置，街道不能设置"), field="max_points_per_hour")
        district = PointRule.objects.filter(region_code=region_code[:DISTRICT_CODE_LEN]).first()
        ceiling = district.max_points_per_hour if district else None
        if ceiling and points_per_hour > ceiling:
            raise ServiceError(_("每小时积分不能超过区级规定的上限 %(m)s") % {"m": ceiling}, field="points_per_hour")
    elif max_points_per_hour and points_per_hour > max_points_per_hour:
        raise ServiceError(_("默认每小时积分不能超过上限"), field="points_per_hour")


@transaction.atomic
def point_rule_set(*, actor, region_code: str, points_per_hour: int, max_points_per_hour: int | None = None,
                   version: int | None = None) -> PointRule:
    """Create or change the rule of a district or street (before/after audited, optimistic version)."""
    if actor is not None:
        require(actor, POINT_RULE.action, region_code)
    _point_rule_check(region_code, points_per_hour, max_points_per_hour)
    cur = PointRule.objects.select_for_update().filter(region_code=region_code).first()
    if cur is None:
        return create_audited(PointRule, actor=actor, action="volunteering.point_rule_create", region_code=region_code,
                              points_per_hour=points_per_hour, max_points_per_hour=max_points_per_hour)
    changed = {k: v for k, v in {"points_per_hour": points_per_hour,
                                  "max_points_per_hour": max_points_per_hour}.items() if getattr(cur, k) != v}
    if not changed:
        return cur
    return versioned_update(cur, version, actor=actor, action="volunteering.point_rule_update", **changed)
