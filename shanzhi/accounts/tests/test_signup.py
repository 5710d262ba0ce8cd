"""Resident self-registration: phone number + one-time code through the SMS adapter."""

from datetime import timedelta

import pytest
from django.test import RequestFactory, override_settings
from django.utils import timezone

from shanzhi.accounts.models import PhoneCode, User
from shanzhi.accounts.signup import code_send, signup_complete
from shanzhi.audit.models import AuditEvent
from shanzhi.core.errors import ServiceError
from shanzhi.notifications.sms import check_sms_backend, outbox, outbox_clear

PHONE = "13912345678"
PASSWORD = "Sz-resident-2026"


@pytest.fixture(autouse=True)
def _fresh(clock):
    outbox_clear()


def _code(phone=PHONE) -> str:
    return outbox(phone)[-1].text.split("验证码是 ")[1][:6]


def _register(client, phone=PHONE, **extra):
    client.post("/accounts/register/", {"phone": phone})
    data = {"code": _code(phone), "password1": PASSWORD, "password2": PASSWORD, "display_name": "小王", **extra}
    return client.post("/accounts/register/verify/", data)


def test_register_through_the_pages_signs_in_and_asks_for_binding(client, world):
    resp = client.post("/accounts/register/", {"phone": "+86 139-1234-5678"})
    assert resp.status_code == 302 and resp["Location"].endswith("/accounts/register/verify/")
    assert len(outbox(PHONE)) == 1
    page = client.get("/accounts/register/verify/").content.decode()
    assert "139********" in page and PHONE not in page
    resp = client.post("/accounts/register/verify/", {"code": _code(), "password1": PASSWORD, "password2": PASSWORD})
    assert resp.status_code == 302 and resp["Location"].endswith("/me/bind/")
    user = User.objects.get(phone_hash__gt="")
    assert not user.grants.exists()  # the 居民 role comes with the binding
    assert PHONE not in user.username and PHONE not in user.phone_enc
    home = client.get("/").content.decode()
    assert 'data-testid="go-bind"' in home and 'data-testid="no-grant"' not in home
    assert AuditEvent.objects.filter(action="signup.complete").exists()


def test_the_code_is_stored_hashed_and_used_once(db):
    code_send(request=_req(), phone=PHONE)
    code = _code()
    row = PhoneCode.objects.get()
    assert code not in row.code_hash and len(row.code_hash) == 64
    signup_complete(phone=PHONE, code=code, password=PASSWORD)
    with pytest.raises(ServiceError, match="重新获取"):
        signup_complete(phone=PHONE, code=code, password=PASSWORD)


def test_phone_login_with_password(client, db):
    code_send(request=_req(), phone=PHONE)
    signup_complete(phone=PHONE, code=_code(), password=PASSWORD)
    resp = client.post("/accounts/login/", {"username": PHONE, "password": PASSWORD})
    assert resp.status_code == 302
    assert client.get("/").status_code == 200


def test_wrong_code_counts_and_kills_the_code(db):
    code_send(request=_req(), phone=PHONE)
    code = _code()
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(ServiceError, match="还可以再试 4 次"):
        signup_complete(phone=PHONE, code=wrong, password=PASSWORD)
    for _ in range(4):
        with pytest.raises(ServiceError):
            signup_complete(phone=PHONE, code=wrong, password=PASSWORD)
    with pytest.raises(ServiceError, match="错误次数过多"):
        signup_complete(phone=PHONE, code=code, password=PASSWORD)  # even the right one: the code is dead
    assert AuditEvent.objects.filter(action="signup.code.wrong").count() == 5
    assert not User.objects.filter(phone_hash__gt="").exists()


def test_expired_code_is_refused(db):
    code_send(request=_req(), phone=PHONE)
    PhoneCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(ServiceError, match="已过期"):
        signup_complete(phone=PHONE, code=_code(), password=PASSWORD)
    assert AuditEvent.objects.filter(action="signup.code.expired").exists()


def test_weak_password_does_not_use_the_code_up(db):
    code_send(request=_req(), phone=PHONE)
    with pytest.raises(ServiceError) as e:
        signup_complete(phone=PHONE, code=_code(), password="12345678")
    assert e.value.field == "password"
    assert signup_complete(phone=PHONE, code=_code(), password=PASSWORD).pk


def test_bad_number_is_named(client, db):
    resp = client.post("/accounts/register/", {"phone": "12345"})
    assert resp.status_code == 200 and "请输入11位手机号码" in resp.content.decode()


@override_settings(SHANZHI_SIGNUP_RATE_PHONE="2/hour", SHANZHI_SIGNUP_RATE_IP="100/hour")
def test_codes_are_rate_limited_per_number(client, db, clock):
    for _ in range(2):
        assert client.post("/accounts/register/", {"phone": PHONE}).status_code == 302
    resp = client.post("/accounts/register/", {"phone": PHONE})
    assert resp.status_code == 429 and "过于频繁" in resp.content.decode()
    assert len(outbox(PHONE)) == 2
    assert client.post("/accounts/register/", {"phone": "13912345679"}).status_code == 302  # another number
    clock[0] += 3601
    assert client.post("/accounts/register/", {"phone": PHONE}).status_code == 302
    assert AuditEvent.objects.filter(action="signup.code.throttled").count() == 1


@override_settings(SHANZHI_SIGNUP_RATE_PHONE="100/hour", SHANZHI_SIGNUP_RATE_IP="3/hour")
def test_codes_are_rate_limited_per_ip(client, db, clock):
    for i in range(3):
        assert client.post("/accounts/register/", {"phone": f"1391234560{i}"}).status_code == 302
    assert client.post("/accounts/register/", {"phone": "13912345609"}).status_code == 429
    assert client.post("/accounts/register/", {"phone": "13912345609"}, REMOTE_ADDR="10.0.0.9").status_code == 302


def test_a_registered_number_gets_no_code_and_the_same_page(client, db):
    _register(client)
    client.logout()
    outbox_clear()
    resp = client.post("/accounts/register/", {"phone": PHONE})
    assert resp.status_code == 302 and resp["Location"].endswith("/accounts/register/verify/")
    assert "已注册" in outbox(PHONE)[-1].text and "验证码是" not in outbox(PHONE)[-1].text
    assert PhoneCode.objects.filter(used_at__isnull=True).count() == 0


def test_verify_page_without_a_phone_says_what_to_do(client, db):
    resp = client.get("/accounts/register/verify/")
    assert resp.status_code == 200 and "请先输入手机号获取验证码" in resp.content.decode()


def _req():
    return RequestFactory().post("/accounts/register/", REMOTE_ADDR="127.0.0.1")


def test_production_without_an_sms_provider_is_warned(settings):
    settings.DEBUG, settings.SHANZHI_TESTING = False, False
    assert [w.id for w in check_sms_backend()] == ["shanzhi.W201"]
    settings.SHANZHI_SMS_BACKEND = "example.AliyunSmsBackend"
    assert check_sms_backend() == []
