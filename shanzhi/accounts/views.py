import base64
import time

import segno
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import devices_for_user, match_token
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from shanzhi.audit.services import audit_log
from shanzhi.core.access import login_view, object_view, public_view, role_view
from shanzhi.core.errors import ServiceError
from shanzhi.core.roles import USER_MANAGER_ROLES
from shanzhi.regions.models import Region

from . import selectors, services
from .forms import GrantForm, LoginForm, OtpForm, PasswordChangeForm, UserCreateForm
from .middleware import LAST_SEEN, LOGIN_AT
from .models import RoleGrant, User


def _next(request, default="core:home"):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


def lockout_response(request, *args, **kwargs):
    """Shown by django-axes after 5 failures for an account or an IP: the same text for either."""
    form = LoginForm(request)
    response = render(request, "accounts/login.html", {"form": form, "locked": True}, status=429)
    return response


@public_view(methods=("GET", "POST"))
def login_page(request):
    if request.method == "POST":
        form = LoginForm(request, data=request.POST)
        if form.is_valid():
            user = form.get_user()
            login(request, user)

            request.session[LOGIN_AT] = request.session[LAST_SEEN] = time.time()
            audit_log(actor=user, action="login")
            return redirect(_next(request))
        audit_log(action="login.failed", actor_name=request.POST.get("username", "")[:150])
        if getattr(request, "axes_locked_out", False):
            return lockout_response(request)
    else:
        form = LoginForm(request)
    return render(request, "accounts/login.html", {"form": form, "next": request.GET.get("next", "")})


@require_POST
@login_view(methods=("POST",))
def logout_page(request):
    audit_log(actor=request.user, action="logout")
    logout(request)
    return redirect("accounts:login")


@login_view(methods=("GET", "POST"))
def password_change(request):
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_set_password(actor=request.user, user=request.user,
                                       password=form.cleaned_data["new_password1"])
        except ServiceError as e:
            form.add_error("new_password1", e.user_message)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, _("密码已修改。"))
            return redirect("core:home")
    return render(request, "accounts/password_change.html", {"form": form})


@login_view(methods=("GET", "POST"))
def otp_setup(request):
    """Add an authenticator app: show the QR code, confirm with one code."""
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name="TOTP", confirmed=False)
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"].strip()):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            audit_log(actor=request.user, action="otp.setup")
            messages.success(request, _("双因素认证已启用。"))
            return redirect(_next(request))
        form.add_error("token", _("验证码不正确，请核对手机时间后重试。"))
    qr = segno.make(device.config_url, error="m").svg_inline(scale=4)

    secret = base64.b32encode(device.bin_key).decode()
    request.no_store = True
    return render(request, "accounts/otp_setup.html", {"form": form, "qr": qr, "secret": secret})


@login_view(methods=("GET", "POST"))
def otp_verify(request):
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"].strip())
        if device is not None:
            otp_login(request, device)
            audit_log(actor=request.user, action="otp.verify")
            return redirect(_next(request))
        audit_log(actor=request.user, action="otp.failed")
        form.add_error("token", _("验证码不正确。"))
    has_device = any(True for _ in devices_for_user(request.user, confirmed=True))
    if not has_device:
        return redirect("accounts:otp_setup")
    return render(request, "accounts/otp_verify.html", {"form": form})


@role_view(USER_MANAGER_ROLES)
def user_list(request):
    q = request.GET.get("q", "").strip()
    users = selectors.user_list(actor=request.user, q=q)[:200]
    return render(request, "accounts/user_list.html", {"users": users, "q": q})


@role_view(USER_MANAGER_ROLES, methods=("GET", "POST"))
def user_create(request):
    form = UserCreateForm(request.POST or None, roles=services.grantable_roles(request.user))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        region = Region.objects.filter(code=d["region_code"].strip()).first()
        if region is None:
            form.add_error("region_code", _("区域代码不存在"))
        else:
            ok, reason = services.can_grant(request.user, d["role"], region.code)
            if not ok:
                form.add_error("role", reason)
            else:
                try:
                    with transaction.atomic():
                        user = services.user_create(actor=request.user, username=d["username"],
                                                    password=d["password"], display_name=d["display_name"])
                        services.grant_add(actor=request.user, user=user, role=d["role"], region=region)
                except ServiceError as e:
                    form.add_error(e.field if e.field in form.fields else None, e.user_message)
                else:
                    messages.success(request, _("已创建用户 %(u)s") % {"u": user.username})
                    return redirect("accounts:user_detail", pk=user.pk)
    return render(request, "accounts/user_form.html", {"form": form})


@object_view(User, action="manage", methods=("GET", "POST"))
def user_detail(request, obj):
    form = GrantForm(request.POST or None, roles=services.grantable_roles(request.user))
    if request.method == "POST":
        try:
            if "revoke" in request.POST:
                grant = RoleGrant.objects.filter(user=obj, pk=request.POST.get("revoke")).first()
                if grant:
                    services.grant_revoke(actor=request.user, grant=grant)
                    messages.success(request, _("已撤销授权"))
                return redirect("accounts:user_detail", pk=obj.pk)
            if "deactivate" in request.POST or "activate" in request.POST:
                services.user_set_active(actor=request.user, user=obj, active="activate" in request.POST)
                return redirect("accounts:user_detail", pk=obj.pk)
            if form.is_valid():
                region = Region.objects.filter(code=form.cleaned_data["region_code"].strip()).first()
                if region is None:
                    form.add_error("region_code", _("区域代码不存在"))
                else:
                    services.grant_add(actor=request.user, user=obj, role=form.cleaned_data["role"], region=region)
                    messages.success(request, _("已授予角色"))
                    return redirect("accounts:user_detail", pk=obj.pk)
        except ServiceError as e:
            form.add_error(e.field if e.field in form.fields else None, e.user_message)
    grants = [(g, services.can_grant(request.user, g.role, g.region_code)[0])
              for g in obj.grants.select_related("region").order_by("region_code")]
    can_manage, manage_reason = services.can_manage_user(request.user, obj)
    return render(request, "accounts/user_detail.html", {"subject": obj, "grants": grants, "form": form,
                                                         "can_manage": can_manage, "manage_reason": manage_reason})
