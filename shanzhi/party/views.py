"""Party organisation pages: the org tree, members, 双报到, service records, joint meetings."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from shanzhi.audit.services import audit_log
from shanzhi.core.access import object_view, role_view
from shanzhi.core.errors import ServiceError
from shanzhi.core.export import xlsx_response
from shanzhi.core.params import PointsField
from shanzhi.core.roles import Role
from shanzhi.registry.models import Person
from shanzhi.volunteering.models import community_prefix

from . import selectors, services
from .choices import MemberCategory, OrgLevel
from .models import PARTY_ROLES, PartyMember, PartyOrg, ServiceRecord
from .workflow import SERVICE_RECORD

VIEW = PARTY_ROLES["view"]


def _fail(request, e: ServiceError):
    messages.error(request, e.user_message)


@role_view(VIEW, methods=("GET", "POST"))
def index(request):
    orgs = list(PartyOrg.objects.restrict(request.user, "change").order_by("region_code", "name"))
    if request.method == "POST":
        parent = next((o for o in orgs if str(o.pk) == request.POST.get("parent")), None)
        try:
            services.party_org_create(actor=request.user, name=request.POST.get("name", "").strip(),
                                      level=request.POST.get("level", ""),
                                      region_code=request.POST.get("region_code", "").strip(), parent=parent,
                                      is_joint_committee=bool(request.POST.get("is_joint_committee")),
                                      secretary=request.POST.get("secretary", "").strip())
            messages.success(request, _("党组织已建立"))
            return redirect("party:index")
        except ServiceError as e:
            _fail(request, e)
    return render(request, "party/index.html", {"tree": selectors.org_tree(actor=request.user), "orgs": orgs,
                                                "levels": OrgLevel.choices})


@object_view(PartyOrg)
def org_detail(request, org):
    members = list(selectors.member_list(actor=request.user).filter(org=org))
    return render(request, "party/org.html", {
        "candidates": selectors.member_candidates(actor=request.user, org=org),
        "categories": MemberCategory.choices,
        "org": org, "members": members, "points": selectors.party_points(members),
        "children": PartyOrg.objects.restrict(request.user, "view").filter(parent=org),
        "units": org.co_building_units.all() if org.is_joint_committee else [],
        "meetings": org.meetings.prefetch_related("units") if org.is_joint_committee else []})


@object_view(PartyOrg, action="change", methods=("POST",))
def member_add(request, org):
    person = Person.objects.restrict(request.user, "view").filter(pk=request.POST.get("person") or 0).first()
    if person is None:
        messages.error(request, _("请选择人员"))
    else:
        try:
            services.party_member_add(actor=request.user, person=person, org=org,
                                      category=request.POST.get("category") or MemberCategory.COMMUNITY,
                                      workplace_name=request.POST.get("workplace_name", "").strip())
            messages.success(request, _("已加入党员名册"))
        except ServiceError as e:
            _fail(request, e)
    return redirect("party:org", pk=org.pk)


@role_view(VIEW)
def members(request):
    category = request.GET.get("category", "")
    rows = list(selectors.member_list(actor=request.user, category=category)[:500])
    return render(request, "party/members.html", {"members": rows, "points": selectors.party_points(rows),
                                                  "category": category, "categories": MemberCategory.choices})


@role_view(VIEW)
def members_export(request):
    rows = list(selectors.member_list(actor=request.user))
    points = selectors.party_points(rows)
    audit_log(actor=request.user, action="party.export.members", object_repr=f"{len(rows)} rows")
    return xlsx_response("党员积分.xlsx", [_("姓名"), _("所在组织"), _("类别"), _("工作单位"), _("党员积分"), _("区划代码")],
                         ([m.person.name, m.org.name, m.get_category_display(), m.workplace_name,
                           points.get(m.person_id, 0), m.region_code] for m in rows), sheet=_("党员"))


@object_view(PartyMember)
def member_detail(request, member):
    return render(request, "party/member.html", {
        "member": member, "points": selectors.party_points([member]).get(member.person_id, 0),
        "records": member.service_records.all()[:50], "households": member.served_households.select_related(
            "household"), "check_ins": member.dual_check_ins.all(), "today": timezone.localdate()})


@object_view(PartyMember, action="change", methods=("POST",))
def record_add(request, member):
    try:
        services.service_record_create(actor=request.user, member=member,
                                       description=request.POST.get("description", "").strip(),
                                       points=PointsField().clean(request.POST.get("points") or 0),
                                       happened_on=datetime.date.fromisoformat(request.POST.get("happened_on") or
                                                                               str(timezone.localdate())))
        messages.success(request, _("已登记，等待审核"))
    except ValidationError as e:
        messages.error(request, f"{_('积分')}：{e.messages[0]}")
    except ValueError:
        messages.error(request, _("积分或日期格式不正确"))
    except ServiceError as e:
        _fail(request, e)
    return redirect("party:member", pk=member.pk)


@object_view(PartyMember, action="change", methods=("POST",))
def dual_check_in(request, member):
    try:
        _check_in, unit = services.dual_check_in_register(
            actor=request.user, member=member, community_code=community_prefix(member.region_code),
            unit_name=request.POST.get("unit_name", "").strip(), service_wish=request.POST.get("service_wish", ""))
        messages.success(request, _("双报到完成，%(u)s 已成为大党委共建单位") % {"u": unit.name})
    except ServiceError as e:
        _fail(request, e)
    return redirect("party:member", pk=member.pk)


@role_view(VIEW)
def records(request):
    pending = list(selectors.pending_records(actor=request.user)[:200])
    return render(request, "party/records.html", {
        "rows": [(r, SERVICE_RECORD.available(r, request.user)) for r in pending]})


@object_view(ServiceRecord, action="approve", methods=("POST",))
def record_decide(request, record):
    try:
        services.service_record_decide(actor=request.user, record=record, action=request.POST.get("action", ""),
                                       reason=request.POST.get("reason", ""))
        messages.success(request, _("已处理"))
    except ServiceError as e:
        _fail(request, e)
    return redirect("party:records")


@role_view(VIEW, methods=("GET", "POST"))
def meetings(request):
    committees = list(PartyOrg.objects.restrict(request.user, "change").filter(is_joint_committee=True))
    if request.method == "POST":
        committee = next((c for c in committees if str(c.pk) == request.POST.get("committee")), None)
        if committee is None:
            messages.error(request, _("请选择大党委"))
        else:
            try:
                services.joint_meeting_record(
                    actor=request.user, joint_committee=committee,
                    held_on=datetime.date.fromisoformat(request.POST.get("held_on") or str(timezone.localdate())),
                    topic=request.POST.get("topic", "").strip(), resolutions=request.POST.get("resolutions", ""),
                    units=committee.co_building_units.filter(pk__in=request.POST.getlist("units")))
                messages.success(request, _("联席会议已记录"))
                return redirect("party:meetings")
            except ValueError:
                messages.error(request, _("日期格式不正确"))
            except ServiceError as e:
                _fail(request, e)
    return render(request, "party/meetings.html", {
        "meetings": selectors.joint_meetings(actor=request.user)[:100], "committees": committees,
        "units": selectors.co_building_units(actor=request.user), "today": timezone.localdate()})


@role_view({Role.PARTY_MEMBER}, methods=("GET", "POST"))
def mine(request):
    """党员 themselves: 双报到 to their residence community, their party points and their 联系户."""
    member = selectors.my_member(actor=request.user)
    if request.method == "POST":
        try:
            services.dual_check_in_self(actor=request.user, unit_name=request.POST.get("unit_name", "").strip(),
                                        service_wish=request.POST.get("service_wish", "").strip()[:200])
        except ServiceError as e:
            _fail(request, e)
        else:
            messages.success(request, _("双报到已登记"))
        return redirect("party:mine")
    ctx = {"member": member}
    if member is not None:
        ctx.update(points=selectors.party_points([member]).get(member.person_id, 0),
                   households=selectors.my_contact_households(member=member),
                   records=selectors.my_records(member=member), check_ins=member.dual_check_ins.all())
    return render(request, "party/mine.html", ctx)
