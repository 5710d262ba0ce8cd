"""Two-factor authentication cannot be bypassed: a password alone never enrols a second device, and every
page but signing in and out, the verify page and the first enrolment needs the verified session."""

import pytest
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from shanzhi.accounts import services
from shanzhi.accounts.forms import OtpForm
from shanzhi.accounts.models import User
from shanzhi.audit.models import AuditEvent
from shanzhi.core.errors import NotAllowed, ServiceError
from shanzhi.core.roles import Role
from shanzhi.core.testing import PASSWORD
from shanzhi.notifications.models import Notification

pytestmark = pytest.mark.django_db
SETUP, VERIFY, DEVICES = "/accounts/2fa/setup/", "/accounts/2fa/verify/", "/accounts/2fa/devices/"


def code(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def password_only(client, username):
    resp = client.post("/accounts/login/", {"username": username, "password": PASSWORD}, REMOTE_ADDR="10.0.0.1")
    assert resp.status_code == 302
    return client


def enrol_attempt(client):
    """What an attacker holding only the password tries: open setup, read the secret, confirm a code."""
    client.get(SETUP)
    pending = TOTPDevice.objects.filter(confirmed=False).first()
    if pending is not None:
        client.post(SETUP, {"token": code(pending)})
    return pending


def test_district_manager_with_a_device_cannot_enrol_another_with_the_password_only(client, world, make_user):
    user = make_user(Role.DISTRICT_MANAGER, world.district.code, username="dm")
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    password_only(client, "dm")
    resp = client.get(SETUP)
    assert resp.status_code == 302 and resp["Location"].startswith(VERIFY)
    enrol_attempt(client)
    assert TOTPDevice.objects.filter(user=user, confirmed=True).count() == 1
    resp = client.get("/registry/persons/")
    assert resp.status_code == 302 and resp["Location"].startswith(VERIFY)


def test_audit_admin_with_a_device_cannot_reach_the_export_with_the_password_only(client, world, make_user):
    user = make_user(Role.AUDIT_ADMIN, world.city.code, username="auditadmin")
    StaticDevice.objects.create(user=user, name="backup", confirmed=True).token_set.create(token="abcd2345")
    password_only(client, "auditadmin")
    enrol_attempt(client)
    resp = client.get("/audit/export/")
    assert resp.status_code == 302 and resp["Location"].startswith(VERIFY)
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def test_user_management_needs_the_verified_session(client, world, make_user):
    user = make_user(Role.STREET_MANAGER, world.street.code, username="sm")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    password_only(client, "sm")
    form = {"username": "newsec", "display_name": "新书记", "password": "Qq-7zYx-pass",
            "role": Role.COMMUNITY_SECRETARY, "region_code": world.community.code}
    for url in ("/accounts/users/", "/accounts/users/new/", f"/accounts/users/{user.pk}/", "/accounts/password/",
                DEVICES):
        resp = client.get(url)
        assert resp.status_code == 302 and resp["Location"].startswith(VERIFY), url
    resp = client.post("/accounts/users/new/", form)
    assert resp.status_code == 302 and resp["Location"].startswith(VERIFY)
    assert not User.objects.filter(username="newsec").exists()
    # verified with the device, the same form works
    assert client.post(VERIFY, {"token": code(device)}).status_code == 302
    assert client.post("/accounts/users/new/", form).status_code == 302
    assert User.objects.filter(username="newsec").exists()


def test_sign_in_pages_stay_open(client, world, make_user):
    user = make_user(Role.STREET_MANAGER, world.street.code, username="sm2")
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    password_only(client, "sm2")
    assert client.get(VERIFY).status_code == 200
    assert client.get("/accounts/login/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302


def test_first_device_enrols_with_the_password_audited_and_notified(client, world, make_user):
    user = make_user(Role.DISTRICT_MANAGER, world.district.code, username="newdm")
    password_only(client, "newdm")
    assert client.get("/registry/persons/")["Location"].startswith(SETUP)
    pending = enrol_attempt(client)
    assert pending is not None and TOTPDevice.objects.get(pk=pending.pk).confirmed
    assert client.get("/registry/persons/").status_code == 200
    assert AuditEvent.objects.filter(action="otp.enrol", actor=user).count() == 1
    assert Notification.objects.filter(recipient=user, kind="account.security").count() == 1


def test_a_verified_session_replaces_and_removes_devices(client, world, make_user):
    user = make_user(Role.STREET_MANAGER, world.street.code, username="sm3")
    old = TOTPDevice.objects.create(user=user, name="old", confirmed=True)
    backup = StaticDevice.objects.create(user=user, name="backup", confirmed=True)
    password_only(client, "sm3")
    assert client.post(VERIFY, {"token": code(old)}).status_code == 302
    resp = client.get(SETUP)
    assert resp.status_code == 200 and 'data-testid="otp-replacing"' in resp.content.decode()
    new = TOTPDevice.objects.get(user=user, confirmed=False)
    assert client.post(SETUP, {"token": code(new)}).status_code == 302
    assert list(TOTPDevice.objects.filter(user=user).values_list("pk", flat=True)) == [new.pk]  # replaced
    assert client.get("/registry/persons/").status_code == 200  # the session now rides on the new device
    assert AuditEvent.objects.filter(action="otp.replace", actor=user).exists()
    # remove the backup codes; the last device of a 2FA role stays
    assert client.post(DEVICES, {"remove": backup.persistent_id}).status_code == 302
    assert not StaticDevice.objects.filter(pk=backup.pk).exists()
    client.post(DEVICES, {"remove": new.persistent_id})
    assert TOTPDevice.objects.filter(pk=new.pk).exists()
    assert AuditEvent.objects.filter(action="otp.remove", actor=user).count() == 1
    titles = list(Notification.objects.filter(recipient=user, kind="account.security").values_list("title", flat=True))
    assert len(titles) == 2


def test_device_services_check_the_session_themselves(world, make_user):
    user = make_user(Role.DISTRICT_MANAGER, world.district.code)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    with pytest.raises(NotAllowed):
        services.device_start(actor=user)
    with pytest.raises(NotAllowed):
        services.device_enrol(actor=user, token="123456")
    with pytest.raises(NotAllowed):
        services.device_remove(actor=user, persistent_id=device.persistent_id)
    user.otp_device = device  # what django-otp sets on a verified request's user
    pending = services.device_start(actor=user)
    with pytest.raises(ServiceError):
        services.device_enrol(actor=user, token="not-a-code")
    TOTPDevice.objects.update(throttling_failure_timestamp=None, throttling_failure_count=0)  # the wait is over
    assert services.device_enrol(actor=user, token=code(pending)) == pending


def test_an_administrator_resets_a_lost_device(client, world, make_user):
    admin = make_user(Role.SECURITY_ADMIN, world.city.code, username="secadmin")
    user = make_user(Role.STREET_MANAGER, world.street.code, username="lostphone")
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    StaticDevice.objects.create(user=user, name="backup", confirmed=True)
    manager = make_user(Role.STREET_MANAGER, world.street.code)
    with pytest.raises(NotAllowed):  # a peer holds a role the manager cannot grant
        services.device_reset(actor=manager, user=user, reason="手机丢失")
    admin_client = Client()
    admin_client.force_login(admin)
    session = admin_client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.create(user=admin, name="a", confirmed=True).persistent_id
    session.save()
    url = reverse("accounts:user_detail", args=[user.pk])
    assert "请填写重置原因" in admin_client.post(url, {"reset_2fa": "1", "reason": ""}, follow=True).content.decode()
    assert admin_client.post(url, {"reset_2fa": "1", "reason": "手机丢失"}).status_code == 302
    assert not TOTPDevice.objects.filter(user=user).exists() and not StaticDevice.objects.filter(user=user).exists()
    assert AuditEvent.objects.get(action="otp.reset").reason == "手机丢失"
    assert Notification.objects.filter(recipient=user, kind="account.security").exists()
    # the user now enrols a first device with the password, as for a new account
    password_only(client, "lostphone")
    assert enrol_attempt(client) is not None
    assert TOTPDevice.objects.filter(user=user, confirmed=True).count() == 1


def test_the_code_field_accepts_backup_codes_with_letters():
    html = str(OtpForm()["token"])
    assert 'inputmode="text"' in html and 'autocomplete="one-time-code"' in html
    assert 'inputmode="numeric"' not in html
