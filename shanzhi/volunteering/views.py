"""Volunteering pages: residents (my volunteering, open activities, the store, my certificate), staff
(activities, check-in desk, volunteers, redemption desk, rankings, exports) and the public verifier."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shanzhi.audit.services import audit_log
from shanzhi.core.access import login_view, object_view, public_view, role_view
from shanzhi.core.errors import ServiceError
from shanzhi.core.export import xlsx_response
from shanzhi.core.params import PeriodForm, region_code_validator
from shanzhi.core.roles import Role
from shanzhi.core.scope import prefixes_for_roles
from shanzhi.core.scoping import prefix_q
from shanzhi.ledger.selectors import account_list
from shanzhi.regions.models import Region

from . import certificates, selectors, services, store, tokens
from .forms import ActivityForm, DonationForm, LateCheckForm, RegisterForm, StoreItemForm
from .models import (
    CHANGE_ROLES,
    ROLES,
    Activity,
    Certificate,
    Donation,
    LateCheckRequest,
    Order,
    SignUp,
    StoreItem,
    Volunteer,
)
from .workflow import SIGNUP

STAFF = ROLES["view"]
RESIDENT = {Role.RESIDENT}


def _fail(request, e: ServiceError):
    messages.error(request, e.user_message)


def _back(request, default: str):
    nxt = request.POST.get("next", "")
    return redirect(nxt if nxt.startswith("/") and not nxt.startswith("//") else default)


def _regions(actor, roles, levels=("community", "grid")):
    """Regions where the actor may create things (for form choices)."""
    prefixes = prefixes_for_roles(actor, roles)
    if not prefixes:
        return []
    return list(Region.objects.filter(prefix_q("code", prefixes), level__in=levels).order_by("code")[:500])


# --- residents --------------------------------------------------------------------------------------

@login_view
def my(request):
    person = selectors.person_of(request.user)
    volunteer = selectors.my_volunteer(actor=request.user)
    ctx = {"person": person, "volunteer": volunteer, "points": selectors.my_points(actor=request.user),
           "signups": list(selectors.my_signups(actor=request.user)[:30]),
           "orders": list(selectors.my_orders(actor=request.user)[:20]), "register_form": RegisterForm(),
           "certificates": list(Certificate.objects.restrict(request.user, "own")[:5])}
    if volunteer and volunteer.verified:
        ctx["my_qr"] = tokens.qr_svg(tokens.volunteer_token(volunteer), scale=4)
    response = render(request, "volunteering/my.html", ctx)
    response["Cache-Control"] = "no-store"
    return response


@login_view(methods=("POST",))
def my_register(request):
    person = selectors.person_of(request.user)
    form = RegisterForm(request.POST)
    if person is None:
        messages.error(request, _("您的账号尚未关联居民信息，请联系社区工作人员。"))
    elif form.is_valid():
        try:
            services.volunteer_register(actor=request.user, person=person, skills=form.cleaned_data["skills"],
                                        intro=form.cleaned_data["intro"])
            messages.success(request, _("注册成功，请等待社区工作人员实名核验。"))
        except ServiceError as e:
            _fail(request, e)
    return redirect("volunteering:my")


@role_view(RESIDENT)
def open_activities(request):
    volunteer = selectors.my_volunteer(actor=request.user)
    mine = {s.activity_id: s for s in selectors.my_signups(actor=request.user)}
    return render(request, "volunteering/open_activities.html", {
        "activities": selectors.open_activities(actor=request.user), "volunteer": volunteer, "mine": mine})


@object_view(Activity, action="join", methods=("POST",))
def activity_signup(request, activity):
    volunteer = selectors.my_volunteer(actor=request.user)
    if volunteer is None:
        messages.error(request, _("请先注册为志愿者。"))
    else:
        try:
            services.signup_create(actor=request.user, activity=activity, volunteer=volunteer)
            messages.success(request, _("已报名“%(t)s”，请等待审核。") % {"t": activity.title})
        except ServiceError as e:
            _fail(request, e)
    return _back(request, reverse("volunteering:open_activities"))


@object_view(SignUp, action="own", methods=("POST",))
def signup_cancel(request, signup):
    try:
        services.signup_transition(actor=request.user, signup=signup, action="cancel")
        messages.success(request, _("已取消报名。"))
    except ServiceError as e:
        _fail(request, e)
    return redirect("volunteering:my")


@object_view(SignUp, action="own", methods=("GET", "POST"))
def signup_late(request, signup):
    form = LateCheckForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.late_check_request(actor=request.user, signup=signup, **form.cleaned_data)
            messages.success(request, _("补卡申请已提交，等待活动组织者审核。"))
            return redirect("volunteering:my")
        except ServiceError as e:
            _fail(request, e)
    return render(request, "volunteering/late_form.html", {"signup": signup, "form": form})


@login_view(methods=("GET", "POST"))
def scan(request):
    """The page the activity's QR code opens: confirm, then POST checks in (or out)."""
    token = request.POST.get("t") or request.GET.get("t", "")
    activity_id = tokens.activity_id_from(token)
    activity = Activity.objects.filter(pk=activity_id).first() if activity_id else None
    signup = SignUp.objects.restrict(request.user, "own").filter(activity=activity).first() if activity else None
    if request.method == "POST":
        try:
            signup, kind = services.attendance_by_activity_code(actor=request.user, token=token)
            if kind == "check_in":
                messages.success(request, _("签到成功：%(t)s") % {"t": timezone.localtime(signup.checked_in_at)
                                                                 .strftime("%H:%M")})
            else:
                messages.success(request, _("签退成功：服务 %(h)s 小时，获得 %(p)s 积分") % {"h": signup.hours,
                                                                                   "p": signup.points})
            return redirect("volunteering:my")
        except ServiceError as e:
            _fail(request, e)
    return render(request, "volunteering/scan.html", {"activity": activity, "signup": signup, "token": token})


@role_view(RESIDENT)
def store_page(request):
    return render(request, "volunteering/store.html", {
        "items": selectors.store_items(actor=request.user), "points": selectors.my_points(actor=request.user),
        "person": selectors.person_of(request.user), "orders": selectors.my_orders(actor=request.user)[:20]})


@object_view(StoreItem, action="join", methods=("POST",))
def item_order(request, item):
    person = selectors.person_of(request.user)
    if person is None:
        messages.error(request, _("您的账号尚未关联居民信息，不能兑换。"))
    else:
        try:
            order = store.order_place(actor=request.user, item=item, person=person,
                                      quantity=int(request.POST.get("quantity") or 1))
            messages.success(request, _("兑换成功，核销码 %(c)s，请到爱心超市出示。") % {"c": order.code})
        except (ServiceError, ValueError) as e:
            _fail(request, e if isinstance(e, ServiceError) else ServiceError(_("数量不正确")))
    return redirect("volunteering:store")


@object_view(Order, action="own", methods=("POST",))
def order_cancel(request, order):
    try:
        store.order_cancel(actor=request.user, order=order)
        messages.success(request, _("已取消兑换，积分已退回。"))
    except ServiceError as e:
        _fail(request, e)
    return redirect("volunteering:store")


@login_view(methods=("POST",))
def certificate_issue(request):
    volunteer = selectors.my_volunteer(actor=request.user)
    if volunteer is None:
        messages.error(request, _("您还不是志愿者。"))
        return redirect("volunteering:my")
    try:
        cert = certificates.certificate_issue(actor=request.user, volunteer=volunteer)
    except ServiceError as e:
        _fail(request, e)
        return redirect("volunteering:my")
    return redirect("volunteering:certificate", pk=cert.pk)


def _verify_url(request, cert) -> str:
    return request.build_absolute_uri(reverse("volunteering:verify") + f"?code={cert.code}")


@object_view(Certificate, action="own")
def certificate_detail(request, cert):
    url = _verify_url(request, cert)
    return render(request, "volunteering/certificate.html", {"cert": cert, "c": cert.content, "verify_url": url,
                                                              "qr": tokens.qr_svg(url, scale=3)})


@object_view(Certificate, action="own")
def certificate_pdf(request, cert):
    pdf = certificates.certificate_pdf(certificate=cert, verify_url=_verify_url(request, cert))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{cert.code}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@public_view
def verify(request):
    code = request.GET.get("code", "").strip()
    cert, intact = certificates.certificate_verify(code=code) if code else (None, False)
    return render(request, "volunteering/verify.html", {"code": code, "cert": cert, "intact": intact,
                                                         "c": cert.content if cert else None})


@public_view
def donations(request):
    return render(request, "volunteering/donations.html", {"donations": selectors.public_donations()[:200]})


# --- staff -------------------------------------------------------------------------------------------

@role_view(STAFF)
def index(request):
    return render(request, "volunteering/index.html", {
        "activities": selectors.activity_list(actor=request.user)[:100],
        "late": selectors.late_requests(actor=request.user)[:50],
        "unverified": selectors.volunteer_list(actor=request.user, pending_only=True).count()})


@role_view(CHANGE_ROLES, methods=("GET", "POST"))
def activity_new(request):
    regions = _regions(request.user, CHANGE_ROLES)
    form = ActivityForm(request.POST or None, regions=regions)
    if request.method == "POST" and form.is_valid():
        try:
            a = services.activity_create(actor=request.user, **form.cleaned_data)
            messages.success(request, _("活动已发布"))
            return redirect("volunteering:activity", pk=a.pk)
        except ServiceError as e:
            _fail(request, e)
    return render(request, "volunteering/activity_form.html", {"form": form})


@object_view(Activity, action="view")
def activity_detail(request, activity):
    signups = list(selectors.activity_signups(actor=request.user, activity=activity))
    url = request.build_absolute_uri(reverse("volunteering:scan") + "?t=" + tokens.activity_token(activity))
    return render(request, "volunteering/activity.html", {
        "activity": activity, "rows": [(s, SIGNUP.available(s, request.user)) for s in signups], "scan_url": url,
        "qr": tokens.qr_svg(url, scale=5),
        "late": activity_late_requests(request.user, activity)})


def activity_late_requests(actor, activity):
    return selectors.late_requests(actor=actor).filter(signup__activity=activity)


@object_view(SignUp, action="change", methods=("POST",))
def signup_review(request, signup):
    try:
        services.signup_transition(actor=request.user, signup=signup, action=request.POST.get("action", ""),
                                   reason=request.POST.get("reason", ""))
        messages.success(request, _("已处理 %(n)s 的报名") % {"n": signup.volunteer})
    except ServiceError as e:
        _fail(request, e)
    return redirect("volunteering:activity", pk=signup.activity_id)


@object_view(Activity, action="change", methods=("GET", "POST"))
def desk(request, activity):
    """签到台: staff scan (or type) the volunteer's personal code."""
    result = None
    if request.method == "POST":
        try:
            signup, kind = services.attendance_by_volunteer_code(actor=request.user, activity=activity,
                                                                 token=request.POST.get("token", ""))
            result = {"signup": signup, "kind": kind}
        except ServiceError as e:
            _fail(request, e)
    signups = selectors.activity_signups(actor=request.user, activity=activity).filter(state="approved")
    return render(request, "volunteering/desk.html", {"activity": activity, "result": result, "signups": signups})


@object_view(LateCheckRequest, action="change", methods=("POST",))
def late_decide(request, req):
    try:
        services.late_check_decide(actor=request.user, request=req, action=request.POST.get("action", ""),
                                   reason=request.POST.get("reason", ""))
        messages.success(request, _("补卡申请已处理"))
    except ServiceError as e:
        _fail(request, e)
    return redirect("volunteering:activity", pk=req.signup.activity_id)


@role_view(STAFF)
def volunteers(request):
    return render(request, "volunteering/volunteers.html", {
        "volunteers": selectors.volunteer_list(actor=request.user)[:300],
        "teams": selectors.team_list(actor=request.user),
        "communities": _regions(request.user, CHANGE_ROLES, levels=("community",))})


@role_view(CHANGE_ROLES, methods=("POST",))
def team_new(request):
    try:
        services.team_create(actor=request.user, region_code=request.POST.get("region_code", ""),
                             name=request.POST.get("name", "").strip(),
                             description=request.POST.get("description", "").strip())
        messages.success(request, _("服务队已成立"))
    except ServiceError as e:
        _fail(request, e)
    return redirect("volunteering:volunteers")


@object_view(Volunteer, action="change", methods=("POST",))
def volunteer_verify(request, volunteer):
    try:
        services.volunteer_verify(actor=request.user, volunteer=volunteer)
        messages.success(request, _("已核验 %(n)s") % {"n": volunteer})
    except ServiceError as e:
        _fail(request, e)
    return redirect("volunteering:volunteers")


@role_view(CHANGE_ROLES, methods=("GET", "POST"))
def redeem_desk(request):
    """核销台: staff enter the code the resident shows."""
    redeemed = None
    if request.method == "POST":
        try:
            redeemed = store.order_redeem(actor=request.user, code=request.POST.get("code", ""))
            messages.success(request, _("核销成功：%(i)s × %(n)s") % {"i": redeemed.item, "n": redeemed.quantity})
        except ServiceError as e:
            _fail(request, e)
    return render(request, "volunteering/redeem_desk.html", {
        "redeemed": redeemed, "open_orders": selectors.open_orders(actor=request.user)[:50]})


@role_view(STAFF, methods=("GET", "POST"))
def store_manage(request):
    regions = _regions(request.user, CHANGE_ROLES, levels=("community",))
    item_form = StoreItemForm(request.POST if request.POST.get("form") == "item" else None, regions=regions)
    donation_form = DonationForm(request.POST if request.POST.get("form") == "donation" else None, regions=regions)
    if request.method == "POST":
        try:
            if item_form.is_bound and item_form.is_valid():
                store.store_item_create(actor=request.user, **item_form.cleaned_data)
                messages.success(request, _("物品已上架"))
                return redirect("volunteering:store_manage")
            if donation_form.is_bound and donation_form.is_valid():
                store.donation_record(actor=request.user, **donation_form.cleaned_data)
                messages.success(request, _("捐赠已登记并公示"))
                return redirect("volunteering:store_manage")
        except ServiceError as e:
            _fail(request, e)
    return render(request, "volunteering/store_manage.html", {
        "items": selectors.store_items(actor=request.user, action="view"), "item_form": item_form,
        "donation_form": donation_form, "donations": Donation.objects.restrict(request.user, "view")[:50]})


def _period(request):
    """The year and month asked for (an empty month is the whole year); odd values say why and fall back
    to the current month."""
    now = timezone.localtime()
    form = PeriodForm(request.GET)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, errors[0])
        return now.year, now.month
    year, month = form.cleaned_data["year"] or now.year, form.cleaned_data["month"]
    return year, (month if month or "month" in request.GET else now.month)


def _region_param(request) -> str:
    code = request.GET.get("region", "")
    try:
        region_code_validator(code or "0")
    except ValidationError as e:
        messages.error(request, e.messages[0])
        return ""
    return code


@role_view(STAFF)
def rankings(request):
    year, month = _period(request)
    region_code = _region_param(request)
    teams = list(selectors.team_list(actor=request.user))
    team = next((t for t in teams if str(t.pk) == request.GET.get("team")), None)
    rows = selectors.ranking(actor=request.user, year=year, month=month, region_code=region_code, team=team)
    return render(request, "volunteering/rankings.html", {
        "rows": rows, "year": year, "month": month, "teams": teams, "team": team, "region": region_code,
        "communities": _regions(request.user, STAFF, levels=("community",))})


@role_view(STAFF)
def export_hours(request):
    year, month = _period(request)

    audit_log(actor=request.user, action="volunteering.export.hours", object_repr=f"{year}-{month or ''}")
    suffix = f"-{month:02d}" if month else ""
    return xlsx_response(f"志愿服务时长-{year}{suffix}.xlsx",
                         [_("姓名"), _("活动"), _("签到"), _("签退"), _("时长(小时)"), _("积分"), _("区划代码")],
                         selectors.hours_export_rows(actor=request.user, year=year, month=month), sheet=_("服务时长"))


@role_view(STAFF)
def export_points(request):
    audit_log(actor=request.user, action="volunteering.export.points", object_repr="volunteer points")
    rows = ([a.name, a.get_owner_kind_display(), a.balance, a.region_code]
            for a in account_list(actor=request.user, ledger="volunteer").order_by("region_code", "name")
            .iterator(chunk_size=2000))
    return xlsx_response("志愿积分余额.xlsx", [_("账户"), _("类型"), _("余额"), _("区划代码")], rows, sheet=_("积分"))
