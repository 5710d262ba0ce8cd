"""The workbench home: scope, counters, navigation by role, and the English switch."""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from shanzhi.core.roles import Role
from shanzhi.core.testing import verified_login

pytestmark = pytest.mark.django_db


def test_home_shows_scope_and_scoped_counters(client, world, make_user):
    client.force_login(make_user(Role.COMMUNITY_STAFF, world.community.code))
    html = client.get("/").content.decode()
    assert "玺园社区" in html and "社区工作人员" in html
    assert 'data-counter="regions.communities"' in html
    counters = client.get("/").context["counters"]
    values = {c["key"]: c["value"] for c in counters if c["key"].startswith("regions.")}
    assert values == {"regions.communities": 1, "regions.grids": 2}


def test_district_manager_counts_the_whole_district(client, world, make_user):
    verified_login(client, make_user(Role.DISTRICT_MANAGER, world.district.code))
    values = {c["key"]: c["value"] for c in client.get("/").context["counters"] if c["key"].startswith("regions.")}
    assert values == {"regions.communities": 2, "regions.grids": 3}


def test_user_without_grant_is_told(client, make_user, world):
    client.force_login(make_user())
    html = client.get("/").content.decode()
    assert 'data-testid="no-grant"' in html and "data-counter" not in html


@pytest.mark.parametrize("role,code,visible,hidden", [
    (Role.GRID_WORKER, "grid", ["区域网格"], ["用户与授权", "审计日志", "系统配置"]),
    (Role.COMMUNITY_SECRETARY, "community", ["区域网格", "用户与授权"], ["审计日志", "系统配置"]),
    (Role.AUDIT_ADMIN, "city", ["审计日志"], ["区域网格", "用户与授权", "系统配置"]),
    (Role.SYSTEM_ADMIN, "city", ["系统配置"], ["区域网格", "审计日志", "用户与授权"]),
    (Role.SECURITY_ADMIN, "city", ["用户与授权"], ["区域网格", "审计日志", "系统配置"]),
])
def test_navigation_by_role(client, world, make_user, role, code, visible, hidden):
    verified_login(client, make_user(role, getattr(world, code).code))
    nav = [i["label"] for i in client.get("/").context["nav_menu"]]
    assert all(v in nav for v in visible), nav
    assert not any(h in nav for h in hidden), nav


def test_english_is_available(client, world, make_user):
    client.force_login(make_user(Role.COMMUNITY_STAFF, world.community.code))
    resp = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert resp.status_code == 302
    html = client.get("/").content.decode()
    assert 'lang="en"' in html and "Workbench" in html and "My scope" in html
    assert "工作台" not in html
    html = client.get(reverse("regions:detail", args=[world.grid.code])).content.decode()
    assert "Resident population" in html  # the live 实有人口 figure, with its English label
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert "工作台" in client.get("/").content.decode()


def test_login_page_in_english(client):
    client.cookies["django_language"] = "en"
    html = client.get(reverse("accounts:login")).content.decode()
    assert "Sign in" in html and "Username" in html


def test_english_catalogue_is_valid_and_covers_the_shell():
    po = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
    result = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(po)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    text = po.read_text(encoding="utf-8")
    for shell in ('msgid "工作台"\nmsgstr "Workbench"', 'msgid "登录"\nmsgstr "Sign in"',
                  'msgid "区域网格"\nmsgstr "Regions & grids"', 'msgid "审计日志"\nmsgstr "Audit log"'):
        assert shell in text


def test_english_catalogue_is_complete():
    """Every message of the English catalogue is translated (msgattrib lists the untranslated ones)."""
    if not shutil.which("msgattrib"):
        pytest.skip("gettext tools are not installed")
    po = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
    result = subprocess.run(["msgattrib", "--untranslated", "--no-obsolete", str(po)], capture_output=True,
                            text=True, check=True)
    entries = [line for line in result.stdout.splitlines() if line.startswith("msgid ")]
    missing = entries[1:]  # the first is the catalogue's header, printed whenever anything is untranslated
    assert missing == [], f"{len(missing)} untranslated: {missing[:20]}"
    # A fuzzy entry is left out of the compiled catalogue, so English readers would see the Chinese text.
    fuzzy = subprocess.run(["msgattrib", "--only-fuzzy", "--no-obsolete", str(po)], capture_output=True, text=True,
                           check=True)
    guesses = [line for line in fuzzy.stdout.splitlines() if line.startswith("msgid ")][1:]
    assert guesses == [], f"{len(guesses)} fuzzy (machine-guessed, not compiled): {guesses[:20]}"
