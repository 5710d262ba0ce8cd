import base64
import time

import segno
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import devices_for_user, match_token
from django_otp import login as otp_login

from shanzhi.core.access import login_view, object_view, public_view, role_view
from shanzhi.core.errors import NotAllowed, ServiceError
from shanzhi.core.roles import USER_MANAGER_ROLES

from . import selectors, services, signup
from .forms import (
    GrantForm,
    LoginForm,
    OtpForm,
    PasswordChangeForm,
    SignupForm,
    SignupPhoneForm,
    UserCreateForm,
)
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
            services.sign_in_record(actor=user, action="login")
            return redirect(_next(request))
        services.sign_in_record(action="login.failed", username=request.POST.get("username", ""))
        if getattr(request, "axes_locked_out", False):
            return lockout_response(request)
    else:
        form = LoginForm(request)
    return render(request, "accounts/login.html", {"form": form, "next": request.GET.get("next", "")})


@require_POST
@login_view(methods=("POST",))
def logout_page(request):
    services.sign_in_record(actor=request.user, action="logout")
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
    """Add (or replace) an authenticator app: show the QR code, confirm with one code."""
    try:
        device = services.device_start(actor=request.user)
    except NotAllowed:
        # a device exists and this session is not verified with it: verify first, then come back here
        return redirect(f"{reverse('accounts:otp_verify')}?next={reverse('accounts:otp_setup')}")
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.device_enrol(actor=request.user, token=form.cleaned_data["token"])
        except ServiceError as e:
            form.add_error("token", e.user_message)
        else:
            otp_login(request, device)
            messages.success(request, _("双因素认证已启用。"))
            return redirect(_next(request))
    qr = segno.make(device.config_url, error="m").svg_inline(scale=4)
    secret = base64.b32encode(device.bin_key).decode()
    request.no_store = True
    return render(request, "accounts/otp_setup.html", {"form": form, "qr": qr, "secret": secret,
                                                       "replacing": services.has_device(request.user)})


@login_view(methods=("GET", "POST"))
def otp_verify(request):
    if not services.has_device(request.user):
        return redirect("accounts:otp_setup")
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"].strip())
        if device is not None:
            otp_login(request, device)
            services.sign_in_record(actor=request.user, action="otp.verify")
            return redirect(_next(request))
        services.sign_in_record(actor=request.user, action="otp.failed")
        form.add_error("token", _("验证码不正确。"))
    return render(request, "accounts/otp_verify.html", {"form": form})


@login_view(methods=("GET", "POST"))
def otp_devices(request):
    """The user's own authenticators: replace (via setup) or remove one; needs a verified session."""
    if request.method == "POST":
        try:
            services.device_remove(actor=request.user, persistent_id=request.POST.get("remove", ""))
        except ServiceError as e:
            messages.error(request, e.user_message)
        else:
            messages.success(request, _("已移除验证设备"))
        return redirect("accounts:otp_devices")
    devices = list(devices_for_user(request.user, confirmed=True))
    can_change, reason = services.can_change_devices(request.user)
    return render(request, "accounts/otp_devices.html", {"devices": devices, "can_change": can_change,
                                                         "reason": reason})


@role_view(USER_MANAGER_ROLES)
def user_list(request):
    q = request.GET.get("q", "").strip()
    users = selectors.user_list(actor=request.user, q=q)[:200]
    return render(request, "accounts/user_list.html", {"users": users, "q": q})


@role_view(USER_MANAGER_ROLES, methods=("GET", "POST"))
def user_create(request):
    form = UserCreateForm(request.POST or None, roles=services.grantable_roles(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_create_with_grant(actor=request.user, **form.cleaned_data)
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
            if "reset_2fa" in request.POST:
                services.device_reset(actor=request.user, user=obj, reason=request.POST.get("reason", ""))
                messages.success(request, _("已重置该用户的动态验证码设备"))
                return redirect("accounts:user_detail", pk=obj.pk)
            if form.is_valid():
                services.grant_add_at(actor=request.user, user=obj, **form.cleaned_data)
                messages.success(request, _("已授予角色"))
                return redirect("accounts:user_detail", pk=obj.pk)
        except ServiceError as e:
            if e.field in form.fields or "reset_2fa" not in request.POST:
                form.add_error(e.field if e.field in form.fields else None, e.user_message)
            else:
                messages.error(request, e.user_message)
    grants = [(g, services.can_grant(request.user, g.role, g.region_code)[0])
              for g in obj.grants.select_related("region").order_by("region_code")]
    can_manage, manage_reason = services.can_manage_user(request.user, obj)
    return render(request, "accounts/user_detail.html", {"subject": obj, "grants": grants, "form": form,
                                                         "can_manage": can_manage, "manage_reason": manage_reason,
                                                         "has_device": services.has_device(obj)})


# --- resident self-registration --------------------------------------------------------------------------
SIGNUP_PHONE = "signup_phone"


@public_view(methods=("GET", "POST"))
def register(request):
    """Step 1: the phone number; a code is sent (rate-limited per number and per IP)."""
    form = SignupPhoneForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            phone = signup.code_send(request=request, phone=form.cleaned_data["phone"])
        except signup.TooManyRequests as e:
            form.add_error("phone", e.user_message)
            status = 429
        except ServiceError as e:
            form.add_error(e.field or None, e.user_message)
        else:
            request.session[SIGNUP_PHONE] = phone
            messages.success(request, _("验证码已发送，请查看短信。"))
            return redirect("accounts:register_verify")
    return render(request, "accounts/register.html", {"form": form}, status=status)


@public_view(methods=("GET", "POST"))
def register_verify(request):
    """Step 2: the code and a password; the new account is signed in and sent to real-name binding."""
    phone = request.session.get(SIGNUP_PHONE, "")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and phone and form.is_valid():
        d = form.cleaned_data
        try:
            user = signup.signup_complete(phone=phone, code=d["code"], password=d["password1"],
                                          display_name=d["display_name"])
        except ServiceError as e:
            form.add_error(e.field if e.field in form.fields else None, e.user_message)
        else:
            request.session.pop(SIGNUP_PHONE, None)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            request.session[LOGIN_AT] = request.session[LAST_SEEN] = time.time()
            messages.success(request, _("注册成功。请完成实名认证，以便参与社区事务。"))
            return redirect("portal:bind")
    return render(request, "accounts/register_verify.html",
                  {"form": form, "phone_masked": signup.mask_phone(phone) if phone else ""})
