"""Writes for party organisation: orgs, members, 双报到, co-building units, joint meetings, 联系户,
service records (approved through workflow.SERVICE_RECORD, which moves party points)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shanzhi.audit.services import audit_log
from shanzhi.core.errors import ServiceError
from shanzhi.core.permissions import require
from shanzhi.core.writes import save_audited

from .choices import MemberCategory
from .models import (
    CoBuildingUnit,
    DualCheckIn,
    JointMeeting,
    MemberHousehold,
    PartyMember,
    PartyOrg,
    ServiceRecord,
)
from .permissions import CHANGE, SELF
from .workflow import SERVICE_RECORD


def _save(actor, obj, action: str):
    return save_audited(obj, actor=actor, action=action)


@transaction.atomic
def party_org_create(*, actor, name: str, level: str, region_code: str, parent: PartyOrg | None = None,
                     is_joint_committee: bool = False, secretary: str = "", building=None) -> PartyOrg:
    require(actor, CHANGE.action, region_code)
    if parent and not region_code.startswith(parent.region_code):
        raise ServiceError(_("下级组织必须在上级组织的区域之内"), field="region_code")
    return _save(actor, PartyOrg(name=name, level=level, region_code=region_code, parent=parent,
                                 is_joint_committee=is_joint_committee, secretary=secretary, building=building),
                 "party.org.create")


@transaction.atomic
def party_member_add(*, actor, person, org: PartyOrg, category: str = MemberCategory.COMMUNITY, joined_on=None,
                     workplace=None, workplace_name: str = "", central_household=None) -> PartyMember:
    require(actor, CHANGE.action, org.region_code)
    require(actor, CHANGE.action, person.region_code)
    if PartyMember.objects.filter(person=person).exists():
        raise ServiceError(_("该居民已在党员名册中"))
    return _save(actor, PartyMember(person=person, org=org, category=category, joined_on=joined_on,
                                    workplace=workplace, workplace_name=workplace_name or (workplace.name if workplace
                                                                                          else ""),
                                    central_household=central_household, region_code=person.region_code),
                 "party.member.add")


def joint_committee_of(community_code: str) -> PartyOrg | None:
    return PartyOrg.objects.filter(region_code=community_code, is_joint_committee=True).first()


@transaction.atomic
def dual_check_in_register(*, actor, member: PartyMember, community_code: str, unit_name: str = "",
                           service_wish: str = "", unit=None) -> tuple[DualCheckIn, CoBuildingUnit]:
    """双报到: the employed member registers with the residence community, and their workplace becomes a
    co-building unit of that community's 大党委 (joined once, however many of its members register)."""
    require(actor, CHANGE.action, community_code)
    return _check_in(actor, member, community_code, unit_name, service_wish, unit)


@transaction.atomic
def dual_check_in_self(*, actor, unit_name: str = "", service_wish: str = "") -> tuple[DualCheckIn, CoBuildingUnit]:
    """双报到 by the member themselves (党员 role, their own record): to the community they live in."""
    member = PartyMember.objects.filter(person__user_id=actor.pk).first()
    if member is None:
        raise ServiceError(_("您的账号没有关联党员信息，请联系社区党组织"))
    require(actor, SELF.action, member.region_code)
    return _check_in(actor, member, member.region_code[:12], unit_name, service_wish, None)


def _check_in(actor, member, community_code, unit_name, service_wish, unit):
    committee = joint_committee_of(community_code)
    if committee is None:
        raise ServiceError(_("该社区尚未设立大党委，请先在党组织中标记大党委"))
    unit_name = unit_name or (unit.name if unit else "") or member.workplace_name
    if not unit_name:
        raise ServiceError(_("请填写党员所在单位"), field="unit_name")
    if DualCheckIn.objects.filter(member=member, community_code=community_code).exists():
        raise ServiceError(_("该党员已向该社区报到"))
    check_in = _save(actor, DualCheckIn(member=member, community_code=community_code, unit_name=unit_name,
                                        service_wish=service_wish, checked_in_on=timezone.localdate(),
                                        region_code=member.region_code), "party.dual_check_in")
    if member.category != MemberCategory.EMPLOYED:
        PartyMember.objects.filter(pk=member.pk).update(category=MemberCategory.EMPLOYED)
    co_unit, created = CoBuildingUnit.objects.get_or_create(
        joint_committee=committee, name=unit_name,
        defaults={"unit": unit or member.workplace, "joined_on": timezone.localdate(), "region_code": community_code,
                  "commitments": service_wish})
    if created:
        audit_log(actor=actor, action="party.co_building_unit.join", obj=co_unit)
    return check_in, co_unit


@transaction.atomic
def joint_meeting_record(*, actor, joint_committee: PartyOrg, held_on, topic: str, resolutions: str, units=(),
                         attendees=()) -> JointMeeting:
    require(actor, CHANGE.action, joint_committee.region_code)
    if not joint_committee.is_joint_committee:
        raise ServiceError(_("联席会议只能由大党委召开"))
    if not resolutions.strip():
        raise ServiceError(_("请填写会议决议"), field="resolutions")
    meeting = _save(actor, JointMeeting(joint_committee=joint_committee, held_on=held_on, topic=topic,
                                        resolutions=resolutions, region_code=joint_committee.region_code),
                    "party.joint_meeting.record")
    meeting.units.set(units)
    meeting.attendees.set(attendees)
    return meeting


@transaction.atomic
def member_household_link(*, actor, member: PartyMember, household) -> MemberHousehold:
    require(actor, CHANGE.action, household.region_code)
    link, created = MemberHousehold.objects.get_or_create(member=member, household=household,
                                                          defaults={"region_code": household.region_code})
    if created:
        audit_log(actor=actor, action="party.member_household.link", obj=link)
    return link


@transaction.atomic
def service_record_create(*, actor, member: PartyMember, description: str, points: int, happened_on
                          ) -> ServiceRecord:
    require(actor, CHANGE.action, member.region_code)
    if not points:
        raise ServiceError(_("积分不能为零"), field="points")
    return _save(actor, ServiceRecord(member=member, description=description, points=points, happened_on=happened_on,
                                      recorded_by=actor, region_code=member.region_code), "party.service_record.create")


def service_record_decide(*, actor, record: ServiceRecord, action: str, reason: str = "") -> ServiceRecord:
    return SERVICE_RECORD.apply(obj=record, actor=actor, action=action, data={"reason": reason},
                                extra_updates={"decided_by": actor})
