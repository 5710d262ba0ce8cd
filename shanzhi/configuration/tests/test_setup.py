"""`shanzhi setup` on an empty database, again (idempotent), and with bad input (nothing written)."""

import io

import pytest
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from shanzhi.accounts.models import RoleGrant, User
from shanzhi.audit.models import AuditEvent
from shanzhi.configuration import divisions
from shanzhi.core.roles import Role
from shanzhi.regions.models import Region

pytestmark = pytest.mark.django_db

STREETS = "代码,名称\n321002004,曲江街道\n321002004001,玺园社区\n321002004001001,玺园第1网格\n"
ARGS = ["--non-interactive", "--no-qr", "--district", "321002", "--system-admin", "sys",
        "--security-admin", "sec", "--audit-admin", "aud"]


def _run(tmp_path, monkeypatch, *extra, csv=STREETS):
    path = tmp_path / "streets.csv"
    path.write_text(csv, encoding="utf-8")
    monkeypatch.setenv("SHANZHI_SETUP_PASSWORD", "Go-live-2026-ok")
    out = io.StringIO()
    call_command("setup", *ARGS, "--regions", str(path), *extra, stdout=out)
    return out.getvalue()


def test_setup_on_an_empty_database(tmp_path, monkeypatch):
    out = _run(tmp_path, monkeypatch)
    assert list(Region.objects.order_by("code").values_list("code", flat=True)) == [
        "32", "3210", "321002", "321002004", "321002004001", "321002004001001"]
    assert Region.objects.get(code="3210").name == "扬州市"
    for username, role in (("sys", Role.SYSTEM_ADMIN), ("sec", Role.SECURITY_ADMIN), ("aud", Role.AUDIT_ADMIN)):
        user = User.objects.get(username=username)
        assert set(RoleGrant.objects.filter(user=user).values_list("role", "region_code")) == {(role, "3210")}
        device = TOTPDevice.objects.get(user=user)
        assert device.config_url in out
    assert "otpauth://totp/" in out
    # the checklist, printed
    assert "待完成的配置" in out and "还没有民情类别" in out and "网格“玺园第1网格”没有网格员" in out
    assert AuditEvent.objects.filter(action="configuration.setup").count() == 1


def test_setup_twice_changes_nothing(tmp_path, monkeypatch):
    _run(tmp_path, monkeypatch)
    regions, devices = Region.objects.count(), TOTPDevice.objects.count()
    out = _run(tmp_path, monkeypatch)
    assert "已存在" in out
    assert Region.objects.count() == regions and TOTPDevice.objects.count() == devices
    assert User.objects.count() == 3


@pytest.mark.parametrize("extra,csv,message", [
    (["--district", "999999"], STREETS, "找不到区（县）"),
    (["--audit-admin", "sys"], STREETS, "三员分立"),
    ([], "代码,名称\n321002004,曲江街道\n32100200400x,坏\n", "区域文件第 3 行"),
])
def test_bad_input_writes_nothing(tmp_path, monkeypatch, extra, csv, message):
    with pytest.raises(CommandError) as e:
        _run(tmp_path, monkeypatch, *extra, csv=csv)
    assert message in str(e.value) and "未做任何更改" in str(e.value)
    assert not Region.objects.exists() and not User.objects.exists()


def test_an_admin_that_holds_a_business_role_is_refused(tmp_path, monkeypatch, world, make_user):
    """三员分立 stays enforced by accounts: an existing staff account can't become an admin."""
    make_user(Role.STREET_MANAGER, world.street.code, username="sys")
    with pytest.raises(CommandError) as e:
        _run(tmp_path, monkeypatch)
    assert "三员分立" in str(e.value)
    assert not User.objects.filter(username="sec").exists()


def test_division_codes_today():
    assert [d.name for d in divisions.chain("321002")] == ["江苏省", "扬州市", "广陵区"]
    assert divisions.find("扬州", "32").code == "3210"
    assert divisions.find("广陵区", "3210").code == "321002"
    # a code that no longer exists (维扬区 until 2010) is not offered; a renamed one has its current name
    assert "321011" not in divisions.divisions()
    assert divisions.current_name("[1983-2001]郊区,[2002-2010]维扬区") == ""
    assert divisions.current_name("[1983-]扬州市") == "扬州市"
    # 直辖市: the city level is named after the municipality
    assert divisions.divisions()["1101"].name == "北京市"
    assert len(divisions.children("")) >= 31


def test_interactive_setup_picks_province_city_district_by_name(tmp_path, monkeypatch):
    answers = iter(["江苏省", "扬州", "广陵区", "", "sys", "sec", "aud"])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(answers))
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "Go-live-2026-ok")
    out = io.StringIO()
    call_command("setup", "--no-qr", stdout=out)
    assert "江苏省 → 扬州市 → 广陵区" in out.getvalue()
    assert set(User.objects.values_list("username", flat=True)) == {"sys", "sec", "aud"}
    assert "还没有街道" in out.getvalue()
