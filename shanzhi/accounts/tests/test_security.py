"""The security baseline: lockout, session timeouts, TOTP for the roles that need it, CSRF."""

import re
import time
from datetime import timedelta

import pytest
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from shanzhi.accounts.lockout import ip_failure_limit
from shanzhi.accounts.middleware import LAST_SEEN, LOGIN_AT
from shanzhi.audit.models import AuditEvent
from shanzhi.core.roles import TWO_FACTOR_ROLES, Role
from shanzhi.core.testing import PASSWORD

LOGIN = "/accounts/login/"
WRONG = "Wrong-passw0rd"
BAD_LOGIN = "用户名或密码错误"
LOCKED = "已被暂时锁定"

pytestmark = pytest.mark.django_db


def post_login(client, username, password, ip="10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def page_text(resp, username):
    """The page without the per-request CSRF tokens and the typed user name."""
    html = resp.content.decode().replace(username, "")
    return re.sub(r'(csrfmiddlewaretoken" value=|X-CSRFToken": )"[^"]+"', "", html)


def wait_out_throttle():
    """django-otp refuses every code for a moment after a wrong one; pretend that moment has passed."""
    for model in (TOTPDevice, StaticDevice):
        model.objects.update(throttling_failure_timestamp=None, throttling_failure_count=0)


# --- lockout (django-axes) -------------------------------------------------------------------------------
def test_unknown_user_and_wrong_password_get_the_same_message(client, world, make_user):
    make_user(Role.GRID_WORKER, world.grid.code, username="known")
    a = post_login(client, "known", WRONG)
    b = post_login(client, "nobody-here", WRONG)
    assert a.status_code == b.status_code == 200
    assert BAD_LOGIN in a.content.decode() and BAD_LOGIN in b.content.decode()
    assert page_text(a, "known") == page_text(b, "nobody-here")


def test_five_failures_lock_the_account_even_from_other_addresses(client, world, make_user):
    make_user(Role.GRID_WORKER, world.grid.code, username="victim")
    for i in range(5):
        resp = post_login(client, "victim", WRONG, ip=f"10.0.1.{i}")
    assert resp.status_code == 429 and LOCKED in resp.content.decode()
    # the right password from yet another address is refused for 30 minutes
    resp = post_login(client, "victim", PASSWORD, ip="10.0.1.99")
    assert resp.status_code == 429 and "_auth_user_id" not in client.session
    # the same refusal for an unknown account that was hammered
    for i in range(5):
        other = post_login(client, "ghost", WRONG, ip=f"10.0.2.{i}")
    assert other.status_code == 429
    assert page_text(resp, "victim") == page_text(other, "ghost")


def test_five_failures_for_one_user_do_not_lock_colleagues_at_the_same_address(client, world, make_user):
    make_user(Role.GRID_WORKER, world.grid.code, username="typo")
    make_user(Role.GRID_WORKER, world.grid.code, username="colleague")
    for _ in range(5):
        resp = post_login(client, "typo", WRONG, ip="10.9.9.9")
    assert resp.status_code == 429
    # the same user at the same address stays locked, with the right password too
    assert post_login(client, "typo", PASSWORD, ip="10.9.9.9").status_code == 429
    # a colleague behind the same office address signs in
    resp = post_login(client, "colleague", PASSWORD, ip="10.9.9.9")
    assert resp.status_code == 302 and "_auth_user_id" in client.session


def test_the_address_locks_at_its_own_higher_threshold(client, world, make_user, settings):
    limit = ip_failure_limit(settings.AXES_FAILURE_LIMIT)
    assert limit > settings.AXES_FAILURE_LIMIT
    make_user(Role.GRID_WORKER, world.grid.code, username="innocent")
    make_user(Role.GRID_WORKER, world.grid.code, username="passerby")
    # a spray: one guess per user name, each user name far from its own limit
    for i in range(limit - 1):
        post_login(client, f"guess{i}", WRONG, ip="10.9.9.9")
    # a colleague's successful sign-in does not reset the address's count
    assert post_login(Client(), "passerby", PASSWORD, ip="10.9.9.9").status_code == 302
    assert post_login(client, "innocent", PASSWORD, ip="10.9.9.9").status_code == 302  # one below: still open
    client.logout()
    resp = post_login(client, f"guess{limit}", WRONG, ip="10.9.9.9")
    assert resp.status_code == 429 and LOCKED in resp.content.decode()
    locked = post_login(client, "innocent", PASSWORD, ip="10.9.9.9")
    assert locked.status_code == 429 and "_auth_user_id" not in client.session
    assert page_text(locked, "innocent") == page_text(resp, f"guess{limit}")  # the same neutral message
    # another address is not affected
    assert post_login(client, "innocent", PASSWORD, ip="10.9.9.10").status_code == 302


def test_four_failures_do_not_lock_and_the_lock_ends_after_30_minutes(client, world, make_user):
    make_user(Role.GRID_WORKER, world.grid.code, username="slow")
    for _ in range(4):
        post_login(client, "slow", WRONG)
    assert post_login(client, "slow", PASSWORD).status_code == 302
    client.logout()
    for _ in range(5):
        post_login(client, "slow", WRONG)
    assert post_login(client, "slow", PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=29))
    assert post_login(client, "slow", PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=31))
    assert post_login(client, "slow", PASSWORD).status_code == 302


def test_lockout_settings():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_LOCKOUT_PARAMETERS == ["username", ["username", "ip_address"], "ip_address"]
    assert settings.AXES_HANDLER == "shanzhi.accounts.lockout.PerUserLockoutHandler"

    assert get_cool_off() == timedelta(minutes=30)


# --- session timeouts ------------------------------------------------------------------------------------
def _signed_in(client, world, make_user):
    make_user(Role.GRID_WORKER, world.grid.code, username="worker")
    assert post_login(client, "worker", PASSWORD).status_code == 302
    assert client.get("/").status_code == 200


def _shift(client, **ago):
    session = client.session
    for key, seconds in ago.items():
        session[key] = time.time() - seconds
    session.save()


def test_idle_timeout_after_30_minutes(client, world, make_user):
    _signed_in(client, world, make_user)
    _shift(client, **{LAST_SEEN: 29 * 60})
    assert client.get("/").status_code == 200
    _shift(client, **{LAST_SEEN: 31 * 60})
    resp = client.get("/")
    assert resp.status_code == 302 and resp["Location"].startswith(LOGIN)
    assert client.get("/").status_code == 302  # really signed out
    assert AuditEvent.objects.filter(action="session.timeout", actor_name="worker").exists()


def test_activity_keeps_the_session_until_12_hours(client, world, make_user):
    _signed_in(client, world, make_user)
    _shift(client, **{LOGIN_AT: 11 * 3600, LAST_SEEN: 60})
    assert client.get("/").status_code == 200
    _shift(client, **{LOGIN_AT: 12 * 3600 + 60, LAST_SEEN: 60})
    resp = client.get("/")
    assert resp.status_code == 302 and resp["Location"].startswith(LOGIN)


# --- two-factor authentication --------------------------------------------------------------------------
def _code(device, offset=0):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset):06d}"


@pytest.mark.parametrize("role", sorted(TWO_FACTOR_ROLES))
def test_two_factor_roles_must_set_up_totp(client, world, make_user, role):
    code = world.city.code if role in {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN} else world.street.code
    make_user(role, code, username="boss")
    assert post_login(client, "boss", PASSWORD).status_code == 302
    resp = client.get("/")
    assert resp.status_code == 302 and resp["Location"].startswith(reverse("accounts:otp_setup"))
    assert client.get(reverse("accounts:otp_setup")).status_code == 200
    device = TOTPDevice.objects.get(user__username="boss", confirmed=False)
    wrong = client.post(reverse("accounts:otp_setup"), {"token": "000000" if _code(device) != "000000" else "111111"})
    assert wrong.status_code == 200 and "验证码不正确" in wrong.content.decode()
    wait_out_throttle()
    resp = client.post(reverse("accounts:otp_setup"), {"token": _code(device)})
    assert resp.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/").status_code == 200


def test_two_factor_verify_with_totp_and_backup_codes(client, world, make_user):
    user = make_user(Role.STREET_MANAGER, world.street.code, username="mgr")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    static = StaticDevice.objects.create(user=user, name="backup", confirmed=True)
    static.token_set.create(token="backup01")

    post_login(client, "mgr", PASSWORD)
    resp = client.get("/regions/")
    assert resp.status_code == 302 and resp["Location"].startswith(reverse("accounts:otp_verify"))
    assert client.post(reverse("accounts:otp_verify"), {"token": "123"}).status_code == 200
    wait_out_throttle()
    resp = client.post(reverse("accounts:otp_verify") + "?next=/regions/", {"token": _code(device)})
    assert resp.status_code == 302 and resp["Location"] == "/regions/"
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(action="otp.verify", actor_name="mgr").exists()

    # a backup code works once
    for attempt in (1, 2):
        c = Client()
        post_login(c, "mgr", PASSWORD)
        resp = c.post(reverse("accounts:otp_verify"), {"token": "backup01"})
        if attempt == 1:
            assert resp.status_code == 302 and c.get("/").status_code == 200
        else:
            assert resp.status_code == 200 and "验证码不正确" in resp.content.decode()
            assert c.get("/").status_code == 302


def test_other_roles_do_not_need_totp(client, world, make_user):
    make_user(Role.COMMUNITY_STAFF, world.community.code, username="staff")
    post_login(client, "staff", PASSWORD)
    assert client.get("/").status_code == 200


# --- CSRF -------------------------------------------------------------------------------------------------
def test_csrf_is_enforced_on_login_and_forms(world, make_user):
    make_user(Role.COMMUNITY_SECRETARY, world.community.code, username="sec")
    c = Client(enforce_csrf_checks=True)
    assert c.post(LOGIN, {"username": "sec", "password": PASSWORD}).status_code == 403
    c.get(LOGIN)
    token = c.cookies["csrftoken"].value
    resp = c.post(LOGIN, {"username": "sec", "password": PASSWORD, "csrfmiddlewaretoken": token})
    assert resp.status_code == 302
    # signed in, a form post without the token is still refused
    url = reverse("accounts:user_create")
    form = {"username": "newbie", "display_name": "新人", "password": "Qq-7zYx-pass", "role": Role.GRID_WORKER,
            "region_code": world.grid.code}
    assert c.post(url, form).status_code == 403
    token = c.cookies["csrftoken"].value
    assert c.post(url, {**form, "csrfmiddlewaretoken": token}).status_code == 302
    # htmx requests send the token as a header
    assert c.post(reverse("accounts:logout"), HTTP_X_CSRFTOKEN=c.cookies["csrftoken"].value).status_code == 302


# --- audit rows for logins -------------------------------------------------------------------------------
def test_login_success_and_failure_are_audited_with_ip(client, world, make_user):
    make_user(Role.GRID_WORKER, world.grid.code, username="audited")
    post_login(client, "audited", WRONG, ip="10.7.7.7")
    post_login(client, "audited", PASSWORD, ip="10.7.7.8")
    failed = AuditEvent.objects.get(action="login.failed")
    assert failed.actor_name == "audited" and failed.ip == "10.7.7.7" and failed.actor is None
    ok = AuditEvent.objects.get(action="login")
    assert ok.actor.username == "audited" and ok.ip == "10.7.7.8" and ok.request_id
    assert WRONG not in str(list(AuditEvent.objects.values()))


# --- password change ---------------------------------------------------------------------------------------
def test_password_change_checks_the_old_password_and_the_rules(client, world, make_user):
    user = make_user(Role.GRID_WORKER, world.grid.code, username="changer")
    post_login(client, "changer", PASSWORD)
    url = reverse("accounts:password_change")
    resp = client.post(url, {"old_password": WRONG, "new_password1": "Nu-7pass-word", "new_password2": "Nu-7pass-word"})
    assert "原密码不正确" in resp.content.decode()
    resp = client.post(url, {"old_password": PASSWORD, "new_password1": "abcdefgh", "new_password2": "abcdefgh"})
    assert "至少三类" in resp.content.decode()
    resp = client.post(url, {"old_password": PASSWORD, "new_password1": "Nu-7pass-word",
                             "new_password2": "Nu-7pass-word"})
    assert resp.status_code == 302 and client.get("/").status_code == 200  # still signed in
    user.refresh_from_db()
    assert user.check_password("Nu-7pass-word") and user.password_changed_at
    assert AuditEvent.objects.filter(action="user.password_change", actor=user).exists()
